"""Asking staff for a value: at the terminal (click prompts), or not at all (``--yes``, the web form).

The composer only talks to an :class:`Asker`; a terminal session and a
non-interactive run differ only here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import click

from generator.authoring.values import BadValue, split_list


class Asker(Protocol):
    interactive: bool

    def say(self, text: str) -> None: ...

    def ask(
        self,
        label: str,
        parse: Callable[[str], Any],
        *,
        default: str | None = None,
        required: bool = True,
        help_text: str = "",
    ) -> Any: ...

    def choose(
        self,
        label: str,
        options: Sequence[str],
        *,
        default: int | None = None,
        required: bool = True,
        many: bool = False,
        help_text: str = "",
    ) -> list[int]: ...

    def confirm(self, label: str, default: bool = False) -> bool: ...


class ClickAsker:
    """Prompts in Chinese at the terminal; a bad answer is explained and asked again."""

    interactive = True

    def say(self, text: str) -> None:
        click.echo(text, err=True)

    def ask(
        self,
        label: str,
        parse: Callable[[str], Any],
        *,
        default: str | None = None,
        required: bool = True,
        help_text: str = "",
    ) -> Any:
        if help_text:
            click.echo(click.style(help_text, dim=True), err=True)
        suffix = "" if required else "（可选，回车跳过）"
        while True:
            text: str = click.prompt(
                f"{label}{suffix}",
                default=default if default is not None else ("" if not required else None),
                show_default=bool(default),
                err=True,
            )
            if not text.strip():
                if not required:
                    return None
                click.echo("  此项必填。", err=True)
                continue
            try:
                return parse(text)
            except BadValue as err:
                click.echo(f"  {err}", err=True)

    def choose(
        self,
        label: str,
        options: Sequence[str],
        *,
        default: int | None = None,
        required: bool = True,
        many: bool = False,
        help_text: str = "",
    ) -> list[int]:
        if help_text:
            click.echo(click.style(help_text, dim=True), err=True)
        click.echo(f"{label}：", err=True)
        for number, option in enumerate(options, start=1):
            click.echo(f"  {number}) {option}", err=True)
        how = "序号，多个用逗号分隔" if many else "序号"

        def parse(text: str) -> list[int]:
            chosen: list[int] = []
            for part in split_list(text, spaces=True):
                if part.isdigit() and 1 <= int(part) <= len(options):
                    chosen.append(int(part) - 1)
                elif part in options:
                    chosen.append(list(options).index(part))
                else:
                    raise BadValue(f"请填 1–{len(options)} 之间的序号")
            if not many and len(chosen) != 1:
                raise BadValue("请只选一项")
            return list(dict.fromkeys(chosen))

        picked = self.ask(
            f"请选择（{how}）",
            parse,
            default=str(default + 1) if default is not None else None,
            required=required,
        )
        return list(picked) if picked else []

    def confirm(self, label: str, default: bool = False) -> bool:
        return click.confirm(label, default=default, err=True)


class QuietAsker:
    """Never asks: takes the proposed default, and notes what is missing.

    Used with ``--yes`` and by the web form, where every value arrives at once.
    """

    interactive = False

    def __init__(self) -> None:
        self.missing: list[str] = []
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def ask(
        self,
        label: str,
        parse: Callable[[str], Any],
        *,
        default: str | None = None,
        required: bool = True,
        help_text: str = "",
    ) -> Any:
        if default is not None and default != "":
            return parse(default)
        if required:
            self.missing.append(label)
        return None

    def choose(
        self,
        label: str,
        options: Sequence[str],
        *,
        default: int | None = None,
        required: bool = True,
        many: bool = False,
        help_text: str = "",
    ) -> list[int]:
        if default is not None:
            return [default]
        if required:
            self.missing.append(label)
        return []

    def confirm(self, label: str, default: bool = False) -> bool:
        return default

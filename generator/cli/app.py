"""The command group, shared options and parameter types.

Exit status: 0 when all is well, 1 when a record has a problem, 2 for a usage
error (bad option, not inside a repository, unusable schemas).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from generator.problems import Lang
from generator.repo import NotARepository, find_root


class DateType(click.ParamType[dt.date, Any]):
    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"“{value}”不是有效日期（格式 YYYY-MM-DD）", param, ctx)


DATE = DateType()


@dataclass
class Settings:
    repo: Path | None
    lang: Lang

    def root(self) -> Path:
        try:
            return find_root(self.repo)
        except NotARepository as err:
            raise click.UsageError(str(err)) from err


pass_settings = click.make_pass_decorator(Settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--repo",
    type=click.Path(file_okay=False, path_type=Path),
    help="记录库目录（默认：当前目录所在的记录库）。",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="提示信息的语言。",
)
@click.version_option(package_name="anjian")
@click.pass_context
def cli(ctx: click.Context, repo: Path | None, lang: Lang) -> None:
    """安监：安全生产监管记录的校验、台账与信息公示。"""
    ctx.obj = Settings(repo=repo, lang=lang)

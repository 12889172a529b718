"""Problems are data: every check yields them, reporters print them.

A problem names a file (relative to the repository), a line and column where it
has one, the record id, the field path, a stable kebab-case code and a message in
Chinese and English.  Codes are registered with their documentation so that the
handbook can list one entry per code and a test can enforce it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
Lang = Literal["zh", "en"]


@dataclass(frozen=True, slots=True)
class Code:
    """A problem code and its documentation (shown in the staff handbook)."""

    code: str
    title_zh: str
    title_en: str
    fix_zh: str
    severity: Severity = "error"


CODES: dict[str, Code] = {}


def register(
    code: str, title_zh: str, title_en: str, fix_zh: str, severity: Severity = "error"
) -> Code:
    """Declare a problem code once, with what it means and how to fix it."""
    if code in CODES:
        raise ValueError(f"problem code registered twice: {code}")
    entry = Code(code, title_zh, title_en, fix_zh, severity)
    CODES[code] = entry
    return entry


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    path: str
    message_zh: str
    message_en: str
    line: int | None = None
    column: int | None = None
    record_id: str | None = None
    pointer: str = ""
    severity: Severity = "error"
    hint_zh: str = ""
    hint_en: str = ""

    def message(self, lang: Lang = "zh") -> str:
        text = self.message_zh if lang == "zh" else self.message_en
        hint = self.hint_zh if lang == "zh" else self.hint_en
        return (
            f"{text}（{hint}）" if hint and lang == "zh" else f"{text} ({hint})" if hint else text
        )

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line or 0, self.column or 0, self.code)


def make(
    code: Code,
    path: str,
    zh: str,
    en: str,
    *,
    line: int | None = None,
    column: int | None = None,
    record_id: str | None = None,
    pointer: str = "",
    hint_zh: str = "",
    hint_en: str = "",
    severity: Severity | None = None,
) -> Problem:
    return Problem(
        code=code.code,
        path=path,
        message_zh=zh,
        message_en=en,
        line=line,
        column=column,
        record_id=record_id,
        pointer=pointer,
        severity=severity or code.severity,
        hint_zh=hint_zh,
        hint_en=hint_en,
    )


@dataclass
class Report:
    """All problems of one run, sorted for stable output."""

    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems), key=Problem.sort_key)


def format_text(problems: Iterable[Problem], lang: Lang = "zh") -> str:
    lines = []
    for p in problems:
        where = p.path
        if p.line is not None:
            where += f":{p.line}:{p.column or 1}"
        field_part = f" [{p.pointer}]" if p.pointer else ""
        level = "" if p.severity == "error" else (" 警告" if lang == "zh" else " warning")
        lines.append(f"{where}: {p.code}{level}{field_part} {p.message(lang)}")
    return "\n".join(lines)


def format_json(problems: Iterable[Problem], lang: Lang = "zh") -> str:
    rows = [
        {
            "path": p.path,
            "line": p.line,
            "column": p.column,
            "record_id": p.record_id,
            "pointer": p.pointer,
            "code": p.code,
            "severity": p.severity,
            "message": p.message(lang),
        }
        for p in problems
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(problems: Iterable[Problem], lang: Lang = "zh") -> str:
    """Workflow commands, so problems appear inline in the pull request's diff."""
    lines = []
    for p in problems:
        level = "error" if p.severity == "error" else "warning"
        props = [f"file={_escape_github(p.path, prop=True)}"]
        if p.line is not None:
            props.append(f"line={p.line}")
            props.append(f"col={p.column or 1}")
        props.append(f"title={_escape_github(p.code, prop=True)}")
        lines.append(f"::{level} {','.join(props)}::{_escape_github(p.message(lang))}")
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}

"""anjian blacklist candidates | list, and anjian risk.

Internal views (candidates, every listing's state, risk proposals) and the
public list, each on a date (``--as-of``, default today in the policy's
timezone).  Records are validated on the later of that date and today, so a
past date sees the records as they stand and the derivation ignores whatever
happened after it; a record with an error of its own is left out (and
counted on stderr).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.cli.app import DATE, Settings, cli, pass_settings

if TYPE_CHECKING:
    from generator.validate import Loaded

# the derivations are imported by the commands that use them: ``anjian`` loads
# this module for every command, and they take longer to import than most commands run

Rows = list[dict[str, Any]]


def _load(root: Path, as_of: dt.date | None) -> tuple[Loaded, dt.date]:
    from generator.policy import load_policy
    from generator.schemas import SchemaError
    from generator.validate import validate_repository

    today = load_policy(root, {})[0].today()
    day = as_of or today
    try:
        loaded = validate_repository(root, as_of=max(day, today))
    except SchemaError as err:
        raise click.UsageError(str(err)) from err
    errors = {p.path for p in loaded.report.errors}
    if errors:
        click.echo(
            f"注意：{len(errors)} 个文件有错误，未计入；运行 anjian validate 查看。", err=True
        )
    return loaded, day


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        from generator.derive.blacklist.public import LIST_SEPARATOR

        return LIST_SEPARATOR.join(str(v) for v in value)
    return "" if value is None else str(value)


def format_table(rows: Rows, columns: Sequence[tuple[str, str]]) -> str:
    """Columns aligned by display width (a Chinese character is two columns)."""
    cells = [[title for _, title in columns]]
    cells += [[_cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [max(_width(line[i]) for line in cells) for i in range(len(columns))]
    lines = []
    for line in cells:
        padded = [text + " " * (w - _width(text)) for text, w in zip(line, widths, strict=True)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def format_csv(rows: Rows, columns: Sequence[tuple[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([key for key, _ in columns])
    writer.writerows([[_cell(row.get(key)) for key, _ in columns] for row in rows])
    return buffer.getvalue()


def _json(rows: Rows) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2, default=str)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def _rows(items: Sequence[Any]) -> Rows:
    return [{k: _plain(v) for k, v in dataclasses.asdict(item).items()} for item in items]


def _emit(rows: Rows, columns: Sequence[tuple[str, str]], fmt: str) -> None:
    if fmt == "json":
        click.echo(_json(rows))
    elif fmt == "csv":
        click.echo(format_csv(rows, columns), nl=False)
    else:
        click.echo(format_table(rows, columns))
    click.echo(f"共 {len(rows)} 条", err=True)


FORMAT_TABLE_JSON = click.Choice(["table", "json"])
FORMAT_ALL = click.Choice(["table", "json", "csv"])
AS_OF = click.option(
    "--as-of", type=DATE, default=None, help="按哪一天判断（默认：策略时区的今天）。"
)


@cli.group()
def blacklist() -> None:
    """严重失信主体名单（黑名单）：候选企业（内部）和公示名单。"""


CANDIDATE_COLUMNS = (
    ("enterprise", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("rule", "规则"),
    ("rule_title", "规则名称"),
    ("records", "触发记录"),
    ("existing", "已有决定"),
    ("facts", "事实"),
)


@blacklist.command()
@AS_OF
@click.option("--format", "fmt", type=FORMAT_TABLE_JSON, default="table", show_default=True)
@pass_settings
def candidates(settings: Settings, as_of: dt.date | None, fmt: str) -> None:
    """列出符合启用规则的企业及触发记录（内部使用，不是名单）。"""
    from generator.derive.blacklist import derive_candidates

    loaded, day = _load(settings.root(), as_of)
    _emit(_rows(derive_candidates(loaded.valid, loaded.policy, day)), CANDIDATE_COLUMNS, fmt)


# the terminal table keeps the columns a reader scans; json and csv carry every field
TABLE_FIELDS = (
    "enterprise_name",
    "enterprise",
    "rule_title",
    "document_no",
    "department_name",
    "listed_from",
    "listed_until",
)


def public_columns() -> tuple[tuple[str, str], ...]:
    from generator.derive.blacklist.public import FIELDS

    return tuple((name, title) for name, title, _ in FIELDS if name in TABLE_FIELDS)


LISTING_COLUMNS = (
    ("enterprise", "统一社会信用代码"),
    ("decision", "决定"),
    ("rule", "规则"),
    ("status", "状态"),
    ("notice_date", "告知日期"),
    ("objection_until", "异议截止"),
    ("objection", "异议"),
    ("listed_from", "列入日期"),
    ("listed_until", "期满日期"),
    ("repair_from", "可修复日期"),
    ("ended_on", "结束日期"),
    ("ended_by", "结束决定"),
)


@blacklist.command("list")
@AS_OF
@click.option("--format", "fmt", type=FORMAT_ALL, default="table", show_default=True)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="列出全部列入决定及其状态（待定、已到期、已修复等，内部使用）。",
)
@pass_settings
def list_(settings: Settings, as_of: dt.date | None, fmt: str, everything: bool) -> None:
    """当日公示的严重失信主体名单（与门户 site/data/blacklist.json 相同）。"""
    from generator.derive.blacklist import (
        blacklist_csv,
        blacklist_json,
        blacklist_tables,
        listing_state,
    )
    from generator.derive.blacklist.facts import Facts
    from generator.derive.blacklist.policy_rules import repair_after_months, term_years

    loaded, day = _load(settings.root(), as_of)
    if everything:
        decisions = Facts.from_records(loaded.valid).decisions
        states = listing_state(
            decisions,
            day,
            term_years=term_years(loaded.policy),
            repair_after_months=repair_after_months(loaded.policy),
        )
        _emit(_rows(states), LISTING_COLUMNS, fmt)
        return
    rows = blacklist_tables(loaded, day)
    if fmt == "json":
        click.echo(blacklist_json(rows), nl=False)
    elif fmt == "csv":
        click.echo(blacklist_csv(rows), nl=False)
    else:
        click.echo(format_table(rows, public_columns()))
    click.echo(f"{day} 公示 {len(rows)} 条", err=True)


RISK_COLUMNS = (
    ("enterprise", "统一社会信用代码"),
    ("enterprise_name", "企业名称"),
    ("risk_color", "现风险等级"),
    ("proposed_color", "建议风险等级"),
    ("supervision_class", "现监管分类"),
    ("proposed_class", "建议监管分类"),
    ("reasons", "理由"),
)


@cli.command()
@AS_OF
@click.option("--format", "fmt", type=FORMAT_ALL, default="table", show_default=True)
@click.option("--changed", is_flag=True, help="只列出建议调整等级或分类的企业。")
@pass_settings
def risk(settings: Settings, as_of: dt.date | None, fmt: str, changed: bool) -> None:
    """按失信、事故、隐患、处罚和举报记录，提出下一年度风险等级和监管分类建议。"""
    from generator.derive.risk import derive_risk

    loaded, day = _load(settings.root(), as_of)
    proposals = [
        p for p in derive_risk(loaded.valid, loaded.policy, day) if p.changed or not changed
    ]
    _emit(_rows(proposals), RISK_COLUMNS, fmt)

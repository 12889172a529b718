"""anjian ledger: the hazard ledger (隐患台账) as of a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli.app import DATE, Settings, cli, pass_settings
from generator.cli.ledger_output import FORMATS, render_ledger
from generator.derive.ledger import (
    CLASSES,
    GROUPS,
    LEVELS,
    STATUSES,
    LedgerFilter,
    derive_ledger,
    filter_ledger,
)

if TYPE_CHECKING:
    from generator.validate import Loaded


def load_valid_records(settings: Settings, as_of: dt.date | None) -> tuple[Loaded, dt.date]:
    """Validate the repository; the valid records and the as-of date (default: today).

    Records are validated as of today (or the as-of date when later), so a
    ledger of a past day still shows records whose events came after it.
    Records with errors are left out, and counted on stderr.
    """
    from generator.policy import load_policy
    from generator.schemas import SchemaError, load_registry
    from generator.validate import validate_repository

    root = settings.root()
    try:
        policy, _ = load_policy(root, load_registry(root).policy_schema)
        today = policy.today()
        loaded = validate_repository(root, as_of=max(as_of or today, today))
    except SchemaError as err:
        raise click.UsageError(str(err)) from err
    bad = {p.path for p in loaded.report.errors}
    if bad:
        click.echo(f"注意：{len(bad)} 个文件有错误，未计入（运行 anjian validate 查看）", err=True)
    return loaded, as_of or today


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="输出格式：table 终端表格，markdown（可贴到议题中），csv（可用 Excel 打开），json。",
)
@click.option("--as-of", type=DATE, default=None, help="按哪一天的情况（默认：策略时区的今天）。")
@click.option("--town", multiple=True, help="只看某个乡镇（街道），可重复。")
@click.option("--dept", multiple=True, help="只看某个监管部门（编号、名称或简称），可重复。")
@click.option(
    "--level",
    multiple=True,
    type=click.Choice([*LEVELS, *CLASSES]),
    help="只看某个等级（一级、二级、三级）或类别（一般、重大），可重复。",
)
@click.option(
    "--status",
    multiple=True,
    type=click.Choice(STATUSES),
    help="只看某种状态或标记，可重复（默认：未销号）：" + "、".join(STATUSES) + "。",
)
@click.option(
    "--group",
    type=click.Choice(sorted(GROUPS)),
    default="town",
    show_default=True,
    help="表格按什么分组：town 乡镇，dept 监管部门，level 等级。",
)
@click.option(
    "--newly-overdue",
    is_flag=True,
    help="只看当天新逾期的隐患（整改期限是前一天），供每晚的定时任务开议题。",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="写到文件而不是屏幕；没有符合条件的隐患时不写文件。",
)
@pass_settings
def ledger(
    settings: Settings,
    fmt: str,
    as_of: dt.date | None,
    town: tuple[str, ...],
    dept: tuple[str, ...],
    level: tuple[str, ...],
    status: tuple[str, ...],
    group: str,
    newly_overdue: bool,
    output: Path | None,
) -> None:
    """隐患台账：未销号的隐患，逾期和即将到期的在前；挂牌督办的重大隐患；复发隐患。"""
    loaded, day = load_valid_records(settings, as_of)
    rows = derive_ledger(loaded.valid, loaded.policy, day)
    criteria = LedgerFilter(town, dept, level, status, newly_overdue=newly_overdue)
    chosen = filter_ledger(rows, criteria)
    text = render_ledger(chosen, day, fmt, group, loaded.policy.towns)
    if output is None:
        click.echo(text)
    elif chosen:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"已写入 {len(chosen)} 项隐患到 {output}", err=True)
    else:
        click.echo(f"没有符合条件的隐患，未写 {output}", err=True)

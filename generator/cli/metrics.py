"""anjian metrics: rectification rates and hazards per inspected enterprise, against the targets."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import click

from generator.cli.app import DATE, Settings, cli, pass_settings
from generator.cli.ledger import load_valid_records
from generator.cli.tables import render_csv, render_table
from generator.derive.metrics import (
    DIMENSIONS,
    PERIODS,
    MetricsRow,
    Rate,
    Targets,
    derive_metrics,
)

DIMENSION_TITLES = {
    "period": "期间",
    "town": "乡镇（街道）",
    "industry": "行业",
    "department": "部门",
}


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _mark(reached: bool | None) -> str:
    return "" if reached is None else "达标" if reached else "未达标"


def _rate(rate: Rate) -> list[str]:
    pending = f"，待定 {rate.pending}" if rate.pending else ""
    return [_percent(rate.value), f"{rate.in_time}/{rate.decided}{pending}", _mark(rate.reached)]


def _per_enterprise(row: MetricsRow) -> list[str]:
    value = row.per_enterprise
    shown = "—" if value is None else f"{value:.2f}"
    return [
        shown,
        f"{row.hazards_found}/{row.inspected_enterprises}",
        _mark(row.per_enterprise_reached),
    ]


def render_metrics_text(rows: Sequence[MetricsRow], targets: Targets, by: str, head: str) -> str:
    headers = [
        DIMENSION_TITLES[by],
        f"一般隐患{targets.general_days}日内整改率",
        "按期/已定",
        "达标",
        f"重大隐患{targets.major_days}日内整改率",
        "按期/已定",
        "达标",
        "每家被检查企业隐患数",
        "隐患/企业",
        "达标",
    ]
    body = [
        [row.key, *_rate(row.general), *_rate(row.major), *_per_enterprise(row)] for row in rows
    ]
    goals = (
        f"目标：一般隐患 {targets.general_days} 日内整改率 ≥{targets.general_rate * 100:.0f}%，"
        f"重大隐患 {targets.major_days} 日内整改率 ≥{targets.major_rate * 100:.0f}%，"
        f"平均每家被检查企业发现隐患 ≥{targets.per_enterprise:g} 项"
    )
    table = render_table(headers, body, right=(1, 2, 4, 5, 7, 8))
    return "\n".join([head, goals, "", table])


def _row_json(row: MetricsRow) -> dict[str, object]:
    def rate(r: Rate) -> dict[str, object]:
        return {
            "rate": r.value,
            "in_time": r.in_time,
            "decided": r.decided,
            "pending": r.pending,
            "target": r.target,
            "reached": r.reached,
        }

    return {
        "key": row.key,
        "general": rate(row.general),
        "major": rate(row.major),
        "hazards_found": row.hazards_found,
        "inspected_enterprises": row.inspected_enterprises,
        "hazards_per_enterprise": row.per_enterprise,
        "hazards_per_enterprise_target": row.per_enterprise_target,
        "hazards_per_enterprise_reached": row.per_enterprise_reached,
    }


CSV_HEADERS = [
    "统计口径",
    "一般隐患按期整改率",
    "一般隐患按期整改数",
    "一般隐患已定数",
    "一般隐患待定数",
    "重大隐患按期整改率",
    "重大隐患按期整改数",
    "重大隐患已定数",
    "重大隐患待定数",
    "监督检查发现隐患数",
    "被检查企业数",
    "平均每家被检查企业隐患数",
]


def _csv_row(row: MetricsRow) -> list[object]:
    def rate(r: Rate) -> list[object]:
        return ["" if r.value is None else round(r.value, 4), r.in_time, r.decided, r.pending]

    per = row.per_enterprise
    return [
        row.key,
        *rate(row.general),
        *rate(row.major),
        row.hazards_found,
        row.inspected_enterprises,
        "" if per is None else round(per, 4),
    ]


@cli.command()
@click.option(
    "--by",
    type=click.Choice(DIMENSIONS),
    default="period",
    show_default=True,
    help="按什么统计：period 期间，town 乡镇，industry 行业，department 部门。",
)
@click.option(
    "--period",
    type=click.Choice(PERIODS),
    default="quarter",
    show_default=True,
    help="按期间统计时的期间：month 月，quarter 季度，year 年。",
)
@click.option(
    "--since", type=DATE, default=None, help="从哪一天起统计（默认：截止日所在年的 1 月 1 日）。"
)
@click.option("--as-of", type=DATE, default=None, help="统计到哪一天（默认：策略时区的今天）。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="输出格式：table 终端表格，csv，json。",
)
@pass_settings
def metrics(
    settings: Settings,
    by: str,
    period: str,
    since: dt.date | None,
    as_of: dt.date | None,
    fmt: str,
) -> None:
    """整改率考核指标：一般隐患按期整改率、重大隐患按期整改率、平均每家被检查企业发现隐患数。"""
    loaded, day = load_valid_records(settings, as_of)
    start = since or dt.date(day.year, 1, 1)
    if start > day:
        raise click.UsageError(f"--since {start} 晚于统计截止日 {day}")
    rows = derive_metrics(loaded.valid, loaded.policy, day, by=by, period=period, since=start)
    if fmt == "json":
        payload = {
            "since": start.isoformat(),
            "as_of": day.isoformat(),
            "by": by,
            "rows": [_row_json(r) for r in rows],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(render_csv(CSV_HEADERS, [_csv_row(r) for r in rows]))
    else:
        head = f"整改率考核指标 {start} 至 {day}"
        click.echo(render_metrics_text(rows, Targets.from_policy(loaded.policy), by, head))

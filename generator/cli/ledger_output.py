"""How the ledger is shown: a terminal table, Markdown (for an issue), CSV or JSON.

Every column the ledger shows is public (schema ``x-disclosure: public``): the
hazard's id, level, category, description, location, deadline and state, the
enterprise's name and town, the department's name.  Internal fields (who found
it, the five fixes) never appear, so the Markdown can be posted to an issue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Sequence

from generator.cli.tables import render_csv, render_table
from generator.derive.ledger import LedgerRow, group_ledger, summarize

# column → Chinese header, in CSV order (JSON uses the field names)
TITLES = {
    "id": "编号",
    "enterprise": "企业信用代码",
    "enterprise_name": "企业",
    "town": "乡镇（街道）",
    "industry": "行业",
    "department": "部门编号",
    "department_name": "监管部门",
    "hazard_class": "类别",
    "level": "等级",
    "category": "隐患类型",
    "description": "隐患描述",
    "location": "隐患部位",
    "found_on": "发现日期",
    "deadline": "整改期限",
    "state": "状态",
    "days_left": "剩余天数",
    "overdue": "逾期",
    "due_soon": "即将到期",
    "listed": "挂牌督办",
    "listing_document": "督办文号",
    "recurrence_of": "复发（前次隐患）",
    "recurrence_closed_on": "前次销号日期",
    "closed_on": "销号日期",
    "on_time": "按期销号",
}


def _days(row: LedgerRow) -> str:
    if row.days_left is None:
        return ""
    if row.days_left < 0:
        return f"逾期{-row.days_left}天"
    return "今天到期" if row.days_left == 0 else f"剩{row.days_left}天"


def _flags(row: LedgerRow) -> str:
    marks = [f for f in row.flags if f not in ("逾期", "即将到期")]
    return "、".join(marks)


Column = tuple[str, Callable[[LedgerRow], str]]
MAIN_COLUMNS: list[Column] = [
    ("编号", lambda r: r.id),
    ("企业", lambda r: r.enterprise_name or r.enterprise),
    ("乡镇", lambda r: r.town),
    ("监管部门", lambda r: r.department_name or r.department),
    ("等级", lambda r: f"{r.level}{'·重大' if r.hazard_class == '重大' else ''}"),
    ("隐患类型", lambda r: r.category),
    ("隐患描述", lambda r: r.description),
    ("整改期限", lambda r: r.deadline),
    ("期限", _days),
    ("状态", lambda r: r.state),
    ("标记", _flags),
]
SKIP_WHEN_GROUPED = {"town": "乡镇", "dept": "监管部门", "level": "等级"}


def _main_table(rows: Sequence[LedgerRow], group: str, towns: Sequence[str]) -> str:
    columns = [c for c in MAIN_COLUMNS if c[0] != SKIP_WHEN_GROUPED[group]]
    headers = [title for title, _ in columns]
    limits = {headers.index("企业"): 20, headers.index("隐患描述"): 30}
    parts = []
    for key, members in group_ledger(rows, group, towns):
        overdue = sum(r.overdue for r in members)
        soon = sum(r.due_soon for r in members)
        parts.append(f"■ {key}（{len(members)} 项，逾期 {overdue}，即将到期 {soon}）")
        body = [[cell(r) for _, cell in columns] for r in members]
        parts.append(render_table(headers, body, max_widths=limits))
        parts.append("")
    return "\n".join(parts)


def _listed_table(rows: Sequence[LedgerRow]) -> str:
    headers = ["编号", "企业", "乡镇", "等级", "督办文号", "整改期限", "期限", "状态"]
    body = [
        [
            r.id,
            r.enterprise_name,
            r.town,
            r.level,
            r.listing_document,
            r.deadline,
            _days(r),
            r.state,
        ]
        for r in rows
        if r.listed
    ]
    return render_table(headers, body, max_widths={1: 20}) if body else "（无）"


def _recurrence_table(rows: Sequence[LedgerRow]) -> str:
    headers = ["编号", "企业", "乡镇", "隐患类型", "发现日期", "前次隐患", "前次销号", "间隔"]
    body = []
    for r in rows:
        if not r.recurrence_of:
            continue
        gap = dt.date.fromisoformat(r.found_on) - dt.date.fromisoformat(r.recurrence_closed_on)
        body.append(
            [
                r.id,
                r.enterprise_name,
                r.town,
                r.category,
                r.found_on,
                r.recurrence_of,
                r.recurrence_closed_on,
                f"{gap.days}天",
            ]
        )
    return render_table(headers, body, max_widths={1: 20}) if body else "（无）"


def _headline(rows: Sequence[LedgerRow], as_of: dt.date) -> str:
    s = summarize(rows, as_of)
    return (
        f"隐患台账 截至 {as_of}：未销号 {s.open} 项，其中逾期 {s.overdue}、即将到期 {s.due_soon}、"
        f"挂牌督办 {s.listed}；复发 {s.recurring} 项"
    )


def render_ledger_text(
    rows: Sequence[LedgerRow], as_of: dt.date, group: str, towns: Sequence[str] = ()
) -> str:
    head = _headline(rows, as_of)
    if not rows:
        return head + "\n（没有符合条件的隐患）"
    return "\n".join(
        [
            head,
            "",
            _main_table(rows, group, towns),
            "■ 挂牌督办的重大隐患",
            _listed_table(rows),
            "",
            "■ 复发隐患（同一企业同类隐患销号后再次发现）",
            _recurrence_table(rows),
        ]
    )


def _value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def render_ledger_markdown(rows: Sequence[LedgerRow], as_of: dt.date) -> str:
    """A GitHub-flavoured Markdown table, most urgent first (e.g. the body of an issue)."""
    headers = [title for title, _ in MAIN_COLUMNS]
    lines = [f"**{_headline(rows, as_of)}**", ""]
    lines.append("| " + " | ".join(headers) + " |")
    lines.append("|" + "---|" * len(headers))
    for row in rows:
        lines.append(
            "| " + " | ".join(_markdown_cell(cell(row)) for _, cell in MAIN_COLUMNS) + " |"
        )
    return "\n".join(lines)


FORMATS = ("table", "markdown", "csv", "json")


def render_ledger(
    rows: Sequence[LedgerRow], as_of: dt.date, fmt: str, group: str, towns: Sequence[str] = ()
) -> str:
    if fmt == "json":
        summary = dataclasses.asdict(summarize(rows, as_of))
        summary["as_of"] = as_of.isoformat()
        payload = {"summary": summary, "hazards": [dataclasses.asdict(r) for r in rows]}
        return json.dumps(payload, ensure_ascii=False, indent=2)
    if fmt == "csv":
        body = [[_value(getattr(r, name)) for name in TITLES] for r in rows]
        return render_csv(list(TITLES.values()), body)
    if fmt == "markdown":
        return render_ledger_markdown(rows, as_of)
    return render_ledger_text(rows, as_of, group, towns)

"""Dates in order, and nothing that has happened dated after the as-of date.

Orderings: an inspection's notice before the visit; a hazard's events on or
after it was found and in chronological order; a penalty filed before it is
decided and published after; a complaint checked after it was received and
answered after it was checked; a listing's term ending after it starts.
Events that have happened (an inspection, a finding, an event, a decision, a
report) may not lie after ``--as-of``; deadlines and terms may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.dates import parse_date
from generator.load import Pointer
from generator.problems import Problem, register
from generator.records import Record
from generator.rules.context import Context

DATE_ORDER = register(
    "date-order",
    "日期先后顺序不对",
    "dates out of order",
    "核对相关的两个日期，后发生的事不能早于先发生的事。",
)
FUTURE_DATE = register(
    "future-date",
    "日期晚于今天",
    "date in the future",
    "已经发生的事（检查、发现、整改、决定、报送）不能写将来的日期；期限类日期不受此限。",
)

# (kind, earlier pointer, later pointer, what it means in Chinese)
ORDERS: list[tuple[str, Pointer, Pointer, str]] = [
    ("inspection", ("notice_date",), ("date",), "通知日期应不晚于检查日期"),
    ("penalty", ("filed_on",), ("decided_on",), "立案日期应不晚于决定日期"),
    ("penalty", ("decided_on",), ("publish", "from"), "公示开始日期应不早于决定日期"),
    ("penalty", ("publish", "from"), ("publish", "until"), "公示结束日期应晚于开始日期"),
    ("penalty", ("decided_on",), ("revoked", "date"), "撤销日期应不早于决定日期"),
    ("complaint", ("received_on",), ("checked_on",), "核查日期应不早于受理日期"),
    ("complaint", ("checked_on",), ("answered_on",), "答复日期应不早于核查日期"),
    ("complaint", ("received_on",), ("answered_on",), "答复日期应不早于受理日期"),
    ("decision", ("listed_from",), ("listed_until",), "列入期限的结束日期应晚于开始日期"),
    (
        "decision",
        ("notice", "date"),
        ("notice", "objection_until"),
        "异议期截止日期应不早于告知日期",
    ),
    ("decision", ("notice", "date"), ("decided_on",), "决定日期应不早于告知日期"),
    ("hazard", ("found_on",), ("five_fixed", "deadline"), "五定中的整改时限应不早于发现日期"),
    ("hazard", ("found_on",), ("listing", "date"), "挂牌督办日期应不早于发现日期"),
]

# dates of things that have happened, per kind
HAPPENED: dict[str, list[Pointer]] = {
    "inspection": [("date",), ("notice_date",)],
    "hazard": [("found_on",), ("listing", "date")],
    "penalty": [("decided_on",), ("filed_on",), ("revoked", "date")],
    "self-report": [("submitted_on",)],
    "complaint": [("received_on",), ("checked_on",), ("answered_on",)],
    "decision": [("decided_on",), ("notice", "date")],
}


def _get(data: object, pointer: Pointer) -> object:
    node = data
    for part in pointer:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _happened(record: Record) -> Iterator[Pointer]:
    yield from HAPPENED.get(record.kind, [])
    if record.kind == "hazard":
        for i, _ in enumerate(record.data.get("events") or []):
            yield ("events", i, "date")


def _future(ctx: Context, record: Record) -> Iterator[Problem]:
    for pointer in _happened(record):
        when = parse_date(_get(record.data, pointer))
        if when is not None and when > ctx.as_of:
            yield ctx.problem(
                FUTURE_DATE,
                record,
                pointer,
                f"{when} 晚于当前日期 {ctx.as_of}，已发生的事不能写将来的日期",
                f"{when} is after the as-of date {ctx.as_of}",
            )


def _events_in_order(ctx: Context, record: Record) -> Iterator[Problem]:
    found = parse_date(record.data.get("found_on"))
    previous: dt.date | None = found
    for i, event in enumerate(record.data.get("events") or []):
        when = parse_date(event.get("date") if isinstance(event, dict) else None)
        if when is None:
            continue
        if previous is not None and when < previous:
            what = "发现日期" if previous == found and i == 0 else "上一个事件"
            yield ctx.problem(
                DATE_ORDER,
                record,
                ("events", i, "date"),
                f"事件日期 {when} 早于{what}（{previous}）；整改过程应按时间顺序记录",
                f"event date {when} is before the previous date {previous}",
            )
        previous = max(when, previous) if previous else when


ORDERS_OF: dict[str, list[tuple[str, Pointer, Pointer, str]]] = {}
for _order in ORDERS:
    ORDERS_OF.setdefault(_order[0], []).append(_order)


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets:
        for _, earlier, later, meaning in ORDERS_OF.get(record.kind, ()):
            first = parse_date(_get(record.data, earlier))
            second = parse_date(_get(record.data, later))
            if first is not None and second is not None and second < first:
                yield ctx.problem(
                    DATE_ORDER,
                    record,
                    later,
                    f"{meaning}（{'.'.join(map(str, earlier))} = {first}，{'.'.join(map(str, later))} = {second}）",
                    f"{'.'.join(map(str, later))} {second} is before {'.'.join(map(str, earlier))} {first}",
                )
        if record.kind == "hazard":
            yield from _events_in_order(ctx, record)
        yield from _future(ctx, record)

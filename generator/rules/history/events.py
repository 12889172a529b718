"""A hazard's events are append-only, and its state moves back only through an event.

The events inside a hazard record are its history (发现—整改—复查—销号): the
events at the base must stay exactly as they were, in the same order, and new
events are added after them.  Removing an event or rewriting one (its date,
type, person, note or evidence) is refused; a mistake is corrected by a new
event.  The state replayed from the events may move backwards only through
the events made for it — a failed re-check (复查不通过) or a reopen (重新打开) —
never because old events were changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.derive import lifecycle as lc
from generator.load import Document
from generator.problems import Code, Problem, register
from generator.records import kind_of
from generator.rules.history.context import HistoryContext, record_id_of

EVENT_REMOVED = register(
    "event-removed",
    "整改过程事件被删除",
    "lifecycle event removed",
    "整改过程事件只能在末尾追加，不得删除：恢复被删除的事件。记录有误的，追加一个事件说明更正。",
)
EVENT_REWRITTEN = register(
    "event-rewritten",
    "整改过程事件被改写",
    "lifecycle event rewritten",
    "已提交的事件不得修改（日期、类型、经办人、说明、证据都不能改）：恢复原样，"
    "需要更正或补充的，在末尾追加新事件说明。",
)
STATE_BACKWARDS = register(
    "state-backwards",
    "整改状态倒退",
    "lifecycle state moved backwards",
    "状态只能通过追加事件后退：复查未通过追加“复查不通过”（写明 reason），"
    "已销号的隐患需要重新整改的追加“重新打开”（写明 reason 和 by）。",
)


def events_of(doc: Document) -> list[Any]:
    events = doc.data.get("events")
    return list(events) if isinstance(events, list) else []


def first_difference(old: list[Any], new: list[Any]) -> int | None:
    """Index of the first base event not kept as it was (None: the base is a prefix)."""
    for i, event in enumerate(old):
        if i >= len(new) or new[i] != event:
            return i
    return None


def _describe(event: Any) -> str:
    if not isinstance(event, dict):
        return "事件"
    return f"{event.get('date', '?')} “{event.get('type', '?')}”"


def _classify(before: list[Any], after: list[Any], index: int) -> tuple[Code, str, str]:
    """Removed (gone, the later ones moved up), moved (still there, elsewhere) or rewritten."""
    gone = before[index]
    if gone in after:
        return EVENT_REWRITTEN, "被挪动了位置", "was moved"
    if index >= len(after) or after[index] in before[index + 1 :]:
        return EVENT_REMOVED, "被删除", "was removed"
    return EVENT_REWRITTEN, "被改写", "was rewritten"


def _state(events: list[Any]) -> str:
    return lc.replay([e for e in events if isinstance(e, dict)])[0]


def check(ctx: HistoryContext) -> Iterator[Problem]:
    for change, old, new in ctx.pairs():
        path = change.new_path
        assert path is not None
        if kind_of(path) != "hazard":
            continue
        record_id = record_id_of(path, new)
        before, after = events_of(old), events_of(new)
        index = first_difference(before, after)
        if index is None:
            continue
        code, zh_what, en_what = _classify(before, after, index)
        yield ctx.problem(
            code,
            path,
            f"隐患“{record_id}”第 {index + 1} 个事件（{_describe(before[index])}）{zh_what}；"
            "事件只能在末尾追加",
            f"event {index + 1} of {record_id} ({_describe(before[index])}) {en_what}; "
            "events are append-only",
            pointer=("events", index) if index < len(after) else ("events",),
            record_id=record_id,
        )
        old_state, new_state = _state(before), _state(after)
        if lc.RANK.get(new_state, 0) < lc.RANK.get(old_state, 0):
            yield ctx.problem(
                STATE_BACKWARDS,
                path,
                f"隐患“{record_id}”的状态从“{old_state}”退回到“{new_state}”，"
                "但不是通过追加“复查不通过”或“重新打开”事件",
                f"{record_id} moved back from {old_state!r} to {new_state!r} "
                "without a failed re-check or reopen event",
                pointer=("events",),
                record_id=record_id,
            )

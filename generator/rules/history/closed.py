"""A closed hazard is not edited; it is reopened.

Once a hazard is closed (销号, state 已销号 at the base) its record is the
final account of what was found and how it was fixed.  The only change allowed
is to append a reopen event (重新打开, with a reason and the person) — and the
events that follow it.  Changing its description, level, deadline or any other
field, even together with a reopen, is refused: reopen first, and correct the
fields in a later change while the hazard is open again.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.derive import lifecycle as lc
from generator.problems import Problem, register
from generator.records import kind_of
from generator.rules.history.context import HistoryContext, record_id_of
from generator.rules.history.events import events_of, first_difference

CLOSED_RECORD_EDITED = register(
    "closed-record-edited",
    "已销号的隐患被修改",
    "closed hazard edited",
    "已销号的隐患不得修改：撤销这些修改。确需重新整改的，只在事件末尾追加“重新打开”事件"
    "（写明 reason 和 by），合并后再按需修改。",
)

EVENTS = "events"


def check(ctx: HistoryContext) -> Iterator[Problem]:
    for change, old, new in ctx.pairs():
        path = change.new_path
        assert path is not None
        if kind_of(path) != "hazard" or lc.state_of(old.data) != lc.CLOSED:
            continue
        record_id = record_id_of(path, new)
        keys = [*new.data, *(k for k in old.data if k not in new.data)]
        for key in keys:
            if key == EVENTS or old.data.get(key) == new.data.get(key):
                continue
            name = ctx.title(path, (key,))
            yield ctx.problem(
                CLOSED_RECORD_EDITED,
                path,
                f"隐患“{record_id}”已销号，不得修改“{name}”（{key}）",
                f"{record_id} is closed: {key} may not be changed",
                pointer=(key,),
                key=True,
                record_id=record_id,
            )
        before, after = events_of(old), events_of(new)
        if first_difference(before, after) is not None or len(after) == len(before):
            continue  # a rewritten history is reported by the event rules
        added = after[len(before)]
        if not isinstance(added, dict) or added.get("type") != lc.REOPEN:
            what = added.get("type", "?") if isinstance(added, dict) else "?"
            yield ctx.problem(
                CLOSED_RECORD_EDITED,
                path,
                f"隐患“{record_id}”已销号，新追加的第一个事件是“{what}”；"
                "已销号的隐患只能先追加“重新打开”事件",
                f"{record_id} is closed: the first new event must be a reopen, not {what!r}",
                pointer=(EVENTS, len(before)),
                record_id=record_id,
            )

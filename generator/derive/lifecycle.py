"""The hazard closed loop (发现—整改—复查—销号) as a state machine over events.

A hazard's history is the list of dated events inside its record; its state is
what replaying them gives.  Pure functions: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

FOUND = "待整改"
RECTIFYING = "整改中"
AWAITING = "待验收"
RECHECKED = "已复查"
CLOSED = "已销号"
STATES = (FOUND, RECTIFYING, AWAITING, RECHECKED, CLOSED)

START = "开始整改"
PROGRESS = "进展报告"
RECTIFIED = "整改完成"
ASSESSED = "评估"
RECHECK_PASSED = "复查通过"
RECHECK_FAILED = "复查不通过"
ACCEPTED = "验收"
CLOSE = "销号"
REOPEN = "重新打开"

# event type -> {state it may follow: state it leads to}
TRANSITIONS: dict[str, dict[str, str]] = {
    START: {FOUND: RECTIFYING},
    PROGRESS: {RECTIFYING: RECTIFYING, FOUND: FOUND},
    RECTIFIED: {FOUND: AWAITING, RECTIFYING: AWAITING},
    ASSESSED: {AWAITING: AWAITING, RECTIFYING: RECTIFYING},
    RECHECK_PASSED: {AWAITING: RECHECKED},
    RECHECK_FAILED: {AWAITING: RECTIFYING},
    ACCEPTED: {RECHECKED: RECHECKED, AWAITING: AWAITING},
    CLOSE: {RECHECKED: CLOSED},
    REOPEN: {CLOSED: RECTIFYING},
}

# how far along the loop each state is (a state may never move backwards
# except through a failed re-check or an explicit reopen)
RANK = {FOUND: 0, RECTIFYING: 1, AWAITING: 2, RECHECKED: 3, CLOSED: 4}


@dataclass(frozen=True)
class Step:
    index: int
    event_type: str
    before: str
    after: str | None  # None: the event is not allowed in that state


def replay(events: Sequence[dict[str, Any]]) -> tuple[str, list[Step]]:
    """Replay events from 待整改; a disallowed event leaves the state unchanged."""
    state = FOUND
    steps = []
    for index, event in enumerate(events):
        kind = str(event.get("type", ""))
        after = TRANSITIONS.get(kind, {}).get(state)
        steps.append(Step(index, kind, state, after))
        if after is not None:
            state = after
    return state, steps


_NOWHERE: dict[str, str] = {}


def settle(events: Sequence[dict[str, Any]]) -> tuple[str, int | None]:
    """What ``replay`` ends with, without its steps: the state, and the index of the 销号
    that stands (None unless the state is 已销号).  A city has 300,000 hazards to replay."""
    state = FOUND
    closure = None
    for index, event in enumerate(events):
        after = TRANSITIONS.get(str(event.get("type", "")), _NOWHERE).get(state)
        if after is not None:
            if after == CLOSED:  # only a 销号 leads there
                closure = index
            state = after
    return state, closure if state == CLOSED else None


def state_of(hazard: dict[str, Any]) -> str:
    return replay(hazard.get("events") or [])[0]


def is_major(hazard: dict[str, Any]) -> bool:
    return hazard.get("class") == "重大"


def closed_on(hazard: dict[str, Any]) -> str | None:
    """Date of the closure that stands (the last 销号 not followed by a reopen)."""
    events = hazard.get("events") or []
    closure = settle(events)[1]
    return None if closure is None else str(events[closure].get("date"))

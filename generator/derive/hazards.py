"""A hazard's derived state on a date: overdue, due soon, listed, recurring, closed on time.

Nothing here is stored in a record; all of it follows from the record's dates
and events, the policy and the as-of date (``--as-of``, default today), so the
ledger of any past day can be re-derived and the same inputs give the same rows:

- **state** — the events dated on or before the as-of date, replayed through
  the closed loop (``derive.lifecycle``); a hazard found later does not exist yet;
- **overdue** (逾期) — the deadline has passed and the hazard is not closed;
- **due soon** (即将到期) — not closed, and the deadline is today or within
  ``policy.due_soon_days`` days;
- **listed** (挂牌督办) — it has a listing dated by then and is not closed;
- **on-time closure** (按期销号) — closed on or before its deadline (undecided
  while open and the deadline has not passed);
- **recurrence** (复发) — found at an enterprise within
  ``policy.recurrence_window_days`` after a hazard of the same category there was
  closed (DOMAIN: a fire exit blocked again three months after closure).

Pure functions: records' data, policy and date in; sorted dataclasses out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.dates import parse_date as parse_day
from generator.derive import lifecycle as lc
from generator.policy import Policy

Data = dict[str, Any]


def events_until(hazard: Data, day: dt.date) -> list[Data]:
    """The hazard's events dated on or before ``day`` (undated ones are left out)."""
    out = []
    for event in hazard.get("events") or []:
        if isinstance(event, dict) and (when := parse_day(event.get("date"))) and when <= day:
            out.append(event)
    return out


def standing(hazard: Data, day: dt.date) -> tuple[str, dt.date | None]:
    """The hazard's state on ``day`` and the date of the closure standing then (None when
    it is open on that day)."""
    events = events_until(hazard, day)
    state, closure = lc.settle(events)
    return state, None if closure is None else parse_day(events[closure].get("date"))


def closed_on(hazard: Data, day: dt.date) -> dt.date | None:
    """Date of the closure standing on ``day`` (None when the hazard is open on that day)."""
    return standing(hazard, day)[1]


def found_by(hazard: Data, day: dt.date) -> bool:
    found = parse_day(hazard.get("found_on"))
    return found is not None and found <= day


@dataclass(frozen=True)
class HazardStatus:
    """What one hazard's record says on the as-of date."""

    id: str
    state: str  # 待整改 / 整改中 / 待验收 / 已复查 / 已销号
    deadline: dt.date | None
    closed_on: dt.date | None
    days_left: int | None  # deadline − as-of: negative when overdue; None when closed
    overdue: bool
    due_soon: bool
    listed: bool
    on_time: bool | None  # closed by the deadline; None while that is still open

    @property
    def is_open(self) -> bool:
        return self.state != lc.CLOSED

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.overdue and self.days_left is not None else 0


def hazard_status(hazard: Data, policy: Policy, as_of: dt.date) -> HazardStatus:
    """The derived state of one hazard on ``as_of``."""
    state, closed = standing(hazard, as_of)
    deadline = parse_day(hazard.get("deadline"))
    is_open = state != lc.CLOSED
    days_left = (deadline - as_of).days if deadline is not None and is_open else None
    overdue = days_left is not None and days_left < 0
    due_soon = days_left is not None and 0 <= days_left <= policy.due_soon_days
    listing = hazard.get("listing")
    listed_on = parse_day(listing.get("date")) if isinstance(listing, dict) else None
    listed = is_open and isinstance(listing, dict) and (listed_on is None or listed_on <= as_of)
    on_time: bool | None = None
    if deadline is not None:
        if closed is not None:
            on_time = closed <= deadline
        elif as_of > deadline:
            on_time = False
    return HazardStatus(
        id=str(hazard.get("id")),
        state=state,
        deadline=deadline,
        closed_on=closed,
        days_left=days_left,
        overdue=overdue,
        due_soon=due_soon,
        listed=listed,
        on_time=on_time,
    )


def derive_statuses(
    hazards: Iterable[Data], policy: Policy, as_of: dt.date
) -> dict[str, HazardStatus]:
    """Id → status, for every hazard found by ``as_of``."""
    return {
        str(h.get("id")): hazard_status(h, policy, as_of)
        for h in sorted(hazards, key=lambda h: str(h.get("id")))
        if found_by(h, as_of)
    }


@dataclass(frozen=True)
class Recurrence:
    """A hazard found again after a hazard of the same category at the same enterprise closed."""

    hazard: str  # the hazard found again
    earlier: str  # the closed hazard it repeats
    enterprise: str
    category: str
    found_on: dt.date
    earlier_closed_on: dt.date

    @property
    def days_after(self) -> int:
        return (self.found_on - self.earlier_closed_on).days


def find_recurrences(hazards: Sequence[Data], policy: Policy, as_of: dt.date) -> list[Recurrence]:
    """Hazards found within the policy's window after a same-category closure, as of a date.

    Only closures standing when the later hazard was found count; when several
    earlier hazards qualify, the most recent closure is named.
    """
    window = policy.recurrence_window_days
    groups: dict[tuple[str, str], list[tuple[dt.date, Data]]] = {}
    for hazard in hazards:
        found = parse_day(hazard.get("found_on"))
        if found is not None and found <= as_of:
            key = (str(hazard.get("enterprise")), str(hazard.get("category")))
            groups.setdefault(key, []).append((found, hazard))
    out = []
    for (enterprise, category), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: (m[0], str(m[1].get("id"))))
        for found, later in members:
            best: tuple[dt.date, str] | None = None
            for earlier_found, earlier in members:
                if earlier is later or earlier_found > found:
                    continue
                closed = closed_on(earlier, found)
                if closed is None or (found - closed).days > window:
                    continue
                candidate = (closed, str(earlier.get("id")))
                if best is None or candidate > best:
                    best = candidate
            if best is not None:
                later_id = str(later.get("id"))
                out.append(Recurrence(later_id, best[1], enterprise, category, found, best[0]))
    return sorted(out, key=lambda r: (r.enterprise, r.found_on, r.hazard))

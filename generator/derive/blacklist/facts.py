"""The records the blacklist and risk rules read, grouped by kind, and what they say on a date.

Everything here looks only at what had happened by the as-of date: events,
closures, decisions and findings dated later are ignored, so the same records
give the state on any past date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.derive import lifecycle as lc
from generator.derive.blacklist.dates import parse_date
from generator.derive.hazards import closed_on as closed_by
from generator.derive.hazards import events_until, found_by
from generator.records import Record

Data = dict[str, Any]
UNRECTIFIED = (lc.FOUND, lc.RECTIFYING)
UPHELD = ("属实", "部分属实")


@dataclass
class Facts:
    enterprises: dict[str, Data] = field(default_factory=dict)
    departments: dict[str, Data] = field(default_factory=dict)
    hazards: list[Data] = field(default_factory=list)
    inspections: list[Data] = field(default_factory=list)
    penalties: list[Data] = field(default_factory=list)
    complaints: list[Data] = field(default_factory=list)
    decisions: list[Data] = field(default_factory=list)

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> Facts:
        facts = cls()
        lists = {
            "hazard": facts.hazards,
            "inspection": facts.inspections,
            "penalty": facts.penalties,
            "complaint": facts.complaints,
            "decision": facts.decisions,
        }
        for record in sorted(records, key=lambda r: r.path):
            if record.id is None:
                continue
            if record.kind == "enterprise":
                facts.enterprises[record.id] = record.data
            elif record.kind == "department":
                facts.departments[record.id] = record.data
            elif record.kind in lists:
                lists[record.kind].append(record.data)
        return facts

    def name_of(self, enterprise: str) -> str:
        return str(self.enterprises.get(enterprise, {}).get("name") or "")


def state_on(hazard: Data, day: dt.date) -> str:
    return lc.settle(events_until(hazard, day))[0]


def is_overdue(hazard: Data, as_of: dt.date, grace_days: int = 0) -> bool:
    """Past its deadline (plus grace) without a rectification that stood at that time.

    A hazard counts as rectified on time when, replaying the events up to the
    deadline plus grace, it had left 待整改/整改中 (a failed re-check sends it back).
    """
    deadline = parse_date(hazard.get("deadline"))
    if deadline is None or not found_by(hazard, as_of):
        return False
    limit = deadline + dt.timedelta(days=grace_days)
    return as_of > limit and state_on(hazard, limit) in UNRECTIFIED


def is_open_and_overdue(hazard: Data, as_of: dt.date) -> bool:
    """Past its deadline and still not rectified on ``as_of`` (the ledger's 逾期)."""
    deadline = parse_date(hazard.get("deadline"))
    if deadline is None or not found_by(hazard, as_of):
        return False
    return as_of > deadline and state_on(hazard, as_of) in UNRECTIFIED


@dataclass(frozen=True)
class Recurrence:
    hazard: str  # the hazard found again
    earlier: str  # the closed hazard of the same kind it repeats
    enterprise: str
    category: str
    found_on: dt.date
    earlier_closed_on: dt.date


def recurrences(hazards: Sequence[Data], as_of: dt.date, window_days: int) -> list[Recurrence]:
    """Hazards found again within ``window_days`` after a same-category hazard was closed.

    DOMAIN: a fire exit blocked again three months after closure is a recurrence
    and counts against the enterprise.  Only closures that had happened when the
    new hazard was found count.
    """
    groups: dict[tuple[str, str], list[Data]] = {}
    for hazard in hazards:
        if found_by(hazard, as_of):
            key = (str(hazard.get("enterprise")), str(hazard.get("category")))
            groups.setdefault(key, []).append(hazard)
    out = []
    for (enterprise, category), members in sorted(groups.items()):
        for later in members:
            found = parse_date(later.get("found_on"))
            assert found is not None
            best: tuple[dt.date, str] | None = None
            for earlier in members:
                if earlier is later:
                    continue
                closed = closed_by(earlier, found)
                if closed is None or closed > found or (found - closed).days > window_days:
                    continue
                if best is None or (closed, str(earlier.get("id"))) > best:
                    best = (closed, str(earlier.get("id")))
            if best is not None:
                out.append(
                    Recurrence(str(later.get("id")), best[1], enterprise, category, found, best[0])
                )
    return sorted(out, key=lambda r: (r.enterprise, r.found_on, r.hazard))


def is_revoked(penalty: Data, as_of: dt.date) -> bool:
    revoked = penalty.get("revoked")
    when = parse_date(revoked.get("date")) if isinstance(revoked, dict) else None
    return when is not None and when <= as_of


def fine_of(penalty: Data) -> float:
    fine = penalty.get("fine")
    return float(fine) if isinstance(fine, int | float) else 0.0


def accident_penalties(
    penalties: Sequence[Data], as_of: dt.date, basis_contains: Sequence[str], min_fine: float = 0
) -> list[Data]:
    """Penalties standing on ``as_of`` whose basis cites an accident article (e.g. art 114)."""
    out = []
    for penalty in penalties:
        decided = parse_date(penalty.get("decided_on"))
        if decided is None or decided > as_of or is_revoked(penalty, as_of):
            continue
        basis = str(penalty.get("basis") or "")
        if any(text in basis for text in basis_contains) and fine_of(penalty) >= min_fine:
            out.append(penalty)
    return out

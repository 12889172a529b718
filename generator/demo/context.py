"""Shared state while the county is being built: randomness, staff pools, the ledger."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from generator.demo.model import Department, Enterprise, Hazard, Inspection, Staff
from generator.demo.numbering import DocNumbers
from generator.demo.org import EXPERT_GROUP, YJJ, ZFDD

# same category at the same enterprise within this many days after a closure is a
# recurrence (policy.recurrence_window_days is 180; keep a margin)
RECURRENCE_GUARD_DAYS = 190

INSPECTOR_ROLES = frozenset({"检查员", "执法人员"})


def _family(dept: str) -> tuple[str, ...]:
    """局队合一: the bureau and its enforcement brigade share inspectors."""
    return (YJJ, ZFDD) if dept in (YJJ, ZFDD) else (dept,)


@dataclass
class Context:
    rng: random.Random
    start: dt.date
    as_of: dt.date
    departments: dict[str, Department]
    staff: list[Staff]
    docs: DocNumbers = field(default_factory=DocNumbers)
    ledger: dict[str, list[Hazard]] = field(default_factory=dict)
    excluded: dict[str, set[str]] = field(default_factory=dict)
    inspections: list[Inspection] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    _seq: int = 0

    def seq(self) -> int:
        self._seq += 1
        return self._seq

    # ---- staff -----------------------------------------------------------
    def inspectors(self, dept: str, day: dt.date) -> list[Staff]:
        family = _family(dept)
        return [
            s
            for s in self.staff
            if s.department in family and INSPECTOR_ROLES & set(s.roles) and s.can_work(day)
        ]

    def certified(self, industry: str, depts: tuple[str, ...], day: dt.date) -> list[Staff]:
        return [s for d in depts for s in self.inspectors(d, day) if s.certified_for(industry)]

    def experts(self, industry: str, day: dt.date) -> list[Staff]:
        group = EXPERT_GROUP[industry]
        return [s for s in self.staff if s.expert_group == group and s.can_work(day)]

    def chief(self, dept: str, day: dt.date) -> Staff | None:
        family = _family(dept)
        chiefs = [
            s
            for s in self.staff
            if s.department in family and "科室负责人" in s.roles and s.can_work(day)
        ]
        return chiefs[0] if chiefs else None

    def with_role(self, role: str) -> list[Staff]:
        return [s for s in self.staff if role in s.roles and s.active]

    def prefix(self, dept: str) -> str:
        return self.departments[dept].doc_prefix

    # ---- ledger ------------------------------------------------------------
    def blocked(self, ent: Enterprise, category: str, day: dt.date) -> bool:
        """Would a new hazard of this category be a recurrence, or a duplicate of an open one?"""
        if category in self.excluded.get(ent.id, set()):
            return True
        for h in self.ledger.get(ent.id, []):
            if h.category != category or h.found_on > day:
                continue
            closed = h.closed_on()
            if closed is None or (day - closed).days <= RECURRENCE_GUARD_DAYS:
                return True
        return False

    def record(self, hazard: Hazard) -> None:
        self.hazards.append(hazard)
        self.ledger.setdefault(hazard.enterprise.id, []).append(hazard)

"""Shared state while the county is being built: randomness, staff pools, the ledger."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from generator.demo.model import Department, Enterprise, Hazard, Inspection, Staff
from generator.demo.numbering import DocNumbers
from generator.demo.org import EXPERT_GROUP, YJJ, ZFDD
from generator.demo.scale import DEMO, Scale

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
    scale: Scale = DEMO
    recurrence_guard: int = field(init=False, default=RECURRENCE_GUARD_DAYS)
    _seq: int = 0
    # the staff lists below depend only on (department family, day): memoised, same lists
    _inspectors: dict[tuple[tuple[str, ...], dt.date], list[Staff]] = field(default_factory=dict)
    _experts: dict[tuple[str, dt.date], list[Staff]] = field(default_factory=dict)
    _chiefs: dict[tuple[tuple[str, ...], dt.date], Staff | None] = field(default_factory=dict)
    _by_category: dict[tuple[str, str], list[Hazard]] = field(default_factory=dict)
    pools: dict[tuple[str, str], list[Enterprise]] = field(default_factory=dict)

    def seq(self) -> int:
        self._seq += 1
        return self._seq

    # ---- staff -----------------------------------------------------------
    def inspectors(self, dept: str, day: dt.date) -> list[Staff]:
        family = _family(dept)
        key = (family, day)
        found = self._inspectors.get(key)
        if found is None:
            found = [
                s
                for s in self.staff
                if s.department in family and INSPECTOR_ROLES & set(s.roles) and s.can_work(day)
            ]
            self._inspectors[key] = found
        return list(found)

    def certified(self, industry: str, depts: tuple[str, ...], day: dt.date) -> list[Staff]:
        return [s for d in depts for s in self.inspectors(d, day) if s.certified_for(industry)]

    def experts(self, industry: str, day: dt.date) -> list[Staff]:
        group = EXPERT_GROUP[industry]
        key = (group, day)
        found = self._experts.get(key)
        if found is None:
            found = [s for s in self.staff if s.expert_group == group and s.can_work(day)]
            self._experts[key] = found
        return list(found)

    def chief(self, dept: str, day: dt.date) -> Staff | None:
        family = _family(dept)
        key = (family, day)
        if key not in self._chiefs:
            chiefs = [
                s
                for s in self.staff
                if s.department in family and "科室负责人" in s.roles and s.can_work(day)
            ]
            self._chiefs[key] = chiefs[0] if chiefs else None
        return self._chiefs[key]

    def with_role(self, role: str) -> list[Staff]:
        return [s for s in self.staff if role in s.roles and s.active]

    def __post_init__(self) -> None:
        self.recurrence_guard = (
            RECURRENCE_GUARD_DAYS if self.scale.is_demo else self.scale.recurrence_guard_days
        )

    def prefix(self, dept: str) -> str:
        return self.departments[dept].doc_prefix

    # ---- ledger ------------------------------------------------------------
    def blocked(self, ent: Enterprise, category: str, day: dt.date) -> bool:
        """Would a new hazard of this category be a recurrence, or a duplicate of an open one?"""
        if category in self.excluded.get(ent.id, set()):
            return True
        for h in self._by_category.get((ent.id, category), ()):
            if h.found_on > day:
                continue
            closed = h.closed_on()
            if closed is None or (day - closed).days <= self.recurrence_guard:
                return True
        return False

    def record(self, hazard: Hazard) -> None:
        self.hazards.append(hazard)
        self.ledger.setdefault(hazard.enterprise.id, []).append(hazard)
        self._by_category.setdefault((hazard.enterprise.id, hazard.category), []).append(hazard)

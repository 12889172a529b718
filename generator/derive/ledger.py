"""The hazard ledger (隐患台账): one row per hazard, with its enterprise, town and department.

What a section chief reads on a Monday morning: the open hazards, most urgent
first — overdue (longest overdue first), then due soon (nearest deadline
first), then the rest by deadline — each with the derived flags of
``derive.hazards`` (listed supervision, recurrence).  Filters narrow the rows
by town, department, level and status.  Records in, rows out, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.derive import lifecycle as lc
from generator.derive.hazards import (
    HazardStatus,
    Recurrence,
    derive_statuses,
    find_recurrences,
)
from generator.policy import Policy
from generator.records import Record

OVERDUE = "逾期"
DUE_SOON = "即将到期"
LISTED = "挂牌督办"
RECURRING = "复发"
OPEN = "未销号"
ALL = "全部"
FLAGS = (OVERDUE, DUE_SOON, LISTED, RECURRING)
STATUSES = (*lc.STATES, *FLAGS, OPEN, ALL)
CLASSES = ("一般", "重大")
LEVELS = ("一级", "二级", "三级")


@dataclass(frozen=True)
class LedgerRow:
    """One hazard as the ledger shows it (dates as ISO strings, ready for CSV and JSON)."""

    id: str
    enterprise: str
    enterprise_name: str
    town: str
    industry: str
    department: str
    department_name: str
    hazard_class: str
    level: str
    category: str
    description: str
    location: str
    found_on: str
    deadline: str
    state: str
    days_left: int | None
    overdue: bool
    due_soon: bool
    listed: bool
    listing_document: str
    recurrence_of: str  # the earlier hazard of the same category, closed shortly before
    recurrence_closed_on: str
    closed_on: str
    on_time: bool | None

    @property
    def flags(self) -> list[str]:
        marks = [(self.overdue, OVERDUE), (self.due_soon, DUE_SOON), (self.listed, LISTED)]
        marks.append((bool(self.recurrence_of), RECURRING))
        return [name for on, name in marks if on]

    def urgency(self) -> tuple[int, int, str, str]:
        """Sort key: overdue (longest first), due soon (nearest first), open, then closed."""
        days = self.days_left if self.days_left is not None else 10**6
        rank = 0 if self.overdue else 1 if self.due_soon else 2 if self.state != lc.CLOSED else 3
        return (rank, days, self.deadline, self.id)


@dataclass(frozen=True)
class Names:
    """What the ledger shows besides the hazard: enterprise and department names, towns."""

    enterprises: dict[str, dict[str, Any]] = field(default_factory=dict)
    departments: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: Iterable[Record]) -> Names:
        enterprises: dict[str, dict[str, Any]] = {}
        departments: dict[str, dict[str, Any]] = {}
        for record in records:
            if record.id is None:
                continue
            if record.kind == "enterprise":
                enterprises[record.id] = record.data
            elif record.kind == "department":
                departments[record.id] = record.data
        return cls(enterprises, departments)

    def enterprise(self, key: str, field_name: str) -> str:
        return str(self.enterprises.get(key, {}).get(field_name) or "")

    def department(self, key: str) -> str:
        data = self.departments.get(key, {})
        return str(data.get("short_name") or data.get("name") or "")


def _row(
    hazard: dict[str, Any], status: HazardStatus, names: Names, recurs: Recurrence | None
) -> LedgerRow:
    enterprise = str(hazard.get("enterprise") or "")
    department = str(hazard.get("department") or "")
    listing = hazard.get("listing") if isinstance(hazard.get("listing"), dict) else {}
    return LedgerRow(
        id=status.id,
        enterprise=enterprise,
        enterprise_name=names.enterprise(enterprise, "name"),
        town=names.enterprise(enterprise, "town"),
        industry=names.enterprise(enterprise, "industry"),
        department=department,
        department_name=names.department(department),
        hazard_class=str(hazard.get("class") or ""),
        level=str(hazard.get("level") or ""),
        category=str(hazard.get("category") or ""),
        description=str(hazard.get("description") or ""),
        location=str(hazard.get("location") or ""),
        found_on=str(hazard.get("found_on") or ""),
        deadline=status.deadline.isoformat() if status.deadline else "",
        state=status.state,
        days_left=status.days_left,
        overdue=status.overdue,
        due_soon=status.due_soon,
        listed=status.listed,
        listing_document=str((listing or {}).get("document_no") or "") if status.listed else "",
        recurrence_of=recurs.earlier if recurs else "",
        recurrence_closed_on=recurs.earlier_closed_on.isoformat() if recurs else "",
        closed_on=status.closed_on.isoformat() if status.closed_on else "",
        on_time=status.on_time,
    )


def derive_ledger(records: Sequence[Record], policy: Policy, as_of: dt.date) -> list[LedgerRow]:
    """Every hazard found by ``as_of``, most urgent first."""
    hazards = [r.data for r in records if r.kind == "hazard" and r.id is not None]
    statuses = derive_statuses(hazards, policy, as_of)
    recurs = {r.hazard: r for r in find_recurrences(hazards, policy, as_of)}
    names = Names.from_records(records)
    rows = [
        _row(h, statuses[str(h.get("id"))], names, recurs.get(str(h.get("id"))))
        for h in hazards
        if str(h.get("id")) in statuses
    ]
    return sorted(rows, key=LedgerRow.urgency)


@dataclass(frozen=True)
class LedgerFilter:
    """What to show; an empty tuple means no restriction.  Status defaults to the open hazards."""

    towns: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()  # department id, name or short name
    levels: tuple[str, ...] = ()  # 一级/二级/三级, or the class 一般/重大
    statuses: tuple[str, ...] = ()  # lifecycle states and flags of STATUSES
    newly_overdue: bool = False  # only hazards whose deadline was the day before

    def keeps(self, row: LedgerRow) -> bool:
        if self.newly_overdue and row.days_left != -1:
            return False
        if self.towns and row.town not in self.towns:
            return False
        if self.departments and not {row.department, row.department_name} & set(self.departments):
            return False
        if self.levels and not {row.level, row.hazard_class} & set(self.levels):
            return False
        return self._status(row)

    def _status(self, row: LedgerRow) -> bool:
        wanted = set(self.statuses) or {OPEN}
        if ALL in wanted:
            return True
        if OPEN in wanted and row.state != lc.CLOSED:
            return True
        return row.state in wanted or bool(set(row.flags) & wanted)


def filter_ledger(rows: Iterable[LedgerRow], criteria: LedgerFilter) -> list[LedgerRow]:
    return [row for row in rows if criteria.keeps(row)]


GROUPS = {"town": "town", "dept": "department_name", "level": "level"}


def group_ledger(
    rows: Iterable[LedgerRow], by: str, towns: Sequence[str] = ()
) -> list[tuple[str, list[LedgerRow]]]:
    """Rows grouped by town, department or level, urgency kept inside each group.

    Towns come in the policy's order, levels from 一级 down, departments by name.
    """
    attribute = GROUPS[by]
    groups: dict[str, list[LedgerRow]] = {}
    for row in rows:
        groups.setdefault(str(getattr(row, attribute)) or "（未填）", []).append(row)
    order = {name: i for i, name in enumerate(LEVELS if by == "level" else towns)}
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


@dataclass(frozen=True)
class LedgerSummary:
    as_of: dt.date
    open: int
    overdue: int
    due_soon: int
    listed: int
    recurring: int


def summarize(rows: Sequence[LedgerRow], as_of: dt.date) -> LedgerSummary:
    open_rows = [r for r in rows if r.state != lc.CLOSED]
    return LedgerSummary(
        as_of=as_of,
        open=len(open_rows),
        overdue=sum(r.overdue for r in open_rows),
        due_soon=sum(r.due_soon for r in open_rows),
        listed=sum(r.listed for r in open_rows),
        recurring=sum(bool(r.recurrence_of) for r in rows),
    )

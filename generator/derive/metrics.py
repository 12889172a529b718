"""Rectification-rate metrics the evaluation uses, per period, town, industry or department.

DOMAIN (joint-inspection evaluation): general hazards rectified within 7 days at
100 %, major hazards within 15 days at ≥ 90 %, and on average ≥ 2 hazards found
per inspected enterprise.  The days and targets come from the policy
(``on_time_days``, ``targets``), never from code.

- A hazard counts as rectified in time when it was closed (销号) no later than
  ``on_time_days[class]`` days after it was found.  Its outcome is *decided*
  once it is closed or that many days have passed; a hazard still inside its
  window and open is *pending* and left out of the rate.
- Hazards per inspected enterprise: hazards found by supervisory inspection
  (source 监督检查) divided by the enterprises visited by government inspections
  (every kind but 企业自查).

Only what happened between ``since`` and the as-of date counts: hazards by the
day they were found, inspections by their date.  Records in, rows out, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.dates import parse_date as parse_day
from generator.derive.hazards import closed_on
from generator.policy import Policy
from generator.records import Record

Data = dict[str, Any]
GENERAL, MAJOR = "一般", "重大"
SELF_INSPECTION = "企业自查"
SUPERVISION = "监督检查"
TOTAL = "合计"
DIMENSIONS = ("period", "town", "industry", "department")
PERIODS = ("month", "quarter", "year")
DEFAULT_DAYS = {GENERAL: 7, MAJOR: 15}


@dataclass(frozen=True)
class Targets:
    general_days: int
    major_days: int
    general_rate: float
    major_rate: float
    per_enterprise: float

    @classmethod
    def from_policy(cls, policy: Policy) -> Targets:
        return cls(
            general_days=int(policy.get("on_time_days", GENERAL, default=DEFAULT_DAYS[GENERAL])),
            major_days=int(policy.get("on_time_days", MAJOR, default=DEFAULT_DAYS[MAJOR])),
            general_rate=float(policy.get("targets", "general_on_time_rate", default=1.0)),
            major_rate=float(policy.get("targets", "major_on_time_rate", default=0.9)),
            per_enterprise=float(policy.get("targets", "hazards_per_enterprise", default=2)),
        )


@dataclass(frozen=True)
class Rate:
    """Hazards rectified in time among those whose outcome is decided."""

    in_time: int
    decided: int
    pending: int
    target: float

    @property
    def value(self) -> float | None:
        return self.in_time / self.decided if self.decided else None

    @property
    def reached(self) -> bool | None:
        value = self.value
        return None if value is None else value >= self.target - 1e-9


@dataclass(frozen=True)
class MetricsRow:
    key: str  # the period (2026Q3), town, industry or department — or 合计
    general: Rate
    major: Rate
    hazards_found: int  # found by supervisory inspection
    inspected_enterprises: int
    per_enterprise_target: float

    @property
    def per_enterprise(self) -> float | None:
        if not self.inspected_enterprises:
            return None
        return self.hazards_found / self.inspected_enterprises

    @property
    def per_enterprise_reached(self) -> bool | None:
        value = self.per_enterprise
        return None if value is None else value >= self.per_enterprise_target - 1e-9


def period_of(day: dt.date, period: str) -> str:
    """2026-08-14 → ``2026-08`` (month), ``2026Q3`` (quarter), ``2026`` (year)."""
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year:04d}Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def periods_between(since: dt.date, until: dt.date, period: str) -> list[str]:
    """Every period label from ``since`` to ``until``, in order (empty ones included)."""
    labels: list[str] = []
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        label = period_of(dt.date(year, month, 1), period)
        if not labels or labels[-1] != label:
            labels.append(label)
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return labels


def outcome(hazard: Data, days: int, as_of: dt.date) -> bool | None:
    """Closed within ``days`` of being found (True), not (False), or not known yet (None)."""
    found = parse_day(hazard.get("found_on"))
    if found is None:
        return None
    closed = closed_on(hazard, as_of)
    if closed is not None:
        return (closed - found).days <= days
    return False if (as_of - found).days > days else None


@dataclass
class _Tally:
    general: list[bool | None]
    major: list[bool | None]
    found: int
    inspected: set[str]

    @classmethod
    def empty(cls) -> _Tally:
        return cls([], [], 0, set())

    def rate(self, outcomes: list[bool | None], target: float) -> Rate:
        decided = [o for o in outcomes if o is not None]
        return Rate(sum(decided), len(decided), len(outcomes) - len(decided), target)

    def row(self, key: str, targets: Targets) -> MetricsRow:
        return MetricsRow(
            key=key,
            general=self.rate(self.general, targets.general_rate),
            major=self.rate(self.major, targets.major_rate),
            hazards_found=self.found,
            inspected_enterprises=len(self.inspected),
            per_enterprise_target=targets.per_enterprise,
        )


@dataclass(frozen=True)
class _Keys:
    """How a hazard and an inspection map to the keys of the chosen dimension."""

    by: str
    period: str
    enterprises: dict[str, Data]
    departments: dict[str, Data]

    def department_name(self, key: Any) -> str:
        data = self.departments.get(str(key), {})
        return str(data.get("short_name") or data.get("name") or key or "（未填）")

    def enterprise_field(self, enterprise: Any, name: str) -> str:
        return str(self.enterprises.get(str(enterprise), {}).get(name) or "（未填）")

    def of_hazard(self, hazard: Data, day: dt.date) -> list[str]:
        if self.by == "period":
            return [period_of(day, self.period)]
        if self.by == "department":
            return [self.department_name(hazard.get("department"))]
        return [self.enterprise_field(hazard.get("enterprise"), self.by)]

    def of_inspection(self, inspection: Data, day: dt.date, enterprise: str) -> list[str]:
        if self.by == "period":
            return [period_of(day, self.period)]
        if self.by == "department":
            ids = [inspection.get("lead_department"), *(inspection.get("departments") or [])]
            return sorted({self.department_name(d) for d in ids if d})
        return [self.enterprise_field(enterprise, self.by)]


@dataclass(frozen=True)
class Window:
    """What the metrics count between ``since`` and ``as_of``, worked out once for every
    dimension: each hazard with the day it was found, its class and its outcome (the
    events replayed once, not once per dimension), and each government inspection."""

    since: dt.date
    as_of: dt.date
    targets: Targets
    enterprises: dict[str, Data]
    departments: dict[str, Data]
    hazards: list[tuple[Data, dt.date, bool, bool | None]]  # data, found on, major, outcome
    inspections: list[tuple[Data, dt.date]]


def window(
    records: Sequence[Record], policy: Policy, as_of: dt.date, *, since: dt.date | None = None
) -> Window:
    start = since or dt.date(as_of.year, 1, 1)
    targets = Targets.from_policy(policy)
    hazards: list[tuple[Data, dt.date, bool, bool | None]] = []
    for hazard in _data(records, "hazard"):
        day = parse_day(hazard.get("found_on"))
        if day is None or not start <= day <= as_of:
            continue
        major = hazard.get("class") == MAJOR
        result = outcome(hazard, targets.major_days if major else targets.general_days, as_of)
        hazards.append((hazard, day, major, result))
    inspections: list[tuple[Data, dt.date]] = []
    for inspection in _data(records, "inspection"):
        day = parse_day(inspection.get("date"))
        if day is None or not start <= day <= as_of or inspection.get("kind") == SELF_INSPECTION:
            continue
        inspections.append((inspection, day))
    return Window(
        start,
        as_of,
        targets,
        _by_id(records, "enterprise"),
        _by_id(records, "department"),
        hazards,
        inspections,
    )


def derive_metrics(
    records: Sequence[Record],
    policy: Policy,
    as_of: dt.date,
    *,
    by: str = "period",
    period: str = "quarter",
    since: dt.date | None = None,
) -> list[MetricsRow]:
    """One row per key of ``by`` (periods in order, others sorted), then the 合计 row."""
    _check_dimension(by, period)
    return metrics_rows(window(records, policy, as_of, since=since), policy, by=by, period=period)


def metrics_rows(
    counted: Window, policy: Policy, *, by: str = "period", period: str = "quarter"
) -> list[MetricsRow]:
    """``derive_metrics`` from a window already worked out (several dimensions, one window)."""
    _check_dimension(by, period)
    targets = counted.targets
    keys = _Keys(by, period, counted.enterprises, counted.departments)
    tallies: dict[str, _Tally] = {}
    total = _Tally.empty()

    def tallies_for(names: Iterable[str]) -> list[_Tally]:
        return [tallies.setdefault(name, _Tally.empty()) for name in names] + [total]

    for hazard, day, major, result in counted.hazards:
        for tally in tallies_for(keys.of_hazard(hazard, day)):
            (tally.major if major else tally.general).append(result)
            tally.found += hazard.get("source") == SUPERVISION
    for inspection, day in counted.inspections:
        for enterprise in inspection.get("enterprises") or []:
            for tally in tallies_for(keys.of_inspection(inspection, day, str(enterprise))):
                tally.inspected.add(str(enterprise))
    if by == "period":
        names = periods_between(counted.since, counted.as_of, period)
    else:
        rank = {town: i for i, town in enumerate(policy.towns if by == "town" else [])}
        names = sorted(tallies, key=lambda name: (rank.get(name, len(rank)), name))
    rows = [tallies.get(name, _Tally.empty()).row(name, targets) for name in names]
    return [*rows, total.row(TOTAL, targets)]


def _check_dimension(by: str, period: str) -> None:
    if by not in DIMENSIONS or period not in PERIODS:
        raise ValueError(f"unknown dimension {by!r} or period {period!r}")


def _data(records: Iterable[Record], kind: str) -> list[Data]:
    return sorted(
        (r.data for r in records if r.kind == kind and r.id is not None),
        key=lambda d: str(d.get("id")),
    )


def _by_id(records: Iterable[Record], kind: str) -> dict[str, Data]:
    return {r.id: r.data for r in records if r.kind == kind and r.id is not None}

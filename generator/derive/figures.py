"""The portal's figures: key figures, breakdowns by town, industry and month.

Records in (data dicts of every valid record: internal fields may feed public
aggregates), sorted values out, no I/O.  Hazard states come from
``derive.hazards`` and rectification rates from ``derive.metrics`` (the same
numbers ``anjian ledger`` and ``anjian metrics`` print); only what happened on
or before the as-of date counts, so a build for a past date shows that day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.dates import parse_date as parse_day
from generator.derive.hazards import HazardStatus
from generator.derive.lifecycle import CLOSED
from generator.derive.metrics import MetricsRow

SELF_INSPECTION = "企业自查"


def in_year(value: Any, year: int, as_of: dt.date) -> bool:
    day = parse_day(value)
    return day is not None and day.year == year and day <= as_of


@dataclass(frozen=True)
class KeyFigures:
    year: int
    enterprises: int
    inspections: int
    inspected_enterprises: int
    hazards_found: int
    hazards_closed: int
    hazards_open: int
    hazards_overdue: int
    major_listed: int
    rates: MetricsRow  # this year's rectification rates and hazards per enterprise
    coverage: float | None


def government_inspections(inspections: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in inspections if i.get("kind") != SELF_INSPECTION]


def key_figures(
    enterprises: Sequence[dict[str, Any]],
    inspections: Sequence[dict[str, Any]],
    hazards: Sequence[dict[str, Any]],
    facts: dict[str, HazardStatus],
    rates: MetricsRow,
    as_of: dt.date,
) -> KeyFigures:
    year = as_of.year
    visits = [i for i in government_inspections(inspections) if in_year(i.get("date"), year, as_of)]
    inspected = {e for i in visits for e in i.get("enterprises") or []}
    found = [h for h in hazards if in_year(h.get("found_on"), year, as_of)]
    current = [facts[str(h.get("id"))] for h in hazards if str(h.get("id")) in facts]
    return KeyFigures(
        year=year,
        enterprises=len(enterprises),
        inspections=len(visits),
        inspected_enterprises=len(inspected),
        hazards_found=len(found),
        hazards_closed=sum(1 for h in found if facts[str(h["id"])].state == CLOSED),
        hazards_open=sum(1 for f in current if f.state != CLOSED),
        hazards_overdue=sum(1 for f in current if f.overdue),
        major_listed=sum(1 for f in current if f.listed),
        rates=rates,
        coverage=len(inspected) / len(enterprises) if enterprises else None,
    )


@dataclass(frozen=True)
class Tally:
    """One row of a breakdown (a month, a town, an industry)."""

    key: str
    enterprises: int
    inspected: int
    inspections: int
    hazards_found: int
    hazards_closed: int
    hazards_open: int
    hazards_overdue: int


def breakdown(
    keys: Sequence[str],
    key_of: Callable[[dict[str, Any]], str],
    enterprises: Sequence[dict[str, Any]],
    inspections: Sequence[dict[str, Any]],
    hazards: Sequence[dict[str, Any]],
    facts: dict[str, HazardStatus],
    as_of: dt.date,
) -> list[Tally]:
    """This year's figures by an enterprise attribute (town, industry), in ``keys`` order."""
    year = as_of.year
    group = {str(e.get("id")): key_of(e) for e in enterprises}
    ents = Counter(group.values())
    visits: Counter[str] = Counter()
    inspected: dict[str, set[str]] = {}
    for i in government_inspections(inspections):
        if not in_year(i.get("date"), year, as_of):
            continue
        for e in i.get("enterprises") or []:
            if e in group:
                visits[group[e]] += 1
                inspected.setdefault(group[e], set()).add(e)
    found: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    open_: Counter[str] = Counter()
    overdue: Counter[str] = Counter()
    for h in hazards:
        key = group.get(str(h.get("enterprise")))
        fact = facts.get(str(h.get("id")))
        if key is None or fact is None:
            continue
        if in_year(h.get("found_on"), year, as_of):
            found[key] += 1
            closed[key] += fact.state == CLOSED
        open_[key] += fact.state != CLOSED
        overdue[key] += fact.overdue
    extra = sorted(set(ents) - set(keys))
    return [
        Tally(
            key=k,
            enterprises=ents[k],
            inspected=len(inspected.get(k, ())),
            inspections=visits[k],
            hazards_found=found[k],
            hazards_closed=closed[k],
            hazards_open=open_[k],
            hazards_overdue=overdue[k],
        )
        for k in [*keys, *extra]
    ]


def last_months(as_of: dt.date, count: int) -> list[str]:
    months = []
    year, month = as_of.year, as_of.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def by_month(
    inspections: Sequence[dict[str, Any]],
    hazards: Sequence[dict[str, Any]],
    facts: dict[str, HazardStatus],
    as_of: dt.date,
    count: int = 12,
) -> list[Tally]:
    """Inspections, hazards found and hazards closed in each of the last ``count`` months."""
    months = last_months(as_of, count)
    wanted = set(months)
    visits: Counter[str] = Counter()
    inspected: dict[str, set[str]] = {}
    for i in government_inspections(inspections):
        day = parse_day(i.get("date"))
        if day and day <= as_of and (m := day.isoformat()[:7]) in wanted:
            visits[m] += 1
            inspected.setdefault(m, set()).update(i.get("enterprises") or [])
    found: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for h in hazards:
        day = parse_day(h.get("found_on"))
        if day and day <= as_of and (m := day.isoformat()[:7]) in wanted:
            found[m] += 1
        fact = facts.get(str(h.get("id")))
        if fact and fact.closed_on and (m := fact.closed_on.isoformat()[:7]) in wanted:
            closed[m] += 1
    return [
        Tally(m, 0, len(inspected.get(m, ())), visits[m], found[m], closed[m], 0, 0) for m in months
    ]


@dataclass(frozen=True)
class MonthReport:
    month: str
    status: str  # 按时 / 逾期 / 未报
    submitted_on: str | None


def self_report_months(
    enterprise: str,
    reports: Iterable[dict[str, Any]],
    due_day: int,
    as_of: dt.date,
    count: int = 6,
) -> list[MonthReport]:
    """The last ``count`` months whose report was due by the as-of date."""
    mine = {
        str(r.get("month")): r
        for r in reports
        if r.get("enterprise") == enterprise
        and (parse_day(r.get("submitted_on")) or dt.date.max) <= as_of
    }
    out = []
    for month in reversed(last_months(as_of, count + 2)):
        year, mon = int(month[:4]), int(month[5:])
        due = dt.date(year + (mon == 12), mon % 12 + 1, due_day)
        if due >= as_of:
            continue
        report = mine.get(month)
        if report is None:
            out.append(MonthReport(month, "未报", None))
        else:
            submitted = parse_day(report.get("submitted_on"))
            late = submitted is not None and submitted > due
            out.append(MonthReport(month, "逾期" if late else "按时", str(report["submitted_on"])))
        if len(out) == count:
            break
    return out

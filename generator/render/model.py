"""The portal's model: public projections of the records plus the derived figures.

Built once per build from the validated records.  Derived values (states,
overdue, rates) are computed from every valid record as of the build date;
record values reach the model only through :class:`Publisher`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator import forked
from generator.dates import parse_date as parse_day
from generator.derive import figures as fig
from generator.derive.blacklist import BlacklistEntry, public_blacklist
from generator.derive.hazards import HazardStatus, derive_statuses, events_until
from generator.derive.metrics import MetricsRow, metrics_rows, window
from generator.derive.publication import penalty_published
from generator.policy import Policy
from generator.records import Record
from generator.render.public import Publisher
from generator.schemas import Registry

Row = dict[str, Any]


def _on_or_before(value: Any, as_of: dt.date) -> bool:
    day = parse_day(value)
    return day is not None and day <= as_of


@dataclass
class Portal:
    as_of: dt.date
    county: str
    policy: Policy
    registry: Registry
    enterprises: list[Row]  # sorted by town order, name, id
    enterprise_by_id: dict[str, Row]
    departments: dict[str, Row]
    staff: dict[str, Row]
    inspections: list[Row]  # newest first
    hazards: list[Row]  # newest first
    facts: dict[str, HazardStatus]
    penalties: list[Row]  # published today, newest first
    self_reports: list[Row]
    complaints: list[Row]
    listings: dict[str, list[BlacklistEntry]]  # serious-dishonesty list, in force, by enterprise
    key: fig.KeyFigures
    by_town: list[fig.Tally]
    by_industry: list[fig.Tally]
    by_month: list[fig.Tally]
    rates_by_town: dict[str, MetricsRow] = field(default_factory=dict)
    rates_by_industry: dict[str, MetricsRow] = field(default_factory=dict)
    self_report_status: dict[str, list[fig.MonthReport]] = field(default_factory=dict)
    hazards_by_enterprise: dict[str, list[Row]] = field(default_factory=dict)
    inspections_by_enterprise: dict[str, list[Row]] = field(default_factory=dict)
    penalties_by_enterprise: dict[str, list[Row]] = field(default_factory=dict)
    hazards_by_inspection: dict[str, list[Row]] = field(default_factory=dict)
    penalties_by_inspection: dict[str, list[Row]] = field(default_factory=dict)
    blacklist: list[BlacklistEntry] = field(default_factory=list)  # listed on as_of, in order

    def enterprise_name(self, eid: Any) -> str:
        row = self.enterprise_by_id.get(str(eid))
        return str(row.get("name", eid)) if row else str(eid)

    def department_name(self, did: Any) -> str:
        row = self.departments.get(str(did))
        if not row:
            return str(did)
        return str(row.get("short_name") or row.get("name") or did)

    def staff_name(self, sid: Any) -> str:
        row = self.staff.get(str(sid))
        return str(row.get("name", "")) if row else ""


def _by_kind(records: Iterable[Record]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        out[record.kind].append(record.data)
    return out


def _trim_events(hazard: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    """The hazard as it stood on ``as_of`` (events after it are not known yet)."""
    events = hazard.get("events")
    if not events:
        return hazard
    kept = events_until(hazard, as_of)
    return hazard if len(kept) == len(events) else {**hazard, "events": kept}


def _group(rows: Iterable[Row], key: str) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        value = row.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                out[v].append(row)
    return dict(out)


def _newest(key: str) -> Callable[[Row], tuple[str, str]]:
    return lambda r: (str(r.get(key)), str(r.get("id")))


# from this many records on, the figures are worked out by a forked child (a city's: 8 s)
FORK_RECORDS = 50_000


@dataclass
class _Figures:
    """What ``build_portal`` works out besides the public rows: small, sent back whole."""

    key: fig.KeyFigures
    by_town: list[fig.Tally]
    by_industry: list[fig.Tally]
    by_month: list[fig.Tally]
    rates_by_town: dict[str, MetricsRow]
    rates_by_industry: dict[str, MetricsRow]
    blacklist: list[BlacklistEntry]


def _consumed(rows: list[Row]) -> Iterator[Row]:
    """Each of ``rows`` in order, the list emptied as it goes: each row let go once used."""
    rows.reverse()
    while rows:
        yield rows.pop()


def build_portal(
    records: Iterable[Record],
    registry: Registry,
    policy: Policy,
    as_of: dt.date,
    *,
    release: bool = False,
) -> Portal:
    """The portal as of ``as_of``.  ``release``: ``records`` is a list the caller hands
    over, holding no other reference to its records: it is emptied, and each hazard and
    inspection let go once projected, so that the public rows are made in the memory
    the records free (a city's records: a gigabyte and a half)."""
    handed = records if release and isinstance(records, list) else None
    records = handed if handed is not None else list(records)
    data = _by_kind(records)
    pub = Publisher(registry, policy)
    towns = policy.towns

    def public_all(kind: str, rows: Iterable[dict[str, Any]]) -> list[Row]:
        return [pub.public(kind, r) for r in rows] if kind in registry else []

    raw_enterprises = data.get("enterprise", [])
    raw_inspections = [i for i in data.get("inspection", []) if _on_or_before(i.get("date"), as_of)]
    raw_hazards = [
        _trim_events(h, as_of)
        for h in data.get("hazard", [])
        if _on_or_before(h.get("found_on"), as_of)
    ]
    facts = derive_statuses(raw_hazards, policy, as_of)
    industries = list(
        registry["enterprise"].fields[("industry",)].schema.get("enum", [])
        if "enterprise" in registry and ("industry",) in registry["enterprise"].fields
        else []
    )

    def figures() -> _Figures:
        year = dt.date(as_of.year, 1, 1)
        counted = window(records, policy, as_of, since=year)  # one window, three dimensions
        rates = metrics_rows(counted, policy, by="period", period="year")

        def tally(keys: Sequence[str], field: str) -> list[fig.Tally]:
            def key_of(e: Row) -> str:
                return str(e.get(field, ""))

            return fig.breakdown(
                keys, key_of, raw_enterprises, raw_inspections, raw_hazards, facts, as_of
            )

        return _Figures(
            key=fig.key_figures(
                raw_enterprises, raw_inspections, raw_hazards, facts, rates[-1], as_of
            ),
            by_town=tally(towns, "town"),
            by_industry=tally(industries, "industry"),
            by_month=fig.by_month(raw_inspections, raw_hazards, facts, as_of),
            rates_by_town={r.key: r for r in metrics_rows(counted, policy, by="town")},
            rates_by_industry={r.key: r for r in metrics_rows(counted, policy, by="industry")},
            blacklist=public_blacklist(records, policy, as_of, registry),
        )

    # the figures (small) are worked out by a forked child while the rows are projected
    job = forked.start(figures, fork=len(records) >= FORK_RECORDS and forked.room_for_a_child())
    try:
        if handed is not None:  # the figures are made (or being made by the child)
            handed.clear()
            data.pop("hazard", None)  # ``raw_hazards`` and ``raw_inspections`` hold them
            data.pop("inspection", None)
        town_rank = {t: n for n, t in enumerate(towns)}
        enterprises = sorted(
            public_all("enterprise", raw_enterprises),
            key=lambda e: (
                town_rank.get(str(e.get("town")), len(towns)),
                str(e.get("town")),
                str(e.get("name")),
                str(e.get("id")),
            ),
        )
        inspections = sorted(
            public_all(
                "inspection", raw_inspections if handed is None else _consumed(raw_inspections)
            ),
            key=_newest("date"),
            reverse=True,
        )
        hazards = sorted(
            public_all("hazard", raw_hazards if handed is None else _consumed(raw_hazards)),
            key=_newest("found_on"),
            reverse=True,
        )
        penalties = sorted(
            public_all(
                "penalty", (p for p in data.get("penalty", []) if penalty_published(p, as_of))
            ),
            key=_newest("decided_on"),
            reverse=True,
        )
        self_reports = sorted(
            public_all(
                "self-report",
                (
                    r
                    for r in data.get("self-report", [])
                    if _on_or_before(r.get("submitted_on"), as_of)
                ),
            ),
            key=lambda r: (str(r.get("enterprise")), str(r.get("month"))),
        )
        complaints = sorted(
            public_all(
                "complaint",
                (
                    c
                    for c in data.get("complaint", [])
                    if _on_or_before(c.get("received_on"), as_of)
                ),
            ),
            key=_newest("received_on"),
            reverse=True,
        )
        departments = {
            str(d["id"]): d for d in public_all("department", data.get("department", []))
        }
        staff = {str(s["id"]): s for s in public_all("staff", data.get("staff", []))}
        figured = job.result()
    finally:
        job.cancel()
    listings: dict[str, list[BlacklistEntry]] = defaultdict(list)
    for entry in figured.blacklist:
        listings[entry.enterprise].append(entry)

    portal = Portal(
        as_of=as_of,
        county=str(policy.get("county", default="")),
        policy=policy,
        registry=registry,
        enterprises=enterprises,
        enterprise_by_id={str(e["id"]): e for e in enterprises},
        departments=departments,
        staff=staff,
        inspections=inspections,
        hazards=hazards,
        facts=facts,
        penalties=penalties,
        self_reports=self_reports,
        complaints=complaints,
        listings=dict(listings),
        blacklist=figured.blacklist,
        key=figured.key,
        by_town=figured.by_town,
        by_industry=figured.by_industry,
        by_month=figured.by_month,
        rates_by_town=figured.rates_by_town,
        rates_by_industry=figured.rates_by_industry,
    )
    if data.get("self-report"):
        due_day = int(policy.get("self_report_due_day", default=5))
        raw_reports = data["self-report"]
        by_enterprise = _group(raw_reports, "enterprise")
        portal.self_report_status = {
            eid: fig.self_report_months(eid, by_enterprise.get(eid, []), due_day, as_of)
            for eid in portal.enterprise_by_id
        }
    portal.hazards_by_enterprise = _group(hazards, "enterprise")
    portal.inspections_by_enterprise = _group(inspections, "enterprises")
    portal.penalties_by_enterprise = _group(penalties, "enterprise")
    portal.hazards_by_inspection = _group(hazards, "inspection")
    portal.penalties_by_inspection = _group(penalties, "inspection")
    return portal

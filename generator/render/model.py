"""The portal's model: public projections of the records plus the derived figures.

Built once per build from the validated records.  Derived values (states,
overdue, rates) are computed from every valid record as of the build date;
record values reach the model only through :class:`Publisher`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator import forked
from generator.dates import parse_date as parse_day
from generator.derive import figures as fig
from generator.derive.blacklist import BlacklistEntry, public_blacklist
from generator.derive.hazards import HazardStatus, events_until, hazard_status
from generator.derive.metrics import MetricsRow, metrics_rows, window
from generator.derive.publication import penalty_published
from generator.policy import Policy
from generator.records import Record, kind_of
from generator.render.derived import (
    NOT_KEPT,
    Entry,
    PortalMemo,
    status_from,
    status_tuple,
)
from generator.render.public import Publisher
from generator.render.rowsplice import row_digest
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
    # kind → id → the digest of its open data row (``ledger_row``), as far as worked out
    # (ids are unique: the identity rule refuses a build with two records of one id)
    digests: dict[str, dict[str, bytes]] = field(default_factory=dict)

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


def ledger_row(kind: str, row: Row, fact: HazardStatus | None) -> Row:
    """A public row as the open data ledger has it: a hazard's with its state on the day."""
    if kind != "hazard" or fact is None:
        return row
    closed = fact.closed_on.isoformat() if fact.closed_on else None
    return {**row, "state": fact.state, "closed_on": closed, "overdue": fact.overdue}


def _digest(kind: str, row: Row, fact: HazardStatus | None) -> bytes | None:
    try:
        return row_digest(ledger_row(kind, row, fact))
    except ValueError:  # no stable form: the open data works it out (and fails) itself
        return None


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


# what the portal shows of each kind on a day: the records dated by then (every one, for
# the kinds not listed), as public rows
_DATED = {
    "inspection": "date",
    "hazard": "found_on",
    "self-report": "submitted_on",
    "complaint": "received_on",
}
ROW_KINDS = (
    "enterprise",
    "inspection",
    "hazard",
    "penalty",
    "self-report",
    "complaint",
    "department",
    "staff",
)


def _shown(kind: str, data: dict[str, Any], as_of: dt.date) -> bool:
    if kind == "penalty":
        return penalty_published(data, as_of)
    field = _DATED.get(kind)
    return field is None or _on_or_before(data.get(field), as_of)


Shown = dict[str, list[tuple[str, dict[str, Any]]]]


def _shown_records(
    records: Iterable[Record], as_of: dt.date, memo: PortalMemo | None
) -> tuple[Shown, set[str]]:
    """Kind → (path, data) of the records shown on ``as_of``, in order, hazards as they
    stood then (``_trim_events``); and the paths of the hazards that had events after it.
    What the memo kept says which are shown, and which hazards to cut, without a look
    at their dates."""
    out: Shown = {kind: [] for kind in ROW_KINDS}
    trimmed: set[str] = set()
    for record in records:
        shown = out.get(record.kind)
        if shown is None:
            continue
        path, data = record.path, record.data
        entry = memo.entry(path) if memo is not None else NOT_KEPT
        if entry is NOT_KEPT:
            if not _shown(record.kind, data, as_of):
                continue
            if record.kind == "hazard":
                cut = _trim_events(data, as_of)
                if cut is not data:
                    trimmed.add(path)
                    data = cut
        elif entry is None:
            continue
        elif isinstance(entry, tuple) and entry[-1]:
            data = _trim_events(data, as_of)
        shown.append((path, data))
    return out, trimmed


def build_portal(
    records: Iterable[Record],
    registry: Registry,
    policy: Policy,
    as_of: dt.date,
    *,
    release: bool = False,
    memo: PortalMemo | None = None,
) -> Portal:
    """The portal as of ``as_of``.  ``release``: ``records`` is a list the caller hands
    over, holding no other reference to its records: it is emptied once the figures are
    under way, so that the public rows are made in the memory the records free (a
    city's records: a gigabyte and a half).  ``memo``: the rows and statuses of the
    chunks of records unchanged since the last build (``generator.render.derived``),
    taken instead of made; those of the others are made, and kept for the next."""
    handed = records if release and isinstance(records, list) else None
    records = handed if handed is not None else list(records)
    data = _by_kind(records)
    shown, trimmed = _shown_records(records, as_of, memo)
    present = {r.path for r in records} if memo is not None else set()
    pub = Publisher(registry, policy)
    towns = policy.towns

    raw_enterprises = data.get("enterprise", [])
    raw_inspections = [d for _, d in shown["inspection"]]
    raw_hazards = [d for _, d in shown["hazard"]]
    statuses: dict[str, HazardStatus] = {}
    entries: dict[str, Entry] = {}  # of the records of chunks not kept, for the memo
    for kind, pairs in shown.items():
        for path, h in pairs:
            found = memo.entry(path) if memo is not None else NOT_KEPT
            if kind != "hazard":
                if found is NOT_KEPT and memo is not None:
                    entries[path] = True
            elif isinstance(found, tuple):
                statuses[path] = status_from(found[:-1])
            else:
                statuses[path] = status = hazard_status(h, policy, as_of)
                if memo is not None:
                    entries[path] = (*status_tuple(status), path in trimmed)
    facts = {  # by id, in the order of ``derive_statuses``
        str(h.get("id")): statuses[path]
        for path, h in sorted(shown["hazard"], key=lambda ph: str(ph[1].get("id")))
    }
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

    # the figures (small) are worked out by a forked child while the rows are made
    job = forked.start(figures, fork=len(records) >= FORK_RECORDS and forked.room_for_a_child())
    try:
        # what is left to make: the records of the chunks kept need nothing of their data
        kept = memo.kept if memo is not None else {}
        todo = {
            kind: [(path, None if path in kept else d) for path, d in pairs]
            for kind, pairs in shown.items()
        }
        del kept
        reports = data.get("self-report", [])
        shown.clear()  # the figures are made (or being made by the child): let the data go
        data.clear()
        raw_enterprises, raw_inspections, raw_hazards = [], [], []
        if handed is not None:
            handed.clear()
        known, known_digests, lost = memo.rows() if memo is not None else ({}, {}, set())
        again = {  # (rare: a kept chunk's rows could not be read)
            path: _trim_events(d, as_of) if kind_of(path) == "hazard" else d
            for path, d in (memo.read_again(lost) if memo is not None and lost else {}).items()
        }
        made: dict[str, Row] = {}  # the rows made here, for the memo
        made_digests: dict[str, bytes | None] = {}
        digests: dict[str, dict[str, bytes]] = {}

        def public_all(kind: str) -> list[Row]:
            out: list[Row] = []
            if kind not in registry:
                return out
            by_id = digests[kind] = {}
            pairs = todo.pop(kind)
            pairs.reverse()  # each let go once used
            while pairs:
                path, d = pairs.pop()
                if d is None:
                    d = again.get(path)
                    if d is None:
                        row = known.pop(path, None)
                        if row is not None:
                            out.append(row)
                            digest = known_digests.pop(path, None)
                            if digest is not None:
                                by_id[str(row.get("id"))] = digest
                        continue
                row = made[path] = pub.public(kind, d)
                out.append(row)
                digest = made_digests[path] = _digest(kind, row, statuses.get(path))
                if digest is not None:
                    by_id[str(row.get("id"))] = digest
            return out

        town_rank = {t: n for n, t in enumerate(towns)}
        enterprises = sorted(
            public_all("enterprise"),
            key=lambda e: (
                town_rank.get(str(e.get("town")), len(towns)),
                str(e.get("town")),
                str(e.get("name")),
                str(e.get("id")),
            ),
        )
        inspections = sorted(public_all("inspection"), key=_newest("date"), reverse=True)
        hazards = sorted(public_all("hazard"), key=_newest("found_on"), reverse=True)
        penalties = sorted(public_all("penalty"), key=_newest("decided_on"), reverse=True)
        self_reports = sorted(
            public_all("self-report"),
            key=lambda r: (str(r.get("enterprise")), str(r.get("month"))),
        )
        complaints = sorted(public_all("complaint"), key=_newest("received_on"), reverse=True)
        departments = {str(d["id"]): d for d in public_all("department")}
        staff = {str(s["id"]): s for s in public_all("staff")}
        if memo is not None:
            memo.store(entries, made, made_digests, present)
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
        digests=digests,
    )
    if reports:
        due_day = int(policy.get("self_report_due_day", default=5))
        by_enterprise = _group(reports, "enterprise")
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

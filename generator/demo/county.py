"""Build the whole county: plan, run every occasion in date order, follow up, number.

Everything that finds hazards (visits, self-inspections, report checks, the
scripted stories) runs in date order, so the ledger always knows what was
open or recently closed when a new hazard is found.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from functools import partial

from generator.demo import cast as casting
from generator.demo import credit, followups, stories
from generator.demo.blacklist_cases import pending_listing
from generator.demo.complaints import Planned, plan_complaints, run_complaint
from generator.demo.context import Context
from generator.demo.dates import days, next_workday
from generator.demo.enterprises import build_enterprises
from generator.demo.evidence import attach_evidence
from generator.demo.hazards import random_hazards
from generator.demo.identifiers import Phones
from generator.demo.inspections import complete_inspection, new_inspection
from generator.demo.model import County, Enterprise, Penalty
from generator.demo.numbering import assign_ids
from generator.demo.org import DEPARTMENTS, build_staff
from generator.demo.penalties import random_penalties
from generator.demo.scale import DEMO, Scale
from generator.demo.schedule import Visit, plan_visits, quarters
from generator.demo.selfreports import (
    build_reports,
    choose_filers,
    plan_self_findings,
    report_months,
    self_finding,
)
from generator.demo.texts import REVOKE_REASON

HAZARDS_PER_VISIT = (0, 1, 2, 3, 4, 5)
HAZARD_WEIGHTS = (12, 22, 28, 20, 11, 7)
REFUSAL_RATE = 0.01


def _hazard_count(ctx: Context, kind: str, ent: Enterprise) -> int:
    rng = ctx.rng
    if kind == "企业自查":
        return rng.choices((0, 1, 2), weights=(3, 4, 3))[0]
    n = rng.choices(HAZARDS_PER_VISIT, weights=HAZARD_WEIGHTS)[0]
    if ent.risk_color in ("红", "橙") and rng.random() < 0.3:
        n += 1
    if not ctx.scale.is_demo:
        scaled = n * ctx.scale.hazards
        n = int(scaled) + (1 if rng.random() < scaled - int(scaled) else 0)
    return n


def _run_visit(ctx: Context, visit: Visit, seen: set[tuple[str, dt.date]]) -> None:
    ents = [
        e
        for e in visit.enterprises
        if (e.id, visit.day) not in seen
        and (e.closed_on is None or visit.day < e.closed_on - days(30))
    ]
    if not ents:
        return
    seen.update((e.id, visit.day) for e in ents)
    insp = new_inspection(ctx, visit.kind, visit.day, ents)
    for ent in ents:
        random_hazards(ctx, insp, ent, _hazard_count(ctx, visit.kind, ent))
    complete_inspection(ctx, insp, refuse=bool(insp.hazards) and ctx.rng.random() < REFUSAL_RATE)


def _revoke_one(ctx: Context, penalties: list[Penalty]) -> None:
    window = [
        p
        for p in penalties
        if ctx.start + days(90) <= p.decided_on <= ctx.as_of - days(200)
        and p.fine
        and not p.individuals
    ]
    if window:
        p = window[len(window) // 2]
        p.revoked_on = next_workday(p.decided_on + days(45))
        p.revoked_reason = REVOKE_REASON


def build_county(seed: int, as_of: dt.date, scale: Scale = DEMO) -> County:
    """The demo county as of ``as_of``, from ``seed`` alone (larger at another ``scale``)."""
    rng = random.Random(seed)
    phones = Phones(rng, blocks=scale.phone_blocks)
    staff = build_staff(rng, phones, copies=scale.staff)
    enterprises = build_enterprises(rng, phones, as_of, size=scale)
    ctx = Context(
        rng=rng,
        start=dt.date(as_of.year - scale.years + 1, 1, 1),
        as_of=as_of,
        departments={d.id: d for d in DEPARTMENTS},
        staff=staff,
        scale=scale,
    )
    cast = casting.cast(ctx, enterprises)
    casting.prepare(ctx, cast)
    choose_filers(ctx, enterprises, {e.id for e in cast.closed})
    sr_from = report_months(as_of)[0]

    occasions: list[tuple[dt.date, int, Callable[[], None]]] = []

    def at(day: dt.date, action: Callable[[], None]) -> None:
        occasions.append((day, len(occasions), action))

    seen: set[tuple[str, dt.date]] = set()
    for visit in plan_visits(ctx, enterprises, sr_from):
        at(visit.day, partial(_run_visit, ctx, visit, seen))
    story = stories.script(ctx, cast)
    for day, action in story.occasions:
        at(day, action)
    planned: list[Planned] = plan_complaints(ctx, phones, scale.complaints())
    for p in planned:
        at(
            p.complaint.checked_on or p.complaint.received_on,
            partial(run_complaint, ctx, p, enterprises),
        )
    for day, ent in plan_self_findings(ctx, enterprises):
        at(day, partial(self_finding, ctx, ent, day))
    windows = quarters(ctx)
    reopen = followups.reopen_plan(len(windows))
    for n, window in enumerate(windows):
        at(window[0], partial(followups.lookback, ctx, window, enterprises, reopen.get(n)))

    for _, _, action in sorted(occasions, key=lambda o: (o[0], o[1])):
        action()

    followups.recheck_visits(ctx)
    pending_listing(ctx, cast, story)
    penalties = story.penalties + random_penalties(ctx, story.inspections)
    _revoke_one(ctx, penalties)
    decisions = [credit.listed_supervision(ctx, h) for h in ctx.hazards if h.listing is not None]
    decisions += story.decisions
    reports = build_reports(ctx, enterprises)
    complaints = [p.complaint for p in planned]

    assign_ids(ctx.inspections, "INS", lambda i: i.date)
    assign_ids(ctx.hazards, "HAZ", lambda h: h.found_on)
    assign_ids(penalties, "PEN", lambda p: p.decided_on)
    assign_ids(decisions, "DEC", lambda d: d.decided_on)
    assign_ids(complaints, "CMP", lambda c: c.received_on)
    ctx.docs.assign()
    county = County(
        departments=list(DEPARTMENTS),
        staff=staff,
        enterprises=enterprises,
        inspections=ctx.inspections,
        hazards=ctx.hazards,
        penalties=penalties,
        decisions=decisions,
        self_reports=reports,
        complaints=complaints,
    )
    attach_evidence(county, monthly=not scale.is_demo)
    return county

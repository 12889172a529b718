"""Hazards: ledger lines found by inspections, self-inspections and reports.

A hazard's deadline follows its level (三级 ≤ 7 days, 二级 ≤ 15, 一级 ≤ 90);
a major one (重大) carries its 五定, a level-1 one its listing (挂牌督办).
Categories that would repeat a recent one at the same enterprise are avoided,
so that every recurrence in the demo is a deliberate one.
"""

from __future__ import annotations

import datetime as dt

from generator.demo import lifecycle
from generator.demo.catalogue import CATEGORY_WEIGHTS, HazardTemplate, templates_for
from generator.demo.context import Context
from generator.demo.dates import add_workdays, cn_date, days
from generator.demo.model import Enterprise, FiveFixed, Hazard, Inspection, Listing, Staff
from generator.demo.org import AWB, XFJY, ZJJ
from generator.demo.texts import ASSESS_BODIES

DEADLINE_CHOICES: dict[str, tuple[int, ...]] = {
    "三级": (3, 5, 7, 7, 7),
    "二级": (10, 15, 15),
    "一级": (60, 90, 90),
}

EMERGENCY_PLAN = (
    "企业已修订生产安全事故综合应急预案和现场处置方案，配备应急物资，明确现场应急处置负责人"
)


def pick_template(
    ctx: Context, ent: Enterprise, day: dt.date, *, major_rate: float = 0.025
) -> HazardTemplate | None:
    """A template of a category that is free at this enterprise on this day."""
    rng = ctx.rng
    weights = CATEGORY_WEIGHTS[ent.industry]
    for major in (True, False) if rng.random() < major_rate else (False,):
        cats = [
            c
            for c in weights
            if not ctx.blocked(ent, c, day) and (c != "粉尘防爆" or "dust" in ent.tags)
        ]
        while cats:
            category = rng.choices(cats, weights=[weights[c] for c in cats])[0]
            pool = [
                t
                for t in templates_for(ent.industry, category, major=major)
                if not t.level1 and (t.requires is None or t.requires in ent.tags)
            ]
            if pool:
                return rng.choice(pool)
            cats.remove(category)
    return None


def crew_for(ctx: Context, hazard: Hazard, inspection: Inspection | None) -> lifecycle.Crew:
    """The people who re-check, accept and close this hazard."""
    ent = hazard.enterprise
    dept = hazard.department
    rng = ctx.rng

    def recheck(day: dt.date) -> Staff:
        team = [s for s in (inspection.inspectors if inspection else []) if s.can_work(day)]
        own = [s for s in team if s in ctx.inspectors(dept, day) and s.certified_for(ent.industry)]
        if own:
            return own[0]
        pool = ctx.certified(ent.industry, (dept,), day) or ctx.inspectors(dept, day)
        return rng.choice(pool)

    def close(day: dt.date) -> Staff:
        return ctx.chief(dept, day) or recheck(day)

    def expert(day: dt.date) -> Staff | None:
        pool = ctx.experts(ent.industry, day)
        return pool[0] if pool else None

    if ent.industry == "建筑施工":
        accept = "县住房和城乡建设局组织的专家验收组"
    elif dept == XFJY:
        accept = "青川县消防救援大队"
    elif dept == ZJJ:
        accept = "县住房和城乡建设局组织的专家验收组"
    else:
        accept = "青川县安全生产专家组"
    return lifecycle.Crew(
        recheck=recheck,
        close=close,
        expert=expert,
        docno=lambda day: ctx.docs.new(ctx.prefix(dept), "复查", day),
        accept_body=accept,
        assess_body=rng.choice(ASSESS_BODIES),
        as_of=ctx.as_of,
    )


def choose_scenario(ctx: Context, hazard: Hazard) -> str:
    """How this hazard's rectification goes (random hazards only)."""
    roll = ctx.rng.random()
    if hazard.enterprise.closed_on is not None:
        return lifecycle.ON_TIME
    if hazard.major:
        # major hazards are followed closely: rectified, accepted and closed by the deadline
        return lifecycle.ON_TIME
    if roll < 0.88:
        return lifecycle.ON_TIME
    old = (ctx.as_of - hazard.found_on).days > 180
    if roll < 0.975 or (old and roll >= 0.988):
        return lifecycle.LATE
    if roll < 0.988:
        return lifecycle.FAILED
    # a few recent ones the enterprise has not finished, or not even started
    return lifecycle.STUCK if roll < 0.996 else lifecycle.NOT_STARTED


def new_hazard(
    ctx: Context,
    ent: Enterprise,
    day: dt.date,
    template: HazardTemplate,
    *,
    inspection: Inspection | None,
    source: str,
    found_by: list[Staff],
    level: str | None = None,
    scenario: str | None = None,
    recurrence_of: Hazard | None = None,
    deadline_days: int | None = None,
) -> Hazard:
    rng = ctx.rng
    klass = "重大" if template.major or level == "一级" else "一般"
    if level is None or (klass == "重大" and level == "三级"):
        level = "二级" if klass == "重大" or rng.random() < 0.28 else "三级"
    description = template.description.format(n=rng.randint(2, 6))
    location = rng.choice(template.locations)
    if recurrence_of is not None:
        location = recurrence_of.location
        closed = recurrence_of.closed_on()
        if closed is not None:
            description += (
                f"（同类隐患曾于{cn_date(recurrence_of.found_on)}发现，"
                f"{cn_date(closed)}整改销号，现再次出现）"
            )
    deadline = day + days(deadline_days or rng.choice(DEADLINE_CHOICES[level]))
    hazard = Hazard(
        seq=ctx.seq(),
        enterprise=ent,
        inspection=inspection,
        source=source,
        found_on=day,
        klass=klass,
        level=level,
        category=template.category,
        description=description,
        location=location,
        basis=template.basis,
        department=ent.supervising_department,
        found_by=found_by,
        deadline=deadline,
        measures=template.measures,
        template=template,
    )
    if klass == "重大":
        hazard.five_fixed = FiveFixed(
            responsible_person=ent.legal_representative,
            measures=template.measures,
            interim_measures=template.interim,
            funds=rng.randint(20, 160) * 5000 if level == "一级" else rng.randint(2, 30) * 2000,
            deadline=deadline,
            emergency_plan=EMERGENCY_PLAN,
            acceptance_standard=template.acceptance or f"符合{template.basis}的要求",
            acceptor="县应急管理局组织的专家组"
            if ent.industry != "建筑施工"
            else "县住房和城乡建设局组织的专家组",
        )
    if level == "一级":
        when = add_workdays(day, rng.randint(1, 3))
        hazard.listing = Listing(AWB, ctx.docs.new(ctx.prefix(AWB), "督", when, pad=0), when)
    crew = crew_for(ctx, hazard, inspection)
    hazard.scenario = scenario or choose_scenario(ctx, hazard)
    hazard.events = lifecycle.plan_events(rng, hazard, hazard.scenario, ctx.as_of, crew)
    ctx.record(hazard)
    if inspection is not None:
        inspection.hazards.append(hazard)
    return hazard


def random_hazards(ctx: Context, insp: Inspection, ent: Enterprise, count: int) -> None:
    """Up to ``count`` hazards of free categories found by this inspection at ``ent``."""
    source = (
        "企业自查"
        if insp.kind == "企业自查"
        else ("举报核查" if insp.purpose == "complaint" else "监督检查")
    )
    for _ in range(count):
        template = pick_template(ctx, ent, insp.date)
        if template is None:
            return
        team = [] if insp.kind == "企业自查" else insp.inspectors + insp.experts
        finders = team[: ctx.rng.randint(1, min(2, len(team)))] if team else []
        new_hazard(ctx, ent, insp.date, template, inspection=insp, source=source, found_by=finders)

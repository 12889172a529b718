"""Administrative penalties: the case, the decision, its publication window.

Fines stay within the ranges of the cited articles; publication starts within
a few calendar days of the decision (so within 7 working days under any
holiday calendar) and lasts one to three years.
"""

from __future__ import annotations

import datetime as dt

from generator.demo import texts
from generator.demo.context import Context
from generator.demo.dates import cn_date, days, next_workday
from generator.demo.identifiers import make_ric
from generator.demo.model import Enterprise, Hazard, Individual, Inspection, Penalty, Staff
from generator.demo.names import person
from generator.demo.org import JTJ, SCJG, XFJY, YJJ, ZJJ

PUBLISH_DAYS = (365, 730, 1095)


def department_for(key: str, hazard_dept: str) -> str:
    """Which department decides a penalty under this article."""
    if key.startswith("xf"):
        return XFJY
    if key.startswith("se"):
        return SCJG
    if key.startswith("jz"):
        return ZJJ
    return hazard_dept if hazard_dept in (ZJJ, JTJ) else YJJ


def article_for(hazard: Hazard) -> str:
    """The penalty article for a hazard, in the language of its supervising department."""
    key = hazard.template.penalty
    if hazard.department == XFJY and hazard.category == "消防安全" and not key.startswith("xf"):
        return (
            "xf60_3" if "出口" in hazard.description or "疏散" in hazard.description else "xf60_1"
        )
    return key


def _fine(ctx: Context, key: str) -> int:
    _, _, low, high = texts.PENALTY_ARTICLES[key]
    return round(ctx.rng.randint(low, high) / 1000) * 1000


def _handlers(ctx: Context, dept: str, day: dt.date, inspection: Inspection | None) -> list[Staff]:
    """Two certified officers of the deciding department, the inspectors first."""
    pool = [s for s in ctx.inspectors(dept, day) if s.certificate]
    team = [s for s in (inspection.inspectors if inspection else []) if s in pool]
    rest = [s for s in pool if s not in team]
    ctx.rng.shuffle(rest)
    return (team + rest)[:2]


def new_penalty(
    ctx: Context,
    ent: Enterprise,
    decided: dt.date,
    key: str,
    *,
    hazards: list[Hazard],
    inspection: Inspection | None,
    dept: str | None = None,
    violation: str | None = None,
    measures: list[str] | None = None,
    fine: int | None = None,
    individuals: int = 0,
    individual_fine: tuple[int, int] = (20000, 50000),
    filed: dt.date | None = None,
) -> Penalty:
    rng = ctx.rng
    decided = next_workday(decided)
    dept = dept or department_for(
        key, hazards[0].department if hazards else ent.supervising_department
    )
    phrase, article, _, _ = texts.PENALTY_ARTICLES[key]
    seen = inspection.date if inspection else decided - days(40)
    if filed is None:
        filed = next_workday(seen + days(rng.randint(1, 7)))
        if filed > decided:
            filed = seen
        if (decided - filed).days > 85:  # decided within 90 days of filing
            filed = next_workday(decided - days(rng.randint(20, 60)))
    if violation is None:
        facts = "；".join(h.description for h in hazards) or phrase
        violation = (
            f"{cn_date(seen)}，执法人员检查发现当事人存在以下问题：{facts}。"
            f"上述行为属于{phrase}的违法行为。"
        )
    if measures is None:
        measures = ["罚款"] if rng.random() < 0.9 else ["警告", "罚款"]
    if fine is None and "罚款" in measures:
        fine = _fine(ctx, key)
    people = []
    for _ in range(individuals):
        name, _ = person(rng)
        born = dt.date(rng.randint(1962, 1990), rng.randint(1, 12), rng.randint(1, 28))
        low, high = individual_fine
        people.append(
            Individual(name, make_ric(rng, born), round(rng.randint(low, high) / 1000) * 1000)
        )
    prefix = ctx.prefix(dept)
    start = decided + days(rng.randint(1, 5))
    penalty = Penalty(
        seq=ctx.seq(),
        enterprise=ent,
        inspection=inspection,
        hazards=hazards,
        case_no=ctx.docs.new(prefix, "立", filed),
        document_no=ctx.docs.new(prefix, "罚", decided),
        decided_on=decided,
        filed_on=filed,
        violation=violation,
        basis=article,
        measures=measures,
        fine=fine,
        individuals=people,
        department=dept,
        handled_by=_handlers(ctx, dept, decided, inspection),
        publish_from=start,
        publish_until=start + days(rng.choice(PUBLISH_DAYS)),
    )
    return penalty


def random_penalties(ctx: Context, skip: set[int]) -> list[Penalty]:
    """Penalties for serious or unrectified hazards found by inspections."""
    rng = ctx.rng
    out: list[Penalty] = []
    for insp in sorted(ctx.inspections, key=lambda i: (i.date, i.seq)):
        if insp.seq in skip or not insp.hazards or insp.kind == "企业自查":
            continue
        ent = insp.hazards[0].enterprise
        serious = [h for h in insp.hazards if h.level != "三级" and h.level != "一级"]
        overdue = [h for h in insp.hazards if h.scenario in ("stuck", "not_started", "late")]
        if overdue and rng.random() < 0.3:
            h = overdue[0]
            decided = next_workday(h.deadline + days(rng.randint(5, 20)))
            done = h.rectified_on()
            if decided <= ctx.as_of and (done is None or done > decided):
                out.append(
                    new_penalty(
                        ctx,
                        h.enterprise,
                        decided,
                        "p102",
                        hazards=[h],
                        inspection=insp,
                        violation=(
                            f"{cn_date(insp.date)}检查发现当事人{h.description}，责令其于{cn_date(h.deadline)}前整改完毕；"
                            f"经复查，当事人逾期未采取措施消除事故隐患。"
                        ),
                    )
                )
                continue
        chosen = (
            serious[:2]
            if serious and rng.random() < 0.2
            else (insp.hazards[:2] if len(insp.hazards) >= 3 and rng.random() < 0.04 else [])
        )
        if not chosen:
            continue
        decided = next_workday(insp.date + days(rng.randint(15, 50)))
        if decided > ctx.as_of:
            continue
        measures = (
            ["警告"]
            if chosen[0].template.penalty in ("p99_1", "p99_5") and rng.random() < 0.3
            else None
        )
        out.append(
            new_penalty(
                ctx,
                ent,
                decided,
                article_for(chosen[0]),
                hazards=chosen,
                inspection=insp,
                measures=measures,
            )
        )
    return out

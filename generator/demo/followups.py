"""Visits that follow up on hazards: re-checks (复查) and quarterly look-backs (回头看).

A re-check visit records the 整改复查意见书 that the hazard's 复查 event cites.
A look-back (tier-2 review) visits about ten enterprises a quarter whose hazards
were closed; twice in the window it finds a problem back and reopens a hazard.
"""

from __future__ import annotations

import datetime as dt

from generator.demo import lifecycle
from generator.demo.context import Context
from generator.demo.dates import cn_date, days, random_workday
from generator.demo.hazards import crew_for
from generator.demo.inspections import complete_inspection, new_inspection
from generator.demo.model import CheckItem, Document, Enterprise, Hazard

RECHECK_VISIT_SHARE = 0.1
LOOKBACK_ENTERPRISES = 10


def recheck_visits(ctx: Context) -> None:
    """复查 inspections for a share of the re-checks done by staff on site."""
    groups: dict[tuple[int, dt.date], list[tuple[Hazard, int]]] = {}
    for h in ctx.hazards:
        if h.inspection is None or h.source != "监督检查":
            continue
        for i, e in enumerate(h.events):
            if e.type in ("复查通过", "复查不通过") and e.document_no is not None:
                groups.setdefault((h.inspection.seq, e.date), []).append((h, i))
    for (_, day), items in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if ctx.rng.random() >= RECHECK_VISIT_SHARE:
            continue
        first, index = items[0]
        event = first.events[index]
        assert (
            event.by is not None and event.document_no is not None and first.inspection is not None
        )
        insp = new_inspection(ctx, "复查", day, [first.enterprise], purpose="recheck")
        insp.notice_date = None
        if event.by in insp.inspectors:
            insp.inspectors.remove(event.by)
        insp.inspectors.insert(0, event.by)
        insp.inspectors = insp.inspectors[:2]
        insp.lead = first.department
        passed = [h for h, i in items if h.events[i].type == "复查通过"]
        insp.checklist = [
            CheckItem(
                h.description,
                "符合" if h in passed else "不符合",
                h.events[i].reason or h.events[i].note,
            )
            for h, i in items
        ]
        insp.documents = [Document("整改复查意见书", event.document_no, day)]
        for h, i in items[1:]:
            h.events[i].document_no = event.document_no
        failed = len(items) - len(passed)
        insp.summary = (
            f"{ctx.departments[insp.lead].short_name}对{first.enterprise.name}"
            f"{cn_date(first.inspection.date)}检查发现的{len(items)}项隐患整改情况进行现场复查，"
            + (
                f"{len(passed)}项整改到位，{failed}项未整改到位，已责令继续整改。"
                if failed
                else "均已整改到位。"
            )
        )
        insp.signed_by = first.enterprise.legal_representative


def _closed_before(ctx: Context, ent: Enterprise, day: dt.date, gap: int) -> list[Hazard]:
    return [
        h
        for h in ctx.ledger.get(ent.id, [])
        if (c := h.closed_on()) is not None and c <= day - days(gap) and not h.major
    ]


def lookback(
    ctx: Context, window: tuple[dt.date, dt.date], enterprises: list[Enterprise], reopen: str | None
) -> None:
    """One quarter's look-back: ten enterprises with closed hazards; maybe one reopened."""
    rng = ctx.rng
    first, last = window
    chosen = [e for e in enterprises if e.status != "关闭" and _closed_before(ctx, e, last, 20)]
    rng.shuffle(chosen)
    count = LOOKBACK_ENTERPRISES if ctx.scale.is_demo else ctx.scale.lookback_enterprises()
    for n, ent in enumerate(chosen[:count]):
        day = random_workday(rng, first, last)
        if day is None:
            continue
        closed = _closed_before(ctx, ent, day, 20)
        if not closed:
            continue
        insp = new_inspection(ctx, "回头看", day, [ent], purpose="lookback")
        sample = closed[-3:]
        insp.checklist = [CheckItem(h.description, "符合", "整改措施保持有效") for h in sample]
        if n == 0 and reopen is not None:
            target = sample[-1]
            insp.checklist[-1] = CheckItem(target.description, "不符合", "问题反弹")
            by = next((s for s in insp.inspectors if s.certificate), insp.inspectors[0])
            lifecycle.reopen(
                rng, target, day, by, reopen, ctx.as_of, crew_for(ctx, target, target.inspection)
            )
            insp.summary = (
                f"随机抽查已销号隐患{len(sample)}项，发现{target.location}“{target.description}”问题反弹，"
                "已重新打开该隐患并责令企业限期整改。"
            )
        else:
            insp.summary = f"随机抽查已销号隐患{len(sample)}项，整改措施落实到位，未发现问题反弹。"
        checklist = insp.checklist
        complete_inspection(ctx, insp)
        insp.checklist = checklist
        if reopen is not None and n == 0:
            insp.documents.append(
                Document(
                    "责令限期整改指令书", ctx.docs.new(ctx.prefix(insp.lead), "责改", day), day
                )
            )


def reopen_plan(count: int) -> dict[int, str]:
    """Which look-back windows reopen a hazard: the third-last (closed again) and the last (open)."""
    plan: dict[int, str] = {}
    if count >= 3:
        plan[count - 3] = lifecycle.ON_TIME
    if count >= 1:
        plan[count - 1] = lifecycle.STUCK
    return plan

"""Inspections: who goes, what they check, which documents they issue.

Every enforcement visit has at least two inspectors, one of them holding an
enforcement certificate for the enterprise's industry; covert visits (专家暗访)
and self-inspections carry no advance notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from generator.demo import texts
from generator.demo.catalogue import CHECKLIST_BY_CATEGORY, CHECKLIST_BY_INDUSTRY
from generator.demo.context import Context
from generator.demo.dates import add_workdays, days, is_workday, previous_workday
from generator.demo.model import CheckItem, Document, Enterprise, EvidenceSpec, Inspection, Staff
from generator.demo.org import AWB, GAJ, JTJ, SCJG, XFJY, YJJ, ZFDD, ZJJ, ZRZY

# departments that join a joint inspection, per industry
JOINT_PARTNERS: dict[str, tuple[str, ...]] = {
    "危险化学品": (XFJY, SCJG, GAJ),
    "非煤矿山": (ZRZY, GAJ),
    "烟花爆竹": (GAJ, SCJG, XFJY),
    "建筑施工": (ZJJ, SCJG, XFJY),
    "交通运输": (JTJ, GAJ),
    "冶金有色": (SCJG, XFJY),
    "工贸": (SCJG, XFJY),
    "人员密集场所": (XFJY, SCJG),
    "燃气": (ZJJ, SCJG, XFJY),
    "其他": (SCJG, XFJY),
}

NO_NOTICE = frozenset({"专家暗访", "企业自查"})


def _take(ctx: Context, pool: Sequence[Staff], chosen: list[Staff], n: int = 1) -> None:
    """Add up to n people from pool who are not chosen yet."""
    free = [s for s in pool if s not in chosen]
    ctx.rng.shuffle(free)
    chosen.extend(free[:n])


def _certified(ctx: Context, ent: Enterprise, depts: tuple[str, ...], day: dt.date) -> list[Staff]:
    pool = ctx.certified(ent.industry, depts, day)
    if not pool:  # fall back on the supervising department's certified staff
        pool = ctx.certified(ent.industry, (ent.supervising_department,), day)
    return pool


def new_inspection(
    ctx: Context, kind: str, day: dt.date, ents: list[Enterprise], *, purpose: str = "plan"
) -> Inspection:
    """An inspection with its team; hazards, documents and texts come later."""
    first = ents[0]
    sup = first.supervising_department
    inspectors: list[Staff] = []
    experts: list[Staff] = []
    departments: list[str] = []
    if kind in ("部门专项检查", "双随机抽查", "企业自查", "复查"):
        lead = sup
        _take(ctx, _certified(ctx, first, (sup,), day), inspectors)
        _take(ctx, ctx.inspectors(sup, day), inspectors)
    elif kind == "联合检查":
        lead = YJJ
        partners = [d for d in JOINT_PARTNERS[first.industry] if d != YJJ]
        if sup not in (YJJ, ZFDD) and sup not in partners:
            partners.insert(0, sup)
        departments = (
            partners[: ctx.rng.randint(2, min(3, len(partners)))] if len(partners) > 1 else partners
        )
        _take(ctx, _certified(ctx, first, (YJJ, *departments), day), inspectors)
        for d in departments:
            _take(ctx, ctx.inspectors(d, day), inspectors)
        if len(inspectors) < 3:
            _take(ctx, ctx.inspectors(YJJ, day), inspectors)
    elif kind in ("专家明查", "专家暗访"):
        lead = YJJ
        if sup not in (YJJ, ZFDD):
            departments = [sup]
        _take(ctx, _certified(ctx, first, (YJJ, sup), day), inspectors)
        _take(ctx, ctx.inspectors(YJJ, day), inspectors)
        _take(ctx, ctx.experts(first.industry, day), experts, ctx.rng.randint(1, 2))
    elif kind in ("政府综合督查", "回头看"):
        lead = AWB
        departments = [YJJ] if kind == "政府综合督查" else []
        for ent in ents:
            if ent.supervising_department not in departments and ent.supervising_department != ZFDD:
                departments.append(ent.supervising_department)
        reviewers = [s for s in ctx.staff if s.department == AWB and s.can_work(day)]
        _take(ctx, reviewers, inspectors, 1)
        for ent in ents:
            if not any(s.certified_for(ent.industry) for s in inspectors):
                _take(ctx, _certified(ctx, ent, (ent.supervising_department,), day), inspectors)
        if len(inspectors) < 2:
            _take(ctx, ctx.inspectors(sup, day), inspectors)
    else:
        raise ValueError(kind)
    notice = None
    if kind not in NO_NOTICE:
        notice = previous_workday(day - days(ctx.rng.randint(4, 7)))
    insp = Inspection(
        seq=ctx.seq(),
        kind=kind,
        date=day,
        enterprises=ents,
        lead=lead,
        departments=departments,
        inspectors=inspectors,
        experts=experts,
        notice_date=notice,
        purpose=purpose,
    )
    ctx.inspections.append(insp)
    return insp


def _not_applicable(category: str, ent: Enterprise) -> bool:
    if category == "粉尘防爆":
        return "dust" not in ent.tags
    return category in ("有限空间", "危险化学品管理") and ent.industry in (
        "人员密集场所",
        "交通运输",
    )


def _checklist(ctx: Context, insp: Inspection) -> list[CheckItem]:
    ent = insp.enterprises[0]
    found: dict[str, list[str]] = {}
    for h in insp.hazards:
        found.setdefault(h.category, []).append(h.description)
    items: list[CheckItem] = []
    for category, line in CHECKLIST_BY_CATEGORY.items():
        if category in found:
            items.append(CheckItem(line, "不符合", "；".join(found[category])))
        elif _not_applicable(category, ent):
            items.append(CheckItem(line, "不适用"))
        else:
            items.append(CheckItem(line, "符合"))
    majors = [h for h in insp.hazards if h.major]
    for i, line in enumerate(CHECKLIST_BY_INDUSTRY[ent.industry]):
        if i == 0 and majors:
            items.append(CheckItem(line, "不符合", majors[0].description))
        else:
            items.append(
                CheckItem(line, "符合", texts.CHECKLIST_NOTE_OK if ctx.rng.random() < 0.3 else None)
            )
    return items


def _documents(ctx: Context, insp: Inspection) -> list[Document]:
    prefix = ctx.prefix(insp.lead)
    day = insp.date
    docs: list[Document] = []

    def add(kind: str, abbr: str, when: dt.date) -> None:
        if when <= ctx.as_of:
            docs.append(Document(kind, ctx.docs.new(prefix, abbr, when), when))

    if insp.kind == "企业自查":
        return docs
    if insp.kind == "复查":
        return docs  # the re-check opinion is added with the hazards it covers
    add("现场检查记录", "检记", day)
    if insp.findings or (insp.hazards and ctx.rng.random() < 0.12):
        add("询问笔录", "询", day)
    if insp.hazards:
        when = day if ctx.rng.random() < 0.6 else add_workdays(day, ctx.rng.randint(1, 3))
        add("责令限期整改指令书", "责改", when)
    if any(h.level == "一级" for h in insp.hazards) or "拒不执行停产指令" in insp.findings:
        add("现场处理措施决定书", "现决", day)
    if insp.kind in ("联合检查", "政府综合督查"):
        add("检查情况报告", "检报", add_workdays(day, ctx.rng.randint(4, 9)))
    return docs


def _summary(ctx: Context, insp: Inspection) -> str:
    ent = insp.enterprises[0]
    lead = ctx.departments[insp.lead].short_name
    names = "、".join(e.name for e in insp.enterprises)
    season = texts.SEASON.get(insp.date.month)
    focus = texts.FOCUS[ent.industry]
    aspects = texts.ASPECTS[ent.industry]
    kind = insp.kind
    if kind == "部门专项检查" and insp.purpose == "complaint":
        head = f"{lead}根据群众举报线索，对{names}反映的问题开展现场核查，重点检查{aspects}等方面。"
    elif kind == "部门专项检查":
        campaign = f"结合{season}，" if season and ctx.rng.random() < 0.5 else ""
        head = f"{lead}{campaign}组织开展{focus}，检查组按照检查表对{names}的{aspects}等情况进行了检查。"
    elif kind == "双随机抽查":
        head = f"通过“双随机、一公开”监管平台随机抽取检查对象和执法人员，{lead}对{names}开展抽查，重点检查{aspects}。"
    elif kind == "联合检查":
        partners = "、".join(ctx.departments[d].short_name for d in insp.departments)
        head = f"县应急管理局牵头，会同{partners}组成联合检查组，对{names}开展安全生产联合检查，检查内容涵盖{aspects}等方面。"
    elif kind == "专家明查":
        head = f"县应急管理局组织安全生产专家对{names}开展明查，专家按照行业标准对{aspects}等进行了技术检查。"
    elif kind == "专家暗访":
        head = (
            f"专家组采取“四不两直”方式对{names}开展暗访，事先未通知企业，现场查看{aspects}等情况。"
        )
    elif kind == "政府综合督查":
        head = (
            f"县安委会综合督查组到{ent.town}开展安全生产综合督查，抽查{names}"
            f"{len(insp.enterprises)}家企业，检查企业主体责任落实和属地、部门监管责任落实情况。"
        )
    elif kind == "企业自查":
        head = f"{names}组织开展月度安全生产自查，{lead}检查人员现场指导，按照自查清单对{aspects}等进行了排查。"
    elif kind == "回头看":
        head = f"按照二级复核工作安排，县安委办对{names}已销号隐患的整改情况开展“回头看”。"
    else:  # 复查
        head = f"{lead}对{names}前期检查发现隐患的整改情况进行复查。"
    if kind == "复查":
        return head + insp.summary
    if kind == "回头看":
        return head + (
            insp.summary or "随机抽查已销号隐患的整改现场和资料，整改措施落实到位，未发现问题反弹。"
        )
    parts = [head]
    for finding in insp.findings:
        parts.append(texts.FINDING_TEXT[finding] + "。")
    n = len(insp.hazards)
    majors = sum(1 for h in insp.hazards if h.major)
    if n == 0:
        if insp.purpose == "complaint":
            parts.append("经现场核查，未发现举报反映的问题，企业安全管理总体规范。")
        elif kind == "企业自查":
            parts.append("本次自查未发现事故隐患，自查记录已归档。")
        else:
            parts.append(
                "未发现明显事故隐患，检查组要求企业持续做好隐患排查治理和从业人员教育培训。"
            )
    else:
        cats = "、".join(
            dict.fromkeys(
                "其他安全条件" if h.category == "其他" else h.category for h in insp.hazards
            )
        )
        major_text = f"（其中重大事故隐患{majors}项）" if majors else ""
        parts.append(f"共发现事故隐患{n}项{major_text}，主要涉及{cats}等方面。")
        if kind == "企业自查":
            parts.append("企业已将发现的隐患录入隐患台账，明确整改责任人和整改期限。")
        else:
            parts.append("检查组已下达《责令限期整改指令书》，要求企业按期整改并报送整改情况。")
        if any(h.level == "一级" for h in insp.hazards):
            parts.append(
                "对一级隐患依法下达《现场处理措施决定书》，责令相关区域立即停产整改，并提请县安委办挂牌督办。"
            )
    return "".join(parts)


def _signature(ctx: Context, insp: Inspection, refuse: bool) -> None:
    ent = insp.enterprises[0]
    if refuse and len(insp.inspectors) >= 2:
        insp.refused = True
        insp.witnesses = insp.inspectors[:2]
        insp.signature_note = texts.REFUSAL_NOTE
        return
    if insp.kind == "企业自查":
        insp.signed_by = ent.legal_representative
        insp.signature_note = "自查记录由企业主要负责人签字确认"
    elif ent.contact_name != ent.legal_representative and ctx.rng.random() < 0.15:
        insp.signed_by = ent.contact_name
        insp.signature_note = "主要负责人外出，由企业安全管理负责人签字确认"
    else:
        insp.signed_by = ent.legal_representative
        if ctx.rng.random() < 0.4:
            insp.signature_note = ctx.rng.choice(texts.SIGN_NOTES)
    if len(insp.enterprises) > 1:
        insp.signature_note = "各被检查单位负责人分别在现场检查记录上签字确认"


def complete_inspection(ctx: Context, insp: Inspection, *, refuse: bool = False) -> None:
    """Fill in checklist, documents, summary and signature once the hazards are known."""
    if not is_workday(insp.date) and insp.kind != "专家暗访" and insp.purpose != "complaint":
        raise AssertionError(f"inspection on a day off: {insp.date}")
    insp.checklist = _checklist(ctx, insp)
    insp.documents = _documents(ctx, insp)
    insp.summary = _summary(ctx, insp)
    _signature(ctx, insp, refuse or "拒绝阻挠检查" in insp.findings)
    if insp.findings or insp.refused or any(h.level == "一级" for h in insp.hazards):
        insp.evidence_specs = [
            EvidenceSpec("site-1.png", "现场检查照片"),
            EvidenceSpec("site-2.png", "现场检查照片"),
        ]
        if insp.findings:
            insp.evidence_specs.append(EvidenceSpec("record.txt", "现场情况记录（执法记录仪摘录）"))

"""Complaints and hazard reports from the public (投诉举报).

The reporter's identity stays internal; the public subject names no one.
Reports are checked within 48 hours and answered within 7 days — mostly:
a few are checked or answered late, the newest are still being handled.
A confirmed hazard report leads to a verification visit and a ledger line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.demo.cast import template
from generator.demo.context import Context
from generator.demo.dates import cn_date, days
from generator.demo.hazards import new_hazard
from generator.demo.identifiers import Phones, make_ric
from generator.demo.inspections import complete_inspection, new_inspection
from generator.demo.model import Complaint, Enterprise, Inspection, Reporter
from generator.demo.names import person
from generator.demo.org import JJJC, YJJ


@dataclass(frozen=True)
class Report:
    """A kind of hazard report: what people say, and the ledger line it becomes."""

    issue: str
    details: str
    template: str  # start of the catalogue description
    industries: tuple[str, ...]


REPORTS: tuple[Report, ...] = (
    Report(
        "安全出口被货物堵塞",
        "反映人称该场所后门安全出口长期堆放货物，发生火灾时无法疏散。",
        "安全出口被货物堵塞",
        ("人员密集场所", "工贸"),
    ),
    Report(
        "员工宿舍设在仓库内",
        "反映人称其在该厂务工，厂方安排员工住在仓库夹层，楼下堆放大量纸箱和原料。",
        "员工宿舍与生产车间",
        ("工贸",),
    ),
    Report(
        "车间粉尘大、积尘长期不清理",
        "反映人称车间内粉尘弥漫，设备和横梁上积尘很厚，担心发生爆炸。",
        "作业现场积尘",
        ("工贸", "冶金有色"),
    ),
    Report(
        "电动自行车在楼道内充电",
        "反映人称每晚都有电动自行车在楼梯间充电，堵住了通道。",
        "电动自行车在楼梯间",
        ("人员密集场所", "工贸"),
    ),
    Report(
        "工人高处作业不系安全带",
        "反映人路过工地，看到多名工人在外架上作业未系安全带、未戴安全帽。",
        "作业人员未按规定佩戴安全帽",
        ("建筑施工",),
    ),
    Report(
        "车间内堆放大量油漆稀释剂",
        "反映人称喷涂车间里堆放了几十桶油漆和稀释剂，车间内还有人吸烟。",
        "油漆、稀释剂等易燃液体",
        ("工贸",),
    ),
    Report(
        "后厨使用燃气未安装报警器",
        "反映人称该店后厨使用瓶装液化气，没有安装燃气报警器，经常闻到气味。",
        "餐饮场所使用燃气未安装",
        ("人员密集场所",),
    ),
    Report(
        "夜间违规动火作业",
        "反映人称该厂晚上在仓库旁边电焊，没有人看护，火星乱溅。",
        "动火作业未办理审批手续",
        ("工贸", "冶金有色"),
    ),
    Report(
        "消火栓被杂物遮挡",
        "反映人称商场内消火栓被促销货架挡住，箱门打不开。",
        "室内消火栓箱被杂物遮挡",
        ("人员密集场所",),
    ),
)

GRIEVANCES: tuple[tuple[str, str, str, str], ...] = (
    # subject, details, outcome, result note
    (
        "投诉执法人员检查时未出示执法证件",
        "投诉人称检查人员进入厂区后未出示执法证件即开始检查。",
        "不属实",
        "经调取执法记录仪视频核实，检查人员进入现场时已出示执法证件并告知检查事项，投诉反映情况不属实，已向投诉人说明。",
    ),
    (
        "投诉检查人员现场态度生硬",
        "投诉人称检查人员讲话态度生硬，对企业提出的问题不予解释。",
        "部分属实",
        "经核查，检查人员对企业疑问解释不够耐心，已对相关人员进行批评教育，并向企业致歉。",
    ),
    (
        "反映同一月内被多个部门重复检查",
        "投诉人称本月内先后有三个部门到企业检查，内容基本相同，影响正常生产。",
        "属实",
        "经核查情况属实，已将该企业纳入联合检查计划，按“首查负责制”明确一个执法主体，避免重复检查。",
    ),
    (
        "投诉执法人员未听取企业陈述申辩",
        "投诉人称作出处罚前未给予企业陈述申辩的机会。",
        "不属实",
        "经核查案卷，执法机关已依法送达行政处罚告知书并听取当事人陈述申辩，投诉反映情况不属实。",
    ),
    (
        "反映检查人员要求企业购买指定厂家的消防器材",
        "投诉人称检查人员暗示企业到某公司购买灭火器。",
        "不属实",
        "驻局纪检监察组约谈相关人员并核查通讯记录，未发现检查人员指定购买产品的情况，投诉反映情况不属实。",
    ),
    (
        "投诉整改期限过短",
        "投诉人称责令整改的期限只有三天，企业难以完成。",
        "部分属实",
        "经核查，该隐患属三级隐患，整改期限符合规定；考虑到材料采购周期，已指导企业先落实临时措施。",
    ),
)

CHANNELS = ("来电", "网络", "来信", "来访")


@dataclass
class Planned:
    complaint: Complaint
    report: Report | None


def _reporter(ctx: Context, phones: Phones, channel: str) -> Reporter:
    rng = ctx.rng
    if rng.random() < 0.3 and channel != "来访":
        return Reporter(
            None, phones.take() if channel == "来电" and rng.random() < 0.5 else None, None, True
        )
    name, _ = person(rng)
    born = dt.date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
    id_number = make_ric(rng, born) if channel == "来访" else None
    return Reporter(name, phones.take(), id_number, False)


def plan_complaints(ctx: Context, phones: Phones, count: int = 30) -> list[Planned]:
    """Complaints spread over the window; the last two still open."""
    rng = ctx.rng
    out: list[Planned] = []
    span = (ctx.as_of - ctx.start).days - 10
    for i in range(count):
        grievance = i % 5 in (1, 3)  # about 40% complaints about enforcement
        if i == count - 2:
            received = ctx.as_of - days(2)
        elif i == count - 1:
            received = ctx.as_of - days(1)
        else:
            received = ctx.start + days(rng.randint(0, span))
        channel = rng.choices(CHANNELS, weights=(35, 35, 15, 15))[0]
        late_check = i % 9 == 4
        late_answer = i % 13 == 6
        checked: dt.date | None = received + days(
            rng.randint(3, 5) if late_check else rng.randint(0, 2)
        )
        assert checked is not None
        answered: dt.date | None = (
            received + days(rng.randint(9, 12))
            if late_answer
            else min(checked + days(rng.randint(1, 4)), received + days(7))
        )
        report = None
        if grievance:
            subject, details, outcome, note = GRIEVANCES[i % len(GRIEVANCES)]
            kind = "执法投诉"
        else:
            report = REPORTS[i % len(REPORTS)]
            subject, details, kind = report.issue, report.details, "隐患举报"
            outcome = rng.choices(("属实", "部分属实", "不属实"), weights=(55, 20, 25))[0]
            note = ""
        if i == count - 2:
            checked, answered, outcome, note = (
                ctx.as_of - days(1),
                None,
                "处理中",
                "已完成现场核查，正在形成处理意见。",
            )
        elif i == count - 1:
            checked, answered, outcome, note = None, None, "处理中", ""
        complaint = Complaint(
            seq=ctx.seq(),
            kind=kind,
            received_on=received,
            channel=channel,
            reporter=_reporter(ctx, phones, channel),
            subject=subject,
            details=details,
            enterprise=None,
            department=YJJ,
            handler=None,
            checked_on=checked,
            answered_on=answered,
            outcome=outcome,
            result_note=note or None,
        )
        out.append(Planned(complaint, report))
    return out


def _last_visits(ctx: Context, before: dt.date, count: int) -> list[Inspection]:
    """The last ``count`` inspections made before a day (self-inspections and look-backs aside)."""
    found: list[Inspection] = []
    for insp in reversed(ctx.inspections):
        if insp.date < before and insp.kind not in ("企业自查", "回头看"):
            found.append(insp)
            if len(found) == count:
                break
    return found[::-1]


def run_complaint(ctx: Context, planned: Planned, enterprises: list[Enterprise]) -> None:
    """Pick the enterprise, verify on site, record the hazard (in date order with everything else)."""
    rng = ctx.rng
    c = planned.complaint
    day = c.checked_on or c.received_on
    if planned.report is None:
        earlier = _last_visits(ctx, c.received_on, 40)
        visit = rng.choice(earlier) if earlier else None
        if visit is not None:
            c.enterprise = visit.enterprises[0]
            c.department = visit.lead
            c.details += f"（涉及{cn_date(visit.date)}的检查）"
        honest = "纪检" in (c.result_note or "") or "指定" in c.subject or "态度" in c.subject
        c.handler = (
            rng.choice([s for s in ctx.staff if s.department == JJJC])
            if honest
            else ctx.chief(YJJ, day)
        )
        return
    report = planned.report
    tpl = template(report.template)
    pool = enterprises
    if not ctx.scale.is_demo:  # industries and tags never change: filter them once
        key = ("complaint", report.template)
        if key not in ctx.pools:
            ctx.pools[key] = [
                e
                for e in enterprises
                if e.industry in report.industries
                and (tpl.requires is None or tpl.requires in e.tags)
            ]
        pool = ctx.pools[key]
    candidates = [
        e
        for e in pool
        if e.industry in report.industries
        and e.status != "关闭"
        and (tpl.requires is None or tpl.requires in e.tags)
        and (e.closed_on is None or e.closed_on > day)
    ]
    if ctx.scale.is_demo:
        rng.shuffle(candidates)
    else:  # a few random draws instead of shuffling thousands
        candidates = rng.sample(candidates, min(len(candidates), 50))
    free = next((e for e in candidates if not ctx.blocked(e, tpl.category, day)), None)
    ent = free or candidates[0]
    c.enterprise = ent
    c.department = ent.supervising_department
    c.subject = f"反映{ent.town}一{ent.kind_word}{report.issue}"
    if c.checked_on is None:
        return
    insp = new_inspection(ctx, "部门专项检查", day, [ent], purpose="complaint")
    insp.notice_date = None  # a report is checked unannounced
    c.handler = insp.inspectors[0] if insp.inspectors else None
    if c.outcome in ("属实", "部分属实") and free:
        c.hazard = new_hazard(
            ctx,
            ent,
            day,
            tpl,
            inspection=insp,
            source="举报核查",
            found_by=insp.inspectors[:2],
            level="三级",
        )
        c.result_note = (
            "经现场核查，反映问题属实，已责令企业限期整改，隐患已纳入台账管理。"
            if c.outcome == "属实"
            else "经现场核查，反映问题部分属实，已责令企业对存在的问题限期整改，其余反映情况未发现。"
        )
    elif c.outcome != "处理中":
        c.outcome = "不属实"
        c.result_note = "经现场核查，未发现举报反映的问题，已向举报人反馈核查情况。"
    complete_inspection(ctx, insp)

"""Decisions: listed supervision of level-1 hazards, and the serious-dishonesty list.

Listing follows 应急管理部令第11号: notice of the reasons and the right to
object first, then the decision (3 years); early removal by credit repair
after at least 12 months; a repair obtained by fraud is revoked and the listing
restored; at the end of the term the entry is removed.
"""

from __future__ import annotations

import datetime as dt

from generator.demo.context import Context
from generator.demo.dates import add_workdays, add_years, cn_date, next_workday
from generator.demo.model import (
    Decision,
    Enterprise,
    Hazard,
    Inspection,
    Notice,
    Objection,
    Penalty,
    Staff,
)
from generator.demo.org import AWB, YJJ

SANCTIONS = (
    "加大执法检查频次",
    "暂停项目审批",
    "上调有关保险费率",
    "通过国家企业信用信息公示系统、信用中国网站和本部门网站公示",
)
LISTING_BASIS = "《中华人民共和国安全生产法》第七十八条；《安全生产严重失信主体名单管理办法》（应急管理部令第11号）"
TERM_YEARS = 3


def _deciders(ctx: Context, dept: str, day: dt.date) -> list[Staff]:
    family = (YJJ,) if dept == YJJ else (dept,)
    chiefs = [
        s
        for s in ctx.staff
        if s.department in family and "科室负责人" in s.roles and s.can_work(day)
    ]
    return chiefs[:2]


def listed_supervision(ctx: Context, hazard: Hazard) -> Decision:
    """The 挂牌督办 decision behind a level-1 hazard's listing."""
    assert hazard.listing is not None
    ent = hazard.enterprise
    day = hazard.listing.date
    records: list[Inspection | Hazard | Penalty | Decision] = [hazard]
    if hazard.inspection is not None:
        records.insert(0, hazard.inspection)
    return Decision(
        seq=ctx.seq(),
        type="挂牌督办",
        enterprise=ent,
        document_no=hazard.listing.document_no,
        decided_on=day,
        department=AWB,
        decided_by=_deciders(ctx, AWB, day),
        basis="《中华人民共和国安全生产法》第四十一条第三款；《安全生产事故隐患排查治理暂行规定》（原国家安全监管总局令第16号）",
        facts=(
            f"{cn_date(hazard.found_on)}检查发现{ent.name}{hazard.description}，属一级重大事故隐患，"
            f"对该隐患实行挂牌督办，整改期限至{cn_date(hazard.deadline)}。"
        ),
        evidence_records=records,
        measures=["责令相关区域停产停业整改", "每月报送整改进展", "整改完成后经评估、验收方可销号"],
        hazard=hazard,
    )


def listing(
    ctx: Context,
    ent: Enterprise,
    *,
    rule: str,
    facts: str,
    records: list[Inspection | Hazard | Penalty | Decision],
    notice_on: dt.date,
    dept: str = YJJ,
    objection: bool = False,
    pending: bool = False,
) -> Decision:
    """列入严重失信名单, after notice (and an objection, if any); pending: objection period still open."""
    notice_on = next_workday(notice_on)
    until = add_workdays(notice_on, 5)
    obj = None
    decided = add_workdays(until, 3)
    if objection:
        filed = add_workdays(notice_on, 3)
        ruled = add_workdays(until, 5)
        obj = Objection(filed, "维持", ruled)
        decided = add_workdays(ruled, 2)
    if pending:
        decided = notice_on
    decision = Decision(
        seq=ctx.seq(),
        type="列入严重失信名单",
        enterprise=ent,
        document_no=ctx.docs.new(ctx.prefix(dept), "失信", decided, pad=0),
        decided_on=decided,
        department=dept,
        decided_by=_deciders(ctx, dept, decided),
        rule=rule,
        basis=LISTING_BASIS,
        facts=facts,
        evidence_records=records,
        notice=Notice(notice_on, until, obj),
        measures=list(SANCTIONS),
    )
    if not pending:
        decision.listed_from = decided
        decision.listed_until = add_years(decided, TERM_YEARS)
    return decision


def follow_up(
    ctx: Context, target: Decision, kind: str, day: dt.date, facts: str, abbr: str
) -> Decision:
    """信用修复 / 撤销信用修复 / 移出严重失信名单 of an earlier listing."""
    day = next_workday(day)
    dept = target.department
    return Decision(
        seq=ctx.seq(),
        type=kind,
        enterprise=target.enterprise,
        document_no=ctx.docs.new(ctx.prefix(dept), abbr, day, pad=0),
        decided_on=day,
        department=dept,
        decided_by=_deciders(ctx, dept, day),
        rule=target.rule,
        basis=LISTING_BASIS,
        facts=facts,
        evidence_records=[target],
        target=target,
    )

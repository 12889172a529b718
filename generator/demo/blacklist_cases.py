"""The blacklist cases (严重失信主体名单), one per rule and stage.

- stop order ignored at the window start: listed, repaired after a year, the
  repair revoked for fraud (listing restored);
- false documents: listed, repaired after thirteen months;
- obstruction a year before as-of: objection rejected, listed and active;
- obstruction three years ago: the term has run out, removed;
- the overdue level-1 hazard: notice given, objection period still open.
"""

from __future__ import annotations

from generator.demo import lifecycle
from generator.demo.cast import Cast, template
from generator.demo.context import Context
from generator.demo.credit import follow_up, listing
from generator.demo.dates import add_months, add_years, cn_date, days, next_workday
from generator.demo.hazards import new_hazard, random_hazards
from generator.demo.inspections import complete_inspection
from generator.demo.model import Decision, Hazard, Inspection, Penalty
from generator.demo.penalties import new_penalty
from generator.demo.script import Script, visit


def blacklist_cases(ctx: Context, c: Cast, s: Script) -> None:
    rng = ctx.rng

    # 1. stop order ignored (window start): listed, repaired after a year, repair revoked for fraud
    ent_c = c.blacklist["stop-order"]
    day_c = next_workday(ctx.start + days(14))

    def stop_order() -> None:
        insp = visit(ctx, s, "部门专项检查", day_c, ent_c, ("拒不执行停产指令",))
        random_hazards(ctx, insp, ent_c, 1)
        complete_inspection(ctx, insp)
        pen = new_penalty(
            ctx,
            ent_c,
            day_c + days(26),
            "p102",
            hazards=list(insp.hazards),
            inspection=insp,
            violation=(
                f"当事人因存在重大事故隐患被责令停止使用相关生产装置，{cn_date(day_c)}检查发现其擅自恢复生产，"
                "拒不执行现场处理措施决定，未采取措施消除事故隐患。"
            ),
            measures=["罚款", "责令停产停业整顿"],
            fine=50000,
            individuals=1,
            individual_fine=(50000, 80000),
        )
        s.penalties.append(pen)
        listed = listing(
            ctx,
            ent_c,
            rule="stop-order-refused",
            records=[insp, pen],
            notice_on=pen.decided_on + days(7),
            facts=f"{ent_c.name}在被责令停止使用相关装置期间擅自恢复生产，拒不执行停产指令，情节严重。",
        )
        assert listed.listed_from is not None
        repaired = follow_up(
            ctx,
            listed,
            "信用修复",
            add_months(listed.listed_from, 12) + days(16),
            "该企业列入严重失信主体名单已满12个月，已履行行政处罚决定，完成隐患整改并作出信用承诺，准予信用修复，提前移出名单。",
            "信修",
        )
        revoked = follow_up(
            ctx,
            listed,
            "撤销信用修复",
            repaired.decided_on + days(150),
            "经核查，该企业申请信用修复时提交的隐患整改验收报告系伪造，依法撤销信用修复决定，恢复列入严重失信主体名单，管理期限不变。",
            "撤修",
        )
        revoked.evidence_records.append(repaired)
        s.add(listed, repaired, revoked, as_of=ctx.as_of)

    s.at(day_c, stop_order)

    # 2. false documents (window start + 40 days): listed, repaired after 13 months
    ent_b = c.blacklist["false-documents"]
    day_b = next_workday(ctx.start + days(40))

    def false_documents() -> None:
        insp = visit(ctx, s, "部门专项检查", day_b, ent_b, ("提供虚假材料",))
        h = new_hazard(
            ctx,
            ent_b,
            day_b,
            template("特种作业人员未按规定经专门"),
            inspection=insp,
            source="监督检查",
            found_by=insp.inspectors[:2],
            level="二级",
            scenario=lifecycle.ON_TIME,
        )
        complete_inspection(ctx, insp)
        pen = new_penalty(
            ctx,
            ent_b,
            day_b + days(30),
            "p97_7",
            hazards=[h],
            inspection=insp,
            violation=(
                f"{cn_date(day_b)}检查发现，当事人{h.description}，且向执法人员提供伪造的特种作业操作证，"
                "企图逃避监管。"
            ),
            fine=45000,
        )
        s.penalties.append(pen)
        listed = listing(
            ctx,
            ent_b,
            rule="false-documents",
            records=[insp, h, pen],
            notice_on=pen.decided_on + days(7),
            facts=f"{ent_b.name}在监督检查中提供伪造的特种作业人员操作证，属于提供虚假材料，情节严重。",
        )
        assert listed.listed_from is not None
        repaired = follow_up(
            ctx,
            listed,
            "信用修复",
            add_months(listed.listed_from, 13),
            "该企业列入严重失信主体名单已满12个月，已缴清罚款，特种作业人员全部取证上岗，并作出信用承诺，准予信用修复，提前移出名单。",
            "信修",
        )
        s.add(listed, repaired, as_of=ctx.as_of)

    s.at(day_b, false_documents)

    # 3. obstruction (a year before as-of): objection rejected, listed and active
    ent_d = c.blacklist["obstruction"]
    day_d = next_workday(ctx.as_of - days(365))

    def obstruction() -> None:
        insp = visit(ctx, s, "部门专项检查", day_d, ent_d, ("拒绝阻挠检查",))
        random_hazards(ctx, insp, ent_d, rng.randint(1, 2))
        complete_inspection(ctx, insp, refuse=True)
        pen = new_penalty(
            ctx,
            ent_d,
            day_d + days(21),
            "p108",
            hazards=[],
            inspection=insp,
            violation=(
                f"{cn_date(day_d)}，执法人员依法对当事人实施监督检查，当事人主要负责人拒绝执法人员进入生产区域，"
                "经责令改正后仍拒不改正，阻碍监督检查。"
            ),
            fine=60000,
            individuals=1,
            individual_fine=(10000, 20000),
        )
        s.penalties.append(pen)
        listed = listing(
            ctx,
            ent_d,
            rule="obstruction",
            records=[insp, pen],
            notice_on=pen.decided_on + days(5),
            objection=True,
            facts=f"{ent_d.name}拒绝、阻碍执法人员依法实施监督检查，经责令改正仍拒不改正，情节严重。",
        )
        s.add(listed, as_of=ctx.as_of)

    s.at(day_d, obstruction)

    # 4. a listing three years ago that has run its course
    ent_a = c.blacklist["expired"]
    day_a = next_workday(add_years(ctx.as_of, -3) - days(150))

    def expired() -> None:
        pen = new_penalty(
            ctx,
            ent_a,
            day_a,
            "p108",
            hazards=[],
            inspection=None,
            filed=day_a - days(35),
            violation=(
                f"{cn_date(day_a - days(40))}，执法人员到当事人矿区实施监督检查，当事人关闭矿区大门，"
                "拒绝执法人员进入，阻碍监督检查。"
            ),
            fine=80000,
            individuals=1,
            individual_fine=(10000, 20000),
        )
        s.penalties.append(pen)
        listed = listing(
            ctx,
            ent_a,
            rule="obstruction",
            records=[pen],
            notice_on=day_a + days(10),
            facts=f"{ent_a.name}拒绝执法人员进入矿区实施监督检查，情节严重。",
        )
        assert listed.listed_until is not None
        removed = follow_up(
            ctx,
            listed,
            "移出严重失信名单",
            listed.listed_until + days(1),
            "该企业列入严重失信主体名单的管理期限届满，依法移出名单，停止公示并解除惩戒措施。",
            "失信移",
        )
        s.add(listed, removed, as_of=ctx.as_of)

    s.at(day_a, expired)


def pending_listing(ctx: Context, c: Cast, s: Script) -> None:
    """After the pass: the overdue level-1 hazard's penalty and its blacklist notice, still open."""
    h = s.level1["L5"]
    ent = c.blacklist["pending"]
    decided = next_workday(h.deadline + days(10))
    pen = new_penalty(
        ctx,
        ent,
        decided,
        "p102",
        hazards=[h],
        inspection=h.inspection,
        fine=50000,
        filed=next_workday(h.deadline + days(1)),
        violation=(
            f"当事人{h.description}，属一级重大事故隐患，经挂牌督办责令于{cn_date(h.deadline)}前整改完毕；"
            "经复查，当事人逾期未采取措施消除事故隐患。"
        ),
    )
    s.penalties.append(pen)
    notice = ctx.as_of - days(4)
    records: list[Inspection | Hazard | Penalty | Decision] = [h, pen]
    if h.inspection is not None:
        records.insert(0, h.inspection)
    s.decisions.append(
        listing(
            ctx,
            ent,
            rule="major-hazard-overdue",
            records=records,
            notice_on=notice,
            pending=True,
            facts=f"{ent.name}一级重大事故隐患（{h.description}）超过挂牌督办整改期限仍未整改销号。",
        )
    )

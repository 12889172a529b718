"""The scripted stories a county director should see in the demo.

- seven level-1 hazards under listed supervision, from long closed to still
  being fixed (one of them overdue, with its blacklist notice pending);
- five blacklist cases: expired, active after an objection, repaired after a
  year, a repair revoked for fraud, and one still in its objection period;
- two recurrences of the same hazard after closure (one enterprise twice);
- hazards reopened by a quarterly look-back; a closed firm; an expired licence.

Dates are offsets from the window start and the as-of date, so the stories
hold for any as-of date about two years after the start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.demo import lifecycle
from generator.demo.catalogue import TEMPLATES, HazardTemplate, level1_template
from generator.demo.context import Context
from generator.demo.credit import follow_up, listing
from generator.demo.dates import add_months, add_years, cn_date, days, next_workday
from generator.demo.hazards import new_hazard, random_hazards
from generator.demo.inspections import complete_inspection, new_inspection
from generator.demo.model import Decision, Enterprise, Hazard, Inspection, Penalty
from generator.demo.penalties import new_penalty

Action = Callable[[], None]


def template(description_start: str) -> HazardTemplate:
    return next(t for t in TEMPLATES if t.description.startswith(description_start))


@dataclass
class Cast:
    """Who plays which part."""

    level1: dict[str, Enterprise] = field(default_factory=dict)
    blacklist: dict[str, Enterprise] = field(default_factory=dict)
    recurrence: dict[str, Enterprise] = field(default_factory=dict)
    closed: list[Enterprise] = field(default_factory=list)
    expired_licence: Enterprise | None = None

    def everyone(self) -> list[Enterprise]:
        out = [
            *self.level1.values(),
            *self.blacklist.values(),
            *self.recurrence.values(),
            *self.closed,
        ]
        if self.expired_licence:
            out.append(self.expired_licence)
        return out


def _pick(
    ctx: Context, ents: list[Enterprise], used: set[str], industry: str, tag: str | None = None
) -> Enterprise:
    pool = [
        e
        for e in ents
        if e.industry == industry and e.id not in used and (tag is None or tag in e.tags)
    ]
    pool.sort(key=lambda e: ("红橙黄蓝".index(e.risk_color), ctx.rng.random()))
    chosen = pool[0]
    used.add(chosen.id)
    return chosen


def cast(ctx: Context, ents: list[Enterprise]) -> Cast:
    used: set[str] = set()
    c = Cast()
    for key, industry, tag in (
        ("L1", "危险化学品", "prod"),
        ("L7", "危险化学品", "prod"),
        ("L2", "非煤矿山", None),
        ("L3", "冶金有色", None),
        ("L4", "工贸", "dust"),
        ("L5", "烟花爆竹", "wholesale"),
        ("L6", "建筑施工", None),
    ):
        c.level1[key] = _pick(ctx, ents, used, industry, tag)
    for key, industry, tag in (
        ("stop-order", "危险化学品", "prod"),
        ("false-documents", "工贸", None),
        ("obstruction", "工贸", None),
        ("expired", "非煤矿山", None),
    ):
        c.blacklist[key] = _pick(ctx, ents, used, industry, tag)
    c.blacklist["pending"] = c.level1["L5"]
    c.recurrence["once"] = _pick(ctx, ents, used, "人员密集场所", "mall")
    c.recurrence["twice"] = _pick(ctx, ents, used, "工贸", "dust")
    c.expired_licence = next(
        e
        for e in ents
        if e.industry == "危险化学品" and e.id not in used and e.licences and not e.tags
    )
    used.add(c.expired_licence.id)
    blues = [
        e
        for e in ents
        if e.id not in used and e.risk_color == "蓝" and e.industry in ("工贸", "非煤矿山")
    ]
    c.closed = blues[:2]
    return c


def prepare(ctx: Context, c: Cast) -> None:
    """Facts about the cast that hold before any visit: closures, statuses, exclusions."""
    closed_on = next_workday(ctx.start + days(150))
    for ent in c.closed:
        ent.status = "关闭"
        ent.closed_on = closed_on
        ent.note = f"{cn_date(closed_on)}经县人民政府批准依法关闭退出，相关证照已注销"
    for key in ("L5", "L6", "L7"):
        c.level1[key].status = "停产整顿"
    lic = c.expired_licence
    if lic is not None:
        first = lic.licences[0]
        first.valid_until = ctx.as_of - days(20)
        lic.note = f"{first.name}已于{cn_date(first.valid_until)}到期，延续申请已受理，正在审查"
    ctx.excluded.setdefault(c.recurrence["once"].id, set()).add("消防安全")
    ctx.excluded.setdefault(c.recurrence["twice"].id, set()).add("粉尘防爆")
    # the scripted hazards' categories stay free of random ones, so no accidental recurrence
    for ent in c.level1.values():
        ctx.excluded.setdefault(ent.id, set()).add(level1_template(ent.industry).category)
    ctx.excluded.setdefault(c.blacklist["false-documents"].id, set()).add("安全管理")


@dataclass
class Script:
    """Occasions to run in date order, and what they leave behind."""

    occasions: list[tuple[dt.date, Action]] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    inspections: set[int] = field(default_factory=set)  # seq of scripted inspections
    level1: dict[str, Hazard] = field(default_factory=dict)

    def at(self, day: dt.date, action: Action) -> None:
        self.occasions.append((day, action))


def _visit(
    ctx: Context,
    s: Script,
    kind: str,
    day: dt.date,
    ent: Enterprise,
    findings: tuple[str, ...] = (),
) -> Inspection:
    insp = new_inspection(ctx, kind, day, [ent])
    insp.findings = list(findings)
    s.inspections.add(insp.seq)
    return insp


LEVEL1_PLAN: tuple[tuple[str, str, str, int, str], ...] = (
    # key, kind, anchor (start/as_of), offset days, scenario
    ("L1", "专家明查", "start", 55, lifecycle.ON_TIME),
    ("L2", "部门专项检查", "start", 150, lifecycle.FAILED),
    ("L3", "联合检查", "start", 280, lifecycle.ON_TIME),
    ("L4", "双随机抽查", "as_of", -200, lifecycle.ON_TIME),
    ("L5", "专家暗访", "as_of", -125, lifecycle.STUCK),
    ("L6", "部门专项检查", "as_of", -74, lifecycle.STUCK),
    ("L7", "联合检查", "as_of", -80, lifecycle.AWAITING),
)


def _level1(ctx: Context, c: Cast, s: Script) -> None:
    for key, kind, anchor, offset, scenario in LEVEL1_PLAN:
        ent = c.level1[key]
        base = ctx.start if anchor == "start" else ctx.as_of
        day = next_workday(base + days(offset))

        def run(
            key: str = key,
            kind: str = kind,
            day: dt.date = day,
            scenario: str = scenario,
            ent: Enterprise = ent,
        ) -> None:
            insp = _visit(ctx, s, kind, day, ent)
            finders = (insp.experts + insp.inspectors)[:2]
            s.level1[key] = new_hazard(
                ctx,
                ent,
                day,
                level1_template(ent.industry),
                inspection=insp,
                source="监督检查",
                found_by=finders,
                level="一级",
                scenario=scenario,
                deadline_days=90,
            )
            random_hazards(ctx, insp, ent, ctx.rng.randint(0, 2))
            complete_inspection(ctx, insp)

        s.at(day, run)


def _recurrences(ctx: Context, c: Cast, s: Script) -> None:
    plans = (
        (c.recurrence["once"], template("安全出口被货物堵塞"), (-250, -150), "部门专项检查"),
        (c.recurrence["twice"], template("作业现场积尘"), (-340, -230, -115), "部门专项检查"),
    )
    for ent, tpl, offsets, kind in plans:
        previous: list[Hazard] = []
        for offset in offsets:
            day = next_workday(ctx.as_of + days(offset))

            def run(
                ent: Enterprise = ent,
                tpl: HazardTemplate = tpl,
                day: dt.date = day,
                kind: str = kind,
                previous: list[Hazard] = previous,
            ) -> None:
                insp = _visit(ctx, s, kind, day, ent)
                h = new_hazard(
                    ctx,
                    ent,
                    day,
                    tpl,
                    inspection=insp,
                    source="监督检查",
                    found_by=insp.inspectors[:1],
                    level="三级",
                    scenario=lifecycle.ON_TIME,
                    recurrence_of=previous[-1] if previous else None,
                    deadline_days=7,
                )
                previous.append(h)
                random_hazards(ctx, insp, ent, ctx.rng.randint(0, 1))
                complete_inspection(ctx, insp)

            s.at(day, run)


def _blacklist(ctx: Context, c: Cast, s: Script) -> None:
    rng = ctx.rng

    # 1. stop order ignored (window start): listed, repaired after a year, repair revoked for fraud
    ent_c = c.blacklist["stop-order"]
    day_c = next_workday(ctx.start + days(14))

    def stop_order() -> None:
        insp = _visit(ctx, s, "部门专项检查", day_c, ent_c, ("拒不执行停产指令",))
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
        s.decisions += [listed, repaired, revoked]

    s.at(day_c, stop_order)

    # 2. false documents (window start + 40 days): listed, repaired after 13 months
    ent_b = c.blacklist["false-documents"]
    day_b = next_workday(ctx.start + days(40))

    def false_documents() -> None:
        insp = _visit(ctx, s, "部门专项检查", day_b, ent_b, ("提供虚假材料",))
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
        s.decisions += [listed, repaired]

    s.at(day_b, false_documents)

    # 3. obstruction (a year before as-of): objection rejected, listed and active
    ent_d = c.blacklist["obstruction"]
    day_d = next_workday(ctx.as_of - days(365))

    def obstruction() -> None:
        insp = _visit(ctx, s, "部门专项检查", day_d, ent_d, ("拒绝阻挠检查",))
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
        s.decisions.append(listed)

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
        s.decisions += [listed, removed]

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


def script(ctx: Context, c: Cast) -> Script:
    s = Script()
    _level1(ctx, c, s)
    _recurrences(ctx, c, s)
    _blacklist(ctx, c, s)
    return s

"""The scripted ledger stories a county director should see in the demo.

- seven level-1 hazards under listed supervision, from long closed to still
  being fixed (one overdue: its blacklist notice is pending, see
  blacklist_cases.py);
- two recurrences of the same hazard after closure (one enterprise twice, which
  makes it a blacklist candidate under the recurrence rule);
- the newest ledger lines: re-checked and awaiting acceptance, due in a day or
  two, found today and not yet started.

Dates are offsets from the window start and the as-of date, so the stories
hold for any as-of date about two years after the start.
"""

from __future__ import annotations

import datetime as dt

from generator.demo import lifecycle
from generator.demo.blacklist_cases import blacklist_cases
from generator.demo.cast import Cast, template
from generator.demo.catalogue import HazardTemplate, level1_template
from generator.demo.context import Context
from generator.demo.dates import days, next_workday, previous_workday
from generator.demo.hazards import new_hazard, pick_template, random_hazards
from generator.demo.inspections import complete_inspection
from generator.demo.model import Enterprise, Hazard
from generator.demo.script import Script, visit

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
            insp = visit(ctx, s, kind, day, ent)
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
                insp = visit(ctx, s, kind, day, ent)
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


def _current(ctx: Context, c: Cast, s: Script) -> None:
    """The newest ledger lines: one re-checked and awaiting acceptance, one due in a day or two,
    one found on the as-of day and not yet started — so every state shows on the dashboard."""
    picks = [e for e in c.spare if e.status == "在营"]
    major_ent, due_ent, new_ent = picks[0], picks[1], picks[2]
    major_tpl = template("未对有限空间进行辨识")
    ctx.excluded.setdefault(major_ent.id, set()).add(major_tpl.category)
    plans: tuple[tuple[Enterprise, int, str], ...] = (
        (major_ent, 12, lifecycle.RECHECKED),
        (due_ent, 5, lifecycle.STUCK),
        (new_ent, 0, lifecycle.NOT_STARTED),
    )
    for ent, back, scenario in plans:
        day = previous_workday(ctx.as_of - days(back))

        def run(ent: Enterprise = ent, day: dt.date = day, scenario: str = scenario) -> None:
            insp = visit(ctx, s, "部门专项检查", day, ent)
            if scenario == lifecycle.RECHECKED:
                tpl: HazardTemplate | None = major_tpl
                level, deadline = "二级", 15
            else:
                tpl = pick_template(ctx, ent, day, major_rate=0.0)
                level, deadline = "三级", 7
            if tpl is not None:
                new_hazard(
                    ctx,
                    ent,
                    day,
                    tpl,
                    inspection=insp,
                    source="监督检查",
                    found_by=insp.inspectors[:2],
                    level=level,
                    scenario=scenario,
                    deadline_days=deadline,
                )
            complete_inspection(ctx, insp)

        s.at(day, run)


def script(ctx: Context, c: Cast) -> Script:
    """Every scripted occasion: ledger stories and blacklist cases."""
    s = Script()
    _level1(ctx, c, s)
    _recurrences(ctx, c, s)
    blacklist_cases(ctx, c, s)
    _current(ctx, c, s)
    return s

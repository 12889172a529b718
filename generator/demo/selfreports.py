"""Monthly self-inspection reports (月度自查报告), due by the 5th of the next month.

About 80 enterprises file; most on time, some late, a few months missing.
Hazards an enterprise finds itself are ledger lines too (source 企业自查);
each report lists the ones found in its month.
"""

from __future__ import annotations

import datetime as dt

from generator.demo.context import Context
from generator.demo.dates import add_months, days
from generator.demo.hazards import new_hazard, pick_template
from generator.demo.model import Enterprise, SelfReport

DUE_DAY = 5
MONTHS = 10
SELF_FINDING_RATE = 0.22


def report_months(as_of: dt.date) -> list[dt.date]:
    """First days of the months reported: the ten months before the as-of month."""
    last = add_months(as_of.replace(day=1), -1)
    return [add_months(last, -i) for i in range(MONTHS - 1, -1, -1)]


def choose_filers(ctx: Context, enterprises: list[Enterprise], exclude: set[str]) -> None:
    """All red and orange firms and about half the yellow ones file monthly reports."""
    for ent in enterprises:
        if ent.status == "关闭" or ent.id in exclude:
            continue
        if ent.risk_color in ("红", "橙") or (ent.risk_color == "黄" and ctx.rng.random() < 0.7):
            ent.self_reporting = True


def self_finding(ctx: Context, ent: Enterprise, day: dt.date) -> None:
    """An enterprise's own monthly check finds one or two hazards."""
    for _ in range(1 if ctx.rng.random() < 0.8 else 2):
        tpl = pick_template(ctx, ent, day, major_rate=0.0)
        if tpl is None:
            return
        level = "三级" if ctx.rng.random() < 0.88 else "二级"
        new_hazard(ctx, ent, day, tpl, inspection=None, source="企业自查", found_by=[], level=level)


def plan_self_findings(
    ctx: Context, enterprises: list[Enterprise]
) -> list[tuple[dt.date, Enterprise]]:
    out: list[tuple[dt.date, Enterprise]] = []
    for month in report_months(ctx.as_of):
        month_end = add_months(month, 1) - days(1)
        for ent in enterprises:
            if ent.self_reporting and ctx.rng.random() < SELF_FINDING_RATE:
                day = month + days(ctx.rng.randint(0, (month_end - month).days))
                if day <= ctx.as_of:
                    out.append((day, ent))
    return out


def build_reports(ctx: Context, enterprises: list[Enterprise]) -> list[SelfReport]:
    rng = ctx.rng
    out: list[SelfReport] = []
    for ent in enterprises:
        if not ent.self_reporting:
            continue
        for month in report_months(ctx.as_of):
            roll = rng.random()
            if roll < 0.04:
                continue  # not filed
            nxt = add_months(month, 1)
            late = roll > 0.91
            submitted = nxt.replace(
                day=rng.randint(DUE_DAY + 1, 20) if late else rng.randint(1, DUE_DAY)
            )
            if submitted > ctx.as_of:
                continue
            found = [
                h
                for h in ctx.ledger.get(ent.id, [])
                if h.source == "企业自查" and month <= h.found_on < nxt
            ]
            fixed = sum(1 for h in found if (r := h.rectified_on()) is not None and r <= submitted)
            note = None
            if late:
                note = rng.choice(
                    ("因企业安全管理人员调整，报告延迟报送", "法定代表人外出，签字延误，逾期报送")
                )
            elif not found and rng.random() < 0.3:
                note = "本月自查未发现事故隐患"
            out.append(
                SelfReport(
                    enterprise=ent,
                    month=f"{month:%Y-%m}",
                    submitted_on=submitted,
                    signed_by=ent.legal_representative,
                    hazards=sorted(found, key=lambda h: (h.found_on, h.seq)),
                    hazards_found=len(found),
                    hazards_fixed=fixed,
                    note=note,
                )
            )
    return out

"""The inspection plan: how often each enterprise is visited, and by whom.

Frequency follows the risk colour (red: on-site supervision, several visits a
year; orange: random checks; yellow: about quarterly to half-yearly; blue:
about yearly); about a third of the enterprises get a joint inspection each
year; the county safety committee runs comprehensive supervision in the towns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.demo.context import Context
from generator.demo.dates import random_workday
from generator.demo.model import Enterprise

VISITS_PER_YEAR: dict[str, float] = {"红": 6.0, "橙": 3.0, "黄": 1.6, "蓝": 0.7}
JOINT_SHARE = 0.35
COMPREHENSIVE_PER_YEAR = 8
COVERT_INDUSTRIES = frozenset({"人员密集场所", "烟花爆竹", "危险化学品", "非煤矿山", "燃气"})
EXPERT_INDUSTRIES = frozenset(
    {"危险化学品", "非煤矿山", "烟花爆竹", "冶金有色", "建筑施工", "燃气", "工贸"}
)


@dataclass
class Visit:
    day: dt.date
    kind: str
    enterprises: list[Enterprise] = field(default_factory=list)


def _period(ctx: Context, year: int) -> tuple[dt.date, dt.date]:
    return max(ctx.start, dt.date(year, 1, 1)), min(ctx.as_of, dt.date(year, 12, 31))


def active_until(ent: Enterprise, last: dt.date) -> dt.date:
    """Last day an enterprise can be visited (closed firms stop a month before closure)."""
    if ent.closed_on is None:
        return last
    return min(last, ent.closed_on - dt.timedelta(days=30))


def _routine_kind(ctx: Context, ent: Enterprise, day: dt.date, sr_from: dt.date) -> str:
    kinds = {"部门专项检查": 55}
    if ent.risk_color in ("黄", "蓝"):
        kinds["双随机抽查"] = 22
    if ent.risk_color != "蓝" and ent.industry in EXPERT_INDUSTRIES:
        kinds["专家明查"] = 12
    if ent.industry in COVERT_INDUSTRIES:
        kinds["专家暗访"] = 8
    if ent.self_reporting and day >= sr_from:
        kinds["企业自查"] = 8
    names = list(kinds)
    return ctx.rng.choices(names, weights=[kinds[k] for k in names])[0]


def plan_visits(ctx: Context, enterprises: list[Enterprise], sr_from: dt.date) -> list[Visit]:
    """Routine, joint and comprehensive visits over the whole window."""
    rng = ctx.rng
    visits: list[Visit] = []
    for year in range(ctx.start.year, ctx.as_of.year + 1):
        first, last = _period(ctx, year)
        share = ((last - first).days + 1) / 365
        for ent in enterprises:
            end = active_until(ent, last)
            if end < first:
                continue
            expected = VISITS_PER_YEAR[ent.risk_color] * share * ctx.scale.visits
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            for _ in range(count):
                lo = first
                if ent.industry == "烟花爆竹" and rng.random() < 0.5:
                    end2 = min(end, dt.date(year, 2, 10))
                    day = random_workday(rng, lo, end2) if end2 >= lo else None
                else:
                    day = random_workday(rng, lo, end)
                if day is None:
                    continue
                kind = _routine_kind(ctx, ent, day, sr_from)
                visits.append(Visit(day, kind, [ent]))
        # joint inspections: about a third of the enterprises each year
        candidates = [e for e in enterprises if active_until(e, last) >= first]
        joint = round(len(candidates) * JOINT_SHARE * min(1.0, share + 0.1) * ctx.scale.visits)
        for ent in rng.sample(candidates, min(joint, len(candidates))):
            day = random_workday(rng, first, active_until(ent, last))
            if day is not None:
                visits.append(Visit(day, "联合检查", [ent]))
        # comprehensive supervision by the safety committee, two or three firms of one town
        comprehensive = round(COMPREHENSIVE_PER_YEAR * share)
        if not ctx.scale.is_demo:
            comprehensive = round(ctx.scale.comprehensive_visits(COMPREHENSIVE_PER_YEAR) * share)
        for _ in range(comprehensive):
            day = random_workday(rng, first, last)
            if day is None:
                continue
            town = rng.choice(sorted({e.town for e in candidates}))
            local = [e for e in candidates if e.town == town and active_until(e, last) >= day]
            local.sort(key=lambda e: "红橙黄蓝".index(e.risk_color))
            picked = local[: rng.randint(2, 3)]
            if picked:
                visits.append(Visit(day, "政府综合督查", picked))
    return visits


def quarters(ctx: Context) -> list[tuple[dt.date, dt.date]]:
    """Windows for the quarterly look-backs (二级复核 “回头看”): the quarter's last weeks."""
    out: list[tuple[dt.date, dt.date]] = []
    year, quarter = ctx.start.year, 0
    while True:
        q_start = dt.date(year, 3 * quarter + 1, 1)
        if q_start > ctx.as_of:
            break
        q_end = dt.date(year + (quarter == 3), (3 * quarter + 3) % 12 + 1, 1) - dt.timedelta(days=1)
        if q_end <= ctx.as_of:
            out.append((q_end - dt.timedelta(days=24), q_end - dt.timedelta(days=3)))
        elif (ctx.as_of - q_start).days >= 45:
            out.append((ctx.as_of - dt.timedelta(days=25), ctx.as_of - dt.timedelta(days=5)))
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return out

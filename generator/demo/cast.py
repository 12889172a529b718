"""Who plays which part in the demo's scripted stories.

The first firms of some industries have fixed forms (see enterprises.FORCED),
so every part always finds an actor; the most closely supervised (red,
orange) are chosen first. Preparing the cast sets what holds before any visit:
closures, stopped production, an expired licence, and the hazard categories
kept free of random lines so that the only recurrences are scripted ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.demo.catalogue import TEMPLATES, HazardTemplate, level1_template
from generator.demo.context import Context
from generator.demo.dates import cn_date, days, next_workday
from generator.demo.model import Enterprise


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
    spare: list[Enterprise] = field(default_factory=list)  # for the newest ledger lines

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
    used.update(e.id for e in c.closed)
    c.spare = [_pick(ctx, ents, used, "工贸", "industrial")]
    c.spare += [_pick(ctx, ents, used, industry) for industry in ("人员密集场所", "工贸")]
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

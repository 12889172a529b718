"""Accident responsibility, derived from penalty decisions (there is no accident record kind).

应急管理部令第11号 lists an enterprise responsible for a 特别重大/重大 accident,
for two or more 较大 accidents within 12 months, or for an accident fined at
2–5 times the base.  The records hold no accident kind, so this criterion reads
the penalties: a standing (not revoked) penalty whose ``basis`` cites one of
``basis_contains`` (安全生产法 第一百一十四条 — the fines for an accident) and
whose fine reaches ``min_fine`` is taken as an accident the enterprise was
found responsible for.  Art 114's fine bands give the grade: 较大 1–2 million
yuan, 重大 2–10 million, 特别重大 10–20 million, and 2–5 times the base for the
worst cases — so ``min_fine: 2000000, min_count: 1`` finds the serious ones and
``min_fine: 1000000, min_count: 2, window_days: 365`` two larger ones in a year.

What this cannot see: concealed or falsely reported accidents (瞒报、谎报),
accidents without a penalty yet, and the accident grade itself.  Those need an
accident record kind (grade, date, deaths, investigation report); until one
exists, list them through a rule with ``criterion: manual``.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.derive.blacklist.criteria.base import Scope, Trigger
from generator.derive.blacklist.dates import parse_date, within
from generator.derive.blacklist.facts import accident_penalties, fine_of
from generator.derive.blacklist.policy_rules import BlacklistRule

DEFAULT_BASIS = ("第一百一十四条",)


def accident_responsibility(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """Penalties for an accident (by the article cited and the fine) reaching ``min_count``."""
    found = accident_penalties(
        scope.facts.penalties, scope.as_of, rule.basis_contains or DEFAULT_BASIS, rule.min_fine
    )
    groups: dict[str, list[tuple[str, str]]] = {}
    for penalty in found:
        decided = parse_date(penalty.get("decided_on"))
        if not within(decided, scope.as_of, rule.window_days):
            continue
        groups.setdefault(str(penalty.get("enterprise")), []).append(
            (
                str(penalty.get("id")),
                f"{decided} 处罚决定 {penalty.get('document_no')}：{penalty.get('violation')}"
                f"（罚款 {fine_of(penalty):,.0f} 元）",
            )
        )
    for enterprise, rows in sorted(groups.items()):
        if len(rows) >= rule.min_count:
            rows.sort()
            yield Trigger(enterprise, tuple(r for r, _ in rows), tuple(f for _, f in rows))

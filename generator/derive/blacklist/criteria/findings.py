"""Criteria over what an inspection recorded (``findings``): false documents, obstruction, a refused stop order.

A finding belongs to the inspection, not to one of its enterprises: when an
inspection covers several enterprises, each is proposed and staff decide.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.derive.blacklist.criteria.base import Scope, Trigger
from generator.derive.blacklist.dates import parse_date, within
from generator.derive.blacklist.policy_rules import BlacklistRule

FALSE_DOCUMENTS = "提供虚假材料"
OBSTRUCTION = "拒绝阻挠检查"
STOP_ORDER_REFUSED = "拒不执行停产指令"


def _finding(scope: Scope, rule: BlacklistRule, finding: str) -> Iterator[Trigger]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for inspection in scope.facts.inspections:
        if finding not in (inspection.get("findings") or []):
            continue
        when = parse_date(inspection.get("date"))
        if not within(when, scope.as_of, rule.window_days):
            continue
        for enterprise in inspection.get("enterprises") or []:
            groups.setdefault(str(enterprise), []).append(
                (str(inspection.get("id")), f"{when} 检查 {inspection.get('id')} 认定：{finding}")
            )
    for enterprise, rows in sorted(groups.items()):
        if len(rows) >= rule.min_count:
            rows.sort()
            yield Trigger(enterprise, tuple(r for r, _ in rows), tuple(f for _, f in rows))


def false_documents(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """An inspection found that the enterprise supplied false documents (提供虚假材料)."""
    return _finding(scope, rule, FALSE_DOCUMENTS)


def obstruction(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """An inspection found that the enterprise refused or obstructed it (拒绝阻挠检查)."""
    return _finding(scope, rule, OBSTRUCTION)


def stop_order_refused(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """An inspection found that a stop-production order was not executed (拒不执行停产指令)."""
    return _finding(scope, rule, STOP_ORDER_REFUSED)

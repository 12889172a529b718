"""Criteria over the hazard ledger: overdue major hazards, refusal to rectify, recurrence."""

from __future__ import annotations

from collections.abc import Iterator

from generator.derive.blacklist.criteria.base import Scope, Trigger
from generator.derive.blacklist.dates import parse_date, within
from generator.derive.blacklist.facts import Data, is_overdue, recurrences
from generator.derive.blacklist.policy_rules import BlacklistRule
from generator.derive.hazards import found_by


def _per_enterprise(items: list[tuple[str, str, str]], min_count: int) -> Iterator[Trigger]:
    """(enterprise, record id, fact) rows → one trigger per enterprise with ≥ min_count records."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for enterprise, record, fact in items:
        groups.setdefault(enterprise, []).append((record, fact))
    for enterprise, rows in sorted(groups.items()):
        records = sorted({r for r, _ in rows})
        if len(records) >= min_count:
            yield Trigger(enterprise, tuple(records), tuple(f for _, f in sorted(rows)))


def major_hazard_overdue(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """A (major) hazard past its deadline plus ``grace_days`` that was not rectified by then."""
    items = []
    for hazard in scope.facts.hazards:
        if not rule.hazard_applies(hazard) or not is_overdue(hazard, scope.as_of, rule.grace_days):
            continue
        deadline = parse_date(hazard.get("deadline"))
        if rule.window_days is not None and not within(deadline, scope.as_of, rule.window_days):
            continue
        assert deadline is not None
        late = (scope.as_of - deadline).days
        items.append(
            (
                str(hazard.get("enterprise")),
                str(hazard.get("id")),
                f"{hazard.get('class')}隐患 {hazard.get('id')}（{hazard.get('category')}）整改期限 "
                f"{deadline}，到期未整改完成（截至 {scope.as_of} 已超过 {late} 日）",
            )
        )
    yield from _per_enterprise(items, rule.min_count)


def _failed_rechecks(hazard: Data, scope: Scope, rule: BlacklistRule) -> list[str]:
    dates = []
    for event in hazard.get("events") or []:
        if not isinstance(event, dict) or event.get("type") != "复查不通过":
            continue
        when = parse_date(event.get("date"))
        if within(when, scope.as_of, rule.window_days):
            dates.append(str(when))
    return dates


def refused_rectification(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """The same hazard failed its re-check ``min_count`` times: rectification refused in fact."""
    for hazard in sorted(scope.facts.hazards, key=lambda h: str(h.get("id"))):
        if not rule.hazard_applies(hazard) or not found_by(hazard, scope.as_of):
            continue
        failed = _failed_rechecks(hazard, scope, rule)
        if len(failed) >= rule.min_count:
            yield Trigger(
                str(hazard.get("enterprise")),
                (str(hazard.get("id")),),
                (
                    f"{hazard.get('class')}隐患 {hazard.get('id')} 复查不通过 {len(failed)} 次"
                    f"（{'、'.join(failed)}）",
                ),
            )


def recurrence(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """The same category of hazard found again after closure, ``min_count`` times in the window.

    A recurrence follows ``recurrence_window_days`` of the policy (found again
    within that many days of the earlier hazard's closure); this rule counts the
    recurrences found in the last ``window_days``, per enterprise and category.
    """
    hazards = [h for h in scope.facts.hazards if rule.hazard_applies(h)]
    found = recurrences(hazards, scope.as_of, int(scope.policy.recurrence_window_days))
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for r in found:
        if within(r.found_on, scope.as_of, rule.window_days):
            fact = (
                f"{r.category}隐患 {r.hazard}（{r.found_on} 发现）在同类隐患 {r.earlier} "
                f"销号（{r.earlier_closed_on}）后 {(r.found_on - r.earlier_closed_on).days} 日内再次出现"
            )
            groups.setdefault((r.enterprise, r.category), []).append((r.hazard, r.earlier, fact))
    for (enterprise, _category), rows in sorted(groups.items()):
        if len(rows) >= rule.min_count:
            records = sorted({x for row in rows for x in row[:2]})
            yield Trigger(enterprise, tuple(records), tuple(row[2] for row in rows))

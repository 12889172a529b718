"""The criteria a blacklist rule can name, each ``evaluate(scope, rule) → triggers``.

A policy rule names its criterion by id (its own id unless ``criterion`` says
otherwise).  An id that is not a key of ``CRITERIA`` is a validation problem
(``unknown-blacklist-rule``): the code, not the policy, decides what a
criterion means; the policy decides which are used and with what numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.derive.blacklist.criteria import accidents, findings, hazards
from generator.derive.blacklist.criteria.base import Scope, Trigger
from generator.derive.blacklist.policy_rules import BlacklistRule

Criterion = Callable[[Scope, BlacklistRule], Iterator[Trigger]]


def manual(scope: Scope, rule: BlacklistRule) -> Iterator[Trigger]:
    """Decided by staff from facts the records do not hold (no candidates are proposed)."""
    return iter(())


CRITERIA: dict[str, Criterion] = {
    "major-hazard-overdue": hazards.major_hazard_overdue,
    "refused-rectification": hazards.refused_rectification,
    "recurrence": hazards.recurrence,
    "false-documents": findings.false_documents,
    "obstruction": findings.obstruction,
    "stop-order-refused": findings.stop_order_refused,
    "accident-responsibility": accidents.accident_responsibility,
    "manual": manual,
}

__all__ = ["CRITERIA", "Criterion", "Scope", "Trigger"]

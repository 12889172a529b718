"""The rules that need no history: one module per rule, each ``check(ctx) → problems``.

Each module's docstring is its documentation (shown in the staff handbook).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.problems import Problem
from generator.rules import (
    blacklist_policy,
    credit_code,
    dates,
    deadlines,
    decision_targets,
    evidence,
    identity,
    inspectors,
    lifecycle,
    listing_decisions,
    major_hazard,
    public_text,
    references,
    self_report,
    signature,
    towns,
)
from generator.rules.context import Context

Rule = Callable[[Context], Iterator[Problem]]

MODULES = [
    identity,
    references,
    credit_code,
    towns,
    deadlines,
    dates,
    inspectors,
    signature,
    major_hazard,
    lifecycle,
    evidence,
    public_text,
    self_report,
    blacklist_policy,
    listing_decisions,
    decision_targets,
]
RULES: list[Rule] = [module.check for module in MODULES]

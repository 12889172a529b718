"""The rules that need no history: one module per rule, each ``check(ctx) → problems``.

Each module's docstring is its documentation (shown in the staff handbook).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.problems import Problem
from generator.rules import (
    credit_code,
    dates,
    deadlines,
    evidence,
    identity,
    inspectors,
    lifecycle,
    major_hazard,
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
    self_report,
]
RULES: list[Rule] = [module.check for module in MODULES]

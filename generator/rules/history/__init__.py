"""The rules that need history: a change checked against its base (``validate --base``).

What CI runs on a pull request, besides the rules every record must follow:
no record deleted or renamed, a hazard's events append-only and its state never
moving backwards except through an event, a closed hazard changed only by a
reopen, an id never reused, no record changed on a branch that has not seen the
base's newer version of it, and every change made by a known staff member in a
role that allows it.  One module per rule, each ``check(ctx) → problems``;
each module's docstring is its documentation (shown in the staff handbook).
Only the changed paths are read, so the cost grows with the change, not with
the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from generator.history import Git
from generator.problems import Problem
from generator.rules.history import authors, closed, concurrent, events, removal, reuse
from generator.rules.history.context import HistoryContext
from generator.schemas import Registry

Rule = Callable[[HistoryContext], Iterator[Problem]]

MODULES = [removal, reuse, concurrent, events, closed, authors]
RULES: list[Rule] = [module.check for module in MODULES]


def check_history(
    root: Path, base_ref: str, registry: Registry | None = None, git: Git | None = None
) -> tuple[HistoryContext, list[Problem]]:
    """Every history problem of the change from ``base_ref...HEAD`` plus the working tree.

    Raises ``generator.history.GitError`` when git cannot answer (no repository,
    an unknown ref): that is a usage error, not a problem in a record.
    """
    ctx = HistoryContext.build(root, base_ref, registry, git)
    problems = [problem for rule in RULES for problem in rule(ctx)]
    return ctx, problems

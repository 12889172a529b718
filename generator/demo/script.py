"""A script: occasions to run in date order, and the records they leave behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.demo.context import Context
from generator.demo.inspections import new_inspection
from generator.demo.model import Decision, Enterprise, Hazard, Inspection, Penalty

Action = Callable[[], None]


@dataclass
class Script:
    """Occasions to run in date order, and what they leave behind."""

    occasions: list[tuple[dt.date, Action]] = field(default_factory=list)
    penalties: list[Penalty] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    inspections: set[int] = field(default_factory=set)  # seq of scripted inspections
    level1: dict[str, Hazard] = field(default_factory=dict)

    def at(self, day: dt.date, action: Action) -> None:
        self.occasions.append((day, action))

    def add(self, *decisions: Decision, as_of: dt.date) -> None:
        """Keep a chain of decisions up to the first one that has not happened yet."""
        for decision in decisions:
            if decision.decided_on > as_of:
                return
            self.decisions.append(decision)


def visit(
    ctx: Context,
    s: Script,
    kind: str,
    day: dt.date,
    ent: Enterprise,
    findings: tuple[str, ...] = (),
) -> Inspection:
    insp = new_inspection(ctx, kind, day, [ent])
    insp.findings = list(findings)
    s.inspections.add(insp.seq)
    return insp

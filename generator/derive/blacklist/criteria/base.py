"""What a criterion sees (the facts, the policy, the date) and what it yields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from generator.derive.blacklist.facts import Facts
from generator.policy import Policy


@dataclass(frozen=True)
class Scope:
    facts: Facts
    policy: Policy
    as_of: dt.date


@dataclass(frozen=True)
class Trigger:
    """One enterprise meeting a rule, the records that show it and the facts in words."""

    enterprise: str
    records: tuple[str, ...]
    facts: tuple[str, ...]

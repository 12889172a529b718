"""Candidates: enterprises that meet an enabled rule on a date, with the records that show it.

Internal only.  A candidate lists nobody: listing happens through a decision
record after notice and the objection period.  Each candidate says whether the
enterprise already has a listing decision under the same rule, so staff do not
decide twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from generator.derive.blacklist.criteria import CRITERIA, Scope
from generator.derive.blacklist.facts import Facts
from generator.derive.blacklist.listing import listing_state
from generator.derive.blacklist.policy_rules import (
    blacklist_rules,
    repair_after_months,
    term_years,
)
from generator.policy import Policy
from generator.records import Record


@dataclass(frozen=True)
class Candidate:
    enterprise: str
    enterprise_name: str
    rule: str
    rule_title: str
    basis: str
    records: tuple[str, ...]  # the triggering records' ids
    facts: tuple[str, ...]  # what they show, in words
    existing: str  # "DEC-… 公示中" when a listing decision under this rule exists, else ""


def derive_candidates(records: Iterable[Record], policy: Policy, as_of: dt.date) -> list[Candidate]:
    """Every enterprise meeting an enabled rule on ``as_of``, sorted by enterprise and rule."""
    facts = Facts.from_records(records)
    return candidates_from_facts(facts, policy, as_of)


def candidates_from_facts(facts: Facts, policy: Policy, as_of: dt.date) -> list[Candidate]:
    scope = Scope(facts, policy, as_of)
    listings = listing_state(
        facts.decisions,
        as_of,
        term_years=term_years(policy),
        repair_after_months=repair_after_months(policy),
    )
    out = []
    for rule in blacklist_rules(policy):
        criterion = CRITERIA.get(rule.criterion)
        if not rule.enabled or criterion is None:
            continue
        for trigger in criterion(scope, rule):
            existing = [
                f"{x.decision} {x.status}"
                for x in listings
                if x.enterprise == trigger.enterprise and x.rule == rule.id
            ]
            out.append(
                Candidate(
                    enterprise=trigger.enterprise,
                    enterprise_name=facts.name_of(trigger.enterprise),
                    rule=rule.id,
                    rule_title=rule.title,
                    basis=rule.basis,
                    records=trigger.records,
                    facts=trigger.facts,
                    existing="；".join(existing),
                )
            )
    return sorted(out, key=lambda c: (c.enterprise, c.rule, c.records))

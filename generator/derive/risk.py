"""Credit feeds back into risk: next year's proposed risk colour and supervision class.

From each enterprise's record on the as-of date — a listing on the
serious-dishonesty list (or one pending), accidents (penalties citing an
accident article), overdue hazards, recurrences, penalties and upheld hazard
reports — each factor present raises the enterprise at least to the colour the
policy gives it (``risk.floors``); the supervision class follows the colour
(``risk.supervision_class``).  Every factor found is given as a reason in
Chinese, with the records behind it.

The proposal never lowers what the enterprise already has: its colour also
reflects inherent risk (industry, major hazard sources) that its enforcement
record does not show, so lowering stays a human decision.  Pure function:
records + policy + date in, sorted rows out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.derive.blacklist.criteria.accidents import DEFAULT_BASIS
from generator.derive.blacklist.dates import parse_date, within
from generator.derive.blacklist.facts import (
    UPHELD,
    Facts,
    accident_penalties,
    is_open_and_overdue,
    is_revoked,
    recurrences,
)
from generator.derive.blacklist.listing import LISTED, PENDING, Listing, listing_state
from generator.derive.blacklist.policy_rules import (
    blacklist_rules,
    repair_after_months,
    term_years,
)
from generator.policy import Policy
from generator.records import Record

COLOURS = ("蓝", "黄", "橙", "红")  # low → high (低、一般、较大、重大风险)
DEFAULT_WINDOW_DAYS = 365
DEFAULT_ACCIDENT_WINDOW_DAYS = 1095
DEFAULT_REPEAT_COUNT = 2

# factor → (Chinese name shown in reasons)
FACTORS: dict[str, str] = {
    "listed": "列入严重失信名单",
    "pending_listing": "拟列入严重失信名单（待定）",
    "accident": "发生生产安全事故并受到处罚",
    "overdue_major": "重大事故隐患逾期未整改",
    "recurrence": "同类隐患反复出现",
    "repeated_penalties": "多次受到行政处罚",
    "penalty": "受到行政处罚",
    "repeated_complaints": "隐患举报多次查证属实",
    "complaint": "隐患举报查证属实",
    "overdue_general": "一般隐患逾期未整改",
}


@dataclass(frozen=True)
class RiskProposal:
    enterprise: str
    enterprise_name: str
    risk_color: str  # current
    proposed_color: str
    supervision_class: str  # current
    proposed_class: str
    reasons: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return (self.risk_color, self.supervision_class) != (
            self.proposed_color,
            self.proposed_class,
        )


def _rank(colour: Any) -> int:
    return COLOURS.index(colour) if colour in COLOURS else -1


def _ids(items: Iterable[dict[str, Any]]) -> str:
    return "、".join(sorted(str(i.get("id")) for i in items))


def _accident_basis(policy: Policy) -> tuple[str, ...]:
    found = [
        text
        for rule in blacklist_rules(policy)
        if rule.criterion == "accident-responsibility"
        for text in rule.basis_contains
    ]
    return tuple(sorted(set(found))) or DEFAULT_BASIS


@dataclass(frozen=True)
class _Settings:
    window: int
    accident_window: int
    repeat: int
    floors: dict[str, str]
    classes: dict[str, str]

    @classmethod
    def of(cls, policy: Policy) -> _Settings:
        floors = policy.get("risk", "floors", default={}) or {}
        classes = policy.get("risk", "supervision_class", default={}) or {}
        return cls(
            window=int(policy.get("risk", "window_days", default=DEFAULT_WINDOW_DAYS)),
            accident_window=int(
                policy.get("risk", "accident_window_days", default=DEFAULT_ACCIDENT_WINDOW_DAYS)
            ),
            repeat=int(policy.get("risk", "repeat_count", default=DEFAULT_REPEAT_COUNT)),
            floors={str(k): str(v) for k, v in floors.items()},
            classes={str(k): str(v) for k, v in classes.items()},
        )


@dataclass
class _Group:
    """One enterprise's records."""

    listings: list[Listing] = field(default_factory=list)
    hazards: list[dict[str, Any]] = field(default_factory=list)
    penalties: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)


def _groups(facts: Facts, policy: Policy, as_of: dt.date) -> dict[str, _Group]:
    groups: dict[str, _Group] = {e: _Group() for e in facts.enterprises}

    def group(enterprise: Any) -> _Group:
        return groups.setdefault(str(enterprise), _Group())

    for listing in listing_state(
        facts.decisions,
        as_of,
        term_years=term_years(policy),
        repair_after_months=repair_after_months(policy),
    ):
        group(listing.enterprise).listings.append(listing)
    for hazard in facts.hazards:
        group(hazard.get("enterprise")).hazards.append(hazard)
    for penalty in facts.penalties:
        group(penalty.get("enterprise")).penalties.append(penalty)
    for complaint in facts.complaints:
        if complaint.get("enterprise"):
            group(complaint.get("enterprise")).complaints.append(complaint)
    return groups


def _listing_factors(group: _Group) -> list[tuple[str, str]]:
    found = []
    for listing in group.listings:
        if listing.status == LISTED:
            found.append(("listed", f"{listing.decision}，{listing.listed_until} 期满"))
        elif listing.status == PENDING:
            found.append(("pending_listing", listing.decision))
    return found


def _hazard_factors(
    group: _Group, policy: Policy, settings: _Settings, as_of: dt.date
) -> list[tuple[str, str]]:
    found = []
    overdue = [h for h in group.hazards if is_open_and_overdue(h, as_of)]
    major = [h for h in overdue if h.get("class") == "重大"]
    general = [h for h in overdue if h.get("class") != "重大"]
    if major:
        found.append(("overdue_major", _ids(major)))
    if general:
        found.append(("overdue_general", _ids(general)))
    recurring = [
        r
        for r in recurrences(group.hazards, as_of, int(policy.recurrence_window_days))
        if within(r.found_on, as_of, settings.window)
    ]
    if recurring:
        found.append(
            ("recurrence", "、".join(f"{r.hazard}（重复 {r.earlier}）" for r in recurring))
        )
    return found


def _penalty_factors(
    group: _Group, policy: Policy, settings: _Settings, as_of: dt.date
) -> list[tuple[str, str]]:
    found = []
    accidents = [
        p
        for p in accident_penalties(group.penalties, as_of, _accident_basis(policy))
        if within(parse_date(p.get("decided_on")), as_of, settings.accident_window)
    ]
    if accidents:
        found.append(("accident", f"{_ids(accidents)}（近 {settings.accident_window} 日）"))
    standing = [
        p
        for p in group.penalties
        if within(parse_date(p.get("decided_on")), as_of, settings.window)
        and not is_revoked(p, as_of)
    ]
    if standing:
        key = "repeated_penalties" if len(standing) >= settings.repeat else "penalty"
        found.append((key, f"{_ids(standing)}（近 {settings.window} 日 {len(standing)} 次）"))
    upheld = [
        c
        for c in group.complaints
        if c.get("kind") == "隐患举报"
        and c.get("outcome") in UPHELD
        and within(parse_date(c.get("received_on")), as_of, settings.window)
    ]
    if upheld:
        key = "repeated_complaints" if len(upheld) >= settings.repeat else "complaint"
        found.append((key, f"{_ids(upheld)}（近 {settings.window} 日 {len(upheld)} 件）"))
    return found


def _class_rank(classes: dict[str, str], value: str) -> int:
    """How strict a class is: the highest colour the policy maps to it (-1: not mapped)."""
    ranks = [_rank(colour) for colour, klass in classes.items() if klass == value]
    return max(ranks, default=-1)


def _propose(
    enterprise: str, data: dict[str, Any], factors: list[tuple[str, str]], settings: _Settings
) -> RiskProposal:
    current = str(data.get("risk_color") or "")
    current_class = str(data.get("supervision_class") or "")
    proposed = current if current in COLOURS else COLOURS[0]
    reasons = []
    for factor, evidence in factors:
        floor = settings.floors.get(factor)
        effect = f"，至少{floor}色" if floor in COLOURS else ""
        reasons.append(f"{FACTORS[factor]}：{evidence}{effect}")
        if floor in COLOURS and _rank(floor) > _rank(proposed):
            proposed = floor
    if not factors:
        reasons.append("记录中没有提高风险等级的情形，维持现有等级")
    elif proposed == current:
        reasons.append(f"现有等级{current}色已不低于上述情形对应的等级")
    else:
        reasons.append(f"风险等级由{current or '未定'}色提高为{proposed}色")
    proposed_class = current_class
    mapped = settings.classes.get(proposed)
    if mapped and _class_rank(settings.classes, mapped) > _class_rank(
        settings.classes, current_class
    ):
        proposed_class = mapped
        reasons.append(f"监管分类按{proposed}色对应 {mapped} 类")
    return RiskProposal(
        enterprise=enterprise,
        enterprise_name=str(data.get("name") or ""),
        risk_color=current,
        proposed_color=proposed,
        supervision_class=current_class,
        proposed_class=proposed_class,
        reasons=tuple(reasons),
    )


def derive_risk(records: Iterable[Record], policy: Policy, as_of: dt.date) -> list[RiskProposal]:
    """Each enterprise's proposed risk colour and supervision class, sorted by credit code."""
    facts = Facts.from_records(records)
    return risk_from_facts(facts, policy, as_of)


def risk_from_facts(facts: Facts, policy: Policy, as_of: dt.date) -> list[RiskProposal]:
    settings = _Settings.of(policy)
    out = []
    for enterprise, group in sorted(_groups(facts, policy, as_of).items()):
        data = facts.enterprises.get(enterprise)
        if data is None:
            continue
        factors = (
            _listing_factors(group)
            + _penalty_factors(group, policy, settings, as_of)
            + _hazard_factors(group, policy, settings, as_of)
        )
        factors.sort(key=lambda f: list(FACTORS).index(f[0]))
        out.append(_propose(enterprise, data, factors, settings))
    return out

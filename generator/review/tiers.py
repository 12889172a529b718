"""The three review tiers (三级复核) and what triggers each, as policy sets it.

``policy.yaml`` maps each kind of change (a *trigger*) to the tiers it needs
(``review.tiers``); the staff role that may approve a tier is fixed by the
staff schema (一级复核员, 二级复核员, 三级复核员).
"""

from __future__ import annotations

from fractions import Fraction
from math import ceil

from generator.policy import Policy

TIERS = (1, 2, 3)
TIER_TITLE = {1: "一级复核", 2: "二级复核", 3: "三级复核"}
TIER_ROLE = {1: "一级复核员", 2: "二级复核员", 3: "三级复核员"}
TIER_WHO = {
    1: "检查办公室：抽查当日检查文书，核对隐患描述是否准确、整改要求是否合理",
    2: "领导小组：交叉检查、季度“回头看”，核对整改是否真实",
    3: "纪检监察机构：不打招呼抽查，核查廉洁和执法规范",
}

INSPECTION = "inspection"
HAZARD = "hazard"
MAJOR_HAZARD = "major-hazard"
MAJOR_CLOSURE = "major-hazard-closure"
PENALTY = "penalty"
BLACKLIST = "blacklist-decision"
LISTING = "listing-decision"
SPOT_CHECK = "spot-check"
LOOK_BACK = "look-back"

TRIGGERS: dict[str, str] = {
    INSPECTION: "新增或修改检查记录",
    HAZARD: "新增或修改隐患记录",
    MAJOR_HAZARD: "新增或修改重大事故隐患",
    MAJOR_CLOSURE: "重大事故隐患销号",
    PENALTY: "新增或修改行政处罚",
    BLACKLIST: "严重失信名单决定（列入、移出、信用修复、撤销信用修复）",
    LISTING: "挂牌督办决定",
    SPOT_CHECK: "一级复核当日文书抽查抽中",
    LOOK_BACK: "二级复核季度“回头看”抽中的企业",
}

# used when policy.yaml has no review.tiers (older deployments)
DEFAULT_TIERS: dict[str, tuple[int, ...]] = {
    INSPECTION: (1,),
    MAJOR_HAZARD: (2,),
    MAJOR_CLOSURE: (2,),
    PENALTY: (2,),
    BLACKLIST: (2,),
    LISTING: (2,),
    SPOT_CHECK: (1,),
    LOOK_BACK: (2,),
}


def tier_rules(policy: Policy) -> dict[str, tuple[int, ...]]:
    """Trigger → tiers, from ``review.tiers`` (a trigger left out needs no tier)."""
    configured = policy.get("review", "tiers")
    if not isinstance(configured, dict):
        return dict(DEFAULT_TIERS)
    rules: dict[str, tuple[int, ...]] = {}
    for trigger, tiers in configured.items():
        values = tiers if isinstance(tiers, list) else [tiers]
        rules[str(trigger)] = tuple(sorted({int(t) for t in values if int(t) in TIERS}))
    return rules


def tier1_rate(policy: Policy) -> Fraction:
    return _fraction(policy.get("review", "tier1_sample_rate", default=0.2))


def tier2_count(policy: Policy) -> int:
    return int(policy.get("review", "tier2_quarterly_enterprises", default=10))


def tier3_rate(policy: Policy) -> Fraction:
    return _fraction(policy.get("review", "tier3_sample_rate", default=0.05))


def _fraction(value: object) -> Fraction:
    # through str, so that 0.2 is exactly 1/5 and 0.2 × 15 is 3, not 3.0000000000000004
    return Fraction(str(value))


def sample_size(rate: Fraction, population: int) -> int:
    """k = ceil(rate × n): at least the rate, never more than the population."""
    return min(population, ceil(rate * population))

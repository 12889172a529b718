"""A hazard's rectification deadline follows its level and the policy.

``found_on ≤ deadline ≤ found_on + policy.deadline_days[level]`` — e.g. a
level-3 hazard within 7 days, a level-2 hazard within 15 (DOMAIN: the joint
inspection text).  A deadline may lie in the future.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.dates import parse_date
from generator.problems import Problem, register
from generator.rules.context import Context

DEADLINE_EXCEEDS_LEVEL = register(
    "deadline-exceeds-level",
    "整改期限超过该等级允许的天数",
    "deadline longer than the level allows",
    "按 policy.yaml 的 deadline_days 缩短整改期限，或核实隐患等级。",
)
DEADLINE_BEFORE_FOUND = register(
    "deadline-before-found",
    "整改期限早于发现日期",
    "deadline before the hazard was found",
    "整改期限不能早于发现日期，请核对两个日期。",
)


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("hazard"):
        found = parse_date(record.data.get("found_on"))
        deadline = parse_date(record.data.get("deadline"))
        level = record.data.get("level")
        if found is None or deadline is None:
            continue
        if deadline < found:
            yield ctx.problem(
                DEADLINE_BEFORE_FOUND,
                record,
                ("deadline",),
                f"整改期限 {deadline} 早于发现日期 {found}",
                f"deadline {deadline} is before found_on {found}",
            )
            continue
        days = ctx.policy.deadline_days(str(level)) if isinstance(level, str) else None
        if days is not None and deadline > found + dt.timedelta(days=days):
            latest = found + dt.timedelta(days=days)
            yield ctx.problem(
                DEADLINE_EXCEEDS_LEVEL,
                record,
                ("deadline",),
                f"{level}隐患的整改期限最长 {days} 天（最迟 {latest}），此处为 {deadline}",
                f"a {level} hazard must be rectified within {days} days (by {latest}), not {deadline}",
            )

"""An enterprise's town is one the policy lists, so statistics by town add up."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.context import Context

UNKNOWN_TOWN = register(
    "unknown-town",
    "乡镇（街道）不在名单中",
    "town not in the policy's list",
    "填写 policy.yaml 中 towns 列出的名称（全称），新设乡镇请先在 policy.yaml 中添加。",
)


def check(ctx: Context) -> Iterator[Problem]:
    towns = ctx.policy.towns
    if not towns:
        return
    for record in ctx.targets_of("enterprise"):
        town = record.data.get("town")
        if isinstance(town, str) and town not in towns:
            guess = difflib.get_close_matches(town, towns, n=1, cutoff=0.3)
            yield ctx.problem(
                UNKNOWN_TOWN,
                record,
                ("town",),
                f"“{town}”不在 policy.yaml 的乡镇名单中",
                f"town {town!r} is not listed in policy.yaml",
                hint_zh=f"是不是“{guess[0]}”？" if guess else "",
                hint_en=f"did you mean {guess[0]!r}?" if guess else "",
            )

"""A monthly self-report's id is built from its enterprise and month: SR-<credit code>-<YYYYMM>.

Ids from key parts make the same report impossible to file twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.context import Context

SELF_REPORT_ID = register(
    "self-report-id",
    "自查报告编号与企业、月份不一致",
    "self-report id disagrees with enterprise and month",
    "月度自查报告的编号是 SR-<统一社会信用代码>-<年月>，例如 SR-91320000MA1X0000XX-202503。",
)


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("self-report"):
        enterprise, month = record.data.get("enterprise"), record.data.get("month")
        if not isinstance(enterprise, str) or not isinstance(month, str):
            continue
        expected = f"SR-{enterprise}-{month.replace('-', '')}"
        if record.id != expected:
            yield ctx.problem(
                SELF_REPORT_ID,
                record,
                ("id",),
                f"编号应为“{expected}”",
                f"id should be {expected!r}",
            )

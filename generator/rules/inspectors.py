"""An inspection has at least two inspectors, at least one holding an enforcement certificate.

DOMAIN (seed 000 and the enforcement rules): "at least two inspectors, at least one
holding an enforcement certificate for that field".  An enterprise's own
self-inspection (企业自查) is not an enforcement visit and is exempt.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.context import Context

TOO_FEW_INSPECTORS = register(
    "too-few-inspectors",
    "检查人员少于两人",
    "fewer than two inspectors",
    "执法检查必须至少两名检查人员，在 inspectors 中补全所有到场人员的编号。",
)
NO_CERTIFIED_INSPECTOR = register(
    "no-certified-inspector",
    "没有持执法证的检查人员",
    "no inspector holds an enforcement certificate",
    "至少一名检查人员须持有执法证；在其人员记录中登记 certificate，或换上持证人员。",
)

SELF_INSPECTION = "企业自查"


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("inspection"):
        if record.data.get("kind") == SELF_INSPECTION:
            continue
        inspectors = [i for i in record.data.get("inspectors") or [] if isinstance(i, str)]
        unique = list(dict.fromkeys(inspectors))
        if len(unique) < 2:
            yield ctx.problem(
                TOO_FEW_INSPECTORS,
                record,
                ("inspectors",),
                f"检查人员只有 {len(unique)} 人，至少需要 2 人",
                f"{len(unique)} inspector(s); at least 2 are required",
            )
        staff = [ctx.get(i) for i in unique]
        known = [s for s in staff if s is not None and s.kind == "staff"]
        if (
            known
            and len(known) == len(unique)
            and not any(s.data.get("certificate") for s in known)
        ):
            yield ctx.problem(
                NO_CERTIFIED_INSPECTOR,
                record,
                ("inspectors",),
                "检查人员中没有持执法证的人员",
                "no inspector holds an enforcement certificate",
            )

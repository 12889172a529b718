"""A major hazard carries its 五定 and, at level 1, its listed supervision.

Level 1 (一级) hazards are major (重大) by definition and are listed for
supervision (挂牌督办); every major hazard names its five fixes (责任人、措施、
资金、时限、预案 — 原安监总局令第16号 art 15).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.context import Context

LEVEL_CLASS_MISMATCH = register(
    "level-class-mismatch",
    "隐患等级与类别不符",
    "level and class disagree",
    "一级隐患属于重大事故隐患：class 应为“重大”；三级隐患属于一般隐患。",
)
MAJOR_WITHOUT_FIVE_FIXED = register(
    "major-without-five-fixed",
    "重大隐患缺少五定",
    "major hazard without its five fixes",
    "为重大隐患填写 five_fixed：责任人、整改措施、资金、时限、应急预案。",
)
MAJOR_NOT_LISTED = register(
    "major-not-listed",
    "一级隐患未挂牌督办",
    "level-1 hazard not listed for supervision",
    "填写 listing：督办部门、督办文号、挂牌日期。",
)


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("hazard"):
        data = record.data
        level, klass = data.get("level"), data.get("class")
        if (level == "一级" and klass != "重大") or (level == "三级" and klass == "重大"):
            yield ctx.problem(
                LEVEL_CLASS_MISMATCH,
                record,
                ("class",),
                f"{level}隐患的类别不能是“{klass}”",
                f"a {level} hazard cannot be of class {klass}",
            )
        if klass == "重大" and not isinstance(data.get("five_fixed"), dict):
            yield ctx.problem(
                MAJOR_WITHOUT_FIVE_FIXED,
                record,
                ("class",),
                "重大隐患必须填写五定（five_fixed）",
                "a major hazard needs five_fixed",
            )
        if level == "一级" and not isinstance(data.get("listing"), dict):
            yield ctx.problem(
                MAJOR_NOT_LISTED,
                record,
                ("level",),
                "一级隐患必须挂牌督办（listing）",
                "a level-1 hazard needs a listing",
            )

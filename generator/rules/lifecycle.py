"""A hazard's events follow the closed loop: found → rectifying → awaiting acceptance → re-checked → closed.

Each event must be allowed in the state the hazard is in (e.g. no 销号 before a
passed re-check), carry what it needs (两照一表 for 整改完成, the person for a
re-check or closure, the reason for a failed re-check or a reopen, the body for
an assessment or acceptance), and a major hazard is closed only after an
acceptance (验收) by a named body.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.derive import lifecycle as lc
from generator.problems import Problem, register
from generator.rules.context import Context

BAD_TRANSITION = register(
    "bad-transition",
    "整改过程的步骤顺序不对",
    "lifecycle step not allowed here",
    "按“开始整改—整改完成—复查—销号”的顺序追加事件；复查不通过或重新打开要单独记录为事件，不要改写旧事件。",
)
EVENT_INCOMPLETE = register(
    "event-incomplete",
    "整改事件缺少必要内容",
    "lifecycle event incomplete",
    "整改完成须附整改前后照片和责任表（两照一表，至少 2 个证据）；复查、销号须写明经办人 by；"
    "复查不通过、重新打开须写明 reason；评估、验收须写明机构 body。",
)
CLOSED_WITHOUT_ACCEPTANCE = register(
    "closed-without-acceptance",
    "重大隐患未经验收即销号",
    "major hazard closed without acceptance",
    "重大隐患销号前须有“验收”事件，写明验收机构（body）。",
)

NEEDS: dict[str, tuple[str, str, str]] = {
    lc.RECHECK_PASSED: ("by", "复查须写明复查人员（by）", "a re-check names who did it (by)"),
    lc.CLOSE: ("by", "销号须写明经办人员（by）", "a closure names who did it (by)"),
    lc.RECHECK_FAILED: (
        "reason",
        "复查不通过须写明原因（reason）",
        "a failed re-check gives a reason",
    ),
    lc.REOPEN: ("reason", "重新打开须写明原因（reason）", "a reopen gives a reason"),
    lc.ASSESSED: ("body", "评估须写明评估机构（body）", "an assessment names the body"),
    lc.ACCEPTED: ("body", "验收须写明验收机构（body）", "an acceptance names the body"),
}
MIN_EVIDENCE = 2


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("hazard"):
        events = [e for e in record.data.get("events") or [] if isinstance(e, dict)]
        _, steps = lc.replay(events)
        accepted = False
        for step in steps:
            event = events[step.index]
            if step.after is None:
                yield ctx.problem(
                    BAD_TRANSITION,
                    record,
                    ("events", step.index, "type"),
                    f"隐患处于“{step.before}”时不能记录“{step.event_type}”",
                    f"event {step.event_type!r} is not allowed in state {step.before!r}",
                )
                continue
            need = NEEDS.get(step.event_type)
            if need and not event.get(need[0]):
                yield ctx.problem(
                    EVENT_INCOMPLETE, record, ("events", step.index), need[1], need[2]
                )
            if step.event_type == lc.RECTIFIED and len(event.get("evidence") or []) < MIN_EVIDENCE:
                yield ctx.problem(
                    EVENT_INCOMPLETE,
                    record,
                    ("events", step.index),
                    "整改完成须附两照一表（整改前、整改后照片和责任表，至少 2 个证据）",
                    "a rectification needs before/after evidence (at least 2 files)",
                )
            if step.event_type == lc.ACCEPTED:
                accepted = True
            if step.event_type == lc.REOPEN:
                accepted = False
            if step.event_type == lc.CLOSE and lc.is_major(record.data) and not accepted:
                yield ctx.problem(
                    CLOSED_WITHOUT_ACCEPTANCE,
                    record,
                    ("events", step.index),
                    "重大隐患销号前没有验收事件",
                    "a major hazard is closed without an acceptance",
                )

"""Who may change what: one table, shared with the pull-request check.

The kinds of record each role may change are the table of
``generator.rules.history.authors`` (what CI checks on a pull request); the
audit adds two rules it can only check over the whole history:

| record | roles | and |
|---|---|---|
| 检查、隐患 | 检查员、执法人员、科室负责人、专家 | |
| 企业、月度自查报告、投诉举报 | 检查员、执法人员、科室负责人 | |
| 处罚 | 执法人员 | of the penalty's department |
| 决定 | 执法人员、科室负责人 | of the decision's department |
| 人员、部门 | 管理员 | never one's own staff record |

An inactive member (``active: false``) changes nothing.  Nobody approves
their own change: that is judged with the approvals (``audit.approvals``).
"""

from __future__ import annotations

from typing import Any

from generator.permissions import MAY_CHANGE
from generator.review.roster import Member

# kinds whose records are changed only within the department that owns them
DEPARTMENT_SCOPED = frozenset({"penalty", "decision"})
STAFF_KIND = "staff"


def objection(
    member: Member, kind: str, record_id: str, data: dict[str, Any] | None
) -> tuple[str, str] | None:
    """Why ``member`` may not change this record, as (Chinese, English); None when allowed."""
    if not member.active:
        return f"{member.id} 已停用", f"{member.id} is inactive"
    allowed = MAY_CHANGE.get(kind)
    if allowed is not None and not member.roles & allowed:
        names = "、".join(sorted(allowed))
        return (
            f"{member.id} 没有修改此类记录所需的角色（{names}之一）",
            f"{member.id} has none of the roles {', '.join(sorted(allowed))}",
        )
    if kind in DEPARTMENT_SCOPED and data is not None:
        owner = data.get("department")
        if isinstance(owner, str) and owner and owner != member.department:
            return (
                f"{member.id} 属于 {member.department or '（无部门）'}，不能修改 {owner} 的记录",
                f"{member.id} of {member.department or 'no department'} may not change a record of {owner}",
            )
    if kind == STAFF_KIND and record_id == member.id:
        return f"{member.id} 修改了自己的人员记录", f"{member.id} changed their own staff record"
    return None

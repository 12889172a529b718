"""Every changed record was changed by a known staff member whose role allows it.

The commits of the change (the branch's commits since the base, and the
uncommitted edit, attributed to the configured git identity) carry an author
e-mail.  Each one that touched a record must belong to an active staff member
(``git.emails`` in the staff records *at the base*, so a change cannot grant
itself rights), and the member's roles must allow changing that kind of record:

| record | roles |
|---|---|
| 检查、隐患 | 检查员、执法人员、科室负责人、专家 |
| 企业、月度自查报告、投诉举报 | 检查员、执法人员、科室负责人 |
| 处罚 | 执法人员 |
| 决定 | 执法人员、科室负责人 |
| 人员、部门 | 管理员 |

This is a first, policy-free check on the change itself; ``anjian audit`` checks
the whole history with review tiers and signatures.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.permissions import MAY_CHANGE
from generator.problems import Problem, register
from generator.records import kind_of
from generator.rules.history.context import HistoryContext, record_id_of

UNKNOWN_AUTHOR = register(
    "unknown-author",
    "提交人不是登记的工作人员",
    "author is not a known staff member",
    "用登记在人员记录 git.emails 中的邮箱提交（git config user.email 你的邮箱）；"
    "新同事请先由管理员在人员记录中登记邮箱并合并。",
)
AUTHOR_NOT_PERMITTED = register(
    "author-not-permitted",
    "提交人无权修改这类记录",
    "author may not change this kind of record",
    "请由具备相应角色的工作人员提交（例如处罚须由执法人员提交）；角色登记在人员记录的 roles 中，"
    "已停用（active: false）的人员不能再提交。",
)


def check(ctx: HistoryContext) -> Iterator[Problem]:
    touched = [c.new_path for c in ctx.record_changes() if c.new_path is not None]
    if not touched:
        return
    authors, staff = ctx.authors, ctx.staff
    for path in touched:
        record_id = record_id_of(path, ctx.new.get(path))
        allowed = MAY_CHANGE.get(kind_of(path) or "")
        for email in sorted(authors.get(path, set())):
            member = staff.get(email)
            if member is None:
                shown = email or "（未设置邮箱）"
                yield ctx.problem(
                    UNKNOWN_AUTHOR,
                    path,
                    f"{ctx.title(path)}“{record_id}”的修改人 {shown} 不是登记的工作人员"
                    "（人员记录的 git.emails 中没有这个邮箱）",
                    f"{record_id} was changed by {shown}, who is not a known staff member",
                    record_id=record_id,
                )
            elif not member.active:
                yield ctx.problem(
                    AUTHOR_NOT_PERMITTED,
                    path,
                    f"{ctx.title(path)}“{record_id}”的修改人 {member.id}（{email}）已停用",
                    f"{record_id} was changed by {member.id} ({email}), who is inactive",
                    record_id=record_id,
                )
            elif allowed is not None and not member.roles & allowed:
                yield ctx.problem(
                    AUTHOR_NOT_PERMITTED,
                    path,
                    f"{ctx.title(path)}“{record_id}”的修改人 {member.id}（{email}）"
                    f"没有所需角色（{'、'.join(sorted(allowed))}之一）",
                    f"{record_id} was changed by {member.id} ({email}), "
                    f"who has none of the roles {', '.join(sorted(allowed))}",
                    record_id=record_id,
                )

"""A record changed on the base branch meanwhile is not changed again unseen.

Two submissions touching the same record are made side by side, each checked
against the commit its branch started from, and each valid on its own.  Once
the first is merged, the second would land on a version of the record it never
saw: git merges the two texts without a conflict when they touch different
lines (an event appended on one side, a field edited on the other — or a hazard
closed on one side and edited on the other), and no rule would compare the
result with what the first submission made.  So a change that edits, renames or
deletes a record which the base branch has changed since the branch started is
refused until the branch is brought up to date (merge the base into it, or
rebase); every history rule then checks it against the newer record.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.history.context import HistoryContext, is_record_path, record_id_of

CHANGED_ON_BASE = register(
    "changed-on-base",
    "记录在目标分支上已被修改",
    "record changed on the base branch meanwhile",
    "先把目标分支的最新版本合并到本分支（如 `git fetch` 后 `git merge origin/main`，或变基），"
    "解决冲突时保留双方的修改（事件按日期先后都保留），提交后再校验。",
)


def check(ctx: HistoryContext) -> Iterator[Problem]:
    touched = [
        c for c in ctx.record_changes() if c.old_path is not None and is_record_path(c.old_path)
    ]
    if not touched:
        return
    tip = ctx.git.resolve(ctx.base_ref)
    if tip == ctx.base:
        return  # the base has not moved since the branch started
    paths = [c.old_path for c in touched if c.old_path is not None]
    then, now = ctx.git.read_blobs(ctx.base, paths), ctx.git.read_blobs(tip, paths)
    for change in touched:
        old = change.old_path
        assert old is not None
        if then.get(old) == now.get(old):
            continue
        path = change.new_path or old
        record_id = record_id_of(path, ctx.new.get(path))
        yield ctx.problem(
            CHANGED_ON_BASE,
            path,
            f"{ctx.title(path)}“{record_id}”在本分支开始之后已在“{ctx.base_ref}”上被修改"
            "（如另一份已合并的提交），本分支还没有包含那次修改",
            f"{record_id} was changed on {ctx.base_ref} after this branch started;"
            " bring that change into this branch first",
            record_id=record_id,
        )

"""An id is never given out twice — not even one whose record was deleted long ago.

An id names one record forever: links, published data and other records point
at it.  A new record may not take an id that the base branch has now, or that
any record had at any time in the base's history (a deleted or renamed record's
id is not free again).  ``anjian new`` proposes ids that were never used.
A dated id (``HAZ-20260314-002``) cannot have existed before its date, so for
those only the history since then (less a month's margin) is read.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.history.context import HistoryContext, is_record_path, record_id_of

ID_REUSED = register(
    "id-reused",
    "编号已被使用过",
    "id used before",
    "编号永久不得重复使用，包括已删除、已改名记录的编号：换一个从未用过的编号"
    "（可运行 `anjian new` 自动生成），同时修改文件名。",
)


def check(ctx: HistoryContext) -> Iterator[Problem]:
    added = [
        c.new_path
        for c in ctx.record_changes()
        if c.status in "AC" and c.new_path is not None and is_record_path(c.new_path)
    ]
    if not added:
        return
    used = ctx.ids_ever_used(added)
    for path in added:
        stem = record_id_of(path)
        record_id = record_id_of(path, ctx.new.get(path))
        for candidate in dict.fromkeys((stem, record_id)):
            if candidate in used:
                yield ctx.problem(
                    ID_REUSED,
                    path,
                    f"新{ctx.title(path)}的编号“{candidate}”在“{ctx.base_ref}”的历史中已经用过"
                    "（现有记录或已删除、改名的记录）；编号不得重复使用",
                    f"id {candidate!r} was already used in the history of {ctx.base_ref}",
                    pointer=("id",),
                    record_id=candidate,
                )

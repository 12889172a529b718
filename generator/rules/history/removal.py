"""No record is ever deleted or renamed, and no evidence file removed or changed.

A record is the trace of something that happened: an inspection, a hazard, a
penalty.  Deleting one, or renaming its file (which changes its id and breaks
every reference and published link to it), would erase that trace, so a
change against the base may only add records and edit them.  A record entered
by mistake stays and is corrected by a later edit or event (for a hazard, an
event with a note); a record in the wrong folder is explained in a note, not
moved.  Evidence files under ``records/evidence/`` are kept unchanged for the same
reason (a record proves which file it means by its hash).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, make, register
from generator.records import kind_of
from generator.rules.history.context import (
    EVIDENCE_KIND,
    HistoryContext,
    is_record_path,
    record_id_of,
)

RECORD_DELETED = register(
    "record-deleted",
    "记录被删除",
    "record deleted",
    "记录一经提交不得删除：恢复该文件（git checkout <基准分支> -- <文件>）。"
    "录入有误的，在原记录上修改或追加事件说明，不要删除。",
)
RECORD_RENAMED = register(
    "record-renamed",
    "记录文件被改名或移动",
    "record renamed or moved",
    "记录的文件名就是它的编号，编号永久不变：把文件改回原来的名字和位置。"
    "编号确实填错的，保留原记录并在备注中说明，另建新记录。",
)
EVIDENCE_CHANGED = register(
    "evidence-changed",
    "证据文件被删除、移动或改动",
    "evidence file deleted, moved or changed",
    "证据文件一经提交不得删除、移动或改动：恢复原文件。需要补充或更换的证据请另存为新文件，"
    "并在记录中追加引用。",
)


def _renamed(ctx: HistoryContext, old: str, new: str) -> Problem:
    old_id, new_id = record_id_of(old), record_id_of(new)
    title = ctx.title(old)
    if old_id != new_id:
        zh = f"{title}“{old_id}”的文件被改名为 {new}：编号不得更改（原文件 {old}）"
        en = f"{old_id} was renamed to {new}: ids never change (was {old})"
    else:
        zh = f"{title}“{old_id}”的文件从 {old} 移到了 {new}：记录不得移动"
        en = f"{old_id} was moved from {old} to {new}: records stay where they are"
    return ctx.problem(RECORD_RENAMED, new, zh, en, pointer=("id",), record_id=old_id)


def _evidence(old: str, new: str | None) -> Problem:
    if new is None:
        zh, en = "被删除", "was deleted"
    elif new != old:
        zh, en = f"被移到了 {new}", f"was moved to {new}"
    else:
        zh, en = "的内容被改动", "was changed"
    return make(EVIDENCE_CHANGED, old, f"证据文件 {old} {zh}", f"evidence file {old} {en}")


def check(ctx: HistoryContext) -> Iterator[Problem]:
    for change in ctx.changes:
        old, new = change.old_path, change.new_path
        if old is None or change.status == "C":
            continue
        if kind_of(old) == EVIDENCE_KIND:
            yield _evidence(old, new)
        elif new == old or not is_record_path(old):
            continue
        elif new is None:
            record_id = record_id_of(old, ctx.old.get(old))
            yield ctx.problem(
                RECORD_DELETED,
                old,
                f"{ctx.title(old)}“{record_id}”被删除（{old}）；记录一经提交不得删除",
                f"{record_id} was deleted ({old}); records are never deleted",
                record_id=record_id,
            )
        else:
            yield _renamed(ctx, old, new)

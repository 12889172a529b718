"""Path, id and kind agree, and every id is unique across the repository.

The file name (without ``.yaml``) is the record's ``id``; the first folder under
``records/`` is its kind.  An id names one record, forever.
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.context import Context

ID_MISMATCH = register(
    "id-mismatch",
    "编号与文件名不一致",
    "id does not match the file name",
    "把文件改名为“<id>.yaml”，或把 id 改成文件名；新建记录时编号一经使用不再更改。",
)
DUPLICATE_ID = register(
    "duplicate-id",
    "编号重复",
    "id used twice",
    "每个编号只能用于一条记录。换一个未用过的编号（可运行 `anjian new` 自动生成）。",
)


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets:
        if record.id is not None and record.id != record.stem:
            yield ctx.problem(
                ID_MISMATCH,
                record,
                ("id",),
                f"编号“{record.id}”与文件名“{record.stem}.yaml”不一致",
                f"id {record.id!r} does not match file name {record.stem!r}",
            )
        if record.id is not None:
            others = [path for path in ctx.index.paths(record.id) if path != record.path]
            if others:
                yield ctx.problem(
                    DUPLICATE_ID,
                    record,
                    ("id",),
                    f"编号“{record.id}”也用于 {', '.join(others)}",
                    f"id {record.id!r} is also used by {', '.join(others)}",
                )

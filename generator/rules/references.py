"""Every reference (``x-ref`` in the schema) resolves to a record of the right kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.load import Pointer
from generator.problems import Problem, register
from generator.rules.context import Context
from generator.schemas import STAR

DANGLING_REF = register(
    "dangling-ref",
    "引用的记录不存在",
    "reference to a missing record",
    "检查编号是否抄错；被引用的记录（企业、人员、检查等）需要先建立或在同一次提交中一起提交。",
)
WRONG_REF_KIND = register(
    "wrong-ref-kind",
    "引用的记录类别不对",
    "reference to a record of the wrong kind",
    "这个字段只能引用指定类别的记录，例如“检查人员”只能填人员编号 STAFF-…。",
)


def _values(
    data: Any, pattern: tuple[str, ...], prefix: Pointer = ()
) -> Iterator[tuple[Pointer, Any]]:
    if not pattern:
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield (*prefix, i), item
        else:
            yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == STAR:
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _values(item, rest, (*prefix, i))
    elif isinstance(data, dict) and head in data:
        yield from _values(data[head], rest, (*prefix, head))


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets:
        if record.kind not in ctx.registry:
            continue
        for spec in ctx.registry[record.kind].refs():
            for pointer, value in _values(record.data, spec.pattern):
                if value is None or not isinstance(value, str):
                    continue
                target_kind = ctx.kind_of(value)
                title = spec.title
                wanted = (
                    ctx.registry[spec.ref].title
                    if spec.ref and spec.ref in ctx.registry
                    else "记录"
                )
                if target_kind is None:
                    yield ctx.problem(
                        DANGLING_REF,
                        record,
                        pointer,
                        f"“{title}”引用的{wanted}“{value}”不存在",
                        f"{pointer[-1]!s} refers to {spec.ref} {value!r}, which does not exist",
                    )
                elif spec.ref != "*" and target_kind != spec.ref:
                    yield ctx.problem(
                        WRONG_REF_KIND,
                        record,
                        pointer,
                        f"“{title}”应引用{wanted}，但“{value}”是{ctx.registry[target_kind].title if target_kind in ctx.registry else target_kind}",
                        f"{value!r} is a {target_kind}, expected a {spec.ref}",
                    )

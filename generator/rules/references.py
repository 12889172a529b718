"""Every reference (``x-ref`` in the schema) resolves to a record of the right kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.load import Pointer
from generator.problems import Problem, register
from generator.rules.context import Context
from generator.schemas import STAR, FieldSpec, KindSchema

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


def _values(data: Any, pattern: tuple[str, ...]) -> list[tuple[Pointer, Any]]:
    """The values at a field pattern (``*`` for every item of a list), with their pointers."""
    found: list[tuple[Pointer, Any]] = []
    _collect(data, pattern, (), found)
    return found


def _collect(
    data: Any, pattern: tuple[str, ...], prefix: Pointer, found: list[tuple[Pointer, Any]]
) -> None:
    if not pattern:
        if isinstance(data, list):
            found.extend(((*prefix, i), item) for i, item in enumerate(data))
        else:
            found.append((prefix, data))
        return
    head = pattern[0]
    if head == STAR:
        if isinstance(data, list):
            for i, item in enumerate(data):
                _collect(item, pattern[1:], (*prefix, i), found)
    elif isinstance(data, dict) and head in data:
        _collect(data[head], pattern[1:], (*prefix, head), found)


def _ref_fields(ctx: Context, kind: str) -> list[FieldSpec]:
    """The fields of a kind that hold references (asked once per run, not once per record)."""
    spec = ctx.registry[kind]
    found = _REFS.get(id(spec))
    if found is None or found[0] is not spec:
        if len(_REFS) > 64:  # registries of earlier runs in this process
            _REFS.clear()
        found = (spec, spec.refs())
        _REFS[id(spec)] = found
    return found[1]


_REFS: dict[int, tuple[KindSchema, list[FieldSpec]]] = {}


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets:
        if record.kind not in ctx.registry:
            continue
        for spec in _ref_fields(ctx, record.kind):
            for pointer, value in _values(record.data, spec.pattern):
                if value is None or not isinstance(value, str):
                    continue
                target_kind = ctx.kind_of(value)
                if target_kind is not None and (spec.ref == "*" or target_kind == spec.ref):
                    continue
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
                else:
                    yield ctx.problem(
                        WRONG_REF_KIND,
                        record,
                        pointer,
                        f"“{title}”应引用{wanted}，但“{value}”是{ctx.registry[target_kind].title if target_kind in ctx.registry else target_kind}",
                        f"{value!r} is a {target_kind}, expected a {spec.ref}",
                    )

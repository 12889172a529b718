"""Field-by-field differences between two versions of a record.

Both versions are flattened to leaves keyed by their pointer (``events/3/type``);
a leaf is a scalar, an empty mapping or an empty list.  The public history
diffs the *public projections* of both versions, so a field that is not
public never reaches the comparison at all — neither its new value nor its old.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.load import Pointer, pointer_text


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    pointer: Pointer
    old: Any  # MISSING when the field was added
    new: Any  # MISSING when the field was removed

    @property
    def path(self) -> str:
        return pointer_text(self.pointer)

    @property
    def action(self) -> str:
        if self.old is MISSING:
            return "added"
        if self.new is MISSING:
            return "removed"
        return "changed"


def flatten(value: Any, prefix: Pointer = ()) -> dict[Pointer, Any]:
    if isinstance(value, dict) and value:
        out: dict[Pointer, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, (*prefix, str(key))))
        return out
    if isinstance(value, list) and value:
        out = {}
        for n, item in enumerate(value):
            out.update(flatten(item, (*prefix, n)))
        return out
    return {prefix: value} if prefix else {}


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """Leaves added, removed or changed from ``old`` to ``new`` (None: no version)."""
    before, after = flatten(old or {}), flatten(new or {})
    changes = []
    for pointer, value in after.items():
        if pointer not in before:
            changes.append(FieldChange(pointer, MISSING, value))
        elif before[pointer] != value or type(before[pointer]) is not type(value):
            changes.append(FieldChange(pointer, before[pointer], value))
    for pointer, value in before.items():
        if pointer not in after:
            changes.append(FieldChange(pointer, value, MISSING))
    return changes

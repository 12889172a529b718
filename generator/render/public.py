"""The only door from records to the portal: schema projection, then masking.

Every value that reaches a page, a data file, the search index or the feed has
passed through :meth:`Publisher.public` — ``project_public`` keeps what the
schema marks ``x-disclosure: public`` (deny by default), then public
``x-pii: person-name`` values are masked (张** style) unless the policy says
otherwise.  Other personal data is never masked here: a schema that marks it
public is a deployment error, which the leak scan of the built site catches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.policy import Policy
from generator.schemas import STAR, KindSchema, Pattern, Registry, project_public

PERSON_NAME = "person-name"


def mask_name(name: str) -> str:
    """张三丰 → 张**, 王军 → 王*: keep the first character, hide the rest."""
    text = name.strip()
    if len(text) <= 1:
        return "*" if text else text
    return text[0] + "*" * (len(text) - 1)


def _mask(kind: KindSchema, value: Any, pattern: Pattern) -> Any:
    spec = kind.fields.get(pattern) if pattern else None
    if spec is not None and spec.pii == PERSON_NAME:
        if isinstance(value, str):
            return mask_name(value)
        if isinstance(value, list):
            return [mask_name(v) if isinstance(v, str) else v for v in value]
    if isinstance(value, dict):
        return {k: _mask(kind, v, (*pattern, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(kind, v, (*pattern, STAR)) for v in value]
    return value


@dataclass
class _Node:
    """One field pattern of a schema, compiled: is it public, is it a person's name, and the
    patterns under it (``children`` by key, ``items`` for list items)."""

    public: bool = False
    person: bool = False
    children: dict[str, _Node] = field(default_factory=dict)
    items: _Node | None = None

    def child(self, key: str) -> _Node:
        if key == STAR:
            if self.items is None:
                self.items = _Node()
            return self.items
        return self.children.setdefault(key, _Node())


_EMPTY = _Node()


def compile_kind(kind: KindSchema) -> _Node:
    root = _Node(public=True)
    for pattern, spec in kind.fields.items():
        node = root
        for part in pattern:
            node = node.child(part)
        node.public = spec.public
        node.person = spec.pii == PERSON_NAME
    return root


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _project(value: Any, node: _Node, masking: bool) -> Any:
    """``project_public`` then (when ``masking``) ``_mask``, in one pass over the value."""
    if masking and node.person:
        if isinstance(value, str):
            return mask_name(value)
        if isinstance(value, list):
            items = node.items or _EMPTY
            return [
                mask_name(v) if isinstance(v, str) else _project(v, items, False) for v in value
            ]
    if isinstance(value, dict):
        out = {}
        children = node.children
        for key, item in value.items():
            sub = children.get(key)
            if sub is not None and sub.public:
                if item.__class__ in _SCALARS and not (masking and sub.person):
                    out[key] = item  # what _project gives a scalar: itself (half a million records)
                else:
                    out[key] = _project(item, sub, masking)
        return out
    if isinstance(value, list):
        items = node.items or _EMPTY
        return [_project(v, items, masking) for v in value]
    return value


class Publisher:
    """Public projections of records, per the schemas and the masking policy.

    The schema's field patterns are compiled once per kind into a tree, so
    projecting and masking a record is one walk over it (the same result as
    ``project_public`` then ``_mask``; a test compares them).
    """

    def __init__(self, registry: Registry, policy: Policy) -> None:
        self.registry = registry
        self.masking = bool(policy.get("masking", "person_name", default=True))
        self._compiled: dict[str, _Node] = {}

    def public(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        node = self._compiled.get(kind)
        if node is None:
            node = self._compiled[kind] = compile_kind(self.registry[kind])
        projected: dict[str, Any] = _project(data, node, self.masking)
        return projected

    def public_slow(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """The definition: ``project_public``, then ``_mask`` when masking."""
        schema = self.registry[kind]
        projected: dict[str, Any] = project_public(schema, data)
        if self.masking:
            masked: dict[str, Any] = _mask(schema, projected, ())
            return masked
        return projected

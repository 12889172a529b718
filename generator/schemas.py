"""The schema registry: one JSON Schema per record kind, and what they declare.

The schemas are the single source of truth for fields, Chinese titles, references
(``x-ref``), publication (``x-disclosure: public``) and personal data (``x-pii``).
This module reads those annotations into flat field specs keyed by a path
pattern (``("events", "*", "by")``) so that other parts never walk schemas.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMAS_DIR = "schemas"
POLICY_SCHEMA = "policy"
STAR = "*"

Pattern = tuple[str, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One property of a record kind, with its annotations."""

    pattern: Pattern
    schema: dict[str, Any]
    public: bool  # this property and every ancestor are public
    ref: str | None = None
    pii: str | None = None

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or self.pattern[-1])

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")


@dataclass
class KindSchema:
    kind: str
    schema: dict[str, Any]
    fields: dict[Pattern, FieldSpec] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or self.kind)

    def refs(self) -> list[FieldSpec]:
        return [f for f in self.fields.values() if f.ref]

    def field_at(self, pattern: Pattern) -> FieldSpec | None:
        return self.fields.get(pattern)

    def title_of(self, pointer: tuple[str | int, ...]) -> str:
        """Chinese title of the property at a concrete pointer (indices become ``*``)."""
        pattern = tuple(STAR if isinstance(p, int) else p for p in pointer)
        spec = self.fields.get(pattern)
        if spec is None and pattern and pattern[-1] == STAR:
            spec = self.fields.get(pattern[:-1])
        return spec.title if spec else (str(pointer[-1]) if pointer else self.title)


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        merged = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **merged}
        seen += 1
    return node


def _branches(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(key, []) or []:
            if isinstance(sub, dict):
                yield sub
    for key in ("then", "else"):
        sub = node.get(key)
        if isinstance(sub, dict):
            yield sub


def _walk(
    node: dict[str, Any],
    root: dict[str, Any],
    prefix: Pattern,
    public: bool,
    out: dict[Pattern, FieldSpec],
) -> None:
    node = _resolve(node, root)
    for branch in _branches(node):
        branch = _resolve(branch, root)
        for name, sub in (branch.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            sub = _resolve(sub, root)
            pattern = (*prefix, name)
            is_public = public and sub.get("x-disclosure") == "public"
            items = (
                _resolve(sub.get("items") or {}, root) if isinstance(sub.get("items"), dict) else {}
            )
            ref = sub.get("x-ref") or items.get("x-ref")
            pii = sub.get("x-pii") or items.get("x-pii")
            if pattern not in out:
                out[pattern] = FieldSpec(pattern, sub, is_public, ref, pii)
            if sub.get("type") == "object" or "properties" in sub:
                _walk(sub, root, pattern, is_public, out)
            if items and (items.get("type") == "object" or "properties" in items):
                _walk(items, root, (*pattern, STAR), is_public, out)


def read_kind_schema(kind: str, schema: dict[str, Any]) -> KindSchema:
    fields: dict[Pattern, FieldSpec] = {}
    _walk(schema, schema, (), True, fields)
    return KindSchema(kind=kind, schema=schema, fields=fields)


@dataclass
class Registry:
    kinds: dict[str, KindSchema]
    policy_schema: dict[str, Any]

    def __contains__(self, kind: object) -> bool:
        return kind in self.kinds

    def __getitem__(self, kind: str) -> KindSchema:
        return self.kinds[kind]


class SchemaError(Exception):
    """The repository's schemas cannot be used (a deployment error, not a record problem)."""


def load_registry(root: Path) -> Registry:
    folder = root / SCHEMAS_DIR
    if not folder.is_dir():
        raise SchemaError(f"没有找到 {SCHEMAS_DIR}/ 目录：{folder}")
    kinds: dict[str, KindSchema] = {}
    policy: dict[str, Any] = {}
    for file in sorted(folder.glob("*.json")):
        try:
            schema = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise SchemaError(f"{SCHEMAS_DIR}/{file.name} 无法读取：{err}") from err
        if file.stem == POLICY_SCHEMA:
            policy = schema
        else:
            kinds[file.stem] = read_kind_schema(file.stem, schema)
    if not kinds:
        raise SchemaError(f"{SCHEMAS_DIR}/ 中没有记录模式")
    return Registry(kinds=kinds, policy_schema=policy)


def project_public(kind: KindSchema, data: Any, prefix: Pattern = ()) -> Any:
    """Keep only what the schema marks public (deny by default)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            spec = kind.fields.get((*prefix, key))
            if spec is None or not spec.public:
                continue
            out[key] = project_public(kind, value, (*prefix, key))
        return out
    if isinstance(data, list):
        return [project_public(kind, item, (*prefix, STAR)) for item in data]
    return data

"""A kind's schema as a tree of fields to ask for, with their Chinese titles.

Each node knows its shape (text, number, date, choice, reference, object, list),
whether it is required and public, and its children — everything a prompt, a
form and a comment writer need, without walking JSON Schema again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from generator.schemas import KindSchema

Shape = Literal["text", "integer", "number", "boolean", "date", "object", "array"]


@dataclass
class Node:
    name: str
    path: tuple[str, ...]  # ("five_fixed", "funds"); list items add "*"
    schema: dict[str, Any]
    required: bool
    public: bool
    children: list[Node] = field(default_factory=list)
    item: Node | None = None  # for lists

    @property
    def title(self) -> str:
        return str(self.schema.get("title") or self.name)

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")

    @property
    def shape(self) -> Shape:
        kind = self.schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind == "object" or "properties" in self.schema:
            return "object"
        if kind == "array":
            return "array"
        if kind == "integer":
            return "integer"
        if kind == "number":
            return "number"
        if kind == "boolean":
            return "boolean"
        if self.schema.get("format") == "date":
            return "date"
        return "text"

    @property
    def enum(self) -> list[Any]:
        return list(self.schema.get("enum") or [])

    @property
    def ref(self) -> str | None:
        ref = self.schema.get("x-ref")
        return str(ref) if ref else None

    @property
    def nullable(self) -> bool:
        kind = self.schema.get("type")
        return isinstance(kind, list) and "null" in kind

    def child(self, name: str) -> Node | None:
        return next((c for c in self.children if c.name == name), None)


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    for _ in range(20):
        ref = node.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _build(
    name: str,
    schema: dict[str, Any],
    root: dict[str, Any],
    path: tuple[str, ...],
    required: bool,
    public: bool,
) -> Node:
    schema = _resolve(schema, root)
    node = Node(name, path, schema, required, public and schema.get("x-disclosure") == "public")
    if node.shape == "object":
        node.children = _children(schema, root, path, node.public)
    elif node.shape == "array" and isinstance(schema.get("items"), dict):
        items = _resolve(schema["items"], root)
        item = Node(name, (*path, "*"), items, True, node.public)
        if item.shape == "object":
            item.children = _children(items, root, item.path, node.public)
        node.item = item
    return node


def _children(
    schema: dict[str, Any], root: dict[str, Any], path: tuple[str, ...], public: bool
) -> list[Node]:
    required = set(schema.get("required") or [])
    return [
        _build(name, sub, root, (*path, name), name in required, public)
        for name, sub in (schema.get("properties") or {}).items()
        if isinstance(sub, dict)
    ]


def build_tree(spec: KindSchema) -> Node:
    """The whole record as one object node; its children are the top-level fields."""
    root = spec.schema
    return Node(
        spec.kind,
        (),
        root,
        True,
        True,
        children=_children(root, root, (), True),
    )


def find_node(tree: Node, path: tuple[str, ...]) -> Node | None:
    node: Node | None = tree
    for part in path:
        if node is None:
            return None
        node = node.item if part == "*" else node.child(part)
    return node

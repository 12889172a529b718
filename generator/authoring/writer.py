"""A new record as YAML with a comment above each field saying what it means.

Values are written by :func:`generator.dump.dump_record` (dates unquoted, keys in
schema order); the comments come from the schema's Chinese titles and
descriptions and say whether the field is published.  The first line tells
yaml-language-server which schema applies, so editors complete and check it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from generator.authoring.tree import Node
from generator.dump import dump_record
from generator.load import parse_document
from generator.problems import Problem

WIDTH = 78
# an ASCII word, or a path-like run from one ASCII character to another (<年>/<编号>.yaml)
_TOKEN = re.compile(r"[\x21-\x7e](?:[^\s，。、；：！？（）“”]*[\x21-\x7e])?|\s+|.")
# punctuation that never starts a line (kinsoku): it stays on the line before
_NO_START = set("，。、；：！？）》」』”’,.;:!?)]")

Notes = dict[tuple[str, ...], str]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int = WIDTH) -> list[str]:
    """Wrap mixed Chinese and ASCII text by display width, never inside an ASCII word."""
    lines: list[str] = []
    current = ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if current and _width(current + token) > width and token[0] not in _NO_START:
            lines.append(current.rstrip())
            current = "" if token.isspace() else token
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def comment(text: str, indent: int = 0, width: int = WIDTH) -> list[str]:
    pad = " " * indent
    return [f"{pad}# {line}" for line in wrap(text, width - indent - 2)]


def field_comment(node: Node, indent: int = 0) -> list[str]:
    tag = "【公开】" if node.public else "【不公开】"
    text = f"{node.title}{tag}"
    if node.description:
        text += f"：{node.description}"
    return comment(text, indent)


def schema_modeline(kind: str, rel_path: str) -> str:
    """``# yaml-language-server: $schema=../../../schemas/hazard.json``."""
    depth = rel_path.count("/")
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{kind}.json"


def render_field(
    node: Node | None, key: str, value: Any, indent: int = 0, notes: Notes | None = None
) -> list[str]:
    pad = " " * indent
    lines = field_comment(node, indent) if node is not None else []
    if node is not None and notes and node.path in notes:
        lines += comment(f"即：{notes[node.path]}", indent)
    if node is not None and node.shape == "object" and isinstance(value, dict) and value:
        lines.append(f"{pad}{key}:")
        for sub_key, sub_value in value.items():
            lines += render_field(node.child(sub_key), sub_key, sub_value, indent + 2, notes)
        return lines
    lines += [pad + line for line in dump_record({key: value}).splitlines()]
    return lines


def render_record(
    tree: Node, data: dict[str, Any], rel_path: str, notes: Notes | None = None
) -> str:
    """The record's text: modeline, what the kind is, then each field under its comment."""
    lines = [schema_modeline(tree.name, rel_path)]
    lines += comment(f"{tree.title}：{tree.description}")
    lines += comment(
        "由 anjian new 生成。整改过程用 anjian rectify / recheck / close 追加，不要改写已有内容。"
    )
    for key, value in data.items():
        lines.append("")
        lines += render_field(tree.child(key), key, value, 0, notes)
    text = "\n".join(lines) + "\n"
    parsed = parse_document(text.encode("utf-8"), rel_path)
    if isinstance(parsed, Problem) or parsed.data != data:  # pragma: no cover - a writer bug
        raise AssertionError(f"written YAML does not read back as the record: {rel_path}")
    return text

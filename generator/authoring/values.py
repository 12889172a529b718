"""Text typed by staff (at a prompt, in ``--set``, in a web form) → the value a field holds.

Errors are raised as :class:`BadValue` with a Chinese message that says what was
expected, so every front end can show it and ask again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from generator.authoring.tree import Node

SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
WORD_SEPARATORS = re.compile(r"\s*[,，、;；]\s*|\s+")
_TRUE = {"是", "y", "yes", "true", "1", "对", "有"}
_FALSE = {"否", "n", "no", "false", "0", "不", "无"}


class BadValue(ValueError):
    """The text cannot be this field's value; the message says why, in Chinese."""


def parse_date(text: str) -> dt.date:
    text = text.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise BadValue(f"“{text}”不是有效日期，请写成 YYYY-MM-DD，例如 2025-03-14")


def split_list(text: str, *, spaces: bool = False) -> list[str]:
    """``a, b、c`` → ``[a, b, c]`` (commas, Chinese commas, 顿号; spaces for codes)."""
    separators = WORD_SEPARATORS if spaces else SEPARATORS
    return [part for part in separators.split(text.strip()) if part]


def parse_scalar(node: Node, text: str) -> Any:
    text = text.strip()
    shape = node.shape
    if node.nullable and text.lower() in ("null", "无", "~"):
        return None
    if node.enum:
        if text in [str(v) for v in node.enum]:
            return next(v for v in node.enum if str(v) == text)
        if text.isdigit() and 1 <= int(text) <= len(node.enum):
            return node.enum[int(text) - 1]
        options = "、".join(str(v) for v in node.enum)
        raise BadValue(f"“{node.title}”只能是：{options}（可填序号）")
    if shape == "date":
        return parse_date(text).isoformat()
    if shape == "integer":
        try:
            return int(text)
        except ValueError:
            raise BadValue(f"“{node.title}”应为整数，例如 12") from None
    if shape == "number":
        try:
            number = float(text)
        except ValueError:
            raise BadValue(f"“{node.title}”应为数字，例如 120000") from None
        return int(number) if number.is_integer() else number
    if shape == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise BadValue(f"“{node.title}”请填“是”或“否”")
    pattern = node.schema.get("pattern")
    if isinstance(pattern, str) and not node.ref and re.search(pattern, text) is None:
        example = re.search(r"例如\s*([^，。；）]+)", node.description)
        hint = f"，例如 {example.group(1)}" if example else ""
        raise BadValue(f"“{node.title}”的格式不对{hint}")
    return text


def parse_value(node: Node, text: str) -> Any:
    """A field's value from text; lists split on commas; JSON accepted for lists and objects."""
    stripped = text.strip()
    if node.shape in ("array", "object") and stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except ValueError as err:
            raise BadValue(f"“{node.title}”的 JSON 写法有误：{err}") from None
    if node.shape == "array":
        if node.item is None or node.item.shape == "object":
            raise BadValue(f"“{node.title}”请用 JSON 列表填写，例如 [{{…}}]")
        item = node.item
        codes = bool(item.ref or item.enum or item.schema.get("pattern"))
        return [parse_scalar(item, part) for part in split_list(stripped, spaces=codes)]
    if node.shape == "object":
        raise BadValue(f"“{node.title}”请逐项填写，例如 --set {'.'.join(node.path)}.字段=值")
    return parse_scalar(node, stripped)


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["five_fixed.funds=1000", …]`` → ``{"five_fixed.funds": "1000", …}``."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadValue(f"“{pair}”应写成 字段=值，例如 level=二级")
        out[key.strip()] = value
    return out

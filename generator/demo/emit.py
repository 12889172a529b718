"""A small YAML emitter for record mappings: block style, plain where safe.

PyYAML's emitter is slow for thousands of files and its layout choices are
not ours to pin; records are simple (mappings, lists, strings, integers,
booleans, dates), so this writes them directly. A string is written plain
only if YAML 1.1 would read it back as the same string (PyYAML's own
resolver decides: no, on, 010, 1:20, 2025-03-14 … get quoted); otherwise
in single quotes, or double quotes (JSON escapes) when it holds a quote or
control character. Dates are written unquoted, ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import cast

import yaml
from yaml.nodes import ScalarNode

from generator.demo.records import Value

_RESOLVE = cast(
    Callable[[type[ScalarNode], str, tuple[bool, bool]], str], yaml.resolver.Resolver().resolve
)
_STR = "tag:yaml.org,2002:str"
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]|: |:$| #")
# what a YAML 1.2 core-schema reader would not take as a string
_YAML12 = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$"
)


def scalar(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"not a scalar: {value!r}")


def _string(text: str) -> str:
    plain = (
        text != ""
        and text == text.strip()
        and text[0] not in _INDICATORS
        and not _UNSAFE.search(text)
        and not _YAML12.match(text)
        and _RESOLVE(ScalarNode, text, (True, False)) == _STR
    )
    if plain:
        return text
    if "'" not in text and not re.search(r"[\x00-\x1f\x7f\u0085\u2028\u2029\ufeff]", text):
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def _lines(value: Value, indent: str, out: list[str]) -> None:
    """Append the block lines of a mapping (value must be a dict)."""
    assert isinstance(value, dict)
    for key, item in value.items():
        head = f"{indent}{_string(key)}:"
        if isinstance(item, dict) and item:
            out.append(head)
            _lines(item, indent + "  ", out)
        elif isinstance(item, list) and item:
            out.append(head)
            _sequence(item, indent, out)
        else:
            out.append(f"{head} {_inline(item)}")


def _sequence(items: list[Value], indent: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict) and item:
            sub: list[str] = []
            _lines(item, indent + "  ", sub)
            sub[0] = f"{indent}- {sub[0][len(indent) + 2 :]}"
            out.extend(sub)
        elif isinstance(item, list) and item:
            raise TypeError("nested sequences are not used in records")
        else:
            out.append(f"{indent}- {_inline(item)}")


def _inline(value: Value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def dump(mapping: dict[str, Value], comment: str) -> str:
    """The text of one record file: a comment line, then the mapping."""
    out = [f"# {comment}"]
    _lines(mapping, "", out)
    return "\n".join(out) + "\n"

"""A field the portal publishes holds no ID number, mobile number or e-mail address.

The build scans everything it publishes for personal data and refuses to
publish a site that holds any; this rule applies the same patterns to the
public fields of the records in a pull request, so that a phone number typed
into a hazard's description is refused before it lands, not after the merge.
Credit codes (统一社会信用代码) are public identifiers and never taken for ID numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.load import Pointer
from generator.problems import Problem, register
from generator.records import Record
from generator.render.leakscan import scan_text
from generator.rules.context import Context
from generator.schemas import STAR, KindSchema, Pattern

PERSONAL_DATA = register(
    "personal-data-in-public-field",
    "公开字段中有个人信息",
    "personal data in a public field",
    "这个字段会在公示网站上公开：删去身份证号、手机号、电子邮箱，"
    "需要记录的写入内部字段（如联系人、举报人），公开文字中只写“已联系企业负责人”之类的描述。",
)

KIND_TITLE = {"id-number": "身份证号", "phone": "手机号", "email": "电子邮箱"}
# whatever could hold one: a run of 11 digits (ID and mobile numbers) or an "@"
SUSPECT = re.compile(r"\d{11}|@")
CREDIT_CODE_FIELDS = ("credit_code",)


def text_patterns(kind: KindSchema) -> list[Pattern]:
    """The public string fields of a kind that could hold typed text (not a fixed list, not a date)."""
    return [
        pattern
        for pattern, spec in kind.fields.items()
        if spec.public
        and spec.schema.get("type") == "string"
        and "enum" not in spec.schema
        and "const" not in spec.schema
        and spec.schema.get("format") != "date"  # the schema is met: digits and dashes only
    ]


# the patterns of a kind as a tree, walked once per record: field → subtree, or None at a text
Tree = dict[str, "Tree | None"]


def _tree(patterns: list[Pattern]) -> Tree:
    tree: Tree = {}
    for pattern in patterns:
        node = tree
        for part in pattern[:-1]:
            below = node.setdefault(part, {})
            assert below is not None  # a text field has no fields below it
            node = below
        node[pattern[-1]] = None
    return tree


def _suspects(data: Any, tree: Tree, pointer: Pointer, out: list[tuple[Pointer, str]]) -> None:
    """Every text under ``tree`` in ``data`` that could hold personal data, with its pointer."""
    for name, below in tree.items():
        if name == STAR:
            if isinstance(data, list):
                for index, item in enumerate(data):
                    _visit(item, below, (*pointer, index), out)
        elif isinstance(data, dict) and name in data:
            _visit(data[name], below, (*pointer, name), out)


def _visit(
    value: Any, below: Tree | None, pointer: Pointer, out: list[tuple[Pointer, str]]
) -> None:
    if below is None:
        if isinstance(value, str) and SUSPECT.search(value):
            out.append((pointer, value))
    else:
        _suspects(value, below, pointer, out)


def check(ctx: Context) -> Iterator[Problem]:
    trees: dict[str, Tree] = {}
    for record in ctx.targets:
        if record.kind not in ctx.registry:
            continue
        kind = ctx.registry[record.kind]
        tree = trees.get(record.kind)
        if tree is None:
            tree = trees[record.kind] = _tree(text_patterns(kind))
        found: list[tuple[Pointer, str]] = []
        _suspects(record.data, tree, (), found)
        for pointer, text in found:
            yield from _problems(ctx, record, kind, pointer, text)


def _problems(
    ctx: Context, record: Record, kind: KindSchema, pointer: Pointer, text: str
) -> Iterator[Problem]:
    allow = frozenset(str(record.data[f]).upper() for f in CREDIT_CODE_FIELDS if record.data.get(f))
    for leak in scan_text(text, record.path, allow):
        title = kind.title_of(pointer)
        what = KIND_TITLE.get(leak.kind, leak.kind)
        yield ctx.problem(
            PERSONAL_DATA,
            record,
            pointer,
            f"“{title}”会公开，其中有{what}（{leak.sample}）",
            f"{pointer[-1] if pointer else ''!s} is published and holds "
            f"a {leak.kind} ({leak.sample})",
        )

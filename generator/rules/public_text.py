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
    """The public string fields of a kind that could hold typed text (not a fixed list)."""
    return [
        pattern
        for pattern, spec in kind.fields.items()
        if spec.public
        and spec.schema.get("type") == "string"
        and "enum" not in spec.schema
        and "const" not in spec.schema
    ]


def _values(data: Any, pattern: Pattern, pointer: Pointer) -> Iterator[tuple[Pointer, Any]]:
    if not pattern:
        yield pointer, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == STAR:
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from _values(item, rest, (*pointer, index))
    elif isinstance(data, dict) and head in data:
        yield from _values(data[head], rest, (*pointer, head))


def check(ctx: Context) -> Iterator[Problem]:
    patterns: dict[str, list[Pattern]] = {}
    for record in ctx.targets:
        if record.kind not in ctx.registry:
            continue
        kind = ctx.registry[record.kind]
        if record.kind not in patterns:
            patterns[record.kind] = text_patterns(kind)
        data = record.data
        for pattern in patterns[record.kind]:
            if len(pattern) == 1:  # most public text is a top-level field: no generator
                text = data.get(pattern[0])
                if isinstance(text, str) and SUSPECT.search(text):
                    yield from _problems(ctx, record, kind, pattern, text)
                continue
            for pointer, text in _values(data, pattern, ()):
                if isinstance(text, str) and SUSPECT.search(text):
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

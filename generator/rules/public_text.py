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
from generator.render.leakscan import scan_text
from generator.rules.context import Context
from generator.schemas import STAR, KindSchema

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


def _strings(kind: KindSchema, data: Any, pointer: Pointer) -> Iterator[tuple[Pointer, str]]:
    """Every public string in ``data`` with its pointer (deny by default, as the portal)."""
    if isinstance(data, dict):
        for key, value in data.items():
            pattern = tuple(STAR if isinstance(p, int) else p for p in (*pointer, key))
            spec = kind.fields.get(pattern)
            if spec is not None and spec.public:
                yield from _strings(kind, value, (*pointer, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _strings(kind, item, (*pointer, index))
    elif isinstance(data, str):
        yield pointer, data


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets:
        if record.kind not in ctx.registry or not SUSPECT.search(repr(record.data)):
            continue
        allow = frozenset(
            str(record.data[f]).upper() for f in CREDIT_CODE_FIELDS if record.data.get(f)
        )
        kind = ctx.registry[record.kind]
        for pointer, text in _strings(kind, record.data, ()):
            if not SUSPECT.search(text):
                continue
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

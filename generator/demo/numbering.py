"""Record ids and document numbers, handed out in date order once all are known.

Ids are ``<PREFIX>-<YYYYMMDD>-<NNN>``: the date of the record and its rank among
the records of that kind on that day. Document numbers run per issuer, kind
and year (``青应急责改〔2025〕017号``), also in date order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from generator.demo.model import DocNo


class _Dated(Protocol):
    seq: int
    id: str


T = TypeVar("T", bound=_Dated)


class DocNumbers:
    """Collects document numbers and fills them in at the end."""

    def __init__(self) -> None:
        self._docs: list[DocNo] = []

    def new(self, prefix: str, abbr: str, when: dt.date, *, pad: int = 3) -> DocNo:
        doc = DocNo(prefix, abbr, when, len(self._docs), pad)
        self._docs.append(doc)
        return doc

    def assign(self) -> None:
        counters: dict[tuple[str, str, int], int] = {}
        for doc in sorted(self._docs, key=lambda d: (d.when, d.seq)):
            key = (doc.prefix, doc.abbr, doc.when.year)
            counters[key] = counters.get(key, 0) + 1
            doc.text = f"{doc.prefix}{doc.abbr}〔{doc.when.year}〕{counters[key]:0{doc.pad}d}号"


def assign_ids(items: Sequence[T], prefix: str, date_of: Callable[[T], dt.date]) -> None:
    """Give each item ``PREFIX-YYYYMMDD-NNN`` in (date, creation order)."""
    per_day: dict[dt.date, int] = {}
    for item in sorted(items, key=lambda i: (date_of(i), i.seq)):
        day = date_of(item)
        per_day[day] = per_day.get(day, 0) + 1
        if per_day[day] > 999:
            raise ValueError(f"more than 999 {prefix} records on {day}")
        item.id = f"{prefix}-{day:%Y%m%d}-{per_day[day]:03d}"

"""Split long lists into pages no larger than a byte budget, with a bounded pager.

No page may grow with the corpus: a page ends at ``max_rows`` rows or when its
rows' estimated size passes ``budget`` bytes, and the pager shows the first,
last and neighbouring pages only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
# ``json.dumps`` with options makes an encoder each call: one for every row of a city
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def weight(row: Any) -> int:
    """Rough size of a row once rendered: its JSON text in UTF-8, plus markup."""
    return len(_ENCODER.encode(row).encode("utf-8")) + 200


def split(
    rows: Sequence[T], max_rows: int, budget: int, size: Callable[[T], int] = weight
) -> list[list[T]]:
    pages: list[list[T]] = [[]]
    used = 0
    for row in rows:
        cost = size(row)
        if pages[-1] and (len(pages[-1]) >= max_rows or used + cost > budget):
            pages.append([])
            used = 0
        pages[-1].append(row)
        used += cost
    return pages


def first_page(
    rows: Iterable[T], max_rows: int, budget: int, size: Callable[[T], int] = weight
) -> list[T]:
    """``split(rows, max_rows, budget, size)[0]``, weighing only the rows it takes (an
    enterprise page shows the first of its hazards: a city's largest have thousands)."""
    page: list[T] = []
    used = 0
    for row in rows:
        if page and len(page) >= max_rows:
            break
        cost = size(row)
        if page and used + cost > budget:
            break
        page.append(row)
        used += cost
    return page


def page_src(base: str, number: int) -> str:
    """``base/index.md`` for the first page, ``base/<n>.md`` after it."""
    return f"{base}/index.md" if number == 1 else f"{base}/{number}.md"


@dataclass(frozen=True)
class Pager:
    base: str
    number: int
    count: int

    @property
    def src(self) -> str:
        return page_src(self.base, self.number)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to show; ``None`` marks a gap."""
        shown = sorted(
            {1, self.count, *range(self.number - around, self.number + around + 1)}
            & set(range(1, self.count + 1))
        )
        out: list[int | None] = []
        for n in shown:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out

    def src_of(self, number: int) -> str:
        return page_src(self.base, number)

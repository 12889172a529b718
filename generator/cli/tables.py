"""Plain-text tables that line up in a terminal, Chinese included; CSV for spreadsheets.

A CJK character takes two columns in a terminal (East Asian Width ``W`` or
``F``), a combining mark none; widths are computed from that, not from ``len``.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"
GAP = "  "


def display_width(text: str) -> int:
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def truncate(text: str, width: int) -> str:
    """Cut ``text`` to at most ``width`` columns, ending with … when cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = display_width(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + ELLIPSIS


def pad(text: str, width: int, right: bool = False) -> str:
    space = " " * max(0, width - display_width(text))
    return space + text if right else text + space


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    max_widths: dict[int, int] | None = None,
    right: Sequence[int] = (),
) -> str:
    """Columns as wide as their widest cell (capped by ``max_widths``), a rule under the header."""
    limits = max_widths or {}
    cells = [
        [truncate(cell, limits[i]) if i in limits else cell for i, cell in enumerate(row)]
        for row in rows
    ]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))

    def line(row: Sequence[str]) -> str:
        return GAP.join(pad(c, widths[i], i in right) for i, c in enumerate(row)).rstrip()

    rule = GAP.join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in cells)])


def render_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().rstrip("\n")

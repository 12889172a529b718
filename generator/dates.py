"""Dates as records hold them: ISO ``YYYY-MM-DD`` strings until a rule needs a date."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any


def parse_date(value: Any) -> dt.date | None:
    """An ISO date string (as the loader keeps dates) → date; anything else → None."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    return _iso_date(value)


@lru_cache(maxsize=16384)  # records repeat the same few thousand days
def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None

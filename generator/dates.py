"""Dates as records hold them: ISO ``YYYY-MM-DD`` strings until a rule needs a date."""

from __future__ import annotations

import datetime as dt
from typing import Any


def parse_date(value: Any) -> dt.date | None:
    """An ISO date string (as the loader keeps dates) → date; anything else → None."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None

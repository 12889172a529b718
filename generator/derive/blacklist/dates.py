"""Calendar arithmetic for terms and waiting periods (no clock, no I/O)."""

from __future__ import annotations

import calendar
import datetime as dt

from generator.dates import parse_date

__all__ = ["add_months", "add_years", "parse_date"]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def term_end(listed_from: dt.date, years: int) -> dt.date:
    """Last day of a term of ``years`` starting on ``listed_from`` (2025-06-01 + 3 → 2028-05-31)."""
    return add_years(listed_from, years) - dt.timedelta(days=1)


def within(day: dt.date | None, as_of: dt.date, window_days: int | None) -> bool:
    """``day`` has happened by ``as_of`` and lies in the last ``window_days`` (None: any time)."""
    if day is None or day > as_of:
        return False
    return window_days is None or (as_of - day).days < window_days

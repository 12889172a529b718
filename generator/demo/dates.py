"""Calendar helpers: working days, months, years. No clock is ever read.

Working days skip weekends and the statutory holidays listed here (2025–2027,
without the make-up Saturdays); for other years only weekends are skipped.
"""

from __future__ import annotations

import datetime as dt
import random

DAY = dt.timedelta(days=1)


def _span(first: str, last: str) -> list[dt.date]:
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return [start + DAY * i for i in range((end - start).days + 1)]


HOLIDAYS: frozenset[dt.date] = frozenset(
    day
    for first, last in (
        ("2025-01-01", "2025-01-01"),
        ("2025-01-28", "2025-02-04"),
        ("2025-04-04", "2025-04-06"),
        ("2025-05-01", "2025-05-05"),
        ("2025-05-31", "2025-06-02"),
        ("2025-10-01", "2025-10-08"),
        ("2026-01-01", "2026-01-03"),
        ("2026-02-15", "2026-02-23"),
        ("2026-04-04", "2026-04-06"),
        ("2026-05-01", "2026-05-05"),
        ("2026-06-19", "2026-06-21"),
        ("2026-09-25", "2026-09-27"),
        ("2026-10-01", "2026-10-07"),
        ("2027-01-01", "2027-01-03"),
        ("2027-02-05", "2027-02-11"),
    )
    for day in _span(first, last)
)


def is_workday(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def next_workday(day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the next one."""
    while not is_workday(day):
        day += DAY
    return day


def previous_workday(day: dt.date) -> dt.date:
    while not is_workday(day):
        day -= DAY
    return day


def add_workdays(day: dt.date, count: int) -> dt.date:
    """The working day ``count`` working days after ``day``."""
    while count > 0:
        day += DAY
        if is_workday(day):
            count -= 1
    return day


def days(n: int) -> dt.timedelta:
    return DAY * n


def random_workday(rng: random.Random, first: dt.date, last: dt.date) -> dt.date | None:
    """A working day in [first, last], or None when there is none."""
    span = (last - first).days
    if span < 0:
        return None
    for _ in range(20):
        day = first + DAY * rng.randint(0, span)
        if is_workday(day):
            return day
    day = next_workday(first)
    return day if day <= last else None


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def cn_date(day: dt.date) -> str:
    """2025年3月14日"""
    return f"{day.year}年{day.month}月{day.day}日"

"""What is published on a given day: penalty publication windows.

Pure functions of record data and a date.  A penalty is public from
``publish.from`` to ``publish.until`` (the policy period, 1–3 years) and is
withdrawn at once when its decision is revoked; a penalty without a declared
window is not published (deny by default).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.dates import parse_date as parse_day


def penalty_published(penalty: dict[str, Any], as_of: dt.date) -> bool:
    """Inside its publication window and not revoked as of the date."""
    window = penalty.get("publish")
    if not isinstance(window, dict):
        return False
    start, until = parse_day(window.get("from")), parse_day(window.get("until"))
    if start is None or until is None or not start <= as_of <= until:
        return False
    revoked = penalty.get("revoked")
    if isinstance(revoked, dict):
        on = parse_day(revoked.get("date"))
        if on is None or on <= as_of:
            return False
    return True

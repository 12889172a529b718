"""Listing state from decision records only (never from candidates), on any date.

A listing decision (列入严重失信名单) carries its notice (告知: date, objection
deadline, the objection and its outcome), the listing date and the term.  On a
given date it is:

- 待定 (pending): notified, and the objection period still runs (as-of ≤
  ``objection_until``), or an objection is filed without an outcome yet, or the
  listing date has not come;
- 已撤销 (withdrawn): the objection succeeded (outcome 撤销) — never listed;
- 公示中 (listed): from ``listed_from`` to ``listed_until`` (default: the
  policy's ``term_years``), published;
- 已到期 (expired): the term has ended;
- 已移出 (removed): a 移出严重失信名单 decision targets it;
- 已修复 (repaired): a 信用修复 decision targets it, taken at least
  ``repair_after_months`` after listing (an earlier one has no effect and is a
  validation problem); a later 撤销信用修复 revokes the repair and restores the
  listing for the rest of its term.

Decisions and objection outcomes dated after the as-of date have not happened
yet, so the same records give the state on every past date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from generator.derive.blacklist.dates import add_months, parse_date, term_end
from generator.derive.blacklist.policy_rules import (
    DEFAULT_REPAIR_AFTER_MONTHS,
    DEFAULT_TERM_YEARS,
)

LIST = "列入严重失信名单"
REMOVE = "移出严重失信名单"
REPAIR = "信用修复"
REVOKE_REPAIR = "撤销信用修复"
FOLLOW_UPS = (REMOVE, REPAIR, REVOKE_REPAIR)

PENDING = "待定"
LISTED = "公示中"
EXPIRED = "已到期"
REPAIRED = "已修复"
REMOVED = "已移出"
WITHDRAWN = "已撤销"
STATUSES = (PENDING, LISTED, EXPIRED, REPAIRED, REMOVED, WITHDRAWN)

OBJECTION_UPHELD = "撤销"  # the objection succeeds: the listing is withdrawn
OBJECTION_DISMISSED = "维持"
OBJECTION_OPEN = "待处理"


@dataclass(frozen=True)
class Listing:
    decision: str
    enterprise: str
    rule: str
    status: str
    document_no: str
    department: str
    decided_on: dt.date | None
    notice_date: dt.date | None
    objection_until: dt.date | None
    objection: str  # "", 待处理, 维持 or 撤销 — as known on the as-of date
    listed_from: dt.date | None
    listed_until: dt.date | None  # last day of the term (given or from the policy)
    repair_from: dt.date | None  # first day a credit repair may be decided
    ended_on: dt.date | None  # first day no longer listed, once that day has come
    ended_by: str  # the decision that ended it (移出 / 信用修复), "" otherwise

    @property
    def public(self) -> bool:
        return self.status == LISTED


def _objection(notice: dict[str, Any], as_of: dt.date) -> str:
    """The objection as known on ``as_of``: "", 待处理, 维持 or 撤销."""
    objection = notice.get("objection")
    if not isinstance(objection, dict):
        return ""
    filed = parse_date(objection.get("filed_on"))
    decided = parse_date(objection.get("decided_on"))
    outcome = objection.get("outcome")
    if outcome in (OBJECTION_UPHELD, OBJECTION_DISMISSED) and (decided is None or decided <= as_of):
        return str(outcome)
    if filed is not None and filed > as_of:
        return ""
    return OBJECTION_OPEN


def _notice(data: dict[str, Any]) -> dict[str, Any]:
    notice = data.get("notice")
    return notice if isinstance(notice, dict) else {}


def _known_from(data: dict[str, Any]) -> dt.date | None:
    notice = _notice(data)
    dates = [d for d in (parse_date(notice.get("date")), parse_date(data.get("decided_on"))) if d]
    return min(dates) if dates else None


def _follow_ups(
    listing: dict[str, Any], decisions: Sequence[dict[str, Any]], as_of: dt.date
) -> list[tuple[dt.date, str, str]]:
    out = []
    for data in decisions:
        if data.get("type") not in FOLLOW_UPS or data.get("target") != listing.get("id"):
            continue
        if data.get("enterprise") != listing.get("enterprise"):
            continue
        when = parse_date(data.get("decided_on"))
        if when is not None and when <= as_of:
            out.append((when, str(data.get("id")), str(data.get("type"))))
    return sorted(out)


def _ending(
    follow_ups: list[tuple[dt.date, str, str]], repair_from: dt.date | None
) -> list[tuple[dt.date, str, str]]:
    """Replay removals, repairs and revocations: what ends the listing, and when."""
    repaired: tuple[dt.date, str] | None = None
    removed: tuple[dt.date, str] | None = None
    for when, decision, kind in follow_ups:
        if kind == REMOVE and removed is None:
            removed = (when, decision)
        elif kind == REPAIR and repaired is None and repair_from and when >= repair_from:
            repaired = (when, decision)
        elif kind == REVOKE_REPAIR and repaired is not None and when >= repaired[0]:
            repaired = None
    ends = []
    if repaired:
        ends.append((repaired[0], REPAIRED, repaired[1]))
    if removed:
        ends.append((removed[0], REMOVED, removed[1]))
    return ends


def _state(
    data: dict[str, Any],
    decisions: Sequence[dict[str, Any]],
    as_of: dt.date,
    term_years: int,
    repair_after_months: int,
) -> Listing:
    notice = _notice(data)
    objection_until = parse_date(notice.get("objection_until"))
    objection = _objection(notice, as_of) if notice else ""
    listed_from = parse_date(data.get("listed_from"))
    listed_until = parse_date(data.get("listed_until")) or (
        term_end(listed_from, term_years) if listed_from else None
    )
    repair_from = add_months(listed_from, repair_after_months) if listed_from else None
    status, ended_on, ended_by = PENDING, None, ""
    if objection == OBJECTION_UPHELD:
        status = WITHDRAWN
    elif (
        (objection_until is not None and as_of <= objection_until)
        or objection == OBJECTION_OPEN
        or listed_from is None
        or as_of < listed_from
    ):
        status = PENDING
    else:
        assert listed_until is not None
        ends = _ending(_follow_ups(data, decisions, as_of), repair_from)
        ends.append((listed_until + dt.timedelta(days=1), EXPIRED, ""))
        # on the same day a decision (a formal removal at term end) names the ending
        first = min(ends, key=lambda end: (end[0], end[1] == EXPIRED))
        if first[0] <= as_of:
            ended_on, status, ended_by = first
        else:
            status = LISTED
    return Listing(
        decision=str(data.get("id")),
        enterprise=str(data.get("enterprise")),
        rule=str(data.get("rule") or ""),
        status=status,
        document_no=str(data.get("document_no") or ""),
        department=str(data.get("department") or ""),
        decided_on=parse_date(data.get("decided_on")),
        notice_date=parse_date(notice.get("date")),
        objection_until=objection_until,
        objection=objection,
        listed_from=listed_from,
        listed_until=listed_until,
        repair_from=repair_from,
        ended_on=ended_on,
        ended_by=ended_by,
    )


def listing_state(
    decisions: Sequence[dict[str, Any]],
    as_of: dt.date,
    *,
    term_years: int = DEFAULT_TERM_YEARS,
    repair_after_months: int = DEFAULT_REPAIR_AFTER_MONTHS,
) -> list[Listing]:
    """Every listing decision known on ``as_of`` (notified or decided by then) and its state.

    ``decisions`` are decision records' data (any types; only listings and the
    removals, repairs and revocations that target them are read).  Sorted by
    enterprise, then listing date, then decision id.
    """
    out = []
    for data in decisions:
        if data.get("type") != LIST:
            continue
        known = _known_from(data)
        if known is None or known > as_of:
            continue
        out.append(_state(data, decisions, as_of, term_years, repair_after_months))
    far = dt.date.max
    return sorted(
        out, key=lambda x: (x.enterprise, x.listed_from or x.notice_date or far, x.decision)
    )

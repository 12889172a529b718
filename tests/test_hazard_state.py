"""A hazard's derived state on a date: overdue, due soon, listed, closed on time, recurring."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from generator.derive import lifecycle as lc
from generator.derive.hazards import derive_statuses, find_recurrences, hazard_status
from generator.policy import Policy

POLICY = Policy({"due_soon_days": 3, "recurrence_window_days": 180})
ENTERPRISE = "91330100745600123G"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def hazard(
    hazard_id: str = "HAZ-20260301-001",
    found_on: str = "2026-03-01",
    deadline: str = "2026-03-08",
    events: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": hazard_id,
        "enterprise": ENTERPRISE,
        "category": "消防安全",
        "class": "一般",
        "level": "三级",
        "found_on": found_on,
        "deadline": deadline,
        "events": events or [],
        **extra,
    }


def closed(on: str) -> list[dict[str, Any]]:
    return [
        {"date": on, "type": "开始整改"},
        {"date": on, "type": "整改完成"},
        {"date": on, "type": "复查通过", "by": "STAFF-0001"},
        {"date": on, "type": "销号", "by": "STAFF-0001"},
    ]


def test_an_open_hazard_is_overdue_the_day_after_its_deadline() -> None:
    h = hazard()
    assert not hazard_status(h, POLICY, day("2026-03-08")).overdue
    status = hazard_status(h, POLICY, day("2026-03-10"))
    assert status.overdue and status.days_overdue == 2 and status.days_left == -2


def test_a_closed_hazard_is_never_overdue() -> None:
    status = hazard_status(hazard(events=closed("2026-03-12")), POLICY, day("2026-04-01"))
    assert status.state == "已销号" and not status.overdue and not status.due_soon


def test_a_hazard_closed_after_the_as_of_date_is_still_open_then() -> None:
    status = hazard_status(hazard(events=closed("2026-03-12")), POLICY, day("2026-03-10"))
    assert status.state == "待整改" and status.overdue and status.closed_on is None


def test_due_soon_is_within_the_policys_days_of_the_deadline() -> None:
    h = hazard()
    assert not hazard_status(h, POLICY, day("2026-03-04")).due_soon  # 4 days left
    assert hazard_status(h, POLICY, day("2026-03-05")).due_soon  # 3 days left
    assert hazard_status(h, POLICY, day("2026-03-08")).due_soon  # due today
    assert not hazard_status(h, POLICY, day("2026-03-09")).due_soon  # overdue instead


def test_a_listed_major_hazard_is_listed_until_it_is_closed() -> None:
    listing = {"by": "DEPT-YJJ", "document_no": "青安委办〔2026〕3号", "date": "2026-03-02"}
    h = hazard(listing=listing, events=closed("2026-03-20"), deadline="2026-05-30")
    assert not hazard_status(h, POLICY, day("2026-03-01")).listed  # not yet listed
    assert hazard_status(h, POLICY, day("2026-03-10")).listed
    assert not hazard_status(h, POLICY, day("2026-03-20")).listed


def test_closure_on_or_before_the_deadline_is_on_time() -> None:
    assert hazard_status(hazard(events=closed("2026-03-08")), POLICY, day("2026-04-01")).on_time
    late = hazard_status(hazard(events=closed("2026-03-09")), POLICY, day("2026-04-01"))
    assert late.on_time is False
    assert hazard_status(hazard(), POLICY, day("2026-03-05")).on_time is None
    assert hazard_status(hazard(), POLICY, day("2026-03-09")).on_time is False


def test_a_reopened_hazard_is_open_again() -> None:
    events = [
        *closed("2026-03-05"),
        {"date": "2026-03-20", "type": "重新打开", "by": "STAFF-0001", "reason": "再次堵塞"},
    ]
    status = hazard_status(hazard(events=events), POLICY, day("2026-03-21"))
    assert status.state == "整改中" and status.overdue and status.closed_on is None


def test_hazards_found_after_the_as_of_date_do_not_exist_yet() -> None:
    statuses = derive_statuses(
        [hazard(), hazard("HAZ-20260401-001", "2026-04-01")], POLICY, day("2026-03-15")
    )
    assert list(statuses) == ["HAZ-20260301-001"]


def test_the_same_kind_of_hazard_found_again_after_closure_is_a_recurrence() -> None:
    first = hazard(events=closed("2026-03-06"))
    again = hazard("HAZ-20260601-001", "2026-06-01", "2026-06-08")
    found = find_recurrences([first, again], POLICY, day("2026-06-02"))
    assert [(r.hazard, r.earlier, r.days_after) for r in found] == [
        ("HAZ-20260601-001", "HAZ-20260301-001", 87)
    ]


def test_a_recurrence_needs_the_same_category_and_enterprise() -> None:
    first = hazard(events=closed("2026-03-06"))
    other_kind = hazard("HAZ-20260601-001", "2026-06-01", "2026-06-08", category="电气安全")
    other_place = hazard("HAZ-20260601-002", "2026-06-01", "2026-06-08", enterprise="X")
    assert find_recurrences([first, other_kind, other_place], POLICY, day("2026-06-02")) == []


def test_a_hazard_found_after_the_window_is_not_a_recurrence() -> None:
    first = hazard(events=closed("2026-03-06"))
    late = hazard("HAZ-20261001-001", "2026-10-01", "2026-10-08")  # 209 days later
    assert find_recurrences([first, late], POLICY, day("2026-10-02")) == []


def test_a_hazard_found_while_the_earlier_one_was_open_is_not_a_recurrence() -> None:
    first = hazard(events=closed("2026-03-20"))
    meanwhile = hazard("HAZ-20260310-001", "2026-03-10", "2026-03-17")
    assert find_recurrences([first, meanwhile], POLICY, day("2026-04-01")) == []


def test_a_recurrence_is_not_known_before_the_later_hazard_is_found() -> None:
    first = hazard(events=closed("2026-03-06"))
    again = hazard("HAZ-20260601-001", "2026-06-01", "2026-06-08")
    assert find_recurrences([first, again], POLICY, day("2026-05-31")) == []


def test_settling_the_events_ends_where_replaying_them_step_by_step_does() -> None:
    # every sequence of up to four events of the loop's types (and one it does not know)
    kinds = [*lc.TRANSITIONS, "未知"]
    loop = (lc.RECTIFIED, lc.RECHECK_PASSED, lc.CLOSE)
    closed_twice = (*loop, lc.REOPEN, *loop)  # the second closure is the one that stands
    sequences = (s for n in range(5) for s in itertools.product(kinds, repeat=n))
    for sequence in itertools.chain([closed_twice, closed_twice[:-1]], sequences):
        events = [{"type": kind} for kind in sequence]
        state, steps = lc.replay(events)
        closures = [s.index for s in steps if s.event_type == lc.CLOSE and s.after == lc.CLOSED]
        standing = closures[-1] if state == lc.CLOSED else None
        assert lc.settle(events) == (state, standing), sequence

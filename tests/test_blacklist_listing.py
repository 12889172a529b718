"""A listing's life from decision records only: notice, objection, term, repair, revocation, removal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.derive.blacklist import listing_state
from tests.blacklist_factory import LISTING, follow_up, listing

D = dt.date.fromisoformat


def status_on(day: str, *decisions: dict[str, Any]) -> str | None:
    states = listing_state(list(decisions), D(day))
    return states[0].status if states else None


def test_nothing_is_known_before_the_enterprise_is_notified() -> None:
    assert status_on("2025-02-28", listing()) is None


def test_pending_while_the_objection_period_runs_then_listed() -> None:
    decision = listing()  # notified 2025-03-01, objection until 2025-03-15, listed from 03-21
    assert status_on("2025-03-01", decision) == "待定"
    assert status_on("2025-03-15", decision) == "待定"
    assert status_on("2025-03-20", decision) == "待定"  # decided, not yet in force
    assert status_on("2025-03-21", decision) == "公示中"


def test_an_objection_without_an_outcome_keeps_the_listing_pending() -> None:
    decision = listing()
    decision["notice"]["objection"] = {"filed_on": "2025-03-10"}
    assert status_on("2025-06-01", decision) == "待定"
    state = listing_state([decision], D("2025-06-01"))[0]
    assert state.objection == "待处理"


def test_a_dismissed_objection_lists_the_enterprise_once_decided() -> None:
    decision = listing(decided_on="2025-03-20", listed_from="2025-03-21")
    decision["notice"]["objection"] = {
        "filed_on": "2025-03-10",
        "outcome": "维持",
        "decided_on": "2025-03-18",
    }
    assert status_on("2025-03-17", decision) == "待定"
    assert status_on("2025-03-21", decision) == "公示中"


def test_an_upheld_objection_means_never_listed() -> None:
    decision = listing()
    decision["notice"]["objection"] = {
        "filed_on": "2025-03-10",
        "outcome": "撤销",
        "decided_on": "2025-03-18",
    }
    assert status_on("2025-03-17", decision) == "待定"
    assert status_on("2025-03-18", decision) == "已撤销"
    assert status_on("2026-01-01", decision) == "已撤销"


def test_the_default_term_is_three_years_then_the_listing_expires() -> None:
    decision = listing()
    state = listing_state([decision], D("2026-01-01"))[0]
    assert state.listed_until == D("2028-03-20")
    assert status_on("2028-03-20", decision) == "公示中"
    expired = listing_state([decision], D("2028-03-21"))[0]
    assert (expired.status, expired.ended_on) == ("已到期", D("2028-03-21"))


def test_a_shorter_term_written_on_the_decision_is_honoured() -> None:
    decision = listing(listed_until="2026-03-20")
    assert status_on("2026-03-20", decision) == "公示中"
    assert status_on("2026-03-21", decision) == "已到期"


def test_a_term_from_the_policy_replaces_the_default() -> None:
    states = listing_state([listing()], D("2026-03-21"), term_years=1)
    assert states[0].status == "已到期"


def test_credit_repair_after_twelve_months_ends_the_listing() -> None:
    repair = follow_up("DEC-20260401-002", "信用修复", "2026-04-01")
    assert status_on("2026-03-31", listing(), repair) == "公示中"
    state = listing_state([listing(), repair], D("2026-04-01"))[0]
    assert (state.status, state.ended_on, state.ended_by) == (
        "已修复",
        D("2026-04-01"),
        "DEC-20260401-002",
    )
    assert state.repair_from == D("2026-03-21")


def test_credit_repair_before_twelve_months_has_no_effect() -> None:
    early = follow_up("DEC-20260101-002", "信用修复", "2026-01-01")
    assert status_on("2026-06-01", listing(), early) == "公示中"


def test_revoking_a_fraudulent_repair_restores_the_listing_for_the_rest_of_its_term() -> None:
    repair = follow_up("DEC-20260401-002", "信用修复", "2026-04-01")
    revoke = follow_up("DEC-20260801-003", "撤销信用修复", "2026-08-01")
    assert status_on("2026-07-31", listing(), repair, revoke) == "已修复"
    assert status_on("2026-08-01", listing(), repair, revoke) == "公示中"
    assert status_on("2028-03-21", listing(), repair, revoke) == "已到期"


def test_a_removal_decision_ends_the_listing() -> None:
    removal = follow_up("DEC-20270101-002", "移出严重失信名单", "2027-01-01")
    assert status_on("2026-12-31", listing(), removal) == "公示中"
    assert status_on("2027-01-01", listing(), removal) == "已移出"


def test_a_decision_about_another_enterprise_does_not_end_the_listing() -> None:
    stray = follow_up("DEC-20270101-002", "移出严重失信名单", "2027-01-01")
    stray["enterprise"] = "91330100745600131B"
    assert status_on("2027-06-01", listing(), stray) == "公示中"


def test_the_state_on_a_past_date_ignores_later_decisions() -> None:
    repair = follow_up("DEC-20260401-002", "信用修复", "2026-04-01")
    decisions = [listing(), repair]
    assert [s.status for s in listing_state(decisions, D("2025-12-31"))] == ["公示中"]
    assert [s.status for s in listing_state(decisions, D("2026-12-31"))] == ["已修复"]


def test_listings_are_sorted_and_only_listing_decisions_are_rows() -> None:
    other = listing("DEC-20250320-002", enterprise="91330100745600131B")
    repair = follow_up("DEC-20260401-003", "信用修复", "2026-04-01")
    states = listing_state([other, repair, listing()], D("2025-06-01"))
    assert [s.decision for s in states] == [LISTING, "DEC-20250320-002"]


def test_a_removal_at_the_end_of_the_term_is_recorded_as_the_removal() -> None:
    removal = follow_up("DEC-20280321-002", "移出严重失信名单", "2028-03-21")
    state = listing_state([listing(), removal], D("2028-03-21"))[0]
    assert (state.status, state.ended_by) == ("已移出", "DEC-20280321-002")


def test_a_pending_listing_without_dates_stays_pending() -> None:
    assert status_on("2025-04-01", listing(listed_from=None)) == "待定"

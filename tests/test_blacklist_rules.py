"""Validation of listing decisions and of the policy's blacklist rules: due process before listing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.problems import CODES
from tests.blacklist_factory import LISTING, Records, add, follow_up, listing, load, problem_codes
from tests.conftest import problems_in
from tests.factory import OTHER_ENTERPRISE, base_records

DECISION = f"records/decision/{LISTING}.yaml"


def with_listing(**changes: object) -> Records:
    records = base_records()
    add(records, "decision", listing(**changes))  # type: ignore[arg-type]
    return records


def with_follow_up(*decisions: dict[str, object]) -> Records:
    records = with_listing()
    for decision in decisions:
        add(records, "decision", decision)
    return records


def drop(records: Records, key: str) -> Records:
    records[DECISION].pop(key)
    return records


def listing_of_other_enterprise(records: Records) -> Records:
    other = listing("DEC-20250320-009", enterprise=OTHER_ENTERPRISE)
    add(records, "decision", other)
    add(
        records,
        "decision",
        follow_up("DEC-20260401-002", "信用修复", "2026-04-01", target="DEC-20250320-009"),
    )
    return records


CASES: dict[str, tuple[Callable[[], Records], str]] = {
    "a listing with no notice to the enterprise": (
        lambda: drop(with_listing(), "notice"),
        "listing-without-notice",
    ),
    "a listing with no listing date after the objection period": (
        lambda: with_listing(listed_from=None),
        "listing-without-term",
    ),
    "a listing on the last day of the objection period": (
        lambda: with_listing(listed_from="2025-03-15", decided_on="2025-03-15"),
        "listing-before-objection-end",
    ),
    "a listing in force before its own decision": (
        lambda: with_listing(listed_from="2025-03-16", decided_on="2025-03-20"),
        "listing-before-objection-end",
    ),
    "a term longer than three years": (
        lambda: with_listing(listed_until="2028-03-22"),
        "listing-term-too-long",
    ),
    "a listing without its facts": (
        lambda: drop(with_listing(), "facts"),
        "listing-incomplete",
    ),
    "a listing under a rule the policy does not have": (
        lambda: with_listing(rule="fake-rule"),
        "unknown-listing-rule",
    ),
    "a credit repair after only nine months": (
        lambda: with_follow_up(follow_up("DEC-20251221-002", "信用修复", "2025-12-21")),
        "repair-too-early",
    ),
    "a credit repair naming no listing": (
        lambda: with_follow_up(
            follow_up("DEC-20260401-002", "信用修复", "2026-04-01", target=None)
        ),
        "bad-decision-target",
    ),
    "a repair of another enterprise's listing": (
        lambda: listing_of_other_enterprise(base_records()),
        "bad-decision-target",
    ),
    "a revocation targeting a repair instead of the listing": (
        lambda: with_follow_up(
            follow_up("DEC-20260401-002", "信用修复", "2026-04-01"),
            follow_up("DEC-20260801-003", "撤销信用修复", "2026-08-01", target="DEC-20260401-002"),
        ),
        "bad-decision-target",
    ),
    "a revocation with no repair to revoke": (
        lambda: with_follow_up(follow_up("DEC-20260801-003", "撤销信用修复", "2026-08-01")),
        "revocation-without-repair",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_decision_rule_refuses(tmp_path: Path, name: str) -> None:
    make, code = CASES[name]
    loaded = load(tmp_path, make())
    assert code in problem_codes(loaded), [(p.code, p.message_zh) for p in loaded.report.problems]
    hit = next(p for p in loaded.report.problems if p.code == code)
    assert hit.line is not None and hit.message_zh
    assert CODES[code].title_zh and CODES[code].fix_zh


def test_a_listing_with_due_process_repair_and_revocation_is_valid(tmp_path: Path) -> None:
    records = with_follow_up(
        follow_up("DEC-20260401-002", "信用修复", "2026-04-01"),
        follow_up("DEC-20260801-003", "撤销信用修复", "2026-08-01"),
        follow_up("DEC-20261101-004", "移出严重失信名单", "2026-11-01"),
    )
    records[DECISION]["notice"]["objection"] = {
        "filed_on": "2025-03-10",
        "outcome": "维持",
        "decided_on": "2025-03-18",
    }
    assert problem_codes(load(tmp_path, records)) == []


def test_an_objection_awaiting_its_outcome_only_warns(tmp_path: Path) -> None:
    records = with_listing()
    records[DECISION]["notice"]["objection"] = {"filed_on": "2025-03-10"}
    loaded = load(tmp_path, records)
    assert [(p.code, p.severity) for p in loaded.report.problems] == [
        ("listing-before-objection-end", "warning")
    ]


def set_policy(root: Path, old: str, new: str) -> None:
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    assert old in text
    policy.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unknown_rule_id_in_the_policy_is_a_problem_with_a_suggestion(tmp_path: Path) -> None:
    loaded = load(tmp_path, base_records())
    set_policy(loaded.root, "- id: obstruction", "- id: obstructoin")
    problems = [p for p in problems_in(loaded.root) if p.code == "unknown-blacklist-rule"]
    assert len(problems) == 1
    assert problems[0].path == "policy.yaml" and problems[0].line is not None
    assert "obstruction" in problems[0].hint_zh


def test_an_unknown_criterion_in_the_policy_is_a_problem(tmp_path: Path) -> None:
    loaded = load(tmp_path, base_records())
    set_policy(loaded.root, "      criterion: manual", "      criterion: manaul")
    assert "unknown-blacklist-rule" in {p.code for p in problems_in(loaded.root)}


def test_a_rule_id_used_twice_in_the_policy_is_a_problem(tmp_path: Path) -> None:
    loaded = load(tmp_path, base_records())
    set_policy(loaded.root, "- id: obstruction", "- id: false-documents")
    assert "duplicate-blacklist-rule" in {p.code for p in problems_in(loaded.root)}


def test_the_shipped_policy_has_no_blacklist_problem(tmp_path: Path) -> None:
    assert problem_codes(load(tmp_path, base_records())) == []


def test_a_pending_listing_may_leave_its_dates_out_while_the_objection_period_runs(
    tmp_path: Path,
) -> None:
    records = with_listing(
        notice_date="2026-11-20",
        objection_until="2026-11-27",
        decided_on="2026-11-20",
        listed_from=None,
    )
    assert problem_codes(load(tmp_path, records)) == []


def test_a_term_ending_on_the_anniversary_is_tolerated(tmp_path: Path) -> None:
    assert problem_codes(load(tmp_path, with_listing(listed_until="2028-03-21"))) == []

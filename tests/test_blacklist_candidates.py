"""Each blacklist rule of the policy: what triggers it, what does not, and a county's own rules."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.derive.blacklist import derive_candidates
from generator.derive.blacklist.candidates import Candidate
from generator.policy import Policy
from generator.validate import Loaded
from tests.blacklist_factory import (
    BASE_HAZARD,
    Records,
    add,
    hazard,
    inspection,
    listing,
    load,
    make_major,
    penalty,
    policy_with,
)
from tests.conftest import AS_OF
from tests.factory import ENTERPRISE, base_records, evidence_refs


def candidates(
    loaded: Loaded, as_of: dt.date = AS_OF, policy: Policy | None = None
) -> list[Candidate]:
    assert not loaded.report.errors, [(p.code, p.message_zh) for p in loaded.report.errors]
    return derive_candidates(loaded.valid, policy or loaded.policy, as_of)


def rules_met(loaded: Loaded, as_of: dt.date = AS_OF, policy: Policy | None = None) -> set[str]:
    return {c.rule for c in candidates(loaded, as_of, policy)}


def a_major_hazard_left_unrectified() -> Records:
    records = base_records()
    h = records[BASE_HAZARD]
    make_major(h)
    h["events"] = [{"date": "2025-10-11", "type": "开始整改"}]
    return records


def test_the_clean_base_county_has_no_candidates(tmp_path: Path) -> None:
    assert candidates(load(tmp_path, base_records())) == []


def test_a_major_hazard_unrectified_past_its_deadline_is_a_candidate(tmp_path: Path) -> None:
    found = candidates(load(tmp_path, a_major_hazard_left_unrectified()))
    assert [(c.enterprise, c.rule, c.records) for c in found] == [
        (ENTERPRISE, "major-hazard-overdue", ("HAZ-20251010-001",))
    ]
    assert found[0].rule_title == "重大事故隐患逾期未整改"
    assert "2025-10-25" in found[0].facts[0]


def test_a_major_hazard_is_not_overdue_before_its_deadline(tmp_path: Path) -> None:
    loaded = load(tmp_path, a_major_hazard_left_unrectified())
    assert rules_met(loaded, dt.date(2025, 10, 25)) == set()


def test_a_major_hazard_rectified_in_time_is_no_candidate(tmp_path: Path) -> None:
    records = base_records()
    make_major(records[BASE_HAZARD])
    records[BASE_HAZARD]["events"].insert(
        3, {"date": "2025-10-16", "type": "验收", "body": "县安全评价中心"}
    )
    assert rules_met(load(tmp_path, records)) == set()


def test_grace_days_postpone_an_overdue_major_hazard(tmp_path: Path) -> None:
    loaded = load(tmp_path, a_major_hazard_left_unrectified())
    lenient = policy_with(loaded.policy, "major-hazard-overdue", grace_days=30)
    assert rules_met(loaded, dt.date(2025, 11, 24), lenient) == set()
    assert rules_met(loaded, dt.date(2025, 11, 25), lenient) == {"major-hazard-overdue"}


def test_a_general_hazard_overdue_is_not_a_major_hazard_candidate(tmp_path: Path) -> None:
    records = base_records()
    records[BASE_HAZARD]["events"] = [{"date": "2025-10-11", "type": "开始整改"}]
    assert rules_met(load(tmp_path, records)) == set()


def failed_rechecks(count: int) -> Records:
    records = base_records()
    h = records[BASE_HAZARD]
    make_major(h)
    events: list[dict[str, object]] = [{"date": "2025-10-11", "type": "开始整改"}]
    for i in range(count):
        day = f"2025-10-{12 + 2 * i}"
        events.append({"date": day, "type": "整改完成", "evidence": evidence_refs()})
        events.append({"date": day, "type": "复查不通过", "reason": "通道仍被占用"})
    events.append({"date": "2025-10-24", "type": "整改完成", "evidence": evidence_refs()})
    h["events"] = events
    return records


def test_a_major_hazard_failing_its_recheck_twice_counts_as_refusal_to_rectify(
    tmp_path: Path,
) -> None:
    found = candidates(load(tmp_path, failed_rechecks(2)))
    assert [(c.rule, c.records) for c in found] == [
        ("refused-rectification", ("HAZ-20251010-001",))
    ]
    assert "复查不通过 2 次" in found[0].facts[0]


def test_one_failed_recheck_is_not_yet_refusal(tmp_path: Path) -> None:
    assert rules_met(load(tmp_path, failed_rechecks(1))) == set()


FINDINGS = {
    "提供虚假材料": "false-documents",
    "拒绝阻挠检查": "obstruction",
    "拒不执行停产指令": "stop-order-refused",
}


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_a_finding_recorded_on_an_inspection_proposes_the_enterprise(
    tmp_path: Path, finding: str
) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20260310-001", "2026-03-10", [finding]), "2026")
    found = candidates(load(tmp_path, records))
    assert [(c.enterprise, c.rule, c.records) for c in found] == [
        (ENTERPRISE, FINDINGS[finding], ("INS-20260310-001",))
    ]


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_a_finding_recorded_after_the_as_of_date_is_not_yet_known(
    tmp_path: Path, finding: str
) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20260310-001", "2026-03-10", [finding]), "2026")
    assert rules_met(load(tmp_path, records), dt.date(2026, 3, 9)) == set()


def test_an_inspection_without_findings_proposes_nobody(tmp_path: Path) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20260310-001", "2026-03-10", []), "2026")
    assert rules_met(load(tmp_path, records)) == set()


def test_a_disabled_rule_proposes_nobody(tmp_path: Path) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20260310-001", "2026-03-10", ["提供虚假材料"]))
    loaded = load(tmp_path, records)
    disabled = policy_with(loaded.policy, "false-documents", enabled=False)
    assert rules_met(loaded, policy=disabled) == set()


def test_a_county_adds_its_own_rule_on_an_existing_criterion(tmp_path: Path) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20260310-001", "2026-03-10", ["提供虚假材料"]))
    loaded = load(tmp_path, records)
    raw = dict(loaded.policy.raw)
    raw["blacklist"] = dict(raw["blacklist"])
    raw["blacklist"]["rules"] = [
        {
            "id": "repeated-false-documents",
            "criterion": "false-documents",
            "title": "多次提供虚假材料",
            "basis": "本县规定",
            "enabled": True,
            "window_days": 365,
            "min_count": 1,
        }
    ]
    found = candidates(loaded, policy=Policy(raw))
    assert [(c.rule, c.rule_title) for c in found] == [
        ("repeated-false-documents", "多次提供虚假材料")
    ]


def recurring(records: Records, *found_and_closed: tuple[str, str | None, str]) -> Records:
    for i, (found, closed, category) in enumerate(found_and_closed, start=1):
        day = found.replace("-", "")
        add(
            records,
            "hazard",
            hazard(f"HAZ-{day}-00{i}", found, closed=closed, category=category),
            found[:4],
        )
    return records


def test_the_same_hazard_recurring_twice_within_the_window_is_a_candidate(
    tmp_path: Path,
) -> None:
    # the base hazard (消防安全) was closed on 2025-10-16
    records = recurring(
        base_records(),
        ("2026-01-10", "2026-01-15", "消防安全"),
        ("2026-06-01", None, "消防安全"),
    )
    found = candidates(load(tmp_path, records))
    assert [(c.rule, c.records) for c in found] == [
        ("recurrence", ("HAZ-20251010-001", "HAZ-20260110-001", "HAZ-20260601-002"))
    ]
    assert "再次出现" in found[0].facts[0]


def test_a_single_recurrence_is_not_yet_a_candidate(tmp_path: Path) -> None:
    records = recurring(base_records(), ("2026-01-10", None, "消防安全"))
    assert rules_met(load(tmp_path, records)) == set()


def test_hazards_of_different_categories_are_no_recurrence(tmp_path: Path) -> None:
    records = recurring(
        base_records(),
        ("2026-01-10", "2026-01-15", "电气安全"),
        ("2026-06-01", None, "有限空间"),
    )
    assert rules_met(load(tmp_path, records)) == set()


def test_a_hazard_found_again_long_after_closure_is_no_recurrence(tmp_path: Path) -> None:
    # 180 days is the policy's recurrence window; 2026-05-01 is 197 days after 2025-10-16
    records = recurring(
        base_records(),
        ("2026-05-01", "2026-05-05", "消防安全"),
        ("2026-11-20", None, "消防安全"),
    )
    assert rules_met(load(tmp_path, records)) == set()


def test_two_larger_accidents_within_a_year_are_a_candidate(tmp_path: Path) -> None:
    records = base_records()
    add(records, "penalty", penalty("PEN-20260105-001", "2026-01-05", fine=1_500_000), "2026")
    add(records, "penalty", penalty("PEN-20260905-001", "2026-09-05", fine=1_200_000), "2026")
    found = candidates(load(tmp_path, records))
    assert [(c.rule, c.records) for c in found] == [
        ("accident-responsibility", ("PEN-20260105-001", "PEN-20260905-001"))
    ]


def test_one_larger_accident_is_not_yet_a_candidate(tmp_path: Path) -> None:
    records = base_records()
    add(records, "penalty", penalty("PEN-20260105-001", "2026-01-05", fine=1_500_000), "2026")
    assert rules_met(load(tmp_path, records)) == set()


def test_a_serious_accident_alone_is_a_candidate(tmp_path: Path) -> None:
    records = base_records()
    add(records, "penalty", penalty("PEN-20260105-001", "2026-01-05", fine=3_000_000), "2026")
    assert rules_met(load(tmp_path, records)) == {"serious-accident"}


def test_a_revoked_accident_penalty_counts_for_nothing(tmp_path: Path) -> None:
    records = base_records()
    revoked = {"date": "2026-03-01", "reason": "经行政复议决定撤销"}
    add(
        records,
        "penalty",
        penalty("PEN-20260105-001", "2026-01-05", fine=3_000_000, revoked=revoked),
        "2026",
    )
    assert rules_met(load(tmp_path, records)) == set()


def test_a_penalty_for_another_violation_is_no_accident(tmp_path: Path) -> None:
    records = base_records()
    add(
        records,
        "penalty",
        penalty(
            "PEN-20260105-001",
            "2026-01-05",
            fine=3_000_000,
            basis="《中华人民共和国安全生产法》第九十七条",
        ),
        "2026",
    )
    assert rules_met(load(tmp_path, records)) == set()


def test_a_candidate_shows_an_existing_listing_under_the_same_rule(tmp_path: Path) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20250210-001", "2025-02-10", ["提供虚假材料"]))
    add(records, "decision", listing())
    found = candidates(load(tmp_path, records))
    assert [(c.rule, c.existing) for c in found] == [("false-documents", "DEC-20250320-001 公示中")]


def test_a_rule_limited_to_level_one_hazards_ignores_a_level_two_hazard(tmp_path: Path) -> None:
    loaded = load(tmp_path, a_major_hazard_left_unrectified())
    level_one = policy_with(loaded.policy, "major-hazard-overdue", hazard_levels=["一级"])
    assert rules_met(loaded, policy=level_one) == set()


def test_a_finding_older_than_the_rule_window_is_no_longer_counted(tmp_path: Path) -> None:
    records = base_records()
    add(records, "inspection", inspection("INS-20250310-001", "2025-03-10", ["拒绝阻挠检查"]))
    loaded = load(tmp_path, records)
    recent_only = policy_with(loaded.policy, "obstruction", window_days=365)
    assert rules_met(loaded, dt.date(2026, 3, 9), recent_only) == {"obstruction"}
    assert rules_met(loaded, dt.date(2026, 3, 10), recent_only) == set()

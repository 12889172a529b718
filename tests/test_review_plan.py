"""Which tiers a pull request needs: from what it changes, from policy, from the draws."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.review.plan import classify, triggers_of
from generator.review.tiers import DEFAULT_TIERS
from tests.factory import evidence_refs
from tests.review_factory import (
    DECISION_NEW,
    ENTERPRISE,
    INSPECTION_NEW,
    OTHER_ENTERPRISE,
    PENALTY_NEW,
    Repo,
    anjian,
    init_review_county,
    inspection,
    listing,
    open_pull_request,
    penalty,
    review_county,
)

MAJOR = "records/hazard/2026/HAZ-20261101-001.yaml"


def major_hazard(*, closed: bool) -> dict[str, Any]:
    events: list[dict[str, Any]] = [
        {"date": "2026-11-02", "type": "开始整改"},
        {"date": "2026-11-10", "type": "整改完成", "evidence": evidence_refs()},
        {"date": "2026-11-12", "type": "复查通过", "by": "STAFF-0001"},
        {"date": "2026-11-13", "type": "验收", "body": "青川县安全生产专家组"},
    ]
    if closed:
        events.append({"date": "2026-11-20", "type": "销号", "by": "STAFF-0001"})
    return {
        "id": "HAZ-20261101-001",
        "enterprise": OTHER_ENTERPRISE,
        "source": "监督检查",
        "found_on": "2026-11-01",
        "class": "重大",
        "level": "二级",
        "category": "粉尘防爆",
        "description": "除尘系统未设置泄爆装置。",
        "location": "打磨车间",
        "department": "DEPT-YJJ",
        "deadline": "2026-11-15",
        "five_fixed": {
            "responsible_person": "陈建国",
            "measures": "加装泄爆片并检测。",
            "funds": 30000,
            "deadline": "2026-11-15",
            "emergency_plan": "停用打磨工位。",
        },
        "events": events,
    }


def plan_json(repo: Repo, as_of: str = "2026-11-20") -> dict[str, Any]:
    result = anjian(repo, "review", "plan", "--format", "json", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def tiers_by_record(plan: dict[str, Any]) -> dict[str, list[int]]:
    return {r["id"]: r["tiers"] for r in plan["records"]}


def triggers(plan: dict[str, Any], record_id: str) -> list[str]:
    record = next(r for r in plan["records"] if r["id"] == record_id)
    return [reason["trigger"] for reason in record["reasons"]]


@pytest.fixture
def county(tmp_path: Path) -> Repo:
    records = review_county()
    records[MAJOR] = major_hazard(closed=False)
    return init_review_county(tmp_path / "repo", records)


def test_every_new_inspection_needs_tier_1(county: Repo) -> None:
    open_pull_request(county, {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")})
    plan = plan_json(county)
    assert tiers_by_record(plan) == {"INS-20261120-001": [1]}
    assert [t["tier"] for t in plan["tiers"]] == [1]


def test_a_penalty_needs_tier_2(county: Repo) -> None:
    open_pull_request(county, {PENALTY_NEW: penalty()})
    assert tiers_by_record(plan_json(county)) == {"PEN-20261120-001": [2]}


def test_a_blacklist_listing_needs_tier_2(county: Repo) -> None:
    open_pull_request(county, {DECISION_NEW: listing()})
    plan = plan_json(county)
    assert tiers_by_record(plan) == {"DEC-20261120-001": [2]}
    assert triggers(plan, "DEC-20261120-001") == ["blacklist-decision"]


def test_closing_a_major_hazard_needs_tier_2(county: Repo) -> None:
    open_pull_request(county, {MAJOR: major_hazard(closed=True)})
    plan = plan_json(county)
    assert tiers_by_record(plan) == {"HAZ-20261101-001": [1, 2]}
    assert triggers(plan, "HAZ-20261101-001") == ["hazard", "major-hazard", "major-hazard-closure"]


def test_an_enterprise_change_needs_no_tier(county: Repo) -> None:
    enterprise = county.read(f"records/enterprise/{ENTERPRISE}.yaml")
    enterprise["employees"] = 120
    open_pull_request(county, {f"records/enterprise/{ENTERPRISE}.yaml": enterprise})
    plan = plan_json(county)
    assert plan["tiers"] == []
    assert tiers_by_record(plan) == {ENTERPRISE: []}
    check = anjian(county, "review", "check")
    assert check.exit_code == 0, check.output


def test_the_policy_of_the_pull_request_does_not_lower_its_own_review(county: Repo) -> None:
    policy = (county.root / "policy.yaml").read_text(encoding="utf-8")
    county.branch("submit")
    (county.root / "policy.yaml").write_text(
        policy.replace("    penalty: [2]\n", ""), encoding="utf-8"
    )
    county.write(PENALTY_NEW, penalty())
    county.commit("处罚不再复核")
    assert tiers_by_record(plan_json(county))["PEN-20261120-001"] == [2]


def test_records_of_an_enterprise_drawn_for_the_look_back_need_tier_2(tmp_path: Path) -> None:
    records = review_county()
    records["records/inspection/2026/INS-20260915-001.yaml"] = inspection(
        "INS-20260915-001", "2026-09-15", ENTERPRISE
    )
    repo = init_review_county(tmp_path / "repo", records)  # merged 2026-11-01, after 2026Q3
    open_pull_request(
        repo,
        {
            INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20", ENTERPRISE),
            "records/inspection/2026/INS-20261120-002.yaml": inspection(
                "INS-20261120-002", "2026-11-20", OTHER_ENTERPRISE
            ),
        },
    )
    plan = plan_json(repo)
    assert tiers_by_record(plan) == {"INS-20261120-001": [1, 2], "INS-20261120-002": [1]}
    reason = next(r for r in plan["records"][0]["reasons"] if r["trigger"] == "look-back")
    assert reason["note"] == f"2026Q3 回头看抽中 {ENTERPRISE}"


def test_an_inspection_drawn_in_its_days_spot_check_is_marked(tmp_path: Path) -> None:
    records = review_county()
    day = [f"INS-20261105-{n:03d}" for n in range(1, 6)]
    for record_id in day:
        records[f"records/inspection/2026/{record_id}.yaml"] = inspection(record_id, "2026-11-05")
    repo = init_review_county(tmp_path / "repo", records)  # merged 2026-11-01, before the day
    repo.write(
        "records/inspection/2026/INS-20261106-001.yaml",
        inspection("INS-20261106-001", "2026-11-06"),
    )
    repo.commit("11 月 6 日检查", date="2026-11-06")  # the seed of 2026-11-05
    drawn = json.loads(
        anjian(repo, "review", "sample", "--date", "2026-11-05", "--format", "json").output
    )["drawn"][0]["id"]
    changed = inspection(drawn, "2026-11-05")
    changed["summary"] = "补充检查情况。"
    late = inspection("INS-20261105-006", "2026-11-05")
    open_pull_request(
        repo,
        {
            f"records/inspection/2026/{drawn}.yaml": changed,
            "records/inspection/2026/INS-20261105-006.yaml": late,
        },
    )
    plan = plan_json(repo)
    assert triggers(plan, drawn) == ["inspection", "spot-check"]
    assert triggers(plan, "INS-20261105-006") == ["inspection"]
    assert any("INS-20261105-006 未参加抽签" in note for note in plan["notes"])


def test_an_undrawn_day_is_noted_as_pending(county: Repo) -> None:
    open_pull_request(county, {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")})
    notes = plan_json(county)["notes"]
    assert any(note.startswith("2026-11-20 的一级复核文书抽查尚未抽签") for note in notes)


def test_the_plan_is_a_chinese_markdown_checklist(county: Repo) -> None:
    open_pull_request(
        county,
        {
            INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20"),
            PENALTY_NEW: penalty(),
            MAJOR: major_hazard(closed=True),
        },
    )
    result = anjian(county, "review", "plan", "--as-of", "2026-11-20")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("<!-- anjian-review-plan -->\n## 三级复核计划")
    assert "需要：**一级复核**（2 条）、**二级复核**（2 条）。" in text
    assert "- [ ] `PEN-20261120-001` 行政处罚 · 新增" in text
    assert "重大事故隐患销号" in text
    assert "`anjian review approve --tier 2 --base main`" in text


def test_approved_tiers_are_ticked_in_the_plan(county: Repo) -> None:
    from tests.review_factory import TIER1

    open_pull_request(county, {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")})
    assert anjian(county, "review", "approve", "--tier", "1", email=TIER1).exit_code == 0
    text = anjian(county, "review", "plan", "--as-of", "2026-11-20").output
    assert "- [x] `INS-20261120-001`" in text
    assert "✓ STAFF-0005 已批准" in text
    assert "复核已完成" in text


def test_triggers_come_from_old_and_new_content() -> None:
    major = major_hazard(closed=False)
    general = {**major, "class": "一般", "level": "三级"}
    assert triggers_of("hazard", None, general) == ["hazard"]
    assert triggers_of("hazard", major, major_hazard(closed=True)) == [
        "hazard",
        "major-hazard",
        "major-hazard-closure",
    ]
    # downgrading a major hazard is still a change to a major hazard
    assert triggers_of("hazard", major, general) == ["hazard", "major-hazard"]
    assert triggers_of("decision", None, {**listing(), "type": "挂牌督办"}) == ["listing-decision"]
    assert triggers_of("complaint", None, {"id": "CMP-20261120-001"}) == []


def test_without_review_tiers_in_policy_the_defaults_apply() -> None:
    items = classify(
        [("A", INSPECTION_NEW, None, inspection("INS-20261120-001", "2026-11-20"))], DEFAULT_TIERS
    )
    assert items[0].tiers == [1]

"""Credit and the enforcement record feed back into next year's risk colour and supervision class."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from generator.derive.risk import RiskProposal, derive_risk
from tests.blacklist_factory import (
    BASE_HAZARD,
    Records,
    add,
    hazard,
    listing,
    load,
    make_major,
    penalty,
)
from tests.conftest import AS_OF
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE, base_records
from tests.test_cli import anjian

ENTERPRISE_FILE = f"records/enterprise/{ENTERPRISE}.yaml"


def proposal(tmp_path: Path, records: Records, as_of: dt.date = AS_OF) -> RiskProposal:
    loaded = load(tmp_path, records)
    assert not loaded.report.errors, [(p.code, p.message_zh) for p in loaded.report.errors]
    found = {p.enterprise: p for p in derive_risk(loaded.valid, loaded.policy, as_of)}
    return found[ENTERPRISE]


def complaint(complaint_id: str, received: str, kind: str, outcome: str) -> dict[str, Any]:
    day = dt.date.fromisoformat(received)
    return {
        "id": complaint_id,
        "kind": kind,
        "received_on": received,
        "channel": "来电",
        "subject": "仓库安全出口被堵塞",
        "enterprise": ENTERPRISE,
        "department": "DEPT-YJJ",
        "checked_on": (day + dt.timedelta(days=1)).isoformat(),
        "answered_on": (day + dt.timedelta(days=5)).isoformat(),
        "outcome": outcome,
    }


def test_a_clean_record_keeps_the_current_colour_and_class(tmp_path: Path) -> None:
    p = proposal(tmp_path, base_records())
    assert (p.proposed_color, p.proposed_class, p.changed) == ("黄", "B", False)
    assert p.reasons == ("记录中没有提高风险等级的情形，维持现有等级",)


def test_a_listed_enterprise_becomes_red_and_class_a(tmp_path: Path) -> None:
    records = base_records()
    add(records, "decision", listing())
    p = proposal(tmp_path, records)
    assert (p.proposed_color, p.proposed_class) == ("红", "A")
    assert p.reasons[0].startswith("列入严重失信名单：DEC-20250320-001")


def test_a_pending_listing_raises_the_enterprise_to_orange(tmp_path: Path) -> None:
    records = base_records()
    add(
        records,
        "decision",
        listing(
            "DEC-20261120-001",
            notice_date="2026-11-20",
            objection_until="2026-11-30",
            decided_on="2026-11-20",
            listed_from="2026-12-01",
        ),
    )
    assert proposal(tmp_path, records).proposed_color == "橙"


def test_an_expired_listing_no_longer_counts(tmp_path: Path) -> None:
    records = base_records()
    add(records, "decision", listing(listed_until="2026-03-20"))
    assert proposal(tmp_path, records).proposed_color == "黄"


def test_an_overdue_major_hazard_makes_the_enterprise_red(tmp_path: Path) -> None:
    records = base_records()
    make_major(records[BASE_HAZARD])
    records[BASE_HAZARD]["events"] = [{"date": "2025-10-11", "type": "开始整改"}]
    p = proposal(tmp_path, records)
    assert p.proposed_color == "红"
    assert any("重大事故隐患逾期未整改：HAZ-20251010-001" in r for r in p.reasons)


def test_a_recurring_hazard_raises_the_enterprise_to_orange(tmp_path: Path) -> None:
    records = base_records()
    add(records, "hazard", hazard("HAZ-20260110-001", "2026-01-10", closed="2026-01-12"), "2026")
    p = proposal(tmp_path, records)
    assert (p.proposed_color, p.proposed_class) == ("橙", "B")
    assert any("HAZ-20260110-001（重复 HAZ-20251010-001）" in r for r in p.reasons)


def test_one_penalty_raises_a_blue_enterprise_to_yellow_and_class_c(tmp_path: Path) -> None:
    records = base_records()
    records[ENTERPRISE_FILE].update(risk_color="蓝", supervision_class="D")
    add(
        records,
        "penalty",
        penalty(
            "PEN-20260501-001",
            "2026-05-01",
            fine=20_000,
            basis="《中华人民共和国安全生产法》第九十七条",
        ),
        "2026",
    )
    p = proposal(tmp_path, records)
    assert (p.proposed_color, p.proposed_class, p.changed) == ("黄", "C", True)


def test_an_accident_in_the_last_three_years_makes_the_enterprise_red(tmp_path: Path) -> None:
    records = base_records()
    add(records, "penalty", penalty("PEN-20240601-001", "2024-06-01", fine=500_000), "2024")
    p = proposal(tmp_path, records)
    assert p.proposed_color == "红"
    assert any(r.startswith("发生生产安全事故并受到处罚：PEN-20240601-001") for r in p.reasons)


def test_repeated_upheld_hazard_reports_raise_the_enterprise_to_orange(tmp_path: Path) -> None:
    records = base_records()
    add(records, "complaint", complaint("CMP-20260301-001", "2026-03-01", "隐患举报", "属实"))
    add(records, "complaint", complaint("CMP-20260701-001", "2026-07-01", "隐患举报", "部分属实"))
    assert proposal(tmp_path, records).proposed_color == "橙"


def test_complaints_about_enforcement_or_not_upheld_do_not_count(tmp_path: Path) -> None:
    records = base_records()
    add(records, "complaint", complaint("CMP-20260301-001", "2026-03-01", "执法投诉", "属实"))
    add(records, "complaint", complaint("CMP-20260701-001", "2026-07-01", "隐患举报", "不属实"))
    assert proposal(tmp_path, records).proposed_color == "黄"


def test_a_red_enterprise_with_a_clean_record_is_never_lowered(tmp_path: Path) -> None:
    records = base_records()
    records[ENTERPRISE_FILE].update(risk_color="红", supervision_class="A")
    p = proposal(tmp_path, records)
    assert (p.proposed_color, p.proposed_class) == ("红", "A")


def test_the_risk_command_lists_only_changes_on_request(tmp_path: Path) -> None:
    records = base_records()
    add(records, "decision", listing())
    root = load(tmp_path, records).root
    result = anjian("risk", "--as-of", "2026-11-23", "--changed", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["enterprise"], r["proposed_color"]) for r in rows] == [(ENTERPRISE, "红")]
    every = anjian("risk", "--as-of", "2026-11-23", "--format", "csv", cwd=root)
    assert OTHER_ENTERPRISE in every.stdout and every.stdout.startswith("enterprise,")

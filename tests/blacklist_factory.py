"""Decisions, penalties, findings and hazards added to the base county for the blacklist tests."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from generator.policy import Policy
from generator.validate import Loaded, validate_repository
from tests.conftest import AS_OF
from tests.factory import ENTERPRISE, base_records, evidence_refs, make_repo

Records = dict[str, dict[str, Any]]
BASE_HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"
BASE_INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"
LISTING = "DEC-20250320-001"


def add(records: Records, kind: str, record: dict[str, Any], sub: str = "") -> dict[str, Any]:
    folder = f"records/{kind}/{sub + '/' if sub else ''}"
    records[f"{folder}{record['id']}.yaml"] = record
    return record


def listing(
    decision_id: str = LISTING,
    *,
    enterprise: str = ENTERPRISE,
    notice_date: str = "2025-03-01",
    objection_until: str = "2025-03-15",
    decided_on: str = "2025-03-20",
    listed_from: str | None = "2025-03-21",
    **extra: Any,
) -> dict[str, Any]:
    """A listing decision: notified, objection period, then listed (term from the policy)."""
    record: dict[str, Any] = {
        "id": decision_id,
        "type": "列入严重失信名单",
        "enterprise": enterprise,
        "document_no": "青应急失信〔2025〕1号",
        "decided_on": decided_on,
        "department": "DEPT-YJJ",
        "decided_by": ["STAFF-0001"],
        "rule": "false-documents",
        "basis": "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）第六条",
        "facts": "2025年2月10日检查中向检查组提供伪造的特种作业人员操作证。",
        "evidence_records": ["INS-20251010-001"],
        "notice": {"date": notice_date, "objection_until": objection_until},
    }
    if listed_from is not None:
        record["listed_from"] = listed_from
    record.update(extra)
    return record


def follow_up(
    decision_id: str,
    kind: str,
    decided_on: str,
    *,
    target: str | None = LISTING,
    enterprise: str = ENTERPRISE,
) -> dict[str, Any]:
    """A removal, credit repair or revocation acting on a listing."""
    record: dict[str, Any] = {
        "id": decision_id,
        "type": kind,
        "enterprise": enterprise,
        "document_no": f"青应急信修〔{decided_on[:4]}〕{decision_id[-1]}号",
        "decided_on": decided_on,
        "department": "DEPT-YJJ",
    }
    if target is not None:
        record["target"] = target
    return record


def make_major(hazard: dict[str, Any], deadline: str = "2025-10-25") -> None:
    hazard.update({"class": "重大", "level": "二级", "deadline": deadline})
    hazard["five_fixed"] = {
        "responsible_person": "陈建国",
        "measures": "清理通道",
        "funds": 5000,
        "deadline": deadline,
        "emergency_plan": "专人值守",
    }


def hazard(
    hazard_id: str,
    found_on: str,
    *,
    category: str = "消防安全",
    closed: str | None = None,
    enterprise: str = ENTERPRISE,
) -> dict[str, Any]:
    """A level-3 hazard found by self-inspection, closed on ``closed`` when given."""
    day = dt.date.fromisoformat(found_on)
    record: dict[str, Any] = {
        "id": hazard_id,
        "enterprise": enterprise,
        "source": "企业自查",
        "found_on": found_on,
        "class": "一般",
        "level": "三级",
        "category": category,
        "description": "安全出口再次堆放杂物。",
        "location": "一号仓库",
        "department": "DEPT-YJJ",
        "deadline": (day + dt.timedelta(days=7)).isoformat(),
        "events": [],
    }
    if closed is not None:
        record["events"] = [
            {"date": found_on, "type": "开始整改"},
            {"date": closed, "type": "整改完成", "evidence": evidence_refs()},
            {"date": closed, "type": "复查通过", "by": "STAFF-0001"},
            {"date": closed, "type": "销号", "by": "STAFF-0001"},
        ]
    return record


def penalty(
    penalty_id: str,
    decided_on: str,
    *,
    fine: int,
    basis: str = "《中华人民共和国安全生产法》第一百一十四条第一款第（二）项",
    enterprise: str = ENTERPRISE,
    **extra: Any,
) -> dict[str, Any]:
    day = dt.date.fromisoformat(decided_on)
    start = day + dt.timedelta(days=1)
    record: dict[str, Any] = {
        "id": penalty_id,
        "enterprise": enterprise,
        "document_no": f"（青）应急罚〔{decided_on[:4]}〕{penalty_id[-2:]}号",
        "decided_on": decided_on,
        "violation": "发生一起较大生产安全事故，造成 3 人死亡。",
        "basis": basis,
        "measures": ["罚款"],
        "fine": fine,
        "department": "DEPT-YJJ",
        "publish": {
            "from": start.isoformat(),
            "until": (start + dt.timedelta(days=730)).isoformat(),
        },
    }
    record.update(extra)
    return record


def inspection(inspection_id: str, date: str, findings: list[str]) -> dict[str, Any]:
    record = copy.deepcopy(base_records()[BASE_INSPECTION])
    record.update({"id": inspection_id, "date": date, "findings": findings})
    return record


def policy_with(policy: Policy, rule_id: str, **changes: Any) -> Policy:
    """The same policy with one blacklist rule's fields changed."""
    raw = copy.deepcopy(policy.raw)
    for rule in raw["blacklist"]["rules"]:
        if rule["id"] == rule_id:
            rule.update(changes)
    return Policy(raw)


def load(tmp_path: Path, records: Records, as_of: dt.date = AS_OF) -> Loaded:
    root = make_repo(tmp_path / "repo", records)
    return validate_repository(root, as_of=as_of, jobs=1)


def problem_codes(loaded: Loaded) -> list[str]:
    return sorted(p.code for p in loaded.report.problems)

"""A small, valid county made in code: the base every test mutates.

Records are plain dicts; ``make_repo`` writes them with the project's own
schemas and policy into a temporary repository.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from generator.dump import dump_record

PROJECT = Path(__file__).resolve().parents[1]
ENTERPRISE = "91330100745600123G"
OTHER_ENTERPRISE = "91330100745600131B"

EVIDENCE = {
    "records/evidence/HAZ-20251010-001/before.jpg": b"before photo",
    "records/evidence/HAZ-20251010-001/after.jpg": b"after photo",
}


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def evidence_refs() -> list[dict[str, str]]:
    return [{"path": path, "sha256": sha(content)} for path, content in EVIDENCE.items()]


def base_records() -> dict[str, dict[str, Any]]:
    """Relative path → record.  Valid as of 2026-11-23."""
    records: dict[str, dict[str, Any]] = {}

    def add(kind: str, record: dict[str, Any], sub: str = "") -> None:
        folder = f"records/{kind}/{sub + '/' if sub else ''}"
        records[f"{folder}{record['id']}.yaml"] = record

    add("department", {"id": "DEPT-YJJ", "name": "青川县应急管理局", "kind": "牵头部门"})
    for number, name, cert in [
        ("0001", "王军", "33010012345"),
        ("0002", "李娜", None),
        ("0003", "赵刚", None),
    ]:
        staff: dict[str, Any] = {
            "id": f"STAFF-{number}",
            "name": name,
            "department": "DEPT-YJJ",
            "roles": ["检查员", "执法人员"],
            "active": True,
        }
        if cert:
            staff["certificate"] = cert
        add("staff", staff)
    for code, name in [
        (ENTERPRISE, "青川县宏达化工有限公司"),
        (OTHER_ENTERPRISE, "青石镇鑫源建材厂"),
    ]:
        add(
            "enterprise",
            {
                "id": code,
                "name": name,
                "town": "城关镇",
                "address": "城关镇工业园区8号",
                "industry": "危险化学品",
                "scale": "小型",
                "legal_representative": "陈建国",
                "contact": {"name": "陈建国", "phone": "13900001234"},
                "risk_color": "黄",
                "supervision_class": "B",
                "status": "在营",
                "supervising_department": "DEPT-YJJ",
            },
        )
    add(
        "inspection",
        {
            "id": "INS-20251010-001",
            "kind": "部门专项检查",
            "date": "2025-10-10",
            "enterprises": [ENTERPRISE],
            "lead_department": "DEPT-YJJ",
            "inspectors": ["STAFF-0001", "STAFF-0002"],
            "summary": "检查危化品仓库，发现隐患 1 项。",
            "signature": {"signed_by": "陈建国", "refused": False},
        },
        "2025",
    )
    add(
        "hazard",
        {
            "id": "HAZ-20251010-001",
            "enterprise": ENTERPRISE,
            "inspection": "INS-20251010-001",
            "source": "监督检查",
            "found_on": "2025-10-10",
            "class": "一般",
            "level": "三级",
            "category": "消防安全",
            "description": "仓库安全出口堆放杂物。",
            "location": "一号仓库",
            "department": "DEPT-YJJ",
            "deadline": "2025-10-17",
            "events": [
                {"date": "2025-10-11", "type": "开始整改"},
                {"date": "2025-10-14", "type": "整改完成", "evidence": evidence_refs()},
                {"date": "2025-10-16", "type": "复查通过", "by": "STAFF-0001"},
                {"date": "2025-10-16", "type": "销号", "by": "STAFF-0001"},
            ],
        },
        "2025",
    )
    return records


def dump(record: dict[str, Any]) -> str:
    return dump_record(record)


def make_repo(
    root: Path, records: dict[str, Any] | None = None, raw: dict[str, bytes] | None = None
) -> Path:
    """Write a repository: the project's schemas and policy, records, evidence."""
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    shutil.copy(PROJECT / "policy.yaml", root / "policy.yaml")
    for rel, content in EVIDENCE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    for rel, record in (base_records() if records is None else records).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(dump(record), encoding="utf-8")
    for rel, content in (raw or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    return root

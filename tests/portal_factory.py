"""The factory county with what the portal tests plant: canaries in internal fields,
XSS payloads in public ones, penalties in, before and after their publication window.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from tests.factory import ENTERPRISE, OTHER_ENTERPRISE, PROJECT, base_records, make_repo

AS_OF = dt.date(2026, 11, 23)
CANARY_ID = "11010119900307001" + ric.calc_check_digit("11010119900307001" + "0")  # check included
CANARY_PHONE = "13712345678"
CANARY_NAME = "欧阳金凤"
CANARY_EMAIL = "canary.leak@example.com"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
XSS_NAME = f"{SCRIPT}鑫源建材厂"
PUBLISHED = "PEN-20260301-001"
EXPIRED = "PEN-20240301-001"
REVOKED = "PEN-20260401-001"


def _penalty(pid: str, decided: str, until: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "enterprise": ENTERPRISE,
        "document_no": f"青应急罚〔{decided[:4]}〕{pid[-3:]}号",
        "decided_on": decided,
        "violation": f"未按规定对安全设备进行经常性维护（{pid}）。",
        "basis": "《中华人民共和国安全生产法》第九十九条",
        "measures": ["罚款"],
        "fine": 20000,
        "department": "DEPT-YJJ",
        "publish": {"from": decided, "until": until},
        "individuals": [{"name": CANARY_NAME, "id_number": CANARY_ID, "fine": 5000}],
        **extra,
    }


def portal_records() -> dict[str, dict[str, Any]]:
    records = copy.deepcopy(base_records())
    ent = records[f"records/enterprise/{ENTERPRISE}.yaml"]
    ent["contact"] = {"name": CANARY_NAME, "phone": CANARY_PHONE, "email": CANARY_EMAIL}
    ent["note"] = f"内部备注：联系人身份证 {CANARY_ID}"
    other = records[f"records/enterprise/{OTHER_ENTERPRISE}.yaml"]
    other["name"] = XSS_NAME
    other["address"] = IMG
    other["town"] = "青石镇"
    other["risk_color"] = "红"
    other["industry"] = "建筑施工"
    staff = records["records/staff/STAFF-0003.yaml"]
    staff["phone"] = CANARY_PHONE
    staff["id_number"] = CANARY_ID
    ins = records["records/inspection/2025/INS-20251010-001.yaml"]
    ins["signature"] = {"signed_by": CANARY_NAME, "refused": False}
    ins["summary"] = f"检查危化品仓库，发现隐患 1 项。{IMG}"
    hazard = records["records/hazard/2025/HAZ-20251010-001.yaml"]
    hazard["description"] = f"仓库安全出口堆放杂物。{SCRIPT}"
    for pid, decided, until, extra in [
        (PUBLISHED, "2026-03-01", "2027-03-01", {}),
        (EXPIRED, "2024-03-01", "2025-03-01", {}),
        (
            REVOKED,
            "2026-04-01",
            "2027-04-01",
            {"revoked": {"date": "2026-05-01", "reason": "复议撤销"}},
        ),
    ]:
        records[f"records/penalty/{decided[:4]}/{pid}.yaml"] = _penalty(
            pid, decided, until, **extra
        )
    records["records/complaint/CMP-20260310-001.yaml"] = {
        "id": "CMP-20260310-001",
        "kind": "隐患举报",
        "received_on": "2026-03-10",
        "channel": "来电",
        "reporter": {"name": CANARY_NAME, "phone": CANARY_PHONE, "id_number": CANARY_ID},
        "subject": "反映企业仓库夜间违规储存液化气钢瓶",
        "details": f"举报人 {CANARY_NAME} 电话 {CANARY_PHONE}",
        "enterprise": ENTERPRISE,
        "department": "DEPT-YJJ",
    }
    return records


def make_portal_repo(root: Path, records: dict[str, Any] | None = None) -> Path:
    make_repo(root, portal_records() if records is None else records)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(PROJECT / "docs/handbook", root / "docs/handbook")
    return root


def with_enterprises(
    records: dict[str, dict[str, Any]], count: int, **fields: Any
) -> dict[str, dict[str, Any]]:
    """Add ``count`` enterprises (valid credit codes) like the second factory one."""
    out = dict(records)
    template = base_records()[f"records/enterprise/{OTHER_ENTERPRISE}.yaml"]
    for n in range(count):
        body = f"91330100MA{n:07d}"
        code = body + uscc.calc_check_digit(body)
        out[f"records/enterprise/{code}.yaml"] = {
            **template,
            "id": code,
            "name": f"青川县第{n:03d}号测试企业有限公司",
            **fields,
        }
    return out

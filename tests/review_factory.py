"""A county with reviewers of all three tiers, in a scratch git repository.

Builds on ``tests.gitrepo`` (fixed authors and dates) and ``tests.factory``:
the base is committed on ``main`` by the administrator on 2026-11-01; a pull
request is a branch with commits by an inspector.  Approvals are made either
through the CLI (``anjian review approve``) or, to script what the CLI refuses
(self-approval, stale approvals), by committing the same trailers by hand.
"""

from __future__ import annotations

import copy
from typing import Any

from click.testing import CliRunner, Result

from generator.cli import cli
from generator.review.approvals import APPROVE, verdict_message
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE, base_records
from tests.gitrepo import EMAILS, INSPECTOR, Records, Repo, county_records, git_env, init_county

TIER1 = "sunli@qc.example.gov.cn"  # STAFF-0005, 一级复核员
TIER2 = "qianfeng@qc.example.gov.cn"  # STAFF-0006, 二级复核员
TIER3 = "wutao@qc.example.gov.cn"  # STAFF-0007, 三级复核员 (纪检监察)
RETIRED = "zhengjie@qc.example.gov.cn"  # STAFF-0008, 一级复核员 no longer active
OFFICER = EMAILS["STAFF-0003"]  # 赵刚: enforcement officer and also 二级复核员
PR_DATE = "2026-11-20"

INSPECTION_NEW = "records/inspection/2026/INS-20261120-001.yaml"
PENALTY_NEW = "records/penalty/2026/PEN-20261120-001.yaml"
DECISION_NEW = "records/decision/2026/DEC-20261120-001.yaml"
HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"

__all__ = [
    "ENTERPRISE",
    "INSPECTOR",
    "OTHER_ENTERPRISE",
    "Records",
    "Repo",
    "base_records",
]


def _staff(number: str, name: str, dept: str, roles: list[str], email: str, **extra: Any) -> Any:
    git: dict[str, Any] = {"emails": [email]}
    if "username" in extra:
        git["username"] = extra.pop("username")
    return {
        "id": f"STAFF-{number}",
        "name": name,
        "department": dept,
        "roles": roles,
        "active": extra.pop("active", True),
        "git": git,
    }


def review_county() -> Records:
    """The gitrepo county plus the three review bodies and their reviewers."""
    records = county_records()
    for dept_id, name, kind, tier in [
        ("DEPT-AWB", "青川县安全生产委员会办公室（检查办公室）", "参与部门", 1),
        ("DEPT-LDXZ", "青川县安全生产领导小组", "参与部门", 2),
        ("DEPT-JW", "青川县纪委监委派驻应急管理局纪检监察组", "纪检监察", 3),
    ]:
        records[f"records/department/{dept_id}.yaml"] = {
            "id": dept_id,
            "name": name,
            "kind": kind,
            "tier": tier,
        }
    for number, name, dept, role, email, extra in [
        ("0005", "孙丽", "DEPT-AWB", "一级复核员", TIER1, {"username": "sunli-qc"}),
        ("0006", "钱峰", "DEPT-LDXZ", "二级复核员", TIER2, {"username": "qianfeng"}),
        ("0007", "吴涛", "DEPT-JW", "三级复核员", TIER3, {}),
        ("0008", "郑洁", "DEPT-AWB", "一级复核员", RETIRED, {"active": False}),
    ]:
        records[f"records/staff/STAFF-{number}.yaml"] = _staff(
            number, name, dept, [role], email, **extra
        )
    records["records/staff/STAFF-0003.yaml"]["roles"] = ["检查员", "执法人员", "二级复核员"]
    return records


def inspection(record_id: str, date: str, enterprise: str = OTHER_ENTERPRISE) -> dict[str, Any]:
    record = copy.deepcopy(base_records()["records/inspection/2025/INS-20251010-001.yaml"])
    record.update({"id": record_id, "date": date, "enterprises": [enterprise]})
    record["summary"] = "检查生产现场和安全管理台账。"
    return record


def penalty(
    record_id: str = "PEN-20261120-001", enterprise: str = OTHER_ENTERPRISE
) -> dict[str, Any]:
    return {
        "id": record_id,
        "enterprise": enterprise,
        "inspection": "INS-20261120-001",
        "document_no": "青应急罚〔2026〕17号",
        "decided_on": "2026-11-20",
        "violation": "特种作业人员未持证上岗。",
        "basis": "《中华人民共和国安全生产法》第九十七条",
        "measures": ["罚款"],
        "fine": 20000,
        "department": "DEPT-YJJ",
    }


def listing(
    record_id: str = "DEC-20261120-001", enterprise: str = OTHER_ENTERPRISE
) -> dict[str, Any]:
    return {
        "id": record_id,
        "type": "列入严重失信名单",
        "enterprise": enterprise,
        "document_no": "青应急失信〔2026〕3号",
        "decided_on": "2026-11-20",
        "department": "DEPT-YJJ",
        "rule": "false-documents",
    }


def init_review_county(root: Any, records: Records | None = None) -> Repo:
    return init_county(root, review_county() if records is None else records)


def open_pull_request(
    repo: Repo, files: dict[str, dict[str, Any]], *, email: str = INSPECTOR
) -> None:
    """A branch ``submit`` off main with one commit writing ``files``."""
    repo.branch("submit")
    push(repo, files, email=email)


def push(
    repo: Repo, files: dict[str, dict[str, Any]], *, email: str = INSPECTOR, date: str = PR_DATE
) -> None:
    for rel, record in files.items():
        repo.write(rel, record)
    repo.commit("提交记录", email=email, date=date)


def head(repo: Repo) -> str:
    return repo.git("rev-parse", "HEAD").strip()


def records_commit(repo: Repo) -> str:
    return repo.git("log", "-1", "--format=%H", "main..HEAD", "--", "records/").strip()


def approve_by_hand(
    repo: Repo,
    tier: int,
    email: str,
    records: list[str],
    *,
    decision: str = APPROVE,
    reviewed: str | None = None,
    date: str = PR_DATE,
) -> None:
    """The commit ``anjian review approve`` makes, made directly (no eligibility check)."""
    message = verdict_message(
        tier=tier,
        decision=decision,
        reviewed_commit=reviewed or records_commit(repo),
        records=records,
        comment="",
        signed=False,
    )
    repo.git("commit", "-q", "--allow-empty", "-m", message, email=email, date=date)


def anjian(repo: Repo, *args: str, email: str = INSPECTOR, date: str = PR_DATE) -> Result:
    """Run the CLI in the scratch repository as ``email`` on ``date``."""
    return CliRunner().invoke(cli, ["--repo", str(repo.root), *args], env=git_env(email, date))

"""``anjian validate --base main``: what a pull request may and may not do to the records.

Each case is a real git repository: the small county committed on ``main`` by
the administrator, a branch with the change committed by an inspector.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from generator.history import GitError
from generator.problems import Problem
from generator.validate import validate_change
from tests.factory import evidence_refs
from tests.gitrepo import ADMIN, EMAILS, HAZARD, INSPECTOR, STRANGER, Repo, init_county

AS_OF = dt.date(2026, 11, 23)
INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"
OPEN_HAZARD = "records/hazard/2026/HAZ-20261110-001.yaml"


def problems(repo: Repo, base: str = "main") -> list[Problem]:
    return validate_change(repo.root, base, as_of=AS_OF, jobs=1).report.sorted()


def codes(repo: Repo) -> list[str]:
    return [p.code for p in problems(repo)]


def only(repo: Repo, code: str) -> Problem:
    found = [p for p in problems(repo) if p.code == code]
    assert found, [(p.code, p.message_zh) for p in problems(repo)]
    return found[0]


@pytest.fixture
def county(tmp_path: Path) -> Repo:
    repo = init_county(tmp_path / "county")
    repo.branch("change")
    return repo


def open_major_hazard() -> dict[str, Any]:
    """A major hazard, rectified and awaiting acceptance."""
    return {
        "id": "HAZ-20261110-001",
        "enterprise": "91330100745600131B",
        "source": "监督检查",
        "found_on": "2026-11-10",
        "class": "重大",
        "level": "二级",
        "category": "粉尘防爆",
        "description": "除尘系统未设置泄爆装置。",
        "location": "打磨车间",
        "department": "DEPT-YJJ",
        "deadline": "2026-11-25",
        "five_fixed": {
            "responsible_person": "刘强",
            "measures": "加装泄爆片",
            "funds": 30000,
            "deadline": "2026-11-25",
            "emergency_plan": "停用打磨工位",
        },
        "events": [
            {"date": "2026-11-11", "type": "开始整改"},
            {"date": "2026-11-18", "type": "整改完成", "evidence": evidence_refs()},
        ],
    }


# --- what is refused -------------------------------------------------------------


def test_deleting_a_hazard_is_refused(county: Repo) -> None:
    (county.root / HAZARD).unlink()
    county.commit("删除隐患")
    hit = only(county, "record-deleted")
    assert hit.path == HAZARD and hit.record_id == "HAZ-20251010-001"
    assert "HAZ-20251010-001" in hit.message_zh


def test_renaming_a_hazard_is_refused(county: Repo) -> None:
    county.git("mv", HAZARD, "records/hazard/2025/HAZ-20251010-002.yaml")
    county.commit("改名")
    hit = only(county, "record-renamed")
    assert hit.path == "records/hazard/2025/HAZ-20251010-002.yaml" and hit.line == 1
    assert "HAZ-20251010-001" in hit.message_zh


def test_moving_a_hazard_to_another_folder_is_refused(county: Repo) -> None:
    county.git("mv", HAZARD, "records/hazard/HAZ-20251010-001.yaml")
    county.commit("移动")
    assert "record-renamed" in codes(county)


def test_removing_an_event_is_refused(county: Repo) -> None:
    hazard = county.read(HAZARD)
    del hazard["events"][1]
    county.write(HAZARD, hazard)
    county.commit("删事件")
    hit = only(county, "event-removed")
    assert hit.path == HAZARD and hit.pointer == "events/1" and hit.line is not None
    assert "HAZ-20251010-001" in hit.message_zh and "整改完成" in hit.message_zh


def test_rewriting_an_event_is_refused(county: Repo) -> None:
    hazard = county.read(HAZARD)
    hazard["events"][0]["date"] = "2025-10-12"
    county.write(HAZARD, hazard)
    county.commit("改事件日期")
    assert only(county, "event-rewritten").pointer == "events/0"


def test_moving_a_closed_hazard_back_to_rectifying_without_a_reopen_is_refused(
    county: Repo,
) -> None:
    hazard = county.read(HAZARD)
    hazard["events"] = hazard["events"][:1]  # back to 整改中
    county.write(HAZARD, hazard)
    county.commit("退回整改中")
    hit = only(county, "state-backwards")
    assert "已销号" in hit.message_zh and "整改中" in hit.message_zh
    assert "HAZ-20251010-001" in hit.message_zh


def test_editing_a_closed_hazards_description_is_refused(county: Repo) -> None:
    hazard = county.read(HAZARD)
    hazard["description"] = "仓库安全出口已清理。"
    county.write(HAZARD, hazard)
    county.commit("改描述")
    hit = only(county, "closed-record-edited")
    assert hit.pointer == "description" and hit.line == 9
    assert "HAZ-20251010-001" in hit.message_zh and "隐患描述" in hit.message_zh


def test_appending_to_a_closed_hazard_without_reopening_it_is_refused(county: Repo) -> None:
    hazard = county.read(HAZARD)
    hazard["events"].append({"date": "2026-11-20", "type": "进展报告", "note": "补充说明"})
    county.write(HAZARD, hazard)
    county.commit("追加进展")
    assert only(county, "closed-record-edited").pointer == "events/4"


def test_reusing_a_deleted_id_is_refused(tmp_path: Path) -> None:
    repo = init_county(tmp_path / "county")
    old = "records/hazard/2025/HAZ-20251012-001.yaml"
    record = {**repo.read(HAZARD), "id": "HAZ-20251012-001", "found_on": "2025-10-12"}
    repo.write(old, record)
    repo.commit("录入", date="2026-11-02")
    (repo.root / old).unlink()
    repo.commit("删除（历史上发生过）", email=ADMIN, date="2026-11-03")
    repo.branch("change")
    repo.write(old, {**record, "description": "另一个隐患。"})
    repo.commit("重用编号")
    hit = only(repo, "id-reused")
    assert hit.path == old and "HAZ-20251012-001" in hit.message_zh and hit.line == 1


def test_reusing_the_credit_code_of_an_enterprise_deleted_long_ago_is_refused(
    tmp_path: Path,
) -> None:
    repo = init_county(tmp_path / "county")
    path = "records/enterprise/91330100745600131B.yaml"
    enterprise = repo.read(path)
    (repo.root / path).unlink()
    repo.commit("注销企业（历史上发生过）", email=ADMIN, date="2026-11-02")
    repo.branch("change")
    repo.write(path, enterprise)
    repo.commit("重新登记")
    assert only(repo, "id-reused").record_id == "91330100745600131B"


def test_dated_ids_carry_their_date() -> None:
    from generator.rules.history.context import date_in_id

    assert date_in_id("HAZ-20260314-002") == dt.date(2026, 3, 14)
    assert date_in_id("SR-91330100745600123G-202603") == dt.date(2026, 3, 1)
    assert date_in_id("STAFF-0001") is None and date_in_id("HAZ-20260231-001") is None


def test_a_change_by_someone_not_on_the_staff_is_refused(county: Repo) -> None:
    county.write(OPEN_HAZARD, open_major_hazard())
    county.commit("新隐患", email=STRANGER)
    hit = only(county, "unknown-author")
    assert STRANGER in hit.message_zh and hit.path == OPEN_HAZARD


def test_an_administrator_may_not_record_a_hazard(county: Repo) -> None:
    county.write(OPEN_HAZARD, open_major_hazard())
    county.commit("新隐患", email=ADMIN)
    assert "STAFF-0004" in only(county, "author-not-permitted").message_zh


def test_a_penalty_needs_an_enforcement_officer(tmp_path: Path) -> None:
    repo = init_county(tmp_path / "county")
    staff = repo.read("records/staff/STAFF-0002.yaml")
    repo.write("records/staff/STAFF-0002.yaml", {**staff, "roles": ["检查员"]})
    repo.commit("调整角色", email=ADMIN)
    repo.branch("change")
    repo.write("records/penalty/2026/PEN-20261120-001.yaml", {"id": "PEN-20261120-001"})
    repo.commit("处罚", email=EMAILS["STAFF-0002"])
    assert "执法人员" in only(repo, "author-not-permitted").message_zh


def test_a_change_cannot_grant_its_author_rights(county: Repo) -> None:
    staff = county.read("records/staff/STAFF-0001.yaml")
    county.write(
        "records/staff/STAFF-0001.yaml", {**staff, "git": {"emails": [INSPECTOR, STRANGER]}}
    )
    county.write(OPEN_HAZARD, open_major_hazard())
    county.commit("自己登记邮箱", email=STRANGER)
    assert "unknown-author" in codes(county)


def test_swapping_an_evidence_file_is_refused(county: Repo) -> None:
    (county.root / "records/evidence/HAZ-20251010-001/after.jpg").write_bytes(b"another")
    county.commit("换照片")
    assert "evidence-changed" in codes(county)


def test_deleting_evidence_with_a_chinese_file_name_is_refused(tmp_path: Path) -> None:
    repo = init_county(tmp_path / "county")
    photo = repo.root / "records/evidence/HAZ-20251010-001/整改后 照片.jpg"
    photo.write_bytes(b"photo")
    repo.commit("补充照片", date="2026-11-02")
    repo.branch("change")
    photo.unlink()
    repo.commit("删照片")
    hit = only(repo, "evidence-changed")
    assert hit.path == "records/evidence/HAZ-20251010-001/整改后 照片.jpg"


def test_an_uncommitted_change_is_checked_as_the_configured_author(
    county: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", STRANGER)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "someone")
    (county.root / HAZARD).unlink()
    county.write(OPEN_HAZARD, open_major_hazard())  # not even added
    found = codes(county)
    assert "record-deleted" in found and "unknown-author" in found


# --- what passes -----------------------------------------------------------------


@pytest.fixture
def awaiting(tmp_path: Path) -> Repo:
    """The county with a major hazard awaiting acceptance on main."""
    repo = init_county(tmp_path / "county")
    repo.write(OPEN_HAZARD, open_major_hazard())
    repo.commit("重大隐患整改完成", date="2026-11-18")
    repo.branch("change")
    return repo


def test_a_rectified_major_hazard_closed_with_acceptance_passes(awaiting: Repo) -> None:
    hazard = awaiting.read(OPEN_HAZARD)
    hazard["events"] += [
        {"date": "2026-11-20", "type": "复查通过", "by": "STAFF-0001"},
        {"date": "2026-11-21", "type": "验收", "body": "县安全生产专家组"},
        {"date": "2026-11-22", "type": "销号", "by": "STAFF-0001"},
    ]
    awaiting.write(OPEN_HAZARD, hazard)
    awaiting.commit("复查、验收、销号", date="2026-11-22")
    assert problems(awaiting) == []


def test_a_failed_recheck_sends_a_hazard_back_through_an_event(awaiting: Repo) -> None:
    hazard = awaiting.read(OPEN_HAZARD)
    hazard["events"].append(
        {"date": "2026-11-20", "type": "复查不通过", "by": "STAFF-0002", "reason": "泄爆片规格不符"}
    )
    awaiting.write(OPEN_HAZARD, hazard)
    awaiting.commit("复查不通过")
    assert problems(awaiting) == []


def test_a_closed_hazard_is_reopened_by_an_event(county: Repo) -> None:
    hazard = county.read(HAZARD)
    hazard["events"].append(
        {
            "date": "2026-11-20",
            "type": "重新打开",
            "by": "STAFF-0001",
            "reason": "回头看发现通道再次堵塞",
        }
    )
    county.write(HAZARD, hazard)
    county.commit("重新打开")
    assert problems(county) == []


def test_a_new_hazard_by_an_inspector_passes(county: Repo) -> None:
    county.write(OPEN_HAZARD, open_major_hazard())
    county.commit("新隐患")
    assert problems(county) == []


def test_only_the_changed_records_are_validated(tmp_path: Path) -> None:
    repo = init_county(tmp_path / "county")
    inspection = repo.read(INSPECTION)
    repo.write(INSPECTION, {**inspection, "inspectors": ["STAFF-0001"]})  # broken on main
    repo.commit("有问题的旧记录", date="2026-11-02")
    repo.branch("change")
    repo.write(OPEN_HAZARD, open_major_hazard())
    repo.commit("新隐患")
    assert problems(repo) == []


def test_a_policy_change_validates_every_record(tmp_path: Path) -> None:
    repo = init_county(tmp_path / "county")
    repo.branch("change")
    policy = (repo.root / "policy.yaml").read_text(encoding="utf-8")
    (repo.root / "policy.yaml").write_text(
        policy.replace("  三级: 7\n", "  三级: 3\n"), encoding="utf-8"
    )
    repo.commit("缩短三级隐患期限", email=ADMIN)
    assert "deadline-exceeds-level" in codes(repo)


def test_an_unknown_base_is_an_error_of_use(county: Repo) -> None:
    with pytest.raises(GitError, match="找不到"):
        validate_change(county.root, "no-such-branch", as_of=AS_OF, jobs=1)


def test_a_repository_in_a_subfolder_of_the_work_tree(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    repo = init_county(outer / "county")  # git init inside county: move it up
    (outer / "county" / ".git").rename(outer / ".git")
    top = Repo(outer)
    top.git("add", "-A")
    top.git("commit", "-q", "-m", "move", email=ADMIN)
    top.git("checkout", "-q", "-b", "change")
    (repo.root / HAZARD).unlink()
    top.commit("删除")
    found = problems(repo)
    assert [(p.code, p.path) for p in found] == [("record-deleted", HAZARD)]


def test_every_history_rule_is_documented_and_its_codes_registered() -> None:
    from generator.problems import CODES
    from generator.rules.history import MODULES

    for module in MODULES:
        assert module.__doc__ and len(module.__doc__) > 80, module.__name__
    for code in (
        "record-deleted",
        "record-renamed",
        "evidence-changed",
        "event-removed",
        "event-rewritten",
        "state-backwards",
        "closed-record-edited",
        "id-reused",
        "unknown-author",
        "author-not-permitted",
    ):
        entry = CODES[code]
        assert entry.title_zh and entry.title_en and entry.fix_zh

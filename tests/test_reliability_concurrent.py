"""Concurrent submissions: two branches, merged one after the other; the second is refused.

A real git repository (``tests/gitrepo.py``: fixed authors and dates).  Two
inspectors branch from ``main`` at the same commit; each change is valid on its
own.  The first is merged; then ``anjian validate --base main`` on the second
branch — what CI runs on its pull request — refuses it with a message that
names the record and says what to do.  Nothing is silently overwritten: where
git itself would merge the second, the result is checked too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.factory import evidence_refs
from tests.gitrepo import ADMIN, EMAILS, Repo, init_county
from tests.test_cli import anjian

ALICE = EMAILS["STAFF-0001"]
BOB = EMAILS["STAFF-0002"]
OPEN = "records/hazard/2026/HAZ-20261110-001.yaml"
NEW = "records/hazard/2026/HAZ-20261120-001.yaml"


def open_hazard() -> dict[str, Any]:
    return {
        "id": "HAZ-20261110-001",
        "enterprise": "91330100745600131B",
        "source": "监督检查",
        "found_on": "2026-11-10",
        "class": "一般",
        "level": "三级",
        "category": "消防安全",
        "description": "灭火器过期。",
        "location": "二号车间",
        "department": "DEPT-YJJ",
        "deadline": "2026-11-17",
        "events": [],
    }


def new_hazard(description: str) -> dict[str, Any]:
    return {
        **open_hazard(),
        "id": "HAZ-20261120-001",
        "found_on": "2026-11-20",
        "deadline": "2026-11-27",
        "description": description,
    }


@pytest.fixture
def county(tmp_path: Path) -> Repo:
    repo = init_county(tmp_path / "county")
    # as in a deployment (the project's .gitignore): validation's cache stays out of git
    (repo.root / ".gitignore").write_text("/.anjian-cache/\n/site/\n", encoding="utf-8")
    repo.write(OPEN, open_hazard())
    repo.commit("新增隐患", email=ALICE, date="2026-11-10")
    return repo


def validate(repo: Repo) -> subprocess.CompletedProcess[str]:
    return anjian("validate", "--base", "main", "--as-of", "2026-11-23", cwd=repo.root)


def branch(repo: Repo, name: str) -> None:
    repo.git("checkout", "-q", "main")
    repo.git("checkout", "-q", "-b", name)


def merge_into_main(repo: Repo, name: str) -> subprocess.CompletedProcess[str]:
    repo.git("checkout", "-q", "main")
    return subprocess.run(
        ["git", "merge", "--no-ff", "-q", "-m", f"合并 {name}", name],
        cwd=repo.root,
        env=_env(repo),
        capture_output=True,
        text=True,
    )


def _env(repo: Repo) -> dict[str, str]:
    from tests.gitrepo import git_env

    return git_env(ADMIN, "2026-11-22")


def two_branches(repo: Repo, alice: dict[str, Any], bob: dict[str, Any], bob_path: str) -> None:
    """alice and bob branch from the same main; alice's change is merged first."""
    branch(repo, "alice")
    repo.write(NEW if "20261120" in alice["id"] else OPEN, alice)
    repo.commit("alice 的修改", email=ALICE, date="2026-11-20")
    assert validate(repo).returncode == 0
    branch(repo, "bob")
    repo.write(bob_path, bob)
    repo.commit("bob 的修改", email=BOB, date="2026-11-21")
    alone = validate(repo)
    assert alone.returncode == 0, alone.stdout  # valid on its own, before alice lands
    assert merge_into_main(repo, "alice").returncode == 0
    repo.git("checkout", "-q", "bob")


@pytest.mark.parametrize(
    "bob_path", [NEW, "records/hazard/2026-late/HAZ-20261120-001.yaml"], ids=["same-path", "other"]
)
def test_the_same_new_id_on_two_branches(county: Repo, bob_path: str) -> None:
    two_branches(county, new_hazard("消防通道堵塞。"), new_hazard("配电箱未上锁。"), bob_path)
    result = validate(county)
    assert result.returncode == 1
    assert f"{bob_path}:1:5: id-reused" in result.stdout
    assert "HAZ-20261120-001" in result.stdout and "main" in result.stdout
    # and if it were merged anyway: git stops on the same path, the full check on another
    merged = merge_into_main(county, "bob")
    if bob_path == NEW:
        assert merged.returncode != 0 and "CONFLICT" in merged.stdout + merged.stderr
        county.git("merge", "--abort")
        assert county.read(NEW)["description"] == "消防通道堵塞。"  # alice's, intact
    else:
        assert merged.returncode == 0
        full = anjian("validate", "--as-of", "2026-11-23", cwd=county.root)
        assert full.returncode == 1 and "duplicate-id" in full.stdout


def with_events(*events: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**open_hazard(), **fields, "events": list(events)}


STARTED = {"date": "2026-11-12", "type": "开始整改"}
DONE = {
    "date": "2026-11-14",
    "type": "整改完成",
    "note": "已更换灭火器。",
    "evidence": evidence_refs(),
}
RECHECK = {"date": "2026-11-15", "type": "复查通过", "by": "STAFF-0001"}
CLOSE = {"date": "2026-11-15", "type": "销号", "by": "STAFF-0001"}


@pytest.mark.parametrize(
    ("alice", "bob"),
    [
        (with_events(STARTED), with_events(DONE)),  # both append an event
        (with_events(STARTED), with_events(description="两具灭火器过期。")),  # event vs field
        (with_events(STARTED, DONE, RECHECK, CLOSE), with_events(location="三号车间")),
    ],
    ids=["both-append", "append-and-edit", "close-and-edit"],
)
def test_the_same_hazard_edited_on_two_branches(
    county: Repo, alice: dict[str, Any], bob: dict[str, Any]
) -> None:
    two_branches(county, alice, bob, OPEN)
    result = validate(county)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{OPEN}:" in result.stdout and "changed-on-base" in result.stdout
    assert "隐患“HAZ-20261110-001”在本分支开始之后已在“main”上被修改" in result.stdout
    # once bob brings main in (here: no textual conflict, or resolved keeping both),
    # every history rule checks his edit against alice's version


def test_after_merging_main_the_second_change_is_checked_against_the_first(county: Repo) -> None:
    """bob brings main in; had he resolved the conflict by dropping alice's event, refused."""
    two_branches(county, with_events(STARTED), with_events(DONE), OPEN)
    merged = subprocess.run(
        ["git", "merge", "-q", "main"], cwd=county.root, env=_env(county), capture_output=True
    )
    assert merged.returncode != 0  # both appended at the same place: git stops
    county.write(OPEN, with_events(DONE))  # "keep mine": alice's event silently gone
    county.git("add", "-A")
    county.git("commit", "-q", "--no-edit", email=BOB, date="2026-11-22")
    result = validate(county)
    assert result.returncode == 1
    assert "event-removed" in result.stdout or "event-rewritten" in result.stdout
    # resolved properly (alice's event, then bob's): accepted
    county.write(OPEN, with_events(STARTED, DONE))
    county.commit("保留双方的事件", email=BOB, date="2026-11-22")
    assert validate(county).returncode == 0, validate(county).stdout

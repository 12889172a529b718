"""CODEOWNERS generated from the staff, department and policy records."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.review.codeowners import PATH, generate
from tests.factory import make_repo
from tests.review_factory import OFFICER, TIER2, Repo, anjian, init_review_county, review_county

ADMIN = "admin@qc.example.gov.cn"


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", review_county())


def rules(text: str) -> dict[str, list[str]]:
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            pattern, *owners = line.split()
            found[pattern] = owners
    return found


def test_each_kind_is_owned_by_the_reviewers_of_its_tiers(county: Path) -> None:
    owners = rules(generate(county))
    tier2 = ["@qianfeng", OFFICER]  # 赵刚 (no platform username) also reviews tier 2
    assert owners["/records/inspection/"] == ["@sunli-qc"]
    assert owners["/records/hazard/"] == ["@qianfeng", "@sunli-qc", OFFICER]
    assert owners["/records/penalty/"] == tier2
    assert owners["/records/decision/"] == tier2
    assert owners["/records/"] == ["@qianfeng", "@sunli-qc", OFFICER]


def test_administrators_own_the_rest_and_who_may_review(county: Path) -> None:
    owners = rules(generate(county))
    # the administrator has no platform username: the e-mail stands in
    assert owners["*"] == [ADMIN]
    assert owners["/records/staff/"] == [ADMIN]
    assert owners["/records/department/"] == [ADMIN]
    assert list(owners) == [
        "*",
        "/records/",
        "/records/decision/",
        "/records/hazard/",
        "/records/inspection/",
        "/records/penalty/",
        "/records/staff/",
        "/records/department/",
    ]


def test_retired_reviewers_and_the_discipline_body_are_not_code_owners(county: Path) -> None:
    text = generate(county)
    assert "zhengjie@" not in text  # retired tier-1 reviewer
    assert "wutao@" not in text  # tier 3 checks unannounced


def test_the_file_names_departments_not_people(county: Path) -> None:
    text = generate(county)
    assert "青川县安全生产委员会办公室（检查办公室）" in text
    assert "孙丽" not in text


def test_write_then_check_and_a_staff_change_makes_it_stale(tmp_path: Path) -> None:
    repo: Repo = init_review_county(tmp_path / "repo")
    assert anjian(repo, "review", "codeowners", "--check").exit_code == 1
    assert anjian(repo, "review", "codeowners", "--write").exit_code == 0
    assert (repo.root / PATH).read_text(encoding="utf-8") == generate(repo.root)
    assert anjian(repo, "review", "codeowners", "--check").exit_code == 0
    staff = repo.read("records/staff/STAFF-0006.yaml")
    staff["active"] = False
    repo.write("records/staff/STAFF-0006.yaml", staff)
    stale = anjian(repo, "review", "codeowners", "--check")
    assert stale.exit_code == 1
    assert "anjian review codeowners --write" in stale.output
    printed = anjian(repo, "review", "codeowners").output
    assert TIER2 not in printed and "@qianfeng" not in printed


def test_the_shipped_codeowners_matches_the_staff_records() -> None:
    """The pull-request workflow runs ``anjian review codeowners --check`` on this repository."""
    root = Path(__file__).resolve().parent.parent
    assert (root / ".github" / "CODEOWNERS").read_text(encoding="utf-8") == generate(root)

"""``anjian validate --base REF`` on the command line, in a scratch clone."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import problems_in
from tests.gitrepo import HAZARD, Repo
from tests.test_cli import anjian


def test_the_small_county_is_valid(repo: Path) -> None:
    assert problems_in(repo) == []


def test_a_deleted_hazard_fails_the_pull_request_check(clone: Repo) -> None:
    (clone.root / HAZARD).unlink()
    clone.commit("删除隐患")
    result = anjian("validate", "--base", "main", "--as-of", "2026-11-23", cwd=clone.root)
    assert result.returncode == 1
    assert f"{HAZARD}: record-deleted 隐患“HAZ-20251010-001”被删除" in result.stdout
    assert "1 个错误" in result.stderr


def test_problems_appear_inline_in_the_pull_request(clone: Repo) -> None:
    hazard = clone.read(HAZARD)
    hazard["description"] = "已整改。"
    clone.write(HAZARD, hazard)
    clone.commit("改描述")
    result = anjian(
        "validate",
        "--base",
        "origin/main",
        "--format",
        "github",
        "--as-of",
        "2026-11-23",
        cwd=clone.root,
    )
    assert result.returncode == 1
    assert result.stdout.startswith(
        f"::error file={HAZARD},line=9,col=1,title=closed-record-edited::"
    )


def test_a_clean_change_passes(clone: Repo) -> None:
    result = anjian("validate", "--base", "main", "--as-of", "2026-11-23", cwd=clone.root)
    assert result.returncode == 0, result.stdout
    assert "共检查 0 个文件：0 个错误" in result.stderr


def test_an_unknown_base_is_a_usage_error(clone: Repo) -> None:
    result = anjian("validate", "--base", "nope", cwd=clone.root)
    assert result.returncode == 2 and "找不到版本“nope”" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_git_work_tree_the_base_check_is_a_usage_error(repo: Path) -> None:
    result = anjian("validate", "--base", "main", cwd=repo)
    assert result.returncode == 2 and "Traceback" not in result.stderr

"""Approvals recorded in Git, and the required check that they are complete.

A scratch repository: ``main`` holds the county with reviewers of all three
tiers; the inspector 王军 opens a pull request adding an inspection (tier 1)
and a penalty (tier 2).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from generator.review.approvals import REQUEST_CHANGES
from tests.review_factory import (
    INSPECTION_NEW,
    OFFICER,
    PENALTY_NEW,
    RETIRED,
    TIER1,
    TIER2,
    TIER3,
    Repo,
    anjian,
    approve_by_hand,
    head,
    init_review_county,
    inspection,
    open_pull_request,
    penalty,
    push,
    records_commit,
)

INSPECTION_ID = "INS-20261120-001"
PENALTY_ID = "PEN-20261120-001"


def submission() -> dict[str, dict[str, Any]]:
    return {INSPECTION_NEW: inspection(INSPECTION_ID, "2026-11-20"), PENALTY_NEW: penalty()}


@pytest.fixture
def pull_request(tmp_path: Path) -> Repo:
    repo = init_review_county(tmp_path / "repo")
    open_pull_request(repo, submission())
    return repo


def check(repo: Repo) -> tuple[int, dict[str, Any]]:
    result = anjian(repo, "review", "check", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.output)
    return result.exit_code, data


def codes(report: dict[str, Any]) -> list[str]:
    return sorted(f["code"] for f in report["findings"])


def approve(repo: Repo, tier: int, email: str, *args: str) -> None:
    result = anjian(repo, "review", "approve", "--tier", str(tier), *args, email=email)
    assert result.exit_code == 0, result.output


def test_a_change_needing_tier_2_with_only_tier_1_approval_fails(pull_request: Repo) -> None:
    approve(pull_request, 1, TIER1)
    status, report = check(pull_request)
    assert status == 1
    assert codes(report) == ["review-missing"]
    missing = report["findings"][0]
    assert (missing["tier"], missing["record_id"]) == (2, PENALTY_ID)
    assert "二级复核" in missing["message"]


def test_the_complete_set_passes(pull_request: Repo) -> None:
    approve(pull_request, 1, TIER1)
    approve(pull_request, 2, TIER2, "--comment", "处罚依据和罚款金额适当")
    status, report = check(pull_request)
    assert status == 0
    assert report["complete"] is True
    assert report["findings"] == []
    text = anjian(pull_request, "review", "check")
    assert text.exit_code == 0
    assert "通过：所需的各级复核均已完成" in text.output


def test_self_approval_fails(tmp_path: Path) -> None:
    repo = init_review_county(tmp_path / "repo")
    # 赵刚 is an enforcement officer and also a tier-2 reviewer: he files the penalty himself
    open_pull_request(repo, submission(), email=OFFICER)
    approve(repo, 1, TIER1)
    approve_by_hand(repo, 2, OFFICER, [PENALTY_ID])
    status, report = check(repo)
    assert status == 1
    assert codes(report) == ["review-missing", "review-self-approval"]
    assert (
        "STAFF-0003"
        in next(f for f in report["findings"] if f["code"] == "review-self-approval")["message"]
    )


def test_approve_refuses_to_record_a_self_approval(tmp_path: Path) -> None:
    repo = init_review_county(tmp_path / "repo")
    open_pull_request(repo, submission(), email=OFFICER)
    before = head(repo)
    result = anjian(repo, "review", "approve", "--tier", "2", email=OFFICER)
    assert result.exit_code == 1
    assert "不能复核自己的修改" in result.output
    assert head(repo) == before


def test_an_approval_followed_by_a_new_push_is_stale(pull_request: Repo) -> None:
    approve(pull_request, 1, TIER1)
    approve(pull_request, 2, TIER2)
    changed = penalty()
    changed["fine"] = 30000
    push(pull_request, {PENALTY_NEW: changed})
    status, report = check(pull_request)
    assert status == 1
    assert codes(report) == ["review-missing", "review-missing", "review-stale", "review-stale"]
    # approving again after the new push completes the set
    approve(pull_request, 1, TIER1)
    approve(pull_request, 2, TIER2)
    assert check(pull_request)[0] == 0


def test_a_later_request_for_changes_blocks(pull_request: Repo) -> None:
    approve(pull_request, 1, TIER1)
    approve(pull_request, 2, TIER2)
    approve(
        pull_request,
        2,
        TIER2,
        "--request-changes",
        "--comment",
        "罚款依据应引用第九十七条第（七）项",
    )
    status, report = check(pull_request)
    assert status == 1
    assert codes(report) == ["review-changes-requested"]
    assert report["findings"][0]["record_id"] == PENALTY_ID
    # the reviewer's words reach the submitter
    assert "罚款依据应引用第九十七条第（七）项" in report["findings"][0]["message"]
    assert report["tiers"][1]["changes_requested"][PENALTY_ID]["comment"].startswith("罚款依据")


def test_a_fix_and_a_new_approval_lift_a_request_for_changes(pull_request: Repo) -> None:
    approve(pull_request, 1, TIER1)
    approve(pull_request, 2, TIER2, "--request-changes")
    changed = penalty()
    changed["basis"] = "《中华人民共和国安全生产法》第九十七条第（七）项"
    push(pull_request, {PENALTY_NEW: changed})
    approve(pull_request, 1, TIER1)
    approve(pull_request, 2, TIER2)
    status, report = check(pull_request)
    assert status == 0
    assert report["findings"] == []


@pytest.mark.parametrize(
    ("email", "why"),
    [
        (RETIRED, "不是在岗的一级复核员"),
        (TIER3, "不是在岗的一级复核员"),
        ("someone@example.com", "不属于任何人员记录"),
    ],
)
def test_only_an_active_reviewer_of_that_tier_counts(
    pull_request: Repo, email: str, why: str
) -> None:
    approve(pull_request, 2, TIER2)
    approve_by_hand(pull_request, 1, email, [INSPECTION_ID])
    status, report = check(pull_request)
    assert status == 1
    assert codes(report) == ["review-missing", "review-not-eligible"]
    assert (
        why in next(f for f in report["findings"] if f["code"] == "review-not-eligible")["message"]
    )


def test_approve_refuses_a_reviewer_of_another_tier(pull_request: Repo) -> None:
    result = anjian(pull_request, "review", "approve", "--tier", "2", email=TIER1)
    assert result.exit_code == 1
    assert "不是在岗的二级复核员" in result.output


def test_making_yourself_a_reviewer_in_the_pull_request_does_not_count(tmp_path: Path) -> None:
    repo = init_review_county(tmp_path / "repo")
    records = submission()
    staff = repo.read("records/staff/STAFF-0002.yaml")
    staff["roles"] = [*staff["roles"], "一级复核员", "二级复核员"]
    records["records/staff/STAFF-0002.yaml"] = staff  # 李娜 promotes herself in her own branch
    open_pull_request(repo, records)
    lina = "lina@qc.example.gov.cn"
    approve_by_hand(repo, 1, lina, [INSPECTION_ID])
    approve_by_hand(repo, 2, lina, [PENALTY_ID])
    status, report = check(repo)
    assert status == 1
    assert codes(report).count("review-not-eligible") == 2


def test_an_approval_of_some_records_leaves_the_others_missing(tmp_path: Path) -> None:
    repo = init_review_county(tmp_path / "repo")
    second = "records/inspection/2026/INS-20261120-002.yaml"
    open_pull_request(
        repo,
        {**submission(), second: inspection("INS-20261120-002", "2026-11-20")},
    )
    approve(repo, 1, TIER1, "--record", INSPECTION_ID)
    approve(repo, 2, TIER2)
    status, report = check(repo)
    assert status == 1
    assert [(f["code"], f["record_id"]) for f in report["findings"]] == [
        ("review-missing", "INS-20261120-002")
    ]


def test_the_approval_is_an_empty_commit_with_trailers(pull_request: Repo) -> None:
    reviewed = records_commit(pull_request)
    result = anjian(
        pull_request, "review", "approve", "--tier", "2", "--comment", "同意", email=TIER2
    )
    assert result.exit_code == 0, result.output
    assert "未签名" in result.output
    assert pull_request.git("show", "--stat", "--format=", "HEAD").strip() == ""
    trailers = (
        pull_request.git("log", "-1", "--format=%(trailers:only,unfold)").strip().splitlines()
    )
    assert trailers == [
        "Review-Tier: 2",
        "Review-Decision: approve",
        f"Reviewed-Commit: {reviewed}",
        f"Reviewed-Record: {PENALTY_ID}",
        "Review-Signed: no",
    ]
    assert pull_request.git("log", "-1", "--format=%ae").strip() == TIER2
    assert "同意" in pull_request.git("log", "-1", "--format=%b")


def test_a_request_for_changes_is_recorded_the_same_way(pull_request: Repo) -> None:
    approve(pull_request, 2, TIER2, "--request-changes", "--comment", "请补充询问笔录")
    body = pull_request.git("log", "-1", "--format=%B")
    assert f"Review-Decision: {REQUEST_CHANGES}" in body
    assert "请补充询问笔录" in body


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
def test_approvals_are_signed_when_a_signing_key_is_configured(
    pull_request: Repo, tmp_path: Path
) -> None:
    key = tmp_path / "reviewer_ed25519"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", TIER1, "-f", str(key)], check=True
    )
    pull_request.git("config", "gpg.format", "ssh")
    pull_request.git("config", "user.signingkey", f"{key}.pub")
    result = anjian(pull_request, "review", "approve", "--tier", "1", email=TIER1)
    assert result.exit_code == 0, result.output
    raw = pull_request.git("cat-file", "commit", "HEAD")
    assert "gpgsig -----BEGIN SSH SIGNATURE-----" in raw
    assert "Review-Signed: yes" in raw
    pull_request.git("config", "--unset", "user.signingkey")  # the next reviewer has no key
    approve(pull_request, 2, TIER2)
    _, report = check(pull_request)
    assert report["tiers"][0]["approved"][INSPECTION_ID]["signed"] is True
    assert report["tiers"][1]["approved"][PENALTY_ID]["signed"] is False


def test_a_change_without_records_needs_no_review(tmp_path: Path) -> None:
    repo = init_review_county(tmp_path / "repo")
    repo.branch("docs")
    (repo.root / "README.md").write_text("青川县记录库\n", encoding="utf-8")
    repo.commit("说明")
    status, report = check(repo)
    assert status == 0
    assert report["tiers"] == []


def test_nothing_to_approve_without_record_changes(tmp_path: Path) -> None:
    repo = init_review_county(tmp_path / "repo")
    repo.branch("empty")
    result = anjian(repo, "review", "approve", "--tier", "1", email=TIER1)
    assert result.exit_code == 1
    assert "没有修改记录" in result.output


def test_an_unknown_base_is_a_usage_error(pull_request: Repo) -> None:
    result = anjian(pull_request, "review", "check", "--base", "no-such-branch")
    assert result.exit_code == 2
    assert "no-such-branch" in result.output

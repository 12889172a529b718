"""The audit's one ``git log`` pass: every commit listed, evidence left out by git itself.

Evidence files (photos, scans) are most of a city's history; the log asks git
not to diff them.  That must not drop a commit: one that changed only
evidence, an empty review commit and a merge are all still there, with the
same parents and record changes as a plain ``git log --raw`` gives.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from generator.audit import gitread
from generator.audit.timeline import EVIDENCE_DIR, record_changes
from tests.gitrepo import HAZARD, INSPECTOR, init_county

EVIDENCE = "records/evidence/2026/11/HAZ-20251010-001-现场.jpg"


def _history(root: Path) -> Path:
    repo = init_county(root)
    (root / EVIDENCE).parent.mkdir(parents=True, exist_ok=True)
    (root / EVIDENCE).write_bytes(b"\xff\xd8 photo")
    repo.commit("证据：现场照片")  # evidence only
    repo.branch("整改")
    hazard = repo.read(HAZARD)
    hazard["description"] = hazard["description"] + "（复核补充）"
    repo.write(HAZARD, hazard)
    (root / EVIDENCE).write_bytes(b"\xff\xd8 photo, retaken")
    repo.commit("隐患：补充描述，重拍照片")
    repo.git("commit", "-q", "--allow-empty", "-m", "复核\n\nReview-Tier: 1", email=INSPECTOR)
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "合入 整改", "整改")
    return root


def _plain_log(root: Path) -> list[gitread.LogCommit]:
    out = subprocess.run(
        [
            "git",
            "-C",
            str(root),
            "-c",
            "core.quotePath=false",
            *gitread.log_command(None, "HEAD", "n"),
        ],
        capture_output=True,
        check=True,
    ).stdout
    return gitread.LogParser("n").feed(out, final=True)


def test_every_commit_is_listed_when_evidence_is_left_out(tmp_path: Path) -> None:
    root = _history(tmp_path / "county")
    plain = _plain_log(root)
    read = list(gitread.stream_log(root, "HEAD", ignore=(EVIDENCE_DIR,)))
    assert [(c.sha, c.parents, c.message) for c in read] == [
        (c.sha, c.parents, c.message) for c in plain
    ]
    assert len(read) == 5  # initial, evidence only, hazard, empty review, merge
    assert any(d.path == EVIDENCE for c in plain for d in c.deltas)
    assert not any(d.path.startswith(EVIDENCE_DIR) for c in read for d in c.deltas)
    for mine, theirs in zip(read, plain, strict=True):
        kept = tuple(d for d in theirs.deltas if not d.path.startswith(EVIDENCE_DIR))
        assert mine.deltas == kept
        assert record_changes(mine.deltas) == record_changes(theirs.deltas)


def test_a_merge_brings_the_hazard_change_against_its_first_parent(tmp_path: Path) -> None:
    root = _history(tmp_path / "county")
    merge = next(iter(gitread.stream_log(root, "HEAD", ignore=(EVIDENCE_DIR,))))
    assert len(merge.parents) == 2
    (change,) = record_changes(merge.deltas)
    assert (change.id, change.kind, change.status) == ("HAZ-20251010-001", "hazard", "M")


def test_a_record_moved_between_folders_is_one_change(tmp_path: Path) -> None:
    root = _history(tmp_path / "county")
    repo_git = ["git", "-C", str(root)]
    moved = HAZARD.replace("/2025/", "/2025-moved/")
    (root / moved).parent.mkdir(parents=True)
    subprocess.run([*repo_git, "mv", HAZARD, moved], check=True)
    subprocess.run(
        [*repo_git, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "-m", "移动"],
        check=True,
    )
    last = next(iter(gitread.stream_log(root, "HEAD", ignore=(EVIDENCE_DIR,))))
    (change,) = record_changes(last.deltas)
    assert (change.status, change.old_path, change.new_path) == ("M", HAZARD, moved)

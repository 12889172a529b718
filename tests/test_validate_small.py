"""A small change: records found by their file names, and ``--committed`` for CI."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from generator import validate as validate_module
from generator.records import RecordIndex, list_record_paths, record_folders
from generator.validate import validate_change
from tests.gitrepo import HAZARD, Repo
from tests.test_cli import anjian

INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"


def _problems(root: Path, **kwargs: bool) -> list[tuple[str, str, str]]:
    loaded = validate_change(root, "main", as_of=dt.date(2026, 11, 23), **kwargs)
    return [(p.path, p.code, p.message_zh) for p in loaded.report.sorted()]


def _tricky_change(clone: Repo) -> None:
    """A new hazard that refers to a missing enterprise, and one that takes an existing id."""
    hazard = clone.read(HAZARD)
    dangling = dict(hazard, id="HAZ-20261120-001", enterprise="91330100000000000X", events=[])
    dangling["found_on"], dangling["deadline"] = "2026-11-20", "2026-11-27"
    clone.write("records/hazard/2026/HAZ-20261120-001.yaml", dangling)
    clone.write("records/hazard/2026/HAZ-20251010-001.yml", dict(hazard))


def test_a_small_change_finds_what_the_full_listing_finds(
    clone: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tricky_change(clone)
    clone.commit("新隐患")
    probed = _problems(clone.root)
    codes = {code for _, code, _ in probed}
    assert {"dangling-ref", "duplicate-id", "id-reused"} <= codes
    monkeypatch.setattr(validate_module, "PROBE_LIMIT", 0)  # every record listed
    assert _problems(clone.root) == probed


def test_committed_checks_the_commits_alone(clone: Repo) -> None:
    _tricky_change(clone)
    clone.commit("新隐患")
    assert _problems(clone.root, committed=True) == _problems(clone.root)
    result = anjian(
        "validate", "--base", "main", "--committed", "--as-of", "2026-11-23", cwd=clone.root
    )
    assert result.returncode == 1 and "duplicate-id" in result.stdout


def test_committed_refuses_an_uncommitted_edit_of_a_changed_record(clone: Repo) -> None:
    hazard = clone.read(HAZARD)
    hazard["location"] = "二号仓库"
    clone.write(HAZARD, hazard)
    clone.commit("改位置")
    hazard["location"] = "三号仓库"
    clone.write(HAZARD, hazard)
    result = anjian("validate", "--base", "main", "--committed", cwd=clone.root)
    assert result.returncode == 2 and "有未提交的修改" in result.stderr
    assert "Traceback" not in result.stderr


def test_committed_needs_a_base(clone: Repo) -> None:
    result = anjian("validate", "--committed", cwd=clone.root)
    assert result.returncode == 2 and "--committed" in result.stderr


def test_the_default_still_sees_untracked_and_unstaged_records(clone: Repo) -> None:
    _tricky_change(clone)  # neither added nor committed
    codes = {code for _, code, _ in _problems(clone.root)}
    assert {"dangling-ref", "duplicate-id", "id-reused"} <= codes
    assert _problems(clone.root, committed=True) == []


def test_the_probed_index_agrees_with_the_listing(tmp_path: Path) -> None:
    records = tmp_path / "records"
    for rel in [
        "hazard/2025/HAZ-1.yaml",
        "hazard/2026/HAZ-1.yml",
        "hazard/2026/HAZ-2.yaml",
        "enterprise/HAZ-1.yaml",
        "staff/..yaml",
        "evidence/HAZ-1.yaml",  # evidence is not a record folder
    ]:
        (records / rel).parent.mkdir(parents=True, exist_ok=True)
        (records / rel).write_text("id: x\n", encoding="utf-8")
    (records / "hazard/2027/HAZ-2.yaml").mkdir(parents=True)  # a folder, not a record
    os.symlink(records / "hazard/2025", records / "linked")  # linked folders are not entered
    os.symlink(records / "missing", records / "hazard/2026/HAZ-3.yaml")  # a dangling link is
    full = RecordIndex(tmp_path, list_record_paths(tmp_path))
    folders = record_folders(tmp_path)
    probed = folders.index()
    for record_id in ["HAZ-1", "HAZ-2", "HAZ-3", ".", "hazard/2025/HAZ-1", "", "NONE", "haz-1"]:
        assert probed.paths(record_id) == full.paths(record_id), record_id
        assert probed.kind(record_id) == full.kind(record_id)
    assert folders.listed("records/hazard/2026/HAZ-1.yml")
    assert not folders.listed("records/evidence/HAZ-1.yaml")
    assert not folders.listed("records/linked/HAZ-1.yaml")
    assert not folders.listed("records/hazard/2027/HAZ-2.yaml")
    assert record_folders(tmp_path) == folders  # from the cache the second time

"""City scale: synthetic repositories, and the cache that keeps validation warm.

A scaled repository (reduced here to 200 enterprises) validates and carries a
git history by the staff; ``--scale demo`` keeps the demo's bytes.  The cache
gives the same problems as a cold run and never hides one: not after a schema
or policy change, not after a referenced record or an evidence file changed,
not after a same-size rewrite that kept the file's mtime.  Rule results are
kept too, and applied again to exactly the records whose inputs changed: a
record they name, a record named otherwise, an evidence file, the date.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from generator import pipeline, prefetch
from generator.cli import cli
from generator.demo.repository import write_repository
from generator.demo.scale import SCALES
from generator.problems import Problem
from generator.records import Record
from generator.rules.context import FileDigests
from generator.validate import validate_repository
from tests.factory import base_records, dump, make_repo

AS_OF = dt.date(2026, 11, 23)
PROJECT = Path(__file__).resolve().parents[1]
INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"
HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env
    ).stdout


def test_a_scaled_repository_validates_and_has_a_history(tmp_path: Path) -> None:
    out = tmp_path / "county"
    result = CliRunner().invoke(
        cli,
        ["demo", "--scale", "county", "--enterprises", "200", "--history", "30", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    for name in ("schemas/hazard.json", "policy.yaml", "mkdocs.yml", ".gitignore"):
        assert (out / name).is_file()
    loaded = validate_repository(out, as_of=AS_OF, keep_records=False)
    assert loaded.report.errors == []
    hazards = list((out / "records" / "hazard").rglob("*.yaml"))
    enterprises = list((out / "records" / "enterprise").glob("*.yaml"))
    assert len(enterprises) == 200
    # county rates: about 13 hazards per enterprise and year, over the demo's two-year window
    assert 200 * 13 * 1.5 < len(hazards) < 200 * 13 * 2.2
    assert all(p.parent.parent.parent.name == "hazard" for p in hazards)  # <year>/<month>/
    # the history: 30 commits by staff identities, the audit epoch set, nothing left over
    authors = _git(out, "log", "--format=%ae").split()
    assert len(authors) == 30
    staff_emails = {
        email
        for file in (out / "records" / "staff").glob("*.yaml")
        for email in yaml.safe_load(file.read_text(encoding="utf-8"))["git"]["emails"]
    }
    assert set(authors) <= staff_emails
    assert len(set(authors)) >= 5
    assert _git(out, "status", "--porcelain") == ""
    first = _git(out, "rev-list", "--max-parents=0", "HEAD").strip()
    assert f"epoch: {first}" in (out / "policy.yaml").read_text(encoding="utf-8")
    assert "Review-Tier: 1" in _git(out, "log", "--format=%B")


def test_the_demo_scale_keeps_the_demo_records(tmp_path: Path) -> None:
    write_repository(tmp_path, SCALES["demo"], jobs=2)
    ours = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "records").rglob("*"))
    committed = sorted(p.relative_to(PROJECT).as_posix() for p in (PROJECT / "records").rglob("*"))
    assert ours == committed
    for rel in ours[::37]:
        assert (tmp_path / rel).is_dir() or (tmp_path / rel).read_bytes() == (
            PROJECT / rel
        ).read_bytes()


# ---- the cache -------------------------------------------------------------------------


def _problems(root: Path, *, cache: bool = True) -> list[Problem]:
    return validate_repository(root, as_of=AS_OF, jobs=1, use_cache=cache).report.sorted()


def _age(root: Path, seconds: float = 3600) -> None:
    """Make every file and folder look written an hour ago (outside the racy window)."""
    past = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        if ".anjian-cache" not in path.parts:
            os.utime(path, (past, past))


def _backdate(*paths: Path, seconds: float = 3600) -> None:
    """Make these files look written an hour ago (the rest keep their times)."""
    past = time.time() - seconds
    for path in paths:
        os.utime(path, (past, past))


def _codes(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.path, p.code) for p in problems}


@pytest.fixture
def flawed(tmp_path: Path) -> Path:
    """The factory county with a few problems: a schema one, a rule one, a dangling reference."""
    records = base_records()
    records[HAZARD]["deadline"] = "2025-11-30"  # longer than a 三级 hazard allows
    records[INSPECTION]["experts"] = ["STAFF-0404"]  # nobody
    root = make_repo(tmp_path / "repo", records)
    bad = root / "records" / "enterprise" / "91330100745600131B.yaml"
    bad.write_text(bad.read_text(encoding="utf-8").replace("risk_color: 黄", "risk_color: 紫"))
    _age(root)
    return root


def test_the_cache_gives_the_problems_of_a_cold_run(flawed: Path) -> None:
    cold = _problems(flawed, cache=False)
    assert {"deadline-exceeds-level", "bad-enum", "dangling-ref"} <= {p.code for p in cold}
    filled = _problems(flawed)
    assert (flawed / ".anjian-cache").is_dir()
    warm = _problems(flawed)
    assert cold == filled == warm  # lines and columns included


def test_an_unchanged_file_is_not_parsed_again(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _problems(flawed)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    # (a record with a problem is read again for its positions, but not loaded again)
    monkeypatch.setattr("generator.pipeline._Worker._check_fresh", refuse)
    warm = validate_repository(flawed, as_of=AS_OF, jobs=1, keep_records=False)
    assert warm.report.files_checked == 8


def test_a_schema_change_is_not_hidden(flawed: Path) -> None:
    _problems(flawed)
    schema_file = flawed / "schemas" / "hazard.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["description"]["maxLength"] = 5
    schema_file.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert (HAZARD, "out-of-range") in _codes(_problems(flawed))
    assert _problems(flawed) == _problems(flawed, cache=False)


def test_a_policy_change_is_not_hidden(flawed: Path) -> None:
    _problems(flawed)
    policy = flawed / "policy.yaml"
    policy.write_text(
        policy.read_text(encoding="utf-8").replace("  - 城关镇\n", ""), encoding="utf-8"
    )
    found = _problems(flawed)
    assert ("records/enterprise/91330100745600123G.yaml", "unknown-town") in _codes(found)
    assert found == _problems(flawed, cache=False)


def test_a_referenced_record_change_is_not_hidden(flawed: Path) -> None:
    _problems(flawed)
    # the inspection's file is untouched; the staff it names change
    staff = flawed / "records" / "staff" / "STAFF-0001.yaml"
    text = staff.read_text(encoding="utf-8")
    staff.write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("certificate")) + "\n",
        encoding="utf-8",
    )
    assert (INSPECTION, "no-certified-inspector") in _codes(_problems(flawed))
    assert _problems(flawed) == _problems(flawed, cache=False)
    (flawed / "records" / "staff" / "STAFF-0002.yaml").unlink()
    found = _problems(flawed)
    assert ("records/inspection/2025/INS-20251010-001.yaml", "dangling-ref") in _codes(found)
    assert len([p for p in found if p.code == "dangling-ref"]) == 2
    assert found == _problems(flawed, cache=False)


def test_a_same_size_rewrite_with_the_old_mtime_is_not_hidden(flawed: Path) -> None:
    _problems(flawed)
    file = flawed / HAZARD
    before = file.stat()
    text = file.read_text(encoding="utf-8")
    changed = text.replace("level: 三级", "level: 五级")
    assert len(changed.encode()) == len(text.encode())
    file.write_text(changed, encoding="utf-8")
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (HAZARD, "bad-enum") in _codes(_problems(flawed))


def test_an_evidence_change_is_not_hidden(flawed: Path) -> None:
    _problems(flawed)
    photo = flawed / "records" / "evidence" / "HAZ-20251010-001" / "after.jpg"
    photo.write_bytes(b"another photo")
    assert (HAZARD, "evidence-hash-mismatch") in _codes(_problems(flawed))
    shutil.rmtree(photo.parent)
    assert (HAZARD, "evidence-not-found") in _codes(_problems(flawed))


def test_a_new_and_a_removed_file_are_seen(flawed: Path) -> None:
    first = validate_repository(flawed, as_of=AS_OF, jobs=1)
    records = base_records()
    new = "records/hazard/2025/HAZ-20251011-001.yaml"
    hazard = dict(records[HAZARD], id="HAZ-20251011-001", found_on="2025-10-11")
    hazard["deadline"] = "2025-10-18"
    hazard["events"] = []
    (flawed / new).write_text(dump(hazard), encoding="utf-8")
    second = validate_repository(flawed, as_of=AS_OF, jobs=1)
    assert second.report.files_checked == first.report.files_checked + 1
    (flawed / INSPECTION).unlink()
    found = _codes(validate_repository(flawed, as_of=AS_OF, jobs=1).report.problems)
    assert (HAZARD, "dangling-ref") in found and (new, "dangling-ref") in found


# ---- rule results kept between runs ---------------------------------------------------


def _ruled(root: Path, monkeypatch: pytest.MonkeyPatch, **kwargs: object) -> set[str]:
    """The files whose rules a warm run applied again (its problems must be a cold run's)."""
    applied: set[str] = set()
    original = pipeline._Worker._apply_rules

    def spy(
        self: pipeline._Worker, pack: object, key: object, loaded: list[Record], *rest: object
    ) -> object:
        applied.update(r.path for r in loaded)
        return original(self, pack, key, loaded, *rest)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(pipeline._Worker, "_apply_rules", spy)
        warm = validate_repository(root, jobs=1, **{"as_of": AS_OF, **kwargs}).report.sorted()  # type: ignore[arg-type]
    cold = validate_repository(root, jobs=1, use_cache=False, **{"as_of": AS_OF, **kwargs})  # type: ignore[arg-type]
    assert warm == cold.report.sorted()
    return applied


def test_unchanged_records_keep_their_rule_results(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _problems(flawed)
    assert _ruled(flawed, monkeypatch) == set()


def test_a_changed_staff_record_re_checks_the_inspections_naming_them(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _problems(flawed)
    staff = flawed / "records" / "staff" / "STAFF-0001.yaml"
    staff.write_text(
        staff.read_text(encoding="utf-8").replace("certificate", "#"), encoding="utf-8"
    )
    _backdate(staff)
    applied = _ruled(flawed, monkeypatch)
    assert INSPECTION in applied
    assert not any(p.startswith(("records/enterprise/", "records/hazard/")) for p in applied)


def test_a_record_named_otherwise_is_found_by_the_records_naming_its_id(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hazard = flawed / HAZARD
    hazard.write_text(
        hazard.read_text(encoding="utf-8").replace("INS-20251010-001", "INS-20251010-009"),
        encoding="utf-8",
    )
    _age(flawed)
    assert (HAZARD, "dangling-ref") in _codes(_problems(flawed))
    # the inspection it names arrives in a file named otherwise
    inspection = (flawed / INSPECTION).read_text(encoding="utf-8")
    named_otherwise = flawed / "records/inspection/2025/ins-9.yaml"
    named_otherwise.write_text(
        inspection.replace("INS-20251010-001", "INS-20251010-009"), encoding="utf-8"
    )
    _backdate(named_otherwise, named_otherwise.parent)
    assert HAZARD in _ruled(flawed, monkeypatch)
    assert (HAZARD, "dangling-ref") not in _codes(_problems(flawed))


def test_evidence_put_back_is_seen(flawed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = flawed / "records" / "evidence" / "HAZ-20251010-001" / "after.jpg"
    content = photo.read_bytes()
    photo.unlink()
    _age(flawed)
    assert (HAZARD, "evidence-not-found") in _codes(_problems(flawed))
    photo.write_bytes(content)
    _backdate(photo, photo.parent)
    assert _ruled(flawed, monkeypatch) == {HAZARD}
    assert (HAZARD, "evidence-not-found") not in _codes(_problems(flawed))


def test_evidence_reached_through_a_new_link_is_looked_at_again(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _problems(flawed)
    folder = flawed / "records" / "evidence" / "HAZ-20251010-001"
    moved = flawed / "elsewhere"
    os.rename(folder, moved)  # the very files (same inodes, sizes, times), now behind a link
    os.symlink(moved, folder)
    _backdate(folder.parent)
    assert HAZARD in _ruled(flawed, monkeypatch)


def test_another_day_applies_the_rules_again(flawed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _problems(flawed)
    later = _ruled(flawed, monkeypatch, as_of=AS_OF + dt.timedelta(days=400))
    assert HAZARD in later and INSPECTION in later


def test_evidence_digests_outlive_runs_that_applied_no_rule(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _problems(flawed)
    assert _ruled(flawed, monkeypatch) == set()  # the rules' results were all kept

    def refuse(*args: object) -> None:
        raise AssertionError("an unchanged evidence file hashed again")

    monkeypatch.setattr(FileDigests, "sha256", refuse)
    # the next day the rules are applied again, to the photos' digests kept all along
    later = validate_repository(flawed, as_of=AS_OF + dt.timedelta(days=1), jobs=1)
    assert (HAZARD, "evidence-hash-mismatch") not in _codes(later.report.problems)


def _records(folder: Path, count: int) -> list[str]:
    paths = [folder / f"{i:03}.yaml" for i in range(count)]
    for path in paths:
        path.write_text("id: x\n", encoding="utf-8")
        path.read_bytes()
    return [str(p) for p in paths]


def test_reading_ahead_opens_every_file_in_order_and_never_waits_on_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = _records(tmp_path, prefetch.MIN_FILES)
    pipe = tmp_path / "pipe.jpg"
    os.mkfifo(pipe)  # opened for reading without O_NONBLOCK, it would wait for a writer
    asked: list[str] = []
    advise = os.posix_fadvise

    def spy(fd: int, offset: int, length: int, advice: int) -> None:
        asked.append(os.readlink(f"/proc/self/fd/{fd}"))
        advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "posix_fadvise", spy)
    monkeypatch.setattr(prefetch, "in_memory", lambda paths: False)  # as if on the disk
    paths = [str(pipe), str(tmp_path / "missing.jpg"), str(tmp_path), *files]
    thread = prefetch.ahead(paths)
    assert thread is not None
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert asked[-len(files) :] == files


def test_files_already_in_memory_are_not_read_ahead(tmp_path: Path) -> None:
    paths = _records(tmp_path, prefetch.MIN_FILES)
    os.mkfifo(tmp_path / "pipe.jpg")
    # a folder, a pipe and a missing file are left to the reader: they say nothing either way
    odd = [str(tmp_path), str(tmp_path / "pipe.jpg"), str(tmp_path / "missing.yaml")]
    assert prefetch.in_memory([*odd, *paths])
    assert prefetch.ahead(paths) is None


def test_files_on_the_disk_are_read_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _records(tmp_path, prefetch.MIN_FILES * 4)
    on_disk = os.path.realpath(paths[-1])
    preadv = os.preadv

    def kernel(fd: int, buffers: list[bytearray], offset: int, flags: int = 0) -> int:
        if os.readlink(f"/proc/self/fd/{fd}") == on_disk and flags & os.RWF_NOWAIT:
            raise BlockingIOError(errno.EAGAIN, "not in memory")
        return preadv(fd, buffers, offset, flags)

    monkeypatch.setattr(os, "preadv", kernel)
    assert prefetch.in_memory(paths[:-1])
    assert not prefetch.in_memory(paths)  # the last file is always tried
    thread = prefetch.ahead(paths)
    assert thread is not None
    thread.join(timeout=20)


def test_a_pipe_in_place_of_evidence_is_reported_not_waited_on(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prefetch, "MIN_FILES", 1)  # read ahead even for a county this small
    monkeypatch.setattr(prefetch, "in_memory", lambda paths: False)  # and files in memory
    photo = flawed / "records" / "evidence" / "HAZ-20251010-001" / "after.jpg"
    photo.unlink()
    os.mkfifo(photo)
    assert (HAZARD, "evidence-not-found") in _codes(_problems(flawed, cache=False))


def test_records_are_handed_over_whole_even_when_marshal_refuses_them(
    flawed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker processes send the records' data back marshalled, or as it is."""
    monkeypatch.setattr(pipeline, "PARALLEL_THRESHOLD", 0)  # worker processes, even here
    by_marshal = validate_repository(flawed, as_of=AS_OF, jobs=2, use_cache=False)

    def refuse(value: object) -> bytes:
        raise ValueError("unmarshallable object")

    monkeypatch.setattr(pipeline.marshal, "dumps", refuse)  # the workers are forked: theirs too
    as_they_are = validate_repository(flawed, as_of=AS_OF, jobs=2, use_cache=False)
    assert [(r.path, r.data) for r in as_they_are.records] == [
        (r.path, r.data) for r in by_marshal.records
    ]
    assert [r.path for r in as_they_are.valid] == [r.path for r in by_marshal.valid]
    assert len(by_marshal.valid) < len(by_marshal.records)  # the flawed ones are held back

"""The published audit trail, moved into the next site when nothing it shows changed.

A rebuild whose history, published records, staff names, schemas and code are
those of the last build has the very same ``audit/``: the build moves the
published folder into the new site at the swap (its files keep their inodes)
instead of writing half a million files again.  Anything else — a new commit,
a record published or withdrawn, a file of the published trail altered —
writes it afresh, and the result is always the bytes a build without any cache
gives.  A build that fails, or is killed, after taking the trail puts it back.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.audit import memo as memo_module
from generator.render import build as build_module
from generator.render.build import BuildError, build_site, clear_leftovers, scan_borrowed
from tests.audit_factory import AS_OF, County, init_audited_county
from tests.factory import ENTERPRISE
from tests.review_factory import INSPECTION_NEW, TIER1, inspection

ENTERPRISE_FILE = f"records/enterprise/{ENTERPRISE}.yaml"


def county_with_a_landing(tmp_path: Path) -> County:
    county = init_audited_county(tmp_path / "repo")
    county.land(
        {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")}, approvals=[(1, TIER1)]
    )
    return county


def build(county: County, out: Path, notes: list[str] | None = None) -> None:
    build_site(
        county.root,
        out,
        as_of=AS_OF,
        search=False,
        jobs=1,
        progress=(notes if notes is not None else []).append,
    )


def trail(site: Path) -> dict[str, bytes]:
    folder = site / "audit"
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def inodes(site: Path) -> dict[str, int]:
    folder = site / "audit"
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def fresh_trail(county: County, tmp_path: Path) -> dict[str, bytes]:
    """What a build with no cache and no published site gives."""
    out = tmp_path / "fresh"
    shutil.rmtree(county.root / ".anjian-cache", ignore_errors=True)
    build(county, out)
    return trail(out)


def published(tmp_path: Path) -> tuple[County, Path, dict[str, bytes]]:
    """A county with a landing, its site built, and the audit trail that site holds."""
    county = county_with_a_landing(tmp_path)
    site = tmp_path / "site"
    build(county, site)
    return county, site, trail(site)


def edit_without_committing(county: County) -> None:
    file = county.root / ENTERPRISE_FILE
    file.write_text(
        file.read_text("utf-8").replace("name: ", "name: 改名中的", 1), encoding="utf-8"
    )


def test_an_edit_not_yet_committed_moves_the_published_trail_into_the_new_site(
    tmp_path: Path,
) -> None:
    county, site, before = published(tmp_path)
    numbers = inodes(site)

    edit_without_committing(county)
    notes: list[str] = []
    build(county, site, notes)

    assert inodes(site) == numbers  # the same files, moved: none written again
    assert trail(site) == before
    assert any("整体沿用" in n for n in notes)
    home = (site / "index.html").read_text("utf-8")
    assert "audit/index.html" in home
    assert trail(site) == fresh_trail(county, tmp_path)


def test_a_new_commit_writes_the_trail_afresh(tmp_path: Path) -> None:
    county, site, before = published(tmp_path)

    edit_without_committing(county)
    county.repo.git("commit", "-qam", "企业更名")
    notes: list[str] = []
    build(county, site, notes)

    assert not any("整体沿用" in n for n in notes)
    assert trail(site) != before
    assert trail(site) == fresh_trail(county, tmp_path)


def test_a_published_trail_altered_since_is_written_again(tmp_path: Path) -> None:
    county, site, before = published(tmp_path)
    (site / "audit" / "head.json").write_text('{"head": "forged"}\n', encoding="utf-8")
    (site / "audit" / "extra.html").write_text("<p>added by hand</p>", encoding="utf-8")

    notes: list[str] = []
    build(county, site, notes)

    assert not any("整体沿用" in n for n in notes)
    assert trail(site) == before


def test_a_failed_swap_gives_the_trail_back_to_the_published_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county, site, before = published(tmp_path)
    edit_without_committing(county)

    def refuse(new: Path, out: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "swap_in", refuse)
    with pytest.raises(BuildError):
        build(county, site)

    assert trail(site) == before
    assert not list(tmp_path.glob(".site.*"))


def test_a_build_killed_after_taking_the_trail_has_it_put_back_by_the_next(
    tmp_path: Path,
) -> None:
    _, site, before = published(tmp_path)
    dead = 2**22 + 12345  # above Linux's largest process id: no such process
    work = tmp_path / f".site.build-{dead}-x"
    (work / "site").mkdir(parents=True)
    build_module.borrow_trail(work, site)
    assert not (site / "audit").exists()

    clear_leftovers(site)

    assert trail(site) == before
    assert not work.exists()


def test_the_memo_knows_a_folder_by_every_file_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "audit"
    (folder / "records").mkdir(parents=True)
    (folder / "records" / "a.html").write_text("a", encoding="utf-8")
    first = memo_module.tree_stamps(folder)
    assert first is not None and first == memo_module.tree_stamps(folder)

    moved = tmp_path / "moved"
    os.rename(folder, moved)
    assert memo_module.tree_stamps(moved) == first  # moved, not changed
    (moved / "records" / "b.html").write_text("b", encoding="utf-8")
    assert memo_module.tree_stamps(moved) != first
    assert memo_module.tree_stamps(tmp_path / "missing") is None


def test_a_borrowed_trail_is_scanned_where_it_is_when_the_scan_rules_changed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "audit"
    folder.mkdir()
    (folder / "index.html").write_text("<p>联系电话 13912345678</p>", encoding="utf-8")
    passed: dict[str, str] = {}

    leaks = scan_borrowed(folder, frozenset(), None, passed)

    assert [leak.path for leak in leaks] == ["audit/index.html"]
    known = {"audit/index.html": "d1", "index.html": "d2"}
    kept: dict[str, str] = {}
    assert scan_borrowed(folder, frozenset(), known, kept) == []
    assert kept == {"audit/index.html": "d1"}  # passed the same rules last time

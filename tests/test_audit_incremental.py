"""The public audit pages made again only where their inputs changed.

A rebuild takes each record page whose inputs (its landed changes, the people
named, the schemas and the page code) are unchanged from the previously
published folder, and must give the very bytes a fresh build gives; a page
altered since, or a record no longer published, is never taken over.  The
versions of a record come from git — the working file is used only when git
says it is that version.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.audit import gitread
from generator.audit import publish as publish_module
from generator.audit.publish import AuditSite
from tests.audit_factory import AS_OF, County, init_audited_county
from tests.factory import ENTERPRISE
from tests.review_factory import (
    INSPECTION_NEW,
    PENALTY_NEW,
    TIER1,
    TIER2,
    inspection,
    penalty,
)

ENTERPRISE_FILE = f"records/enterprise/{ENTERPRISE}.yaml"
INSPECTION_PAGE = "records/INS-20261120-001.html"
ENTERPRISE_PAGE = f"records/{ENTERPRISE}.html"


def publish(county: County, out: Path, previous: Path | None, as_of: dt.date = AS_OF) -> AuditSite:
    return county.publish(out, as_of, previous)


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def publish_and_keep(county: County, tmp_path: Path, as_of: dt.date = AS_OF) -> Path:
    """Publish as a build does (to a new folder, then in place of the published one)."""
    published = tmp_path / "published"
    made = tmp_path / "made"
    publish(county, made, published, as_of)
    shutil.rmtree(published, ignore_errors=True)
    made.rename(published)
    return published


def land_inspection(county: County) -> None:
    county.land(
        {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")}, approvals=[(1, TIER1)]
    )


def move_enterprise(county: County, address: str, date: str = "2026-11-21") -> None:
    record = copy.deepcopy(county.repo.read(ENTERPRISE_FILE))
    record["address"] = address
    county.land({ENTERPRISE_FILE: record}, date=date, branch=f"move-{date}")


def test_a_rebuild_takes_unchanged_pages_and_gives_the_bytes_of_a_fresh_build(
    tmp_path: Path,
) -> None:
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    move_enterprise(county, "城关镇工业园区18号")
    published = publish_and_keep(county, tmp_path)
    move_enterprise(county, "城关镇工业园区28号", date="2026-11-22")

    again = tmp_path / "again"
    site = publish(county, again, published)
    fresh = tmp_path / "fresh"
    publish(county, fresh, None)

    assert files(again) == files(fresh)
    assert site.record_pages == len(list((fresh / "records").iterdir()))
    # the unchanged page is the published file itself; the changed one was made again
    assert (again / INSPECTION_PAGE).stat().st_ino == (published / INSPECTION_PAGE).stat().st_ino
    assert (again / ENTERPRISE_PAGE).stat().st_ino != (published / ENTERPRISE_PAGE).stat().st_ino
    assert "城关镇工业园区28号" in (again / ENTERPRISE_PAGE).read_text(encoding="utf-8")


def test_a_published_page_altered_since_is_made_again(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    published = publish_and_keep(county, tmp_path)
    page = published / INSPECTION_PAGE
    page.unlink()  # a file put in its place
    page.write_text("<p>CANARY 13911112222</p>", encoding="utf-8")

    again = tmp_path / "again"
    publish(county, again, published)
    fresh = tmp_path / "fresh"
    publish(county, fresh, None)

    assert files(again) == files(fresh)
    assert "CANARY" not in (again / INSPECTION_PAGE).read_text(encoding="utf-8")


def test_a_record_no_longer_published_is_not_taken_from_the_last_build(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    record = {**penalty(), "publish": {"from": "2026-11-21", "until": "2027-11-20"}}
    county.land({PENALTY_NEW: record}, approvals=[(1, TIER1), (2, TIER2)], branch="penalty")
    published = publish_and_keep(county, tmp_path)
    assert (published / "records" / "PEN-20261120-001.html").is_file()

    ended = tmp_path / "ended"
    publish(county, ended, published, as_of=dt.date(2027, 12, 1))

    assert not (ended / "records" / "PEN-20261120-001.html").exists()
    assert all(b"PEN-20261120-001" not in content for content in files(ended).values())
    assert (ended / INSPECTION_PAGE).stat().st_ino == (published / INSPECTION_PAGE).stat().st_ino


def test_an_uncommitted_edit_never_reaches_the_audit_pages(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    move_enterprise(county, "城关镇工业园区18号")
    record = copy.deepcopy(county.repo.read(ENTERPRISE_FILE))
    record["address"] = "未提交的地址99号"
    county.repo.write(ENTERPRISE_FILE, record)

    assert ENTERPRISE_FILE not in gitread.clean_blobs(county.root, "records")
    out = tmp_path / "audit"
    publish(county, out, None)

    page = (out / ENTERPRISE_PAGE).read_text(encoding="utf-8")
    assert "城关镇工业园区18号" in page
    assert "未提交的地址99号" not in page


def test_clean_files_are_known_by_their_blob_id_without_reading_them(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    clean = gitread.clean_blobs(county.root, "records")

    content = (county.root / ENTERPRISE_FILE).read_bytes()
    assert clean[ENTERPRISE_FILE] == gitread.blob_id(content)
    assert clean[ENTERPRISE_FILE] == county.repo.git("hash-object", ENTERPRISE_FILE).strip()


def test_a_renamed_staff_member_is_renamed_on_every_page_that_names_them(
    tmp_path: Path,
) -> None:
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    published = publish_and_keep(county, tmp_path)
    before = (published / INSPECTION_PAGE).read_text(encoding="utf-8")
    staff_file = "records/staff/STAFF-0001.yaml"
    staff = copy.deepcopy(county.repo.read(staff_file))
    assert staff["name"][0] in before  # the inspector who made the change (name masked)
    staff["name"] = "欧阳军"
    county.land({staff_file: staff}, date="2026-11-21", branch="rename")

    again = tmp_path / "again"
    publish(county, again, published)
    fresh = tmp_path / "fresh"
    publish(county, fresh, None)

    assert files(again) == files(fresh)
    after = (again / INSPECTION_PAGE).read_text(encoding="utf-8")
    assert after != before and "欧" in after


def test_pages_shared_out_between_workers_are_the_pages_one_process_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    county = init_audited_county(tmp_path / "repo")
    county.land_inspections(7)
    county.land({PENALTY_NEW: penalty()}, approvals=[(1, TIER1), (2, TIER2)])
    alone = county.publish(tmp_path / "alone", jobs=1)
    monkeypatch.setattr(publish_module, "PAGES_PER_WORKER", 1)  # a worker for a few pages

    shared = county.publish(tmp_path / "shared", previous=tmp_path / "none-yet", jobs=2)
    assert files(tmp_path / "shared") == files(tmp_path / "alone")
    assert shared.record_pages == alone.record_pages > 2

    # what each worker made is in the page cache: the next build takes every page over
    (tmp_path / "shared").rename(tmp_path / "none-yet")
    again = county.publish(tmp_path / "again", previous=tmp_path / "none-yet", jobs=2)
    assert len(again.reused) == again.record_pages == alone.record_pages
    assert files(tmp_path / "again") == files(tmp_path / "alone")

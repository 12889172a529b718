"""The audit trail on the portal, and how the history is read for it.

``anjian build`` publishes the audit pages under ``site/audit/`` with the rest
of the portal (scanned and swapped in together) and shows the chain's head on
the home page; a folder of records that is not in git is built without them.
The history itself is read in one ``git log`` pass whose framing no commit
message can imitate; the record versions verify reads are kept for the next
run, by blob id.
"""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.audit import gitread, publish
from generator.audit.chain import canonical, item_digest, sha256_hex
from generator.audit.publish import LISTED, NO_GIT_NOTE
from generator.audit.timeline import RecordChange, read_history
from generator.records import Record
from generator.render import build as build_module
from generator.render.build import build_site
from generator.validate import validate_repository
from tests.audit_factory import (
    AS_OF,
    OTHER_OFFICER,
    OTHER_OFFICER_FILE,
    County,
    head,
    init_audited_county,
    other_department_officer,
)
from tests.gitrepo import ADMIN
from tests.portal_factory import make_portal_repo
from tests.review_factory import (
    INSPECTION_NEW,
    PENALTY_NEW,
    TIER1,
    TIER2,
    inspection,
    penalty,
    review_county,
)


def land_inspection(county: County) -> tuple[str, str]:
    return county.land(
        {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")}, approvals=[(1, TIER1)]
    )


def test_the_built_portal_publishes_the_audit_trail_and_shows_its_head(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    chain = county.verify().entries

    build_site(county.root, tmp_path / "site", as_of=AS_OF, search=False, jobs=1)

    audit = tmp_path / "site" / "audit"
    published = json.loads((audit / "head.json").read_text(encoding="utf-8"))
    assert published["head"] == chain[-1].entry_hash
    assert published["entries"] == len(chain) == 1
    assert len((audit / "log.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    assert (audit / "index.html").is_file()
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert chain[-1].entry_hash in home
    assert 'href="audit/index.html"' in home


def test_before_the_first_landing_the_audit_page_says_why_it_is_empty(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    build_site(county.root, tmp_path / "site", as_of=AS_OF, search=False, jobs=1)
    index = (tmp_path / "site" / "audit" / "index.html").read_text(encoding="utf-8")
    assert "还没有合入的记录修改" in index
    land_inspection(county)
    build_site(county.root, tmp_path / "site", as_of=AS_OF, search=False, jobs=1)
    index = (tmp_path / "site" / "audit" / "index.html").read_text(encoding="utf-8")
    assert "还没有合入的记录修改" not in index and "INS-20261120-001" in index


def test_a_portal_of_records_outside_git_is_built_without_an_audit_trail(
    tmp_path: Path,
) -> None:
    root = make_portal_repo(tmp_path / "repo")
    notes: list[str] = []

    build_site(root, tmp_path / "site", as_of=AS_OF, search=False, jobs=1, progress=notes.append)

    assert NO_GIT_NOTE in notes
    assert not (tmp_path / "site" / "audit").exists()
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "audit/index.html" not in home


def test_a_commit_message_imitating_the_log_cannot_add_commits_or_files(
    tmp_path: Path,
) -> None:
    county = init_audited_county(tmp_path / "repo")
    forged = (
        "合并\x1e\x1d\x1f伪造\n\n"
        "\x1e" + "0" * 40 + " \x1fx\x1fx@example.com\x1f1 +0800\x1fx\x1fx@example.com\x1f1 +0800"
        "\x1e\n:000000 100644 " + "0" * 40 + " " + "1" * 40 + " A\n"
        "records/staff/STAFF-9999.yaml\n"
    )
    county.repo.git("commit", "-q", "--allow-empty", "-m", forged, email=ADMIN)

    history = read_history(county.root, epoch=county.epoch)

    commits = county.repo.git("rev-list", "--count", f"{county.epoch}..HEAD").strip()
    assert len(history.commits) == int(commits)
    assert history.commits[head(county.repo)].message.startswith("合并\x1e\x1d\x1f伪造")
    assert history.landings == []


def test_an_entry_names_each_record_by_the_digest_of_its_canonical_change() -> None:
    change = RecordChange(
        "HAZ-20261120-001",
        "hazard",
        "M",
        "records/hazard/2026/HAZ-20261120-001.yaml",
        "records/hazard/2026/HAZ-20261120-001.yaml",
        "a" * 40,
        "b" * 40,
    )
    odd = change._replace(id='引号"与\\反斜杠\n', status="D", new_path=None, new_blob=None)

    for each in (change, odd):
        described = {
            "id": each.id,
            "kind": each.kind,
            "change": each.status,
            "old": each.old_blob,
            "new": each.new_blob,
        }
        assert item_digest(each) == sha256_hex(canonical(described))


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The objects verify asks git for from now on."""
    asked: list[str] = []
    ask = gitread.ObjectReader.ask

    def counting(self: gitread.ObjectReader, sha: str) -> None:
        asked.append(sha)
        ask(self, sha)

    monkeypatch.setattr(gitread.ObjectReader, "ask", counting)
    return asked


def test_a_second_verify_reads_no_version_again_and_judges_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = review_county()
    records[OTHER_OFFICER_FILE] = other_department_officer()
    county = init_audited_county(tmp_path / "repo", records)
    land_inspection(county)
    record = {
        **penalty(),
        "publish": {"from": "2026-11-21", "until": "2027-11-20"},
        "case_no": "青应急立〔2026〕41号",
    }
    change, _ = county.land(
        {PENALTY_NEW: record},
        author=OTHER_OFFICER,
        approvals=[(2, TIER2)],
        date="2026-11-21",
    )
    first = county.verify().findings
    assert ("audit-not-permitted", change) in [(f.code, f.commit) for f in first]

    asked = count_reads(monkeypatch)
    second = county.verify().findings

    assert asked == []  # the penalty's department came from the kept versions
    assert second == first
    monkeypatch.setenv("ANJIAN_NO_CACHE", "1")
    assert county.verify().findings == first
    assert asked != []


def test_a_change_touching_many_records_names_a_few_on_the_log_page_and_all_in_the_log(
    tmp_path: Path,
) -> None:
    county = init_audited_county(tmp_path / "repo")
    ids = county.land_inspections(12)

    county.publish(tmp_path / "audit")

    logged = json.loads((tmp_path / "audit" / "log.jsonl").read_text(encoding="utf-8"))
    assert sorted(d["id"] for d in logged["details"]) == ids
    page = (tmp_path / "audit" / "log" / "1.html").read_text(encoding="utf-8")
    linked = [i for i in ids if f'href="../records/{i}.html"' in page]
    assert len(linked) == LISTED < len(ids)
    assert f"等 {len(ids)} 条公示记录（全部记录见 log.jsonl 第 1 条）" in page
    index = (tmp_path / "audit" / "index.html").read_text(encoding="utf-8")
    assert f"等 {len(ids)} 条公示记录" in index


def test_the_trail_read_from_git_alone_is_the_one_made_with_the_loaded_records(
    tmp_path: Path,
) -> None:
    """The build's audit child is sent only what may be named and reads every version
    from git; ``anjian audit publish`` takes the current ones from the loaded records."""
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    edited = inspection("INS-20261120-001", "2026-11-20")
    edited["summary"] = "复查：现场隐患已整改，台账已补齐。"
    county.land({INSPECTION_NEW: edited}, approvals=[(1, TIER1)])
    county.land({PENALTY_NEW: penalty()}, approvals=[(1, TIER1), (2, TIER2)])
    (county.root / INSPECTION_NEW).write_text(  # an edit not committed: not in the trail
        yaml.safe_dump({**edited, "summary": "未提交的修改。"}, allow_unicode=True),
        encoding="utf-8",
    )

    county.publish(tmp_path / "with-records")
    loaded = validate_repository(county.root, as_of=AS_OF, jobs=1)
    named = publish.named_on(loaded.valid, loaded.registry, loaded.policy, AS_OF)
    site = publish.write_audit(
        county.root,
        tmp_path / "from-git",
        named=named,
        registry=loaded.registry,
        policy=loaded.policy,
        jobs=1,
    )

    assert site.record_pages >= 1
    assert tree_bytes(tmp_path / "from-git") == tree_bytes(tmp_path / "with-records")
    page = (tmp_path / "from-git" / "records" / "INS-20261120-001.html").read_text("utf-8")
    assert "复查：现场隐患已整改" in page and "未提交的修改" not in page


def test_the_child_writing_the_build_s_trail_holds_none_of_the_loaded_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It is forked before the records are loaded: a child forked after would count
    all the memory it shares with them as its own (a city's: 1.8 GB)."""
    county = init_audited_county(tmp_path / "repo")
    land_inspection(county)
    counted = tmp_path / "records-in-the-child"
    real = build_module.write_site_audit

    def counting(*args: Any, **kwargs: Any) -> Any:
        gc.unfreeze()  # objects the build set aside from collection are counted too
        held = sum(isinstance(o, Record) for o in gc.get_objects())
        counted.write_text(f"{os.getpid()} {held}", encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "write_site_audit", counting)
    build_site(county.root, tmp_path / "site", as_of=AS_OF, search=False, jobs=1)

    pid, held = counted.read_text(encoding="utf-8").split()
    assert int(pid) != os.getpid()  # written by the forked child
    assert int(held) == 0
    assert (tmp_path / "site" / "audit" / "records" / "INS-20261120-001.html").is_file()


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_log_pages_link_the_one_before_and_after_and_the_index_stays_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish, "PAGE_SIZE", 1)
    monkeypatch.setattr(publish, "LINKED", 2)
    county = init_audited_county(tmp_path / "repo")
    for n in range(1, 4):
        record_id = f"INS-20261120-{n:03d}"
        county.land(
            {f"records/inspection/2026/{record_id}.yaml": inspection(record_id, "2026-11-20")},
            approvals=[(1, TIER1)],
            branch=f"submit-{n}",
        )

    county.publish(tmp_path / "audit")

    log = tmp_path / "audit" / "log"
    first, middle, last = (log / f"{n}.html" for n in (1, 2, 3))
    assert 'href="2.html">下一页' in first.read_text(encoding="utf-8")
    assert "上一页" not in first.read_text(encoding="utf-8")
    assert 'href="1.html">上一页' in middle.read_text(encoding="utf-8")
    assert 'href="3.html">下一页' in middle.read_text(encoding="utf-8")
    assert "下一页" not in last.read_text(encoding="utf-8")
    index = (tmp_path / "audit" / "index.html").read_text(encoding="utf-8")
    assert 'href="log/3.html"' in index and 'href="log/2.html"' in index
    assert 'href="log/1.html"' not in index
    assert "更早的 1 页" in index


@pytest.mark.parametrize("text", ["HAZ-1", 'a"b', "a\\b", "中文", "\x00\x1f\u2028"])
def test_an_item_digest_is_that_of_its_canonical_json(text: str) -> None:
    change = RecordChange(text, text, "M", text, text, text, None)
    expected = {"change": "M", "id": text, "kind": text, "new": None, "old": text}
    assert item_digest(change) == sha256_hex(canonical(expected))


def test_a_record_file_name_that_is_not_utf8_is_reported_not_a_traceback(tmp_path: Path) -> None:
    county = init_audited_county(tmp_path / "repo")
    folder = county.root / "records" / "inspection" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    record = yaml.safe_dump(inspection("INS-20261120-001", "2026-11-20"), allow_unicode=True)
    with open(os.fsencode(folder) + b"/INS-\xff.yaml", "wb") as file:  # not a valid str path
        file.write(record.encode())
    county.repo.git("add", "-A")
    county.repo.git("commit", "-q", "-m", "文件名不是 UTF-8", email=ADMIN, date="2026-11-20")

    result = county.verify()

    assert len(result.entries) == 1
    assert "audit-approval-missing" in {f.code for f in result.errors}

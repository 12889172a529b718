"""The portal at scale: pages made outside MkDocs, incremental rebuilds, the search in shards.

- a page put into its folder's shell is byte for byte the page MkDocs makes;
- a rebuild after a one-record change renders only the pages whose inputs
  changed, re-indexes only the search shards whose pages changed, and gives the
  same bytes as a full build;
- nothing the cache keeps can put an altered or leaking file on the site.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator import forked
from generator.cache import file_digest
from generator.cli import cli
from generator.collect import GC_THRESHOLD
from generator.render import build as build_module
from generator.render import search
from generator.render.build import LeakFound, build_site, render_project, run_mkdocs
from generator.render.docs import front_matter, render_page
from generator.render.model import build_portal
from generator.render.pages import build_pages
from generator.render.public import Publisher
from generator.render.shell import SHELL, folder_of, html_path, take_shells
from generator.render.templating import make_env
from generator.validate import validate_repository
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE
from tests.portal_factory import (
    AS_OF,
    CANARY_PHONE,
    make_portal_repo,
    portal_records,
    with_enterprises,
)
from tests.reliability.sitetree import leftovers

HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"
ODD_NAME = "A  &amp; B\t<b>x</b> \"q\" 'z'  企业"


def county(count: int = 60) -> dict[str, dict[str, Any]]:
    records = with_enterprises(portal_records(), count)
    first = sorted(k for k in records if "MA" in k)[0]
    records[first] = {**records[first], "name": ODD_NAME}
    return records


def files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def edit_record(root: Path, rel: str, **changes: Any) -> None:
    file = root / rel
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data.update(changes)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_shell_pages_are_the_pages_mkdocs_makes(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo", county())
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text("utf-8") + "site_url: https://example.org/anjian/\n", encoding="utf-8"
    )
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    portal = build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)
    project = tmp_path / "project"
    rendered = render_project(portal, root, project, project / "site")
    # the same pages, written for MkDocs as well (out of the navigation, as before shells)
    env = make_env()
    direct = [
        p
        for p in build_pages(portal, rendered.extra)
        if p.src not in {n.src for n in rendered.navigable}
    ]
    assert len(direct) > len(portal.enterprises)
    for page in direct:
        (project / "docs" / page.src).parent.mkdir(parents=True, exist_ok=True)
        (project / "docs" / page.src).write_text(render_page(env, page), encoding="utf-8")
    run_mkdocs(project / "mkdocs.yml", AS_OF)
    site = project / "site"
    shells = take_shells(site, rendered.folders)
    assert not list(site.rglob(SHELL))
    for page in direct:
        body = env.get_template(f"pages/{page.template}").render(
            **page.resolved(),
            src=page.src,
            title=page.heading or page.title,
            indexed=page.indexed,
        )
        made = shells[folder_of(page.src)].fill(page, body)
        assert made == (site / html_path(page.src)).read_text("utf-8"), page.src
    assert front_matter(direct[0]).startswith("---\n")
    odd = next(p for p in direct if p.title == ODD_NAME)
    assert "&lt;b&gt;x&lt;/b&gt;" in (site / html_path(odd.src)).read_text("utf-8")
    canonical = f'<link rel="canonical" href="https://example.org/anjian/enterprise/{ENTERPRISE}/">'
    assert canonical in (site / f"enterprise/{ENTERPRISE}/index.html").read_text("utf-8")


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 20)


def test_a_one_record_rebuild_makes_only_what_changed(tmp_path: Path, small_shards: None) -> None:
    root = make_portal_repo(tmp_path / "repo", county())
    out = tmp_path / "site"
    first = build_site(root, out, as_of=AS_OF)
    assert first.made["reused"] == 0 and first.made["shards"] >= 3
    inode = (out / f"enterprise/{OTHER_ENTERPRISE}/index.html").stat().st_ino

    edit_record(root, HAZARD, description="仓库安全出口堆放杂物（复查时已补充照片）。")
    again = build_site(root, out, as_of=AS_OF)
    assert 0 < again.made["rendered"] < 10  # the enterprise page, the hazard lists
    assert again.made["reused"] > 60
    assert again.made["shards_reused"] == again.made["shards"] - 1
    page = (out / f"enterprise/{ENTERPRISE}/index.html").read_text("utf-8")
    assert "复查时已补充照片" in page
    # an untouched page is the very file of the last build (linked, not rewritten)
    assert (out / f"enterprise/{OTHER_ENTERPRISE}/index.html").stat().st_ino == inode

    fresh = tmp_path / "fresh"
    build_site(root, fresh, as_of=AS_OF, incremental=False)
    assert files(out) == files(fresh)


def test_a_rebuild_weighs_the_lists_only_of_the_enterprise_pages_it_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import pages

    root = make_portal_repo(tmp_path / "repo", county())
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False, jobs=1)
    shaped: list[str] = []
    real = pages._enterprise_shown

    def shown(inputs: dict[str, Any]) -> dict[str, Any]:
        shaped.append(str(inputs["e"]["id"]))
        return real(inputs)

    monkeypatch.setattr(pages, "_enterprise_shown", shown)
    monkeypatch.setattr(forked, "room_for_a_child", lambda: False)  # calls seen here
    edit_record(root, HAZARD, description="仓库安全出口堆放杂物（复查时已补充照片）。")
    build_site(root, out, as_of=AS_OF, search=False, jobs=1)

    assert shaped == [ENTERPRISE]  # the one enterprise whose hazard changed
    assert "复查时已补充照片" in (out / f"enterprise/{ENTERPRISE}/index.html").read_text("utf-8")


def test_an_enterprise_page_shows_the_first_page_of_a_long_hazard_list(tmp_path: Path) -> None:
    from generator.render import pages

    portal = county_portal(tmp_path)
    e = portal.enterprise_by_id[ENTERPRISE]
    page = pages._enterprise_page(portal, e, {})
    inputs = page.made_inputs()
    assert inputs is not None
    inputs["hazards"] = inputs["hazards"] * 200  # far more than one page holds
    context = page.resolved()
    assert 0 < len(context["hazards"]) <= pages.SHOWN_HAZARDS[0]
    assert context["hazard_total"] == len(portal.hazards_by_enterprise[ENTERPRISE])
    assert "shown" not in context


@pytest.mark.parametrize("room", [True, False], ids=["forked", "one-after-the-other"])
def test_pages_written_by_two_processes_are_the_pages_one_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: bool
) -> None:
    """A city's pages are written half by a forked child (or, without memory to spare,
    in two halves one after the other): the same files (the sitemap in the same order),
    and a cache the next build reuses whole."""
    root = make_portal_repo(tmp_path / "repo", county())
    one = tmp_path / "one"
    build_site(root, one, as_of=AS_OF, incremental=False)
    monkeypatch.setattr(build_module, "SPLIT_AT", 1)
    monkeypatch.setattr(forked, "room_for_a_child", lambda: room)
    two = tmp_path / "two"
    first = build_site(root, two, as_of=AS_OF)
    assert files(two) == files(one)

    edit_record(root, HAZARD, description="仓库安全出口堆放杂物（复查时已补充照片）。")
    again = build_site(root, two, as_of=AS_OF)
    assert 0 < again.made["rendered"] < 10
    assert again.made["rendered"] + again.made["reused"] == first.made["rendered"]
    build_site(root, one, as_of=AS_OF, incremental=False)
    assert files(two) == files(one)
    same = build_site(root, two, as_of=AS_OF)
    assert same.made["rendered"] == 0  # what the child made was kept for next time


def test_a_build_collects_garbage_seldom_whoever_calls_it(tmp_path: Path) -> None:
    # with a corpus in memory, the collector's default pace cost a city's build 7 s
    root = make_portal_repo(tmp_path / "repo", county(2))
    seen: list[tuple[int, int, int]] = []
    before = gc.get_threshold()
    build_site(
        root,
        tmp_path / "site",
        as_of=AS_OF,
        search=False,
        progress=lambda _: seen.append(gc.get_threshold()),
    )
    assert seen and set(seen) == {GC_THRESHOLD}
    assert gc.get_threshold() == before  # and as it was, once built


def test_nothing_changed_reuses_everything_and_a_new_date_nothing(
    tmp_path: Path, small_shards: None
) -> None:
    root = make_portal_repo(tmp_path / "repo", county(10))
    out = tmp_path / "site"
    first = build_site(root, out, as_of=AS_OF, search=False)
    same = build_site(root, out, as_of=AS_OF, search=False)
    assert same.made["rendered"] == 0 and same.made["reused"] == first.made["rendered"]
    later = build_site(root, out, as_of=AS_OF.replace(day=24), search=False)
    assert later.made["reused"] == 0  # every page says "数据截至" its date


def test_an_altered_published_page_is_made_again(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    page = out / f"enterprise/{OTHER_ENTERPRISE}/index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace("鑫源建材厂".encode(), "篡改".encode()))
    again = build_site(root, out, as_of=AS_OF, search=False)
    assert again.made["rendered"] == 1
    assert page.read_bytes() == good
    # the same size and modification time as before: still seen
    before = page.stat()
    page.write_bytes(good.replace("鑫源建材厂".encode(), "鑫源建材店".encode()))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    again = build_site(root, out, as_of=AS_OF, search=False)
    assert again.made["rendered"] == 1
    assert page.read_bytes() == good


def test_pages_taken_from_the_last_site_are_not_read_again_the_time_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    build_site(root, out, as_of=AS_OF, search=False)  # pages linked; the old site deleted
    assert leftovers(out) == []  # (waits for the deletion, which changes the files' ctime)

    def refuse(path: Path) -> None:
        raise AssertionError(f"{path} read again to check its digest")

    monkeypatch.setattr("generator.render.cache.file_digest", refuse)
    again = build_site(root, out, as_of=AS_OF, search=False)
    assert again.made["rendered"] == 0 and again.made["reused"] > 0


def test_a_cache_restored_on_a_new_machine_saves_work_and_changes_nothing(
    tmp_path: Path, small_shards: None
) -> None:
    """What the publishing workflow does: the last run's ``.anjian-cache/`` and ``site/``
    restored into a fresh checkout, where every file has a new inode and status-change
    time.  Pages are checked by their digests instead, and only what changed is made."""
    first_runner = make_portal_repo(tmp_path / "runner-1", county())
    first = build_site(first_runner, first_runner / "site", as_of=AS_OF)
    assert first.made["reused"] == 0

    runner = tmp_path / "runner-2"
    shutil.copytree(first_runner, runner, symlinks=True)  # new inodes and times: a restore
    edit_record(runner, HAZARD, description="仓库安全出口堆放杂物（复查时已补充照片）。")
    again = build_site(runner, runner / "site", as_of=AS_OF)
    assert 0 < again.made["rendered"] < 10
    assert again.made["reused"] > 60
    assert again.made["shards_reused"] == again.made["shards"] - 1
    # the audit pages' manifest and the site's were found under the names they had
    kept = sorted(p.name for p in (first_runner / ".anjian-cache").iterdir() if "-" in p.name)
    assert [n for n in kept if n.startswith(("site-", "audit-pages-"))]
    assert sorted(p.name for p in (runner / ".anjian-cache").iterdir() if "-" in p.name) == kept

    fresh = tmp_path / "fresh"
    build_site(runner, fresh, as_of=AS_OF, incremental=False)
    assert files(runner / "site") == files(fresh)


def test_a_leak_in_a_remade_page_fails_the_rebuild(
    tmp_path: Path, without_public_text_rule: None
) -> None:
    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    before = files(out)
    # someone types a phone number into a public field: only that page and the lists change
    edit_record(root, HAZARD, description=f"仓库安全出口堆放杂物，联系电话 {CANARY_PHONE}。")
    with pytest.raises(LeakFound) as caught:
        build_site(root, out, as_of=AS_OF, search=False)
    assert f"enterprise/{ENTERPRISE}/index.html" in {leak.path for leak in caught.value.leaks}
    assert files(out) == before
    assert CANARY_PHONE not in "".join(caught.value.details)


def test_the_search_index_is_scanned_once_made_and_the_pages_while_it_is_made(
    tmp_path: Path, without_public_text_rule: None, small_shards: None
) -> None:
    # the rest of the site is scanned while Pagefind runs; the index is scanned after it,
    # the shards taken over from the last build included
    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF)
    before = files(out)
    edit_record(root, HAZARD, description=f"仓库安全出口堆放杂物，联系电话 {CANARY_PHONE}。")
    with pytest.raises(LeakFound) as caught:
        build_site(root, out, as_of=AS_OF)
    found = {leak.path for leak in caught.value.leaks}
    assert f"enterprise/{ENTERPRISE}/index.html" in found
    assert any(path.startswith("pagefind/") for path in found)  # the phone, in the index
    assert files(out) == before


def test_the_cli_rebuilds_in_full_on_request(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo", county(3))
    args = ["--repo", str(root), "build", "--as-of", AS_OF.isoformat(), "--no-search"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0 and "重新生成 0 页" in again.output
    full = CliRunner().invoke(cli, [*args, "--full"])
    assert full.exit_code == 0 and "沿用 0 页" in full.output
    assert (root / ".anjian-cache").is_dir()


def test_the_compiled_projection_is_the_schema_projection(tmp_path: Path) -> None:
    """``Publisher.public`` (one walk) equals ``project_public`` then masking, on every record."""
    for masking in (True, False):
        records = portal_records()
        root = make_portal_repo(tmp_path / f"repo-{masking}", records)
        loaded = validate_repository(root, as_of=AS_OF, jobs=1)
        raw = copy.deepcopy(loaded.policy.raw)
        raw.setdefault("masking", {})["person_name"] = masking
        publisher = Publisher(loaded.registry, type(loaded.policy)(raw))
        for record in loaded.records:
            if record.kind in loaded.registry:
                fast = publisher.public(record.kind, record.data)
                assert fast == publisher.public_slow(record.kind, record.data), record.path
        shutil.rmtree(root)


def test_large_files_are_scanned_in_pieces_that_find_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import leakscan

    site = tmp_path / "site"
    (site / "data").mkdir(parents=True)
    rows = [
        json.dumps({"id": n, "text": "隐患" * (n % 7)}, ensure_ascii=False) for n in range(3000)
    ]
    rows[1500] = json.dumps({"id": 1500, "text": f"电话 {CANARY_PHONE}"}, ensure_ascii=False)
    rows[2999] = '{"id": 2999, "text": "\\u003cb\\u003e canary.leak@example.com"}'
    (site / "data/big.json").write_text("[\n" + ",\n".join(rows) + "\n]\n", encoding="utf-8")
    whole = leakscan.scan_site(site)
    monkeypatch.setattr(leakscan, "CHUNK", 4096)  # many pieces
    assert leakscan.scan_site(site) == whole
    assert sorted(leak.kind for leak in whole) == ["email", "phone"]


@pytest.fixture
def diff_small_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Changed text files of any size are scanned only where they changed."""
    from generator.render import leakscan

    monkeypatch.setattr(leakscan, "DIFF_MIN", 0)


def spy_scans(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """site path → the texts the leak scan read of it."""
    from generator.render import leakscan

    seen: dict[str, list[str]] = {}
    real = leakscan.scan_text

    def scan_text(text: str, path: str, allow: frozenset[str] = frozenset()) -> Any:
        seen.setdefault(path, []).append(text)
        return real(text, path, allow)

    monkeypatch.setattr(leakscan, "scan_text", scan_text)
    return seen


def test_a_rebuild_scans_only_the_changed_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, diff_small_files: None
) -> None:
    root = make_portal_repo(tmp_path / "repo", county(10))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    edit_record(root, HAZARD, description="仓库安全出口堆放杂物（复查时已补充照片）。")
    seen = spy_scans(monkeypatch)
    build_site(root, out, as_of=AS_OF, search=False)
    # the changed hazard's line of the open data, not the whole table
    for table in ("data/hazards.json", "data/hazards.csv"):
        assert len(seen[table]) == 1 and "复查时已补充照片" in seen[table][0], table
        assert seen[table][0].count("\n") <= 2, seen[table][0]
    assert f"enterprise/{ENTERPRISE}/index.html" in seen
    assert f"enterprise/{OTHER_ENTERPRISE}/index.html" not in seen  # taken unchanged
    assert "data/enterprises.csv" not in seen  # written again, the same bytes
    fresh = tmp_path / "fresh"
    build_site(root, fresh, as_of=AS_OF, search=False, incremental=False)
    assert files(out) == files(fresh)


def test_a_leak_in_a_changed_line_of_the_open_data_is_found(
    tmp_path: Path, without_public_text_rule: None, diff_small_files: None
) -> None:
    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    before = files(out)
    edit_record(root, HAZARD, description=f"仓库安全出口堆放杂物，联系电话 {CANARY_PHONE}。")
    with pytest.raises(LeakFound) as caught:
        build_site(root, out, as_of=AS_OF, search=False)
    assert {"data/hazards.csv", "data/hazards.json"} <= {leak.path for leak in caught.value.leaks}
    assert files(out) == before


def test_new_scan_rules_scan_everything_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import leakscan

    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    seen = spy_scans(monkeypatch)
    build_site(root, out, as_of=AS_OF, search=False)
    assert seen == {}  # nothing changed: nothing read again
    monkeypatch.setattr(leakscan, "scanner_version", lambda: "a new scanner")
    build_site(root, out, as_of=AS_OF, search=False)
    scanned = {
        rel
        for rel in (p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
        if rel.endswith((".html", ".json", ".csv")) and not rel.startswith(leakscan.VENDORED)
    }
    assert f"enterprise/{OTHER_ENTERPRISE}/index.html" in scanned
    assert scanned <= set(seen)  # every file read again, the ones taken unchanged too


def test_a_changed_public_field_rescans_and_renders_what_it_shows(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo", county(5))
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    schema_file = root / "schemas/hazard.json"
    schema = json.loads(schema_file.read_text("utf-8"))
    assert schema["properties"]["description"].get("x-disclosure") == "public"
    del schema["properties"]["description"]["x-disclosure"]
    schema_file.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    again = build_site(root, out, as_of=AS_OF, search=False)
    assert again.made["rendered"] > 0
    assert "仓库安全出口堆放杂物" not in "".join(
        t.decode("utf-8", "replace") for t in files(out).values()
    )
    fresh = tmp_path / "fresh"
    build_site(root, fresh, as_of=AS_OF, search=False, incremental=False)
    assert files(out) == files(fresh)


def test_a_removed_enterprise_page_disappears(tmp_path: Path) -> None:
    records = county(5)
    root = make_portal_repo(tmp_path / "repo", records)
    out = tmp_path / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    gone = sorted(k for k in records if "MA" in k)[-1]
    eid = gone.rsplit("/", 1)[1].removesuffix(".yaml")
    assert (out / f"enterprise/{eid}/index.html").is_file()
    (root / gone).unlink()
    build_site(root, out, as_of=AS_OF, search=False)
    assert not (out / f"enterprise/{eid}").exists()
    assert eid not in (out / "data/enterprises.csv").read_text("utf-8")
    fresh = tmp_path / "fresh"
    build_site(root, fresh, as_of=AS_OF, search=False, incremental=False)
    assert files(out) == files(fresh)


def _write_lines(folder: Path, rel: str, lines: list[str]) -> Path:
    file = folder / rel
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return file


def test_the_scan_reads_changed_lines_only_from_an_untouched_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, diff_small_files: None
) -> None:
    from generator.render import leakscan

    rows = [json.dumps({"id": n, "text": "隐患" * (n % 5)}, ensure_ascii=False) for n in range(400)]
    old_site, new_site = tmp_path / "old", tmp_path / "new"
    old = _write_lines(old_site, "data/t.json", rows)
    known = {"data/t.json": file_digest(old) or ""}
    changed = list(rows)
    changed[200] = json.dumps({"id": 200, "text": f"电话 {CANARY_PHONE}"}, ensure_ascii=False)
    _write_lines(new_site, "data/t.json", changed)
    seen = spy_scans(monkeypatch)
    passed: dict[str, str] = {}
    leaks = leakscan.scan_site(new_site, known=known, previous=old_site, passed=passed)
    assert [(leak.path, leak.kind) for leak in leaks] == [("data/t.json", "phone")]
    assert seen["data/t.json"] == [changed[200]]
    assert passed == {"data/t.json": file_digest(new_site / "data/t.json")}
    # the previous file altered since it passed (here: it already holds the new line):
    # it proves nothing, the whole new file is read
    _write_lines(old_site, "data/t.json", changed)
    seen.clear()
    leaks = leakscan.scan_site(new_site, known=known, previous=old_site)
    assert [(leak.path, leak.kind) for leak in leaks] == [("data/t.json", "phone")]
    assert len(seen["data/t.json"][0]) > 1000
    # the same bytes as a file that passed: not read
    seen.clear()
    clean = {"data/t.json": file_digest(new_site / "data/t.json") or ""}
    assert leakscan.scan_site(new_site, known=clean, previous=old_site) == []
    assert seen == {}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["a", "b", "c"], ["a", "b", "c", "d 13712345678"]),  # appended
        (["a 13712345678", "b"], ["x", "a 13712345678", "b"]),  # a line before
        (["a", "1371234", "5678 b"], ["a", "13712345678 b"]),  # two lines joined
        (["a", "b 1371234", "c"], ["a", "b 1371234", "c", "5678"]),  # no newline at the end
        (["x 137123456789"], ["x 13712345678"]),  # a digit removed
    ],
)
def test_every_line_the_change_touches_is_scanned(
    tmp_path: Path, diff_small_files: None, before: list[str], after: list[str]
) -> None:
    from generator.render import leakscan

    old_site, new_site = tmp_path / "old", tmp_path / "new"
    old = _write_lines(old_site, "p.txt", before)
    new = _write_lines(new_site, "p.txt", after)
    if after[-1] == "5678":
        new.write_text(new.read_text("utf-8").removesuffix("\n"), encoding="utf-8")
    known = {"p.txt": file_digest(old) or ""}
    whole = leakscan.scan_site(new_site)
    assert leakscan.scan_site(new_site, known=known, previous=old_site) == whole
    assert whole or after[-1] == "5678"


def county_portal(tmp_path: Path) -> Any:
    root = make_portal_repo(tmp_path / "repo", county())
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    return build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each step handed to ``forked.start`` was to be forked, in order."""
    asked: list[bool] = []
    real_start = forked.start

    def start(step: Any, *, fork: bool = True) -> Any:
        asked.append(fork)
        return real_start(step, fork=fork)

    monkeypatch.setattr(forked, "start", start)
    return asked


def test_open_data_written_by_two_processes_is_the_same_as_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[bool]
) -> None:
    from generator.render import opendata

    portal = county_portal(tmp_path)
    forks.clear()  # the portal's own step: only the open data's are looked at
    alone = opendata.write_open_data(portal, tmp_path / "alone")
    monkeypatch.setattr(opendata, "FORK_ROWS", 0)
    monkeypatch.setattr(opendata.forked, "room_for_a_child", lambda: True)
    shared = opendata.write_open_data(portal, tmp_path / "shared")

    assert forks == [False, True]  # a county's few rows are written by one process
    assert files(tmp_path / "shared") == files(tmp_path / "alone")
    assert [(t.name, t.csv_bytes, t.json_bytes) for t in shared] == [
        (t.name, t.csv_bytes, t.json_bytes) for t in alone
    ]
    assert all(t.csv_bytes > 0 and t.json_bytes > 0 for t in shared)


def test_a_failure_writing_the_csv_files_in_the_child_is_the_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.render import opendata

    portal = county_portal(tmp_path)
    monkeypatch.setattr(opendata, "FORK_ROWS", 0)
    monkeypatch.setattr(opendata.forked, "room_for_a_child", lambda: True)

    def full(*args: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(opendata, "write_csv", full)
    with pytest.raises(OSError, match="No space left"):
        opendata.write_open_data(portal, tmp_path / "data")


def test_the_figures_worked_out_by_a_forked_child_are_those_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forks: list[bool]
) -> None:
    from generator.render import model

    root = make_portal_repo(tmp_path / "repo", county())
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    alone = build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)
    monkeypatch.setattr(model, "FORK_RECORDS", 0)
    monkeypatch.setattr(model.forked, "room_for_a_child", lambda: True)
    shared = build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)

    assert forks == [False, True]
    assert shared == alone
    assert shared.by_town and shared.by_month and shared.rates_by_town


@pytest.mark.parametrize("fork", [False, True])
def test_records_handed_over_to_the_portal_give_the_same_portal_and_are_let_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    from generator.render import model

    root = make_portal_repo(tmp_path / "repo", county())
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    kept = build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)
    monkeypatch.setattr(model, "FORK_RECORDS", 0 if fork else 10**9)
    monkeypatch.setattr(model.forked, "room_for_a_child", lambda: True)
    handed = list(loaded.valid)
    released = build_portal(handed, loaded.registry, loaded.policy, AS_OF, release=True)

    assert handed == []
    assert released == kept
    assert released.hazards and released.inspections and released.by_town


def test_a_page_key_says_what_the_values_are_not_which_objects_they_are(tmp_path: Path) -> None:
    import datetime as dt
    import subprocess
    import sys

    from generator.derive.figures import MonthReport
    from generator.render.cache import input_key

    name = "".join(["青石", "镇"])  # equal to "青石镇", another object
    shared = {"town": "青石镇"}
    once = input_key([shared, shared], dt.date(2026, 11, 23), MonthReport("2026-10", "按时", None))
    twice = input_key(
        [{"town": name}, {"town": "青石镇"}],
        dt.date(2026, 11, 23),
        MonthReport("2026-10", "按时", None),
    )
    assert once == twice
    elsewhere = subprocess.run(
        [
            sys.executable,
            "-c",
            "import datetime as dt\n"
            "from generator.derive.figures import MonthReport\n"
            "from generator.render.cache import input_key\n"
            "print(input_key([{'town': '青石镇'}] * 2, dt.date(2026, 11, 23),"
            " MonthReport('2026-10', '按时', None)))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout.strip()
    assert elsewhere == once
    variants = [{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1.0, "b": 2}, {"a": True, "b": 2}]
    variants += [{"a": "1", "b": 2}, {"a": [1], "b": 2}, {"a": (1,), "b": 2}]
    assert len({input_key(v) for v in variants}) == len(variants)
    import threading

    assert len(input_key({"lock": threading.Lock()})) == 64  # no pickle: digested as JSON


def _portal_of(root: Path, records: dict[str, Any], as_of: Any = AS_OF) -> Any:
    make_portal_repo(root, records)
    loaded = validate_repository(root, as_of=as_of, jobs=1)
    assert not loaded.report.errors, loaded.report.errors
    return build_portal(loaded.valid, loaded.registry, loaded.policy, as_of)


def _open_hazard(records: dict[str, Any]) -> dict[str, Any]:
    """A copy of the county's hazard left open past its deadline: days overdue grow daily."""
    hazard = {k: v for k, v in records[HAZARD].items() if k != "events"}
    return {**hazard, "id": "HAZ-20251010-009", "description": "配电箱门锁损坏。"}


@pytest.mark.parametrize(
    "change",
    [
        "supervising department renamed",
        "inspecting department renamed",
        "hazard's department renamed",
        "hazard edited",
        "inspection edited",
        "penalty edited",
        "a day later",
    ],
)
def test_an_enterprise_page_key_changes_exactly_when_what_the_page_is_made_from_changes(
    tmp_path: Path, change: str
) -> None:
    """The rebuild weighs an enterprise page by its rows' digests and what the page adds
    to them (names, counts, days overdue), not by the rows themselves: for every
    enterprise, the short key is unchanged exactly when the page's inputs are."""
    from generator.render import pages

    before = county()
    before["records/hazard/2025/HAZ-20251010-009.yaml"] = {
        **_open_hazard(before),
        "department": "DEPT-ZJJ",
    }
    # and another's whose deadline is 4 days off: due soon (the policy's 3 days) a day later
    before["records/hazard/2026/HAZ-20261120-001.yaml"] = {
        **_open_hazard(before),
        "id": "HAZ-20261120-001",
        "enterprise": OTHER_ENTERPRISE,
        "found_on": "2026-11-20",
        "deadline": (AS_OF + dt.timedelta(days=4)).isoformat(),
    }
    inspection = "records/inspection/2025/INS-20251010-001.yaml"
    before[inspection] = {**before[inspection], "lead_department": "DEPT-SJJ"}
    for did, name in (("DEPT-SJJ", "青川县市场监督管理局"), ("DEPT-ZJJ", "青川县住房和城乡建设局")):
        before[f"records/department/{did}.yaml"] = {"id": did, "name": name, "kind": "参与部门"}
    after = copy.deepcopy(before)
    as_of = AS_OF
    if change == "supervising department renamed":
        after["records/department/DEPT-YJJ.yaml"]["short_name"] = "县应急局"
    elif change == "inspecting department renamed":
        after["records/department/DEPT-SJJ.yaml"]["short_name"] = "县市场监管局"
    elif change == "hazard's department renamed":
        after["records/department/DEPT-ZJJ.yaml"]["short_name"] = "县住建局"
    elif change == "hazard edited":
        after[HAZARD]["description"] = "仓库安全出口堆放杂物，已清理。"
    elif change == "inspection edited":
        after[inspection]["summary"] = "检查危化品仓库。"
    elif change == "penalty edited":
        after["records/penalty/2026/PEN-20260301-001.yaml"]["fine"] = 30000
    else:
        as_of = AS_OF + dt.timedelta(days=1)
    old = _portal_of(tmp_path / "before", before)
    new = _portal_of(tmp_path / "after", after, as_of)

    same: list[bool] = []
    for eid, e in old.enterprise_by_id.items():
        e_new = new.enterprise_by_id[eid]
        key_old = pages._enterprise_digested(old, e, pages.department_names(old))
        key_new = pages._enterprise_digested(new, e_new, pages.department_names(new))
        assert key_old is not None and key_new is not None
        inputs_same = pages._enterprise_inputs(old, e) == pages._enterprise_inputs(new, e_new)
        assert (key_old == key_new) == inputs_same, eid
        same.append(inputs_same)
    assert not all(same)  # the change reached a page

"""The public portal: pages, open data, privacy by schema, inert hostile text, all-or-nothing."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from generator.cli import cli
from generator.render import build as build_module
from generator.render.build import BuildError, InvalidRecords, LeakFound, build_site
from generator.render.leakscan import scan_text
from generator.render.paginate import Pager, first_page, split
from generator.render.public import mask_name
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE, base_records
from tests.portal_factory import (
    AS_OF,
    CANARY_EMAIL,
    CANARY_ID,
    CANARY_NAME,
    CANARY_PHONE,
    EXPIRED,
    IMG,
    PUBLISHED,
    REVOKED,
    SCRIPT,
    make_portal_repo,
    portal_records,
    with_enterprises,
)

MAX_PAGE = 100_000


def site_texts(site: Path) -> dict[str, str]:
    """Every file of the site as text, compressed search-index files unpacked."""
    out = {}
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        raw = file.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        out[file.relative_to(site).as_posix()] = raw.decode("utf-8", errors="replace").replace(
            "\u200b", ""
        )
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_portal_repo(tmp_path_factory.mktemp("portal") / "repo")
    build_site(root, root / "site", as_of=AS_OF)
    return root / "site"


@pytest.fixture(scope="module")
def texts(built: Path) -> dict[str, str]:
    return site_texts(built)


def test_pages_and_data_exist(built: Path) -> None:
    for page in [
        "index.html",
        "enterprises/index.html",
        f"enterprise/{ENTERPRISE}/index.html",
        f"enterprise/{OTHER_ENTERPRISE}/index.html",
        "enterprises/town/青石镇/index.html",
        "disclosure/index.html",
        "hazards/index.html",
        "hazards/major/index.html",
        "hazards/overdue/index.html",
        "penalties/index.html",
        "stats/index.html",
        "opendata/index.html",
        "search/index.html",
        "about/methodology/index.html",
        "about/dictionary/index.html",
        "about/report/index.html",
        "feed.xml",
        "data/datapackage.json",
        "pagefind/shards.json",
        "pagefind/0/pagefind.js",
    ]:
        assert (built / page).is_file(), page


def test_enterprise_pages_are_not_in_the_navigation(texts: dict[str, str]) -> None:
    home = texts["index.html"]
    assert "企业名录" in home and "数据字典" in home
    assert f"enterprise/{ENTERPRISE}/" not in home.split('<div class="aj aj-home"')[0]


def test_datapackage_resources_match_files(built: Path) -> None:
    package = json.loads((built / "data/datapackage.json").read_text(encoding="utf-8"))
    names = [r["name"] for r in package["resources"]]
    assert len(names) == len(set(names))
    assert {"enterprises", "hazards", "inspections", "penalties"} <= set(names)
    for resource in package["resources"]:
        file = built / "data" / resource["path"]
        assert file.is_file()
        assert resource["bytes"] == file.stat().st_size
        if resource["format"] == "csv":
            text = file.read_text(
                encoding="utf-8-sig" if resource["encoding"] == "utf-8-sig" else "utf-8"
            )
            header = next(csv.reader(io.StringIO(text)))
            assert header == [f["name"] for f in resource["schema"]["fields"]]
        else:
            assert isinstance(json.loads(file.read_text(encoding="utf-8")), list)


def test_datapackage_is_valid_frictionless(built: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(built / "data/datapackage.json"))
    assert report.valid, report.flatten(["type", "message"])[:10]


def test_only_public_fields_in_open_data(built: Path) -> None:
    enterprises = json.loads((built / "data/enterprises.json").read_text(encoding="utf-8"))
    assert enterprises and all("contact" not in e and "note" not in e for e in enterprises)
    assert {e["legal_representative"] for e in enterprises} == {"陈**"}
    staff = list(csv.DictReader(io.StringIO((built / "data/staff.csv").read_text("utf-8"))))
    assert {s["name"] for s in staff} == {"王*", "李*", "赵*"}
    assert "phone" not in staff[0] and "id_number" not in staff[0]
    hazards = json.loads((built / "data/hazards.json").read_text(encoding="utf-8"))
    assert hazards[0]["state"] == "已销号" and hazards[0]["closed_on"] == "2025-10-16"
    assert all("by" not in e and "evidence" not in e for e in hazards[0]["events"])


@pytest.mark.parametrize(
    "canary", [CANARY_ID, CANARY_PHONE, CANARY_NAME, CANARY_EMAIL, "陈建国", "13900001234"]
)
def test_canaries_in_internal_fields_appear_nowhere(texts: dict[str, str], canary: str) -> None:
    assert [path for path, text in texts.items() if canary in text] == []


def test_hostile_text_is_escaped_in_pages_and_feed(texts: dict[str, str]) -> None:
    markup = {p: t for p, t in texts.items() if p.endswith((".html", ".xml"))}
    for payload in (SCRIPT, IMG, "<img src=x"):
        assert [p for p, t in markup.items() if payload in t] == []
    page = markup[f"enterprise/{OTHER_ENTERPRISE}/index.html"]
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;鑫源建材厂</h1>" in page
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in markup["feed.xml"]


def test_hostile_text_is_escaped_in_json(texts: dict[str, str]) -> None:
    data = {p: t for p, t in texts.items() if p.startswith("data/") and p.endswith(".json")}
    assert [p for p, t in data.items() if "<script" in t or "<img" in t] == []
    assert "\\u003cscript\\u003ealert(1)" in data["data/enterprises.json"]
    names = {e["name"] for e in json.loads(texts["data/enterprises.json"])}
    assert f"{SCRIPT}鑫源建材厂" in names  # escaping changes bytes, not values


def test_feed_is_valid_atom(built: Path) -> None:
    root = ET.parse(built / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert ids and len(ids) == len(set(ids))
    assert f"urn:anjian:penalty:{PUBLISHED}" in ids
    assert f"urn:anjian:penalty:{EXPIRED}" not in ids


def test_penalties_withdrawn_after_their_window_or_revocation(texts: dict[str, str]) -> None:
    assert PUBLISHED in texts["data/penalties.csv"]
    assert "青应急罚〔2026〕001号" in texts["penalties/index.html"]
    for gone in (EXPIRED, REVOKED, "青应急罚〔2024〕001号"):
        assert [p for p, t in texts.items() if gone in t] == []


def test_search_index_holds_enterprises_not_internal_data(texts: dict[str, str]) -> None:
    fragments = {p: t for p, t in texts.items() if p.endswith(".pf_fragment")}
    joined = "".join(fragments.values())
    assert "青川县宏达化工有限公司" in joined
    assert CANARY_NAME not in joined


def test_pages_stay_small(built: Path) -> None:
    sizes = {p: p.stat().st_size for p in built.rglob("*.html")}
    assert max(sizes.values()) < MAX_PAGE


def test_leak_scan_fails_the_build_when_a_schema_publishes_pii(
    tmp_path: Path, without_public_text_rule: None
) -> None:
    """Validation refuses the record first (personal-data-in-public-field); without it the
    build's leak scan must still stop the site."""
    root = make_portal_repo(tmp_path / "repo")
    schema_file = root / "schemas/staff.json"
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    schema["properties"]["id_number"]["x-disclosure"] = "public"  # the deployment's mistake
    schema_file.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    (root / "site").mkdir()
    (root / "site/index.html").write_text("last good site", encoding="utf-8")
    with pytest.raises(LeakFound) as caught:
        build_site(root, root / "site", as_of=AS_OF, search=False)
    assert any(leak.path == "data/staff.csv" for leak in caught.value.leaks)
    assert all(CANARY_ID not in line for line in caught.value.details)
    assert (root / "site/index.html").read_text(encoding="utf-8") == "last good site"
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".site")) == []


def _good_site(root: Path) -> None:
    build_site(root, root / "site", as_of=AS_OF, search=False)
    (root / "site/marker.txt").write_text("previous", encoding="utf-8")


def test_failed_mkdocs_leaves_the_old_site(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo")
    _good_site(root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text("utf-8").replace("name: material", "name: no-such-theme"))
    with pytest.raises(BuildError):
        build_site(root, root / "site", as_of=AS_OF, search=False)
    assert (root / "site/marker.txt").read_text(encoding="utf-8") == "previous"
    assert [p for p in root.iterdir() if p.name.startswith(".site")] == []


def test_failed_search_index_leaves_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_portal_repo(tmp_path / "repo")
    _good_site(root)

    def broken(site: Path, *args: object) -> None:
        raise build_module.SearchIndexError("Pagefind exploded")

    monkeypatch.setattr(build_module, "index_site", broken)
    with pytest.raises(BuildError, match="Pagefind exploded"):
        build_site(root, root / "site", as_of=AS_OF)
    assert (root / "site/marker.txt").is_file()


def test_invalid_records_are_refused(tmp_path: Path) -> None:
    records = portal_records()
    records["records/hazard/2025/HAZ-20251010-001.yaml"]["deadline"] = "2025-12-31"
    root = make_portal_repo(tmp_path / "repo", records)
    with pytest.raises(InvalidRecords) as caught:
        build_site(root, root / "site", as_of=AS_OF, search=False)
    assert any(p.code == "deadline-exceeds-level" for p in caught.value.problems)
    assert not (root / "site").exists()
    result = CliRunner().invoke(cli, ["--repo", str(root), "build", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert "deadline-exceeds-level" in result.output


def test_same_records_same_bytes(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo")
    build_site(root, tmp_path / "a", as_of=AS_OF)
    build_site(root, tmp_path / "b", as_of=AS_OF)
    a, b = site_texts(tmp_path / "a"), site_texts(tmp_path / "b")
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []


def test_cli_build(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo")
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "build", "--as-of", "2026-11-23", "--no-search"]
    )
    assert result.exit_code == 0, result.output
    assert (root / "site/index.html").is_file()


def test_directory_pages_bounded_and_paged(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo", with_enterprises(base_records(), 230))
    build_site(root, root / "site", as_of=AS_OF, search=False)
    site = root / "site"
    assert (site / "enterprises/3/index.html").is_file()
    assert not (site / "enterprises/4/index.html").exists()
    sizes = sorted((p.stat().st_size, p) for p in site.rglob("*.html"))
    assert sizes[-1][0] < MAX_PAGE
    one = (site / f"enterprise/{ENTERPRISE}/index.html").read_text("utf-8")
    assert "第229号测试企业" not in one  # no page lists the whole corpus


def test_paging_is_bounded() -> None:
    rows = [{"text": "字" * 500}] * 1000
    pages = split(rows, 100, 60_000)
    assert sum(len(p) for p in pages) == 1000
    assert all(len(p) <= 100 for p in pages)
    pager = Pager("disclosure", 50, 200)
    assert pager.window() == [1, None, 48, 49, 50, 51, 52, None, 200]
    assert Pager("x", 1, 1).window() == [1]


@given(
    st.lists(st.integers(min_value=1, max_value=900), max_size=60),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=3000),
)
def test_an_enterprise_page_shows_the_first_page_of_its_list(
    sizes: list[int], max_rows: int, budget: int
) -> None:
    weighed: list[int] = []

    def size(n: int) -> int:
        weighed.append(n)
        return n

    first = first_page(sizes, max_rows, budget, size)
    assert first == split(sizes, max_rows, budget, size)[0]
    assert len(weighed) - len(sizes) <= len(first) + 1  # the rest of the list is not weighed


def test_leak_scan_patterns() -> None:
    def kinds(text: str, allow: frozenset[str] = frozenset()) -> list[str]:
        return [leak.kind for leak in scan_text(text, "x", allow)]

    assert kinds(f"身份证{CANARY_ID}。") == ["id-number"]
    assert kinds(CANARY_ID[:-1] + ("0" if CANARY_ID[-1] != "0" else "1")) == []  # bad check
    assert kinds(ENTERPRISE) == []
    assert kinds("913301007456001234", frozenset({"913301007456001234"})) == []
    assert kinds("电话13712345678，") == ["phone"]
    assert kinds("编号 1371234567890123") == []  # a longer digit run
    assert kinds("a" * 3 + "f13712345678e" + "0" * 50) == []  # inside a hash
    assert kinds("写信到 someone@example.org 即可") == ["email"]
    assert kinds("青应急罚〔2026〕001号 HAZ-20251010-001") == []


def test_mask_name() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("王军") == "王*"
    assert mask_name("") == ""


def test_zensical_builds_the_same_project(tmp_path: Path) -> None:
    pytest.importorskip("zensical")
    from generator.policy import load_policy
    from generator.render.build import render_project, write_pages
    from generator.render.cache import SiteCache
    from generator.render.model import build_portal
    from generator.validate import validate_repository

    root = make_portal_repo(tmp_path / "repo")
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    portal = build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)
    assert load_policy(root, loaded.registry.policy_schema)[1] == []
    project = tmp_path / "project"
    rendered = render_project(portal, root, project, project / "site")
    zensical = shutil.which("zensical", path=str(Path(sys.executable).parent))
    assert zensical
    done = subprocess.run(
        [zensical, "build", "-f", str(project / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # the pages outside the navigation go into the shells Zensical built, like MkDocs'
    site = project / "site"
    write_pages(rendered, site, SiteCache(None, tmp_path / "none"))
    assert not list(site.rglob("__anjian_shell__"))
    page = site / f"enterprise/{OTHER_ENTERPRISE}/index.html"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;鑫源建材厂" in page.read_text("utf-8")
    assert SCRIPT not in page.read_text("utf-8")


HANDBOOK = Path(__file__).resolve().parents[1] / "docs/handbook"


def test_the_staff_handbook_is_a_marked_section(texts: dict[str, str]) -> None:
    for source in HANDBOOK.glob("*.md"):
        page = (
            "handbook/index.html"
            if source.stem == "index"
            else f"handbook/{source.stem}/index.html"
        )
        assert page in texts, page
        assert '<p class="aj-staff-banner" role="note"><strong>工作人员手册</strong>' in texts[page]
    tabs = texts["index.html"].split('class="md-tabs__list"')[1].split("</ul>")[0]
    assert tabs.rstrip().endswith("</li>") and tabs.rfind("工作人员手册") > tabs.rfind("关于")
    submit = texts["handbook/submit/index.html"]
    assert 'href="../errors/#unknown-author"' in submit  # links between handbook pages
    fragments = [t for p, t in texts.items() if p.endswith(".pf_fragment")]
    assert not [t for t in fragments if '"url":"/handbook/' in t]  # not in the public search


def test_handbook_text_is_never_markup(tmp_path: Path) -> None:
    from generator.render.handbook import handbook_pages

    folder = tmp_path / "docs/handbook"
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(
        f"# 手册\n\n文件名为 <id>.yaml。{SCRIPT}\n\n```yaml\nid: <id>\n```\n\n见[错误](errors.md#bad-enum)。\n",
        encoding="utf-8",
    )
    (folder / "errors.md").write_text("# 错误\n\n### bad-enum\n", encoding="utf-8")
    index, errors = handbook_pages(tmp_path)
    body = str(index.context["body"])
    assert "<id>" not in body and "<script" not in body
    assert "&lt;id&gt;.yaml" in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'href="errors/#bad-enum"' in body
    assert (index.src, index.title, errors.title) == ("handbook/index.md", "手册", "错误")


def test_the_handbook_passes_the_leak_scan() -> None:
    leaks = [
        leak.describe()
        for source in sorted(HANDBOOK.glob("*.md"))
        for leak in scan_text(source.read_text(encoding="utf-8"), source.name)
    ]
    assert leaks == []  # examples: no real-looking e-mail, phone or ID number

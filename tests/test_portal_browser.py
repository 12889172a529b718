"""The portal in a real browser: Debian's Chromium driven by Playwright.

Skipped cleanly when Chromium or Playwright is missing (``.ci/run`` installs both).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.render import search
from generator.render.build import build_site
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE
from tests.portal_factory import (
    AS_OF,
    SCRIPT,
    make_portal_repo,
    portal_records,
    with_enterprises,
)
from tests.reliability.browser import ARGS, CHROMIUM

EXTRA = 130  # the directory gets two pages
PAGES = [
    "",
    "enterprises/",
    f"enterprise/{ENTERPRISE}/",
    f"enterprise/{OTHER_ENTERPRISE}/",
    "disclosure/",
    "hazards/",
    "hazards/major/",
    "hazards/overdue/",
    "penalties/",
    "stats/",
    "opendata/",
    "search/",
    "about/methodology/",
    "about/dictionary/",
    "blacklist/",
    "handbook/",
    "handbook/errors/",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed (/usr/bin/chromium)"),
]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    records = with_enterprises(portal_records(), EXTRA, town="河西镇", industry="工贸")
    last = sorted(k for k in records if "MA" in k)[-1]
    records[last] = {**records[last], "risk_color": "橙"}  # sorts last: not on page 1
    root = make_portal_repo(tmp_path_factory.mktemp("browser") / "repo", records)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 50)  # the index in shards, merged in the browser
        build_site(root, root / "site", as_of=AS_OF)
    assert len(json.loads((root / "site/pagefind/shards.json").read_text())["shards"]) == 3
    # the two enterprises searched for are in different shards: the merge is what finds both
    shards = {
        search.shard_of(f"enterprise/{e}/index.html", 3) for e in (ENTERPRISE, OTHER_ENTERPRISE)
    }
    assert len(shards) == 2
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page that records console errors, page errors and dialogs."""

    def __init__(self, browser: Any, width: int = 1280) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 800})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)

    def open(self, url: str) -> Any:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return self.page


def test_pages_load_without_console_errors(browser: Any, base_url: str) -> None:
    watched = Watched(browser)
    for path in PAGES:
        watched.open(base_url + path)
    assert watched.errors == []
    assert watched.dialogs == []


def test_search_finds_an_enterprise_by_part_of_its_name(browser: Any, base_url: str) -> None:
    watched = Watched(browser)
    page = watched.open(base_url + "search/?q=宏达")
    page.wait_for_selector("#aj-results li a", timeout=10_000)
    titles = page.locator("#aj-results li a").all_inner_texts()
    assert "青川县宏达化工有限公司" in titles
    page.fill("#aj-search-q", "建材")
    page.press("#aj-search-q", "Enter")
    page.wait_for_function(
        "document.querySelector('#aj-results a') &&"
        " document.querySelector('#aj-results a').textContent.includes('鑫源建材厂')",
        timeout=10_000,
    )
    assert watched.errors == [] and watched.dialogs == []


def rows(page: Any) -> list[dict[str, str]]:
    result: list[dict[str, str]] = page.evaluate(
        "[...document.querySelectorAll('#aj-directory tbody tr')].filter(r => !r.hidden)"
        ".map(r => ({town: r.dataset.town, risk: r.dataset.risk, industry: r.dataset.industry,"
        " name: r.cells[0].innerText}))"
    )
    return result


def test_directory_filter(browser: Any, base_url: str) -> None:
    watched = Watched(browser)
    page = watched.open(base_url + "enterprises/")
    assert len(rows(page)) == 100  # the first page of the static table
    page.select_option("select[name=risk]", "红")
    page.wait_for_function(
        "document.querySelector('.aj-filter-status').textContent.includes('1 家')"
    )
    [row] = rows(page)
    assert row["risk"] == "红" and SCRIPT in row["name"]  # the hostile name, as text
    page.select_option("select[name=risk]", "橙")  # the last enterprise, on page 2
    page.wait_for_function(
        "document.querySelector('.aj-filter-status').textContent.includes('1 家')"
    )
    assert [r["name"] for r in rows(page)] == [f"青川县第{EXTRA - 1:03d}号测试企业有限公司"]
    page.select_option("select[name=risk]", "")
    page.select_option("select[name=town]", "河西镇")
    page.wait_for_function(
        f"document.querySelector('.aj-filter-status').textContent.includes('{EXTRA} 家')"
    )
    shown = rows(page)
    assert len(shown) == 50 and {r["town"] for r in shown} == {"河西镇"}
    page.select_option("select[name=industry]", "危险化学品")
    page.wait_for_function(
        "document.querySelector('.aj-filter-status').textContent.includes('0 家')"
    )
    assert rows(page) == []
    page.select_option("select[name=industry]", "")
    page.select_option("select[name=town]", "")
    page.wait_for_function("document.querySelector('.aj-filter-status').textContent === ''")
    assert len(rows(page)) == 100
    assert watched.errors == [] and watched.dialogs == []


def test_directory_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "enterprises/")
    assert page.locator("#aj-directory tbody tr").count() == 100
    assert not page.locator("#aj-filter").is_visible()
    page.click("text=青石镇（1）")
    assert page.locator("#aj-directory tbody tr").count() == 1
    page.goto(base_url + "enterprises/2/")
    assert page.locator("#aj-directory tbody tr").count() == EXTRA + 2 - 100
    context.close()


def test_layout_holds_at_phone_width(browser: Any, base_url: str) -> None:
    watched = Watched(browser, width=375)
    for path in PAGES:
        page = watched.open(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path or 'home'} scrolls sideways ({width}px)"
    assert watched.errors == []


def test_xss_payload_triggers_nothing(browser: Any, base_url: str) -> None:
    watched = Watched(browser)
    page = watched.open(base_url + f"enterprise/{OTHER_ENTERPRISE}/")
    assert SCRIPT in page.locator("h1").inner_text()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    watched.open(base_url + f"enterprise/{ENTERPRISE}/")
    watched.open(base_url + "disclosure/")
    page = watched.open(base_url + "search/?q=建材")
    page.wait_for_selector("#aj-results li a", timeout=10_000)
    page = watched.open(base_url + "search/?q=onerror")
    page.wait_for_timeout(500)
    assert page.locator("#aj-results img").count() == 0
    assert watched.dialogs == []
    assert watched.errors == []


XSS_LIST = Path(__file__).parent / "data/xss-payloads/xss-payloads.txt"


def xss_sample(step: int = 200) -> list[str]:
    """Every ``step``-th payload of the list that fits an enterprise name (2–100 chars)."""
    lines = XSS_LIST.read_text(encoding="utf-8", errors="replace").splitlines()
    fit = [x for x in lines if 2 <= len(x) <= 90 and x.isprintable() and x.strip() == x]
    return fit[::step]


def test_xss_list_payloads_render_inert(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    payloads = xss_sample()
    records = portal_records()
    template = dict(records[f"records/enterprise/{OTHER_ENTERPRISE}.yaml"])
    codes = sorted(with_enterprises({}, len(payloads)))
    for key, payload in zip(codes, payloads, strict=True):
        code = key.rsplit("/", 1)[-1][: -len(".yaml")]
        records[key] = {**template, "id": code, "name": f"企业{payload}", "address": payload}
    root = make_portal_repo(tmp_path_factory.mktemp("xss") / "repo", records)
    build_site(root, root / "site", as_of=AS_OF)
    handler = functools.partial(_Quiet, directory=str(root / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        watched = Watched(browser)
        watched.open(base + "enterprises/")
        for key in codes:
            code = key.rsplit("/", 1)[-1][: -len(".yaml")]
            page = watched.open(base + f"enterprise/{code}/")
            page.mouse.move(10, 200)
        page = watched.open(base + "search/?q=企业")
        page.wait_for_selector("#aj-results li a", timeout=10_000)
        assert watched.dialogs == []
        assert (
            page.evaluate("document.querySelectorAll('.aj img, .aj svg, .aj iframe').length") == 0
        )
    finally:
        server.shutdown()


def search_titles(watched: Watched, base_url: str, query: str) -> list[str]:
    page = watched.open(base_url + "search/?q=" + query)
    page.wait_for_function(
        "/^找到/.test(document.getElementById('aj-search-status').textContent)", timeout=10_000
    )
    return page.locator("#aj-results li a").all_inner_texts()


def test_search_finds_an_enterprise_by_its_hazards_not_by_the_page_furniture(
    browser: Any, base_url: str
) -> None:
    watched = Watched(browser)
    # a hazard's description is searched
    assert "青川县宏达化工有限公司" in search_titles(watched, base_url, "安全出口堆放杂物")
    # what every enterprise page carries (headings, labels, the self-report months) and the
    # inspections' boilerplate are not: else every search would list every enterprise
    for furniture in ("统一社会信用代码", "月度自查报告", "检查危化品仓库"):
        assert not any(
            "公司" in t or "厂" in t for t in search_titles(watched, base_url, furniture)
        )
    assert watched.errors == [] and watched.dialogs == []

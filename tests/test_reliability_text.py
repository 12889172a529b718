"""Hostile text renders as inert text in Chromium, wherever a public field lands.

Every payload of the XSS list (8,352 distinct lines), the Big List of Naughty
Strings and a few of ours (Markdown and template syntax across blank lines) is
placed in every public free-text field it fits, one slot of records per payload
(``tests/reliability/hostile_county.py``).  The county is built (search index
included) and served on 127.0.0.1; Chromium, guarded as described in
``tests/reliability/browser.py``, visits every HTML page of the site, the Atom
feed and the open-data JSON, runs searches in the portal's search page and the
directory filter, and finds no dialog, no recorded ``alert``/``prompt``/…
call, no request leaving the site, no page error, no injected markup.  The text
is visible as written on each enterprise's page, and comes back unchanged from
the feed, the JSON and the CSV.

The fast run takes ~200 payloads (a fixed sample); ``--full`` takes all of
them, in batches of ``BATCH`` (a handful of builds).
"""

from __future__ import annotations

import csv
import io
import json
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from generator.render.build import build_site
from generator.render.leakscan import scan_text
from generator.render.public import mask_name
from tests.portal_factory import AS_OF
from tests.reliability.browser import ARGS, CHROMIUM, Guarded, plain, serve
from tests.reliability.figures import record
from tests.reliability.hostile_county import County, Slot, make_county
from tests.reliability.payloads import Payload, all_payloads, sample

BATCH = 1500
SEARCHES = 20  # per build: searches by credit code, each shows a hostile name
TOWN_FILTERS = 5  # per build: hostile towns chosen in the directory filter
ATOM = "{http://www.w3.org/2005/Atom}"
# fields shown on the enterprise's own page, as written
ON_ENTERPRISE_PAGE = [
    "enterprise:name",
    "enterprise:address",
    "enterprise:town",
    "enterprise:licences/0/name",
    "enterprise:licences/0/number",
    "department:name",
    "inspection:summary",
    "hazard:description",
    "hazard:location",
    "penalty:document_no",
    "penalty:violation",
]
HOSTILE_QUERIES = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    "载荷</mark><svg onload=alert(1)>",
]
DATA_FILES = [
    "data/enterprises.json",
    "data/hazards.json",
    "data/inspections.json",
    "data/penalties.json",
    "data/departments.json",
    "data/complaints.json",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed (/usr/bin/chromium)"),
]


@pytest.fixture(scope="module")
def browser() -> Any:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def usable(payloads: list[Payload]) -> tuple[list[Payload], dict[str, int]]:
    """Payloads a county can hold; the rest are refused before any page, counted."""
    kept: list[Payload] = []
    refused: Counter[str] = Counter()
    for payload in payloads:
        if list(scan_text(payload.text, "payload")):
            refused["looks like personal data (the leak scan would stop the build)"] += 1
        else:
            kept.append(payload)
    return kept, dict(refused)


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix().removesuffix("index.html") for p in site.rglob("*.html")
    )


def _visible(slot: Slot, text: str) -> list[str]:
    """Fields of the slot whose payload is missing from its enterprise page's text."""
    seen = plain(text)
    missing = [
        name
        for name in ON_ENTERPRISE_PAGE
        if slot.holds(*name.split(":")) and plain(slot.payload.text) not in seen
    ]
    if slot.holds("enterprise", "legal_representative"):
        masked = plain(mask_name(slot.payload.text))
        if masked not in seen:
            missing.append("enterprise:legal_representative (masked)")
    return missing


def check_data(county: County, site: Path) -> list[str]:
    """The payloads come back unchanged from JSON, CSV and the feed (escaping changes bytes only)."""
    wrong: list[str] = []
    enterprises = {e["id"]: e for e in json.loads((site / "data/enterprises.json").read_bytes())}
    rows = csv.DictReader(io.StringIO((site / "data/enterprises.csv").read_text("utf-8")))
    by_csv = {r["id"]: r for r in rows}
    for slot in county.slots:
        text = slot.payload.text
        for name in ("name", "address"):
            if slot.holds("enterprise", name):
                if enterprises[slot.enterprise][name] != text:
                    wrong.append(f"json {slot.index} {name}")
                if by_csv[slot.enterprise][name] != text.replace("\r\n", "\n").replace("\r", "\n"):
                    wrong.append(f"csv {slot.index} {name}")
    feed = ET.parse(site / "feed.xml").getroot()
    text_of = {
        e.findtext(f"{ATOM}id"): plain(
            (e.findtext(f"{ATOM}title") or "") + (e.findtext(f"{ATOM}summary") or "")
        )
        for e in feed.iter(f"{ATOM}entry")
    }
    for slot in county.slots:
        pen = Path(slot.paths["penalty"]).stem
        entry = text_of.get(f"urn:anjian:penalty:{pen}")
        shown = entry is not None and slot.holds("penalty", "violation")
        if shown and plain(slot.payload.text) not in str(entry):
            wrong.append(f"feed {slot.index} violation")
    return wrong


def run_batch(browser: Any, base_dir: Path, payloads: list[Payload], start: int) -> dict[str, Any]:
    started = time.perf_counter()
    county = make_county(base_dir / "repo", payloads, start)
    site = county.root / "site"
    build_site(county.root, site, as_of=AS_OF)
    built = time.perf_counter()
    invisible: list[str] = []
    with serve(site) as base:
        guarded = Guarded(browser, base)
        try:
            by_page = {f"enterprise/{s.enterprise}/": s for s in county.slots}
            for path in _pages(site):
                result = guarded.visit(path)
                slot = by_page.get(path)
                if slot is not None:
                    invisible += [f"{slot.index}:{f}" for f in _visible(slot, result["text"])]
            for path in ["feed.xml", *DATA_FILES]:
                guarded.visit(path)
            step = max(1, len(county.slots) // SEARCHES)
            for slot in county.slots[::step][:SEARCHES]:
                guarded.visit(f"search/?q={slot.enterprise}")
                guarded.page.wait_for_function(
                    "document.getElementById('aj-search-status').textContent.includes('找到')",
                    timeout=15_000,
                )
                result = guarded.audit(base + "search/")
                titles = guarded.page.locator("#aj-results li a").all_inner_texts()
                if slot.holds("enterprise", "name") and plain(slot.payload.text) not in plain(
                    "".join(titles)
                ):
                    invisible.append(f"{slot.index}:search result title")
            for query in HOSTILE_QUERIES:  # a visitor's own input, through the URL
                guarded.visit(f"search/?q={quote(query)}")
                guarded.page.wait_for_timeout(300)
                guarded.audit(base + "search/")
            for town in county.towns[:TOWN_FILTERS]:
                guarded.visit("enterprises/")
                guarded.page.select_option("select[name=town]", town)
                guarded.page.wait_for_function(
                    "document.querySelector('.aj-filter-status').textContent.includes('家')"
                )
                result = guarded.audit(base + "enterprises/")
                if plain(town) not in plain(result["text"]):
                    invisible.append(f"town filter {town!r}")
        finally:
            guarded.close()
    findings = guarded.findings
    wrong_data = check_data(county, site)
    figures = {
        "payloads": len(payloads),
        "placements": sum(len(s.placed) for s in county.slots),
        "too_long_for_field": sum(len(s.too_long) for s in county.slots),
        "refused_by_validation": sum(len(s.refused) for s in county.slots),
        "hostile_towns": len(county.towns),
        **findings.summary(),
        "not_visible_as_written": len(invisible),
        "changed_in_data": len(wrong_data),
        "build_seconds": round(built - started, 1),
        "browse_seconds": round(time.perf_counter() - built, 1),
    }
    assert findings.dialogs == [], findings.dialogs[:10]
    assert findings.hits == [], findings.hits[:10]
    assert findings.outside == [], findings.outside[:10]
    assert findings.errors == [], findings.errors[:10]
    assert findings.markup == [], findings.markup[:10]
    assert findings.moved == [], findings.moved[:10]
    assert invisible == [], invisible[:20]
    assert wrong_data == [], wrong_data[:20]
    return figures


def test_sampled_payloads_render_inert(
    browser: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    payloads, refused = usable(sample(200))
    figures = run_batch(browser, tmp_path, payloads, 0)
    record(request.config, "hostile-text-sample", {"refused_up_front": refused, **figures})
    assert figures["placements"] > 10 * len(payloads)


@pytest.mark.slow
def test_every_payload_renders_inert(
    browser: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    every = all_payloads()
    payloads, refused = usable(every)
    batches: list[dict[str, Any]] = []
    for number, first in enumerate(range(0, len(payloads), BATCH)):
        chunk = payloads[first : first + BATCH]
        batches.append(run_batch(browser, tmp_path / f"batch-{number}", chunk, first))
        record(
            request.config,
            "hostile-text-full",
            {
                "payloads": dict(Counter(p.source for p in every)),
                "refused_up_front": refused,
                "batches": batches,
            },
        )
    assert sum(b["payloads"] for b in batches) == len(payloads)


def test_the_guard_sees_what_a_payload_would_do(browser: Any, tmp_path: Path) -> None:
    """The detector itself: unescaped payloads on a page are each caught."""
    (tmp_path / "index.html").write_text(
        "<!doctype html><html><body><div class='aj'>"
        "<img src=x onerror=alert(1)>"
        "<a href='javascript:confirm(2)'>x</a>"
        "<script>prompt(3)</script>"
        "<img src='http://evil.example/x.png'>"
        "<iframe srcdoc='<b>'></iframe>"
        "</div></body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path) as base:
        guarded = Guarded(browser, base)
        guarded.visit("")
        guarded.page.wait_for_timeout(300)
        guarded.audit(base)
        guarded.close()
    findings = guarded.findings
    assert any("alert:1" in h for h in findings.hits)
    assert any("prompt:3" in h for h in findings.hits)
    assert findings.outside == ["http://evil.example/x.png"] * len(findings.outside) != []
    for what in ("handler IMG[onerror]", "url A[href]", "element IFRAME", "inline script"):
        assert any(what in m for m in findings.markup), what
    assert not findings.clean()

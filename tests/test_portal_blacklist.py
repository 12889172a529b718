"""The serious-dishonesty list on the portal: only what is listed on the build date, anywhere.

The factory county gets one listing in force, one pending (objection period
running), one expired, one repaired (with its credit-repair decision) and one
withdrawn on objection.  Every decision carries its own document number and a
marker in its facts, so a trace of it anywhere under ``site/`` is one grep.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.derive.blacklist import FIELDS
from generator.render.build import build_site
from tests.blacklist_factory import add, follow_up, inspection, listing
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE
from tests.portal_factory import AS_OF, XSS_NAME, make_portal_repo, portal_records
from tests.test_portal import site_texts

D = dt.date.fromisoformat
AFTER_EVERY_TERM = D("2031-01-01")
LISTED, PENDING, EXPIRED, REPAIRED, WITHDRAWN = (
    "DEC-20250320-001",
    "DEC-20261115-001",
    "DEC-20220601-001",
    "DEC-20240105-001",
    "DEC-20250601-001",
)
REPAIR = "DEC-20250301-002"
DOC = {
    LISTED: "青应急失信〔2025〕1号",
    PENDING: "青应急失信〔2026〕7号",
    EXPIRED: "青应急失信〔2022〕3号",
    REPAIRED: "青应急失信〔2024〕2号",
    WITHDRAWN: "青应急失信〔2025〕5号",
    REPAIR: "青应急信修〔2025〕2号",
}
FACTS = {d: f"向检查组提供伪造的特种作业人员操作证（事实{n}号）。" for n, d in enumerate(DOC)}
ENDED = (EXPIRED, REPAIRED, WITHDRAWN, REPAIR)


def _listing(decision: str, **fields: Any) -> dict[str, Any]:
    return listing(
        decision,
        document_no=DOC[decision],
        facts=FACTS[decision],
        evidence_records=["INS-20250210-001"],
        **fields,
    )


def blacklist_county() -> dict[str, dict[str, Any]]:
    records = portal_records()
    add(records, "inspection", inspection("INS-20250210-001", "2025-02-10", ["提供虚假材料"]))
    add(records, "decision", _listing(LISTED))
    add(
        records,
        "decision",
        _listing(
            PENDING,
            enterprise=OTHER_ENTERPRISE,
            notice_date="2026-11-15",
            objection_until="2026-11-25",
            decided_on="2026-11-15",
            listed_from="2026-11-26",
        ),
    )
    add(
        records,
        "decision",
        _listing(
            EXPIRED,
            enterprise=OTHER_ENTERPRISE,
            notice_date="2022-05-10",
            objection_until="2022-05-20",
            decided_on="2022-05-31",
            listed_from="2022-06-01",
        ),
    )
    add(
        records,
        "decision",
        _listing(
            REPAIRED,
            enterprise=OTHER_ENTERPRISE,
            notice_date="2024-01-01",
            objection_until="2024-01-04",
            decided_on="2024-01-05",
            listed_from="2024-01-05",
        ),
    )
    repair = follow_up(
        REPAIR, "信用修复", "2025-03-01", target=REPAIRED, enterprise=OTHER_ENTERPRISE
    )
    repair["document_no"] = DOC[REPAIR]
    add(records, "decision", repair)
    withdrawn = _listing(
        WITHDRAWN,
        notice_date="2025-05-20",
        objection_until="2025-05-27",
        decided_on="2025-06-01",
        listed_from="2025-06-02",
    )
    withdrawn["notice"]["objection"] = {
        "filed_on": "2025-05-25",
        "outcome": "撤销",
        "decided_on": "2025-05-30",
    }
    add(records, "decision", withdrawn)
    return records


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_portal_repo(tmp_path_factory.mktemp("blacklist") / "repo", blacklist_county())


@pytest.fixture(scope="module")
def today(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("today") / "site"
    build_site(repo, out, as_of=AS_OF)
    return site_texts(out)


@pytest.fixture(scope="module")
def after(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("after") / "site"
    build_site(repo, out, as_of=AFTER_EVERY_TERM)
    return site_texts(out)


def traces(texts: dict[str, str], needle: str) -> list[str]:
    return [path for path, text in texts.items() if needle in text]


def rows(texts: dict[str, str]) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(texts["data/blacklist.json"])
    return data


def test_the_blacklist_page_shows_the_listing_in_force(today: dict[str, str]) -> None:
    page = today["blacklist/index.html"]
    for shown in (
        "青川县宏达化工有限公司",
        ENTERPRISE,
        "提供虚假材料",  # the rule's title
        FACTS[LISTED],
        DOC[LISTED],
        "青川县应急管理局",
        "2025-03-21",
        "2028-03-20",  # three years, from the policy
        "加大执法检查频次",  # the policy's joint-punishment measures
    ):
        assert shown in page, shown
    assert "严重失信名单" in today["index.html"].split('<div class="aj aj-home"')[0]  # in the nav


@pytest.mark.parametrize("decision", [PENDING, *ENDED])
def test_pending_and_ended_listings_appear_nowhere(today: dict[str, str], decision: str) -> None:
    assert traces(today, DOC[decision]) == []
    assert traces(today, FACTS[decision]) == []
    assert traces(today, decision) == []


def test_open_data_holds_the_listing_in_force_only(today: dict[str, str]) -> None:
    assert [r["decision"] for r in rows(today)] == [LISTED]
    assert rows(today)[0]["listed_until"] == "2028-03-20"
    table = list(csv.DictReader(io.StringIO(today["data/blacklist.csv"].lstrip("\ufeff"))))
    assert [r["document_no"] for r in table] == [DOC[LISTED]]
    package = json.loads(today["data/datapackage.json"])
    resources = {r["name"]: r for r in package["resources"]}
    fields = resources["blacklist"]["schema"]["fields"]
    assert [(f["name"], f["title"]) for f in fields] == [(n, t) for n, t, _ in FIELDS]
    assert resources["blacklist"]["schema"]["primaryKey"] == ["decision"]
    assert resources["blacklist-json"]["path"] == "blacklist.json"


def test_a_listed_enterprise_has_a_badge_a_pending_one_none(today: dict[str, str]) -> None:
    listed = today[f"enterprise/{ENTERPRISE}/index.html"]
    assert "aj-blacklisted" in listed and DOC[LISTED] in listed
    pending = today[f"enterprise/{OTHER_ENTERPRISE}/index.html"]
    assert "aj-blacklisted" not in pending and 'id="blacklist"' not in pending
    fragments = [t for p, t in today.items() if p.endswith(".pf_fragment")]
    assert [t for t in fragments if f'"url":"/enterprise/{ENTERPRISE}/"' in t and "严重失信" in t]


def test_the_home_page_counts_and_the_feed_announces_the_listing(today: dict[str, str]) -> None:
    home = today["index.html"]
    assert "<strong>1</strong><span>严重失信主体（公示中）</span>" in home
    assert f"urn:anjian:blacklist:{LISTED}" in today["feed.xml"]
    assert today["feed.xml"].count("urn:anjian:blacklist:") == 1


def test_after_every_term_the_list_is_empty(after: dict[str, str]) -> None:
    assert rows(after) == []
    assert after["data/blacklist.csv"].lstrip("\ufeff").splitlines() == [
        ",".join(n for n, _, _ in FIELDS)
    ]
    assert "目前没有正在公示的严重失信主体" in after["blacklist/index.html"]
    assert "<strong>0</strong><span>严重失信主体（公示中）</span>" in after["index.html"]


@pytest.mark.parametrize("decision", list(DOC))
def test_after_every_term_no_decision_leaves_a_trace(after: dict[str, str], decision: str) -> None:
    assert traces(after, DOC[decision]) == []
    assert traces(after, FACTS[decision]) == []
    assert traces(after, decision) == []


def test_after_every_term_no_enterprise_is_shown_as_listed(after: dict[str, str]) -> None:
    blacklist_files = {p: t for p, t in after.items() if "blacklist" in p}
    assert blacklist_files and len(blacklist_files) >= 3
    for name in ("青川县宏达化工有限公司", ENTERPRISE, OTHER_ENTERPRISE, "鑫源建材厂"):
        assert traces(blacklist_files, name) == []
    for eid in (ENTERPRISE, OTHER_ENTERPRISE):
        page = after[f"enterprise/{eid}/index.html"]
        assert "aj-blacklisted" not in page and 'id="blacklist"' not in page
    assert "urn:anjian:blacklist:" not in after["feed.xml"]
    fragments = [t for p, t in after.items() if p.endswith(".pf_fragment")]
    enterprises = [t for t in fragments if '"url":"/enterprise/' in t]
    assert enterprises and not [t for t in enterprises if "严重失信" in t]


@pytest.mark.parametrize(
    ("day", "listed"),
    [("2024-06-01", [REPAIRED, EXPIRED]), ("2025-04-01", [EXPIRED, LISTED])],
)
def test_the_list_on_a_past_date_is_reproducible(
    repo: Path, tmp_path: Path, day: str, listed: list[str]
) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["--repo", str(repo), "build", "--as-of", day, "--out", str(out), "--no-search"]
    )
    assert result.exit_code == 0, result.output
    texts = site_texts(out)
    assert sorted(r["decision"] for r in rows(texts)) == sorted(listed)
    for decision in set(DOC) - set(listed):
        assert traces(texts, DOC[decision]) == [], decision
    page = texts["blacklist/index.html"]
    assert all(DOC[d] in page for d in listed)
    if EXPIRED in listed:  # hostile names stay inert on the list
        assert XSS_NAME not in page and "&lt;script&gt;alert(1)&lt;/script&gt;鑫源建材厂" in page

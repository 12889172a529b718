"""The Atom feed of new disclosures (inspection results, penalties, blacklist listings).

Bounded (the newest entries only) and dated from the records, never from the
clock, so the same records and as-of date give the same bytes.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from generator.derive.blacklist import BlacklistEntry
from generator.render.model import Portal, Row
from generator.render.pages import enterprise_src
from generator.render.urls import page_url

FEED_FILE = "feed.xml"
FEED_ENTRIES = 50


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: str
    link: str
    summary: str


def _penalty(portal: Portal, p: Row) -> Entry:
    name = portal.enterprise_name(p.get("enterprise"))
    return Entry(
        id=f"urn:anjian:penalty:{p['id']}",
        title=f"行政处罚公示：{name}",
        updated=str((p.get("publish") or {}).get("from") or p.get("decided_on")),
        link=page_url(enterprise_src(str(p.get("enterprise")))),
        summary=f"{p.get('document_no', '')}；{p.get('violation', '')}",
    )


def _inspection(portal: Portal, i: Row) -> Entry:
    names = "、".join(portal.enterprise_name(e) for e in i.get("enterprises") or [])
    found = len(portal.hazards_by_inspection.get(str(i["id"]), []))
    first = next(iter(i.get("enterprises") or []), "")
    return Entry(
        id=f"urn:anjian:inspection:{i['id']}",
        title=f"检查结果公示：{names}",
        updated=str(i.get("date")),
        link=page_url(enterprise_src(str(first))),
        summary=f"{i.get('date')} {i.get('kind')}，发现隐患 {found} 项。{i.get('summary', '')}",
    )


def _listing(portal: Portal, b: BlacklistEntry) -> Entry:
    # listed on the as-of date only: ended listings leave the feed
    return Entry(
        id=f"urn:anjian:blacklist:{b.decision}",
        title=f"列入严重失信主体名单：{b.enterprise_name}",
        updated=b.listed_from.isoformat(),
        link=page_url("blacklist/index.md"),
        summary=f"{b.document_no}；{b.rule_title}；期满日期 {b.listed_until.isoformat()}",
    )


def feed_entries(portal: Portal) -> list[Entry]:
    """The newest ``FEED_ENTRIES`` entries by (date, id): chosen first, then written."""
    candidates: list[tuple[str, str, Callable[[], Entry]]] = []
    for p in portal.penalties:
        updated = str((p.get("publish") or {}).get("from") or p.get("decided_on"))
        candidates.append(
            (updated, f"urn:anjian:penalty:{p['id']}", functools.partial(_penalty, portal, p))
        )
    # the portal's inspections are newest first by (date, id), the order of their entries
    # here: only the first ``FEED_ENTRIES`` of them can be among the newest
    inspections = (i for i in portal.inspections if i.get("kind") != "企业自查")
    for i in itertools.islice(inspections, FEED_ENTRIES):
        candidates.append(
            (
                str(i.get("date")),
                f"urn:anjian:inspection:{i['id']}",
                functools.partial(_inspection, portal, i),
            )
        )
    for b in portal.blacklist:
        candidates.append(
            (
                b.listed_from.isoformat(),
                f"urn:anjian:blacklist:{b.decision}",
                functools.partial(_listing, portal, b),
            )
        )
    newest = heapq.nlargest(FEED_ENTRIES, candidates, key=lambda c: (c[0], c[1]))
    return [make() for _, _, make in newest]


def render_feed(env: jinja2.Environment, portal: Portal, site_url: str) -> str:
    entries = feed_entries(portal)
    updated = entries[0].updated if entries else portal.as_of.isoformat()
    return env.get_template("feed.xml.j2").render(
        portal=portal, entries=entries, updated=updated, site_url=site_url, src="feed.xml"
    )

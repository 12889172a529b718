"""The Atom feed of new disclosures (inspection results and penalties).

Bounded (the newest entries only) and dated from the records, never from the
clock, so the same records and as-of date give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from generator.render.model import Portal
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


def feed_entries(portal: Portal) -> list[Entry]:
    entries = []
    for p in portal.penalties:
        name = portal.enterprise_name(p.get("enterprise"))
        entries.append(
            Entry(
                id=f"urn:anjian:penalty:{p['id']}",
                title=f"行政处罚公示：{name}",
                updated=str((p.get("publish") or {}).get("from") or p.get("decided_on")),
                link=page_url(enterprise_src(str(p.get("enterprise")))),
                summary=f"{p.get('document_no', '')}；{p.get('violation', '')}",
            )
        )
    for i in portal.inspections:
        if i.get("kind") == "企业自查":
            continue
        names = "、".join(portal.enterprise_name(e) for e in i.get("enterprises") or [])
        found = len(portal.hazards_by_inspection.get(str(i["id"]), []))
        first = next(iter(i.get("enterprises") or []), "")
        entries.append(
            Entry(
                id=f"urn:anjian:inspection:{i['id']}",
                title=f"检查结果公示：{names}",
                updated=str(i.get("date")),
                link=page_url(enterprise_src(str(first))),
                summary=f"{i.get('date')} {i.get('kind')}，发现隐患 {found} 项。{i.get('summary', '')}",
            )
        )
    entries.sort(key=lambda e: (e.updated, e.id), reverse=True)
    return entries[:FEED_ENTRIES]


def render_feed(env: jinja2.Environment, portal: Portal, site_url: str) -> str:
    entries = feed_entries(portal)
    updated = entries[0].updated if entries else portal.as_of.isoformat()
    return env.get_template("feed.xml.j2").render(
        portal=portal, entries=entries, updated=updated, site_url=site_url, src="feed.xml"
    )

"""The Atom feed: the newest entries of the portal, by date and id."""

from __future__ import annotations

import copy
from pathlib import Path

from generator.render.feed import FEED_ENTRIES, feed_entries
from generator.render.model import build_portal
from generator.validate import validate_repository
from tests.portal_factory import AS_OF, make_portal_repo, portal_records

INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"


def many_inspections(count: int) -> dict[str, dict[str, object]]:
    """The portal records with ``count`` more inspections, several on each day, every
    fourth an enterprise's own (which the feed leaves out)."""
    records = portal_records()
    for n in range(count):
        day = f"2026-{1 + n % 9:02d}-{1 + n % 5:02d}"
        record_id = f"INS-{day.replace('-', '')}-{100 + n:03d}"
        inspection = copy.deepcopy(records[INSPECTION])
        inspection.update(id=record_id, date=day)
        if n % 4 == 0:
            inspection["kind"] = "企业自查"
        records[f"records/inspection/2026/{record_id}.yaml"] = inspection
    return records


def test_the_feed_holds_the_newest_entries_of_all(tmp_path: Path) -> None:
    root = make_portal_repo(tmp_path / "repo", many_inspections(3 * FEED_ENTRIES))
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    assert not loaded.report.errors
    portal = build_portal(loaded.valid, loaded.registry, loaded.policy, AS_OF)

    every = (
        [
            (
                str(p.get("publish", {}).get("from") or p.get("decided_on")),
                f"urn:anjian:penalty:{p['id']}",
            )
            for p in portal.penalties
        ]
        + [
            (str(i["date"]), f"urn:anjian:inspection:{i['id']}")
            for i in portal.inspections
            if i.get("kind") != "企业自查"
        ]
        + [
            (b.listed_from.isoformat(), f"urn:anjian:blacklist:{b.decision}")
            for b in portal.blacklist
        ]
    )
    assert len(every) > FEED_ENTRIES
    newest = sorted(every, reverse=True)[:FEED_ENTRIES]
    assert [(e.updated, e.id) for e in feed_entries(portal)] == newest

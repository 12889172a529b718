"""Which records the public audit pages may name: those the portal publishes that day.

Deny by default, mirroring the portal (``generator.render.model``):

- a penalty only inside its publication window and not revoked
  (``derive.publication.penalty_published``);
- a decision only while its listing is in force (``derive.blacklist``:
  ``public_blacklist``) — an ended, removed, repaired or withdrawn listing, and
  every follow-up decision, is not named;
- inspections, hazards, self-reports and complaints once their date has come;
- enterprises, departments and staff always;
- a record no longer in the repository, or of a kind without a schema, never.

Everything else leaves a tombstone in the log: its digest, never its id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from generator.derive.blacklist import public_blacklist
from generator.derive.publication import penalty_published
from generator.policy import Policy
from generator.records import Record
from generator.schemas import Registry

ALWAYS = frozenset({"enterprise", "department", "staff"})
DATED = {
    "inspection": "date",
    "hazard": "found_on",
    "self-report": "submitted_on",
    "complaint": "received_on",
}


def _day(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def published_ids(
    records: Iterable[Record], registry: Registry, policy: Policy, as_of: dt.date
) -> set[str]:
    records = list(records)
    listed = {e.decision for e in public_blacklist(records, policy, as_of, registry)}
    found: set[str] = set()
    for record in records:
        record_id = record.id
        if record_id is None or record.kind not in registry:
            continue
        data = record.data
        if record.kind in ALWAYS:
            found.add(record_id)
        elif record.kind == "penalty":
            if penalty_published(data, as_of):
                found.add(record_id)
        elif record.kind == "decision":
            if record_id in listed:
                found.add(record_id)
        elif record.kind in DATED:
            day = _day(data.get(DATED[record.kind]))
            if day is not None and day <= as_of:
                found.add(record_id)
    return found

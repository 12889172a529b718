"""Per-record history: every landed change of a record, who made it, who approved it.

``record_events`` is the internal view (``anjian audit show``): both versions in
full.  ``public_changes`` is the only way a version reaches the public pages:
both sides go through the portal's ``Publisher`` (schema projection, then name
masking) *before* they are compared, so an internal field — its new value, its
old value, even the fact that it alone changed — never reaches the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.audit.blobs import Data
from generator.audit.chain import Entry, item_digest
from generator.audit.diff import FieldChange, diff
from generator.audit.timeline import History, Landing, RecordChange
from generator.render.public import Publisher
from generator.review.approvals import Verdict
from generator.review.gitio import Commit


@dataclass(frozen=True)
class RecordEvent:
    seq: int  # the audit log entry
    digest: str
    landing: Landing
    change: RecordChange
    old: Data | None
    new: Data | None
    editors: tuple[Commit, ...]  # the commits that changed this record
    approvals: tuple[Verdict, ...]  # review verdicts covering this record

    def changes(self) -> list[FieldChange]:
        return diff(self.old, self.new)


def _covers(verdict: Verdict, record_id: str) -> bool:
    return not verdict.records or record_id in verdict.records


def record_events(
    history: History, entries: Sequence[Entry], ids: Iterable[str] | None = None
) -> dict[str, list[RecordEvent]]:
    """Record id → its events, oldest first (only ``ids`` when given)."""
    wanted = set(ids) if ids is not None else None
    by_commit = {e.commit: e for e in entries}
    out: dict[str, list[RecordEvent]] = {}
    for landing in history.landings:
        entry = by_commit[landing.sha]
        verdicts = landing.verdicts
        for change in landing.changes:
            if wanted is not None and change.id not in wanted:
                continue
            editors = tuple(
                e.commit for e in landing.edits if any(c.id == change.id for c in e.changes)
            )
            out.setdefault(change.id, []).append(
                RecordEvent(
                    entry.seq,
                    item_digest(change),
                    landing,
                    change,
                    history.data(change.old_blob),
                    history.data(change.new_blob),
                    editors,
                    tuple(v for v in verdicts if _covers(v, change.id)),
                )
            )
    return out


def public_changes(
    publisher: Publisher, kind: str, old: Data | None, new: Data | None
) -> list[FieldChange]:
    """The diff of the public projections of both versions (internal fields never compared)."""
    if kind not in publisher.registry:
        return []
    before: dict[str, Any] | None = publisher.public(kind, old) if old is not None else None
    after: dict[str, Any] | None = publisher.public(kind, new) if new is not None else None
    return diff(before, after)

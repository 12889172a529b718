"""The repository audit log: one entry per landing, each committing to the one before.

An entry's *body* is what is hashed::

    {"seq": 1, "commit": "<git commit id>", "parent_entry_hash": "<hex>",
     "time": "2026-11-20T09:00:00+08:00", "authors": ["STAFF-0001"],
     "landed_by": "STAFF-0004", "approvals": [{"tier": 1, ...}],
     "records": ["<item digest>", ...]}

``entry_hash = sha256(canonical JSON of the body)``; the first entry's parent is
the *genesis* hash of the epoch.  Canonical JSON: keys sorted, no spaces,
UTF-8 (``ensure_ascii=False``).

A record is named in the body only by its *item digest*,
``sha256(canonical {"id", "kind", "change", "old", "new"})`` where old/new are
the git blob ids of the two versions.  The blob ids act as a salt nobody
without a clone knows (they hash the whole record, internal fields included),
so a digest cannot be matched to a guessed id; anyone with a clone recomputes
it.  Which records a line of ``log.jsonl`` *names* (its ``details``) depends on
what is published on the day of the build — a withdrawn penalty or an ended
listing leaves only its digest (a tombstone) — while the hashes never change:
the same history always gives the same chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.encoder
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.audit.people import People
from generator.audit.timeline import History, Landing, RecordChange
from generator.review.gitio import Commit

GENESIS_LABEL = "anjian-audit-log/1"
BODY_KEYS = (
    "seq",
    "commit",
    "parent_entry_hash",
    "time",
    "authors",
    "landed_by",
    "approvals",
    "records",
)


_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(value: Any) -> bytes:
    return _CANONICAL.encode(value).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def genesis(epoch: str | None) -> str:
    """The parent hash of the first entry: binds the chain to where the audit starts."""
    return sha256_hex(canonical({"log": GENESIS_LABEL, "epoch": epoch}))


# what _CANONICAL.encode makes of a string (ensure_ascii=False), without its Python layer
_STRING: Callable[[str], str] = json.encoder.encode_basestring


def item_digest(change: RecordChange) -> str:
    """``sha256(canonical {"id", "kind", "change", "old", "new"})``, the canonical
    JSON written out directly (keys in sorted order): one per changed record."""
    old, new = change.old_blob, change.new_blob
    text = (
        f'{{"change":{_STRING(change.status)},"id":{_STRING(change.id)},'
        f'"kind":{_STRING(change.kind)},"new":{"null" if new is None else _STRING(new)},'
        f'"old":{"null" if old is None else _STRING(old)}}}'
    )
    # a path git holds in bytes that are not UTF-8 is digested as those bytes
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def commit_time(commit: Commit) -> str:
    person = commit.committer
    sign = -1 if person.tz.startswith("-") else 1
    hours, minutes = int(person.tz[1:3] or 0), int(person.tz[3:5] or 0)
    zone = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    return dt.datetime.fromtimestamp(person.time, zone).isoformat()


@dataclass(frozen=True)
class Entry:
    body: dict[str, Any]
    entry_hash: str
    items: tuple[tuple[str, RecordChange], ...]  # (digest, change), as in body["records"]

    @property
    def seq(self) -> int:
        return int(self.body["seq"])

    @property
    def commit(self) -> str:
        return str(self.body["commit"])


def _approvals(landing: Landing, people: People) -> list[dict[str, Any]]:
    return [
        {
            "commit": v.commit.sha,
            "decision": v.decision,
            "reviewer": people.staff_id(v.commit.author.email),
            "tier": v.tier,
        }
        for v in landing.verdicts
    ]


def make_entry(seq: int, parent: str, landing: Landing, people: People) -> Entry:
    items = sorted(((item_digest(c), c) for c in landing.changes), key=lambda i: i[0])
    authors = sorted({people.staff_id(e.commit.author.email) for e in landing.edits})
    body: dict[str, Any] = {
        "seq": seq,
        "commit": landing.sha,
        "parent_entry_hash": parent,
        "time": commit_time(landing.commit),
        "authors": authors,
        "landed_by": people.staff_id(landing.commit.author.email),
        "approvals": _approvals(landing, people),
        "records": [digest for digest, _ in items],
    }
    return Entry(body, sha256_hex(canonical(body)), tuple(items))


def build_chain(history: History) -> list[Entry]:
    entries: list[Entry] = []
    parent = genesis(history.epoch)
    for seq, landing in enumerate(history.landings, start=1):
        entry = make_entry(seq, parent, landing, history.people(landing.state))
        entries.append(entry)
        parent = entry.entry_hash
    return entries


def head_hash(entries: Sequence[Entry], epoch: str | None) -> str:
    return entries[-1].entry_hash if entries else genesis(epoch)


# -- the published form -------------------------------------------------------


def log_line(entry: Entry, details: Iterable[dict[str, Any]]) -> str:
    """One line of ``log.jsonl``: the body, its hash and what may be named publicly."""
    row = {**entry.body, "entry_hash": entry.entry_hash, "details": list(details)}
    return canonical(row).decode() + "\n"


@dataclass(frozen=True)
class Published:
    line: int
    body: dict[str, Any]
    entry_hash: str
    details: tuple[dict[str, Any], ...]

    @property
    def seq(self) -> int:
        return int(self.body.get("seq", 0))

    @property
    def commit(self) -> str:
        return str(self.body.get("commit", ""))

    def recomputed(self) -> str:
        return sha256_hex(canonical(self.body))


def parse_log(text: str) -> tuple[list[Published], list[tuple[int, str]]]:
    """Published entries and (line number, what is wrong) for lines that are not entries."""
    entries: list[Published] = []
    bad: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError as err:
            bad.append((number, f"不是 JSON：{err}"))
            continue
        if not isinstance(row, dict) or not all(k in row for k in (*BODY_KEYS, "entry_hash")):
            bad.append((number, "缺少审计条目的字段"))
            continue
        details = row.get("details") or []
        body = {k: row[k] for k in BODY_KEYS}
        entries.append(
            Published(
                number,
                body,
                str(row["entry_hash"]),
                tuple(d for d in details if isinstance(d, dict)),
            )
        )
    return entries, bad

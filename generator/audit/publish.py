"""The public audit trail under ``site/audit/``.

- ``log.jsonl`` — the chain, one entry a line (``chain``), each with the
  ``details`` of the records it may name today: id, kind, change and which
  public fields changed; a record that is not published today (``visibility``)
  or whose change touched no public field is left as its digest alone;
- ``head.json`` — the head hash, for the home page and for anyone to pin;
- ``index.html`` — the head, the latest entries, how to verify;
- ``log/<n>.html`` — every entry, a page of ``PAGE_SIZE`` at a time;
- ``records/<id>.html`` — the public history of each published record.

The renderer calls :func:`write_audit` with the records and policy of the
build; the same history and the same as-of date give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.audit.chain import Entry, build_chain, commit_time, genesis, head_hash, log_line
from generator.audit.diff import MISSING, FieldChange
from generator.audit.pages import make_env, render
from generator.audit.people import UNKNOWN
from generator.audit.record_history import RecordEvent, public_changes, record_events
from generator.audit.timeline import History, Want, epoch_of, read_history
from generator.audit.visibility import published_ids
from generator.load import Pointer
from generator.policy import Policy
from generator.records import Record
from generator.render.public import Publisher
from generator.review.approvals import APPROVE
from generator.review.tiers import TIER_TITLE
from generator.schemas import Registry

LOG_FILE = "log.jsonl"
HEAD_FILE = "head.json"
PAGE_SIZE = 500
LATEST = 100
CHANGE_TITLE = {"A": "新增", "M": "修改", "D": "删除"}
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class AuditSite:
    head: str
    entries: int
    record_pages: int


def record_file(record_id: str) -> str:
    """The page of a record, relative to ``site/audit/``."""
    name = (
        record_id
        if _SAFE_ID.fullmatch(record_id)
        else hashlib.sha256(record_id.encode()).hexdigest()
    )
    return f"records/{name}.html"


def show_value(value: Any) -> str:
    if value is MISSING or value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class _Public:
    """Public views of the history, built once per site."""

    def __init__(
        self,
        history: History,
        records: list[Record],
        registry: Registry,
        policy: Policy,
        as_of: dt.date,
    ) -> None:
        self.history = history
        self.registry = registry
        self.publisher = Publisher(registry, policy)
        self.visible = published_ids(records, registry, policy, as_of)
        staff = [r for r in records if r.kind == "staff" and r.id in self.visible]
        self.staff_names = {
            str(r.id): str(self.publisher.public("staff", r.data).get("name") or "") for r in staff
        }

    def person(self, staff_id: str) -> str:
        if staff_id == UNKNOWN:
            return "未登记人员"
        name = self.staff_names.get(staff_id, "")
        return f"{staff_id} {name}".strip()

    def fields(self, event: RecordEvent) -> list[FieldChange]:
        return public_changes(self.publisher, event.change.kind, event.old, event.new)

    def title(self, kind: str, pointer: Pointer) -> str:
        if kind not in self.registry:
            return "/".join(str(p) for p in pointer)
        schema = self.registry[kind]
        parts = []
        for n, step in enumerate(pointer):
            parts.append(
                f"第 {step + 1} 项" if isinstance(step, int) else schema.title_of(pointer[: n + 1])
            )
        return " / ".join(parts)

    def shown(self, event: RecordEvent) -> list[FieldChange] | None:
        """The public field changes of an event, or None when it must not be named."""
        if event.change.id not in self.visible or event.change.kind not in self.registry:
            return None
        changed = self.fields(event)
        if not changed and event.change.status == "M":
            return None  # only internal fields changed: not even that is shown
        return changed


def _approval_text(public: _Public, tier: int, decision: str, reviewer: str) -> str:
    verb = "批准" if decision == APPROVE else "要求修改"
    return f"{TIER_TITLE.get(tier, str(tier))}{verb}（{public.person(reviewer)}）"


def _details(
    entry: Entry, events: dict[str, RecordEvent], public: _Public
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    details: list[dict[str, Any]] = []
    named: list[dict[str, str]] = []
    for digest, change in entry.items:
        event = events.get(digest)
        shown = public.shown(event) if event else None
        if shown is None:
            continue
        details.append(
            {
                "digest": digest,
                "id": change.id,
                "kind": change.kind,
                "change": change.status,
                "fields": [f.path for f in shown],
            }
        )
        named.append(
            {
                "id": change.id,
                "change": CHANGE_TITLE.get(change.status, change.status),
                "href": record_file(change.id),
            }
        )
    return details, named


def _entry_row(
    entry: Entry, named: list[dict[str, str]], public: _Public, prefix: str
) -> dict[str, Any]:
    body = entry.body
    return {
        "seq": entry.seq,
        "time": body["time"],
        "commit": entry.commit,
        "authors": [public.person(a) for a in body["authors"]]
        or [public.person(body["landed_by"])],
        "approvals": [
            _approval_text(public, a["tier"], a["decision"], a["reviewer"])
            for a in body["approvals"]
        ],
        "records": [{**n, "href": prefix + n["href"]} for n in named],
        "hidden": len(entry.items) - len(named),
    }


def _record_page(record_id: str, events: Sequence[RecordEvent], public: _Public) -> str | None:
    rows = []
    for event in events:
        shown = public.shown(event)
        if shown is None:
            continue
        people = public.history.people(event.landing.state)
        authors = sorted({people.staff_id(c.author.email) for c in event.editors})
        rows.append(
            {
                "seq": event.seq,
                "time": commit_time(event.landing.commit),
                "commit": event.landing.sha,
                "change": CHANGE_TITLE.get(event.change.status, event.change.status),
                "authors": [public.person(a) for a in authors] or [public.person(UNKNOWN)],
                "approvals": [
                    _approval_text(
                        public, v.tier, v.decision, people.staff_id(v.commit.author.email)
                    )
                    for v in event.approvals
                ],
                "fields": [
                    {
                        "title": public.title(event.change.kind, f.pointer),
                        "old": show_value(f.old),
                        "new": show_value(f.new),
                    }
                    for f in shown
                ],
            }
        )
    if not rows:
        return None
    kind = events[-1].change.kind
    env = make_env()
    return render(
        env,
        "record.html",
        title=f"修改历史：{record_id}",
        home="../../",
        audit_home="../index.html",
        kind_title=public.registry[kind].title if kind in public.registry else kind,
        record_id=record_id,
        events=rows,
    )


def head_json(entries: Sequence[Entry], epoch: str | None) -> str:
    head = {
        "head": head_hash(entries, epoch),
        "entries": len(entries),
        "commit": entries[-1].commit if entries else None,
        "epoch": epoch,
        "genesis": genesis(epoch),
        "log": LOG_FILE,
    }
    return json.dumps(head, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def audit_head(root: Path, policy: Policy, *, ref: str = "HEAD") -> dict[str, Any]:
    """What ``head.json`` holds (head hash, entries, last commit), for the home page.

    Reads only the history (no record versions besides staff), so it is cheap
    to call before the pages are rendered.  Raises ``AuditError`` without git.
    """
    history = read_history(root, ref, epoch=epoch_of(policy), want=Want())
    head: dict[str, Any] = json.loads(head_json(build_chain(history), history.epoch))
    return head


def write_audit(
    root: Path,
    out: Path,
    *,
    records: Iterable[Record],
    registry: Registry,
    policy: Policy,
    as_of: dt.date,
    ref: str = "HEAD",
    jobs: int | None = None,
) -> AuditSite:
    """Write ``out`` (``site/audit``): the log, its head, the index and the record pages.

    Raises ``AuditError`` when the history cannot be read (not a git work tree,
    an epoch that is not in the history).
    """
    history = read_history(
        root, ref, epoch=epoch_of(policy), want=Want(landed_kinds=None), jobs=jobs
    )
    entries = build_chain(history)
    public = _Public(history, list(records), registry, policy, as_of)
    by_record = record_events(history, entries)
    by_digest = {e.digest: e for events in by_record.values() for e in events}

    out.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    rows: list[dict[str, Any]] = []
    for entry in entries:
        details, named = _details(entry, by_digest, public)
        lines.append(log_line(entry, details))
        rows.append(_entry_row(entry, named, public, ""))
    (out / LOG_FILE).write_text("".join(lines), encoding="utf-8")
    head = json.loads(head_json(entries, history.epoch))
    (out / HEAD_FILE).write_text(head_json(entries, history.epoch), encoding="utf-8")

    env = make_env()
    pages = []
    (out / "log").mkdir(exist_ok=True)
    for start in range(0, len(rows), PAGE_SIZE):
        chunk = rows[start : start + PAGE_SIZE]
        number = start // PAGE_SIZE + 1
        href = f"log/{number}.html"
        linked = [
            {**r, "records": [{**n, "href": "../" + n["href"]} for n in r["records"]]}
            for r in chunk
        ]
        (out / href).write_text(
            render(
                env,
                "log.html",
                title=f"审计日志第 {chunk[0]['seq']}–{chunk[-1]['seq']} 条",
                home="../../",
                audit_home="../index.html",
                entries=linked,
            ),
            encoding="utf-8",
        )
        pages.append({"href": href, "first": chunk[0]["seq"], "last": chunk[-1]["seq"]})
    (out / "index.html").write_text(
        render(
            env,
            "index.html",
            title="审计日志",
            home="../",
            audit_home="index.html",
            head=head,
            log_name=LOG_FILE,
            entries=list(reversed(rows[-LATEST:])),
            pages=pages,
        ),
        encoding="utf-8",
    )
    count = 0
    for record_id, events in sorted(by_record.items()):
        html = _record_page(record_id, events, public)
        if html is None:
            continue
        target = out / record_file(record_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        count += 1
    return AuditSite(head["head"], len(entries), count)

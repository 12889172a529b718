"""The public audit trail under ``site/audit/``.

- ``log.jsonl`` — the chain, one entry a line (``chain``), each with the
  ``details`` of the records it may name today: id, kind, change and which
  public fields changed; a record that is not published today (``visibility``)
  or whose change touched no public field is left as its digest alone;
- ``head.json`` — the head hash, for the home page and for anyone to pin;
- ``index.html`` — the head, the latest entries, how to verify;
- ``log/<n>.html`` — every entry, a page of ``PAGE_SIZE`` at a time;
- ``records/<id>.html`` — the public history of each published record.

The build calls :func:`write_site_audit` with what may be named that day
(``Named``); ``anjian audit publish`` calls :func:`write_audit` with the
records and policy.  The same history and the same as-of date give
byte-identical files.

It scales with what is published, not with the history: the history is read
without record versions (the chain names a version by its blob id, so a record
that is not published today costs nothing but its digest); then one published
record at a time, its versions are taken from the loader (the working file,
when git says it is that version) or read through one ``git cat-file`` process,
cut to their public fields, compared, rendered and dropped.  A page whose inputs
are unchanged since the last build is taken from the published site
(``pagecache``); the log is written as it is made.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import jinja2

from generator import forked
from generator.audit import gitread
from generator.audit.blobs import Data, parse_blob
from generator.audit.chain import (
    Entry,
    build_chain,
    canonical,
    commit_time,
    genesis,
    head_hash,
    item_digest,
    log_line,
    sha256_hex,
)
from generator.audit.diff import MISSING
from generator.audit.memo import TrailMemo, trail_key
from generator.audit.pagecache import Entry as CacheEntry
from generator.audit.pagecache import PageCache, code_salt
from generator.audit.pages import make_env, render
from generator.audit.people import UNKNOWN
from generator.audit.record_history import public_changes
from generator.audit.timeline import (
    AuditError,
    History,
    Landing,
    RecordChange,
    Want,
    epoch_of,
    read_history,
    resolve_epoch,
)
from generator.audit.visibility import published_ids
from generator.load import Pointer
from generator.policy import Policy
from generator.records import RECORDS_DIR, Record
from generator.render.public import Publisher
from generator.review.approvals import APPROVE
from generator.review.gitio import Commit
from generator.review.tiers import TIER_TITLE
from generator.schemas import Registry

LOG_FILE = "log.jsonl"
HEAD_FILE = "head.json"
# The pages stay under the 100 KB budget however many records a change touches
# (a month's self-reports land together): a log page holds PAGE_SIZE entries, an
# entry names at most LISTED records there (log.jsonl names them all), and the
# index shows the LATEST entries and links the newest LINKED log pages (each log
# page links the one before and after it).  About 70 KB at most.
PAGE_SIZE = 50
LISTED = 8
LATEST = 20
LINKED = 200
CHANGE_TITLE = {"A": "新增", "M": "修改", "D": "删除"}
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


@dataclass(frozen=True)
class AuditSite:
    head: str
    entries: int
    record_pages: int
    # record pages taken unchanged from the published site (relative to ``audit/``)
    reused: frozenset[str] = frozenset()


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


@dataclass(frozen=True)
class Named:
    """What the public audit pages may name on a day: the records published that day
    (``visibility``) and the staff's public names.  Small (a city's: 10 MB pickled),
    so a build works it out from its loaded records and hands it to the child that
    writes the trail, which then needs none of the records themselves."""

    ids: frozenset[str]
    staff_names: dict[str, str]


def named_on(
    records: Iterable[Record], registry: Registry, policy: Policy, as_of: dt.date
) -> Named:
    records = list(records)
    visible = published_ids(records, registry, policy, as_of)
    publisher = Publisher(registry, policy)
    names = {
        str(r.id): str(publisher.public("staff", r.data).get("name") or "")
        for r in records
        if r.kind == "staff" and r.id in visible
    }
    return Named(frozenset(visible), names)


class _Public:
    """Public views of the history, built once per site."""

    def __init__(self, named: Named, registry: Registry, policy: Policy) -> None:
        self.registry = registry
        self._titles: dict[tuple[str, tuple[str | int, ...]], str] = {}
        self.publisher = Publisher(registry, policy)
        self.visible = named.ids
        self.staff_names = named.staff_names

    def person(self, staff_id: str) -> str:
        if staff_id == UNKNOWN:
            return "未登记人员"
        name = self.staff_names.get(staff_id, "")
        return f"{staff_id} {name}".strip()

    def title(self, kind: str, pointer: Pointer) -> str:
        key = (kind, tuple(pointer))
        found = self._titles.get(key)
        if found is None:
            found = self._titles[key] = self._title(kind, pointer)
        return found

    def _title(self, kind: str, pointer: Pointer) -> str:
        if kind not in self.registry:
            return "/".join(str(p) for p in pointer)
        schema = self.registry[kind]
        parts = []
        for n, step in enumerate(pointer):
            parts.append(
                f"第 {step + 1} 项" if isinstance(step, int) else schema.title_of(pointer[: n + 1])
            )
        return " / ".join(parts)


def _approval_text(public: _Public, tier: int, decision: str, reviewer: str) -> str:
    verb = "批准" if decision == APPROVE else "要求修改"
    return f"{TIER_TITLE.get(tier, str(tier))}{verb}（{public.person(reviewer)}）"


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
        "records": [{**n, "href": prefix + n["href"]} for n in named[:LISTED]],
        "more": max(0, len(named) - LISTED),
        "hidden": len(entry.items) - len(named),
    }


class _Event(NamedTuple):
    """One landed change of a record, without its versions (read only when needed)."""

    entry: Entry
    landing: Landing
    change: RecordChange
    digest: str


def _events_by_record(
    history: History, entries: Sequence[Entry], ids: AbstractSet[str]
) -> dict[str, list[_Event]]:
    """Record id → its landed changes, oldest first: only the records in ``ids``."""
    by_commit = {e.commit: e for e in entries}
    out: dict[str, list[_Event]] = {}
    for landing in history.landings:
        entry = by_commit[landing.sha]
        digests = {id(change): digest for digest, change in entry.items}
        for change in landing.changes:
            if change.id in ids:
                digest = digests.get(id(change)) or item_digest(change)
                out.setdefault(change.id, []).append(_Event(entry, landing, change, digest))
    return out


class _Skeletons:
    """The rows of record pages as far as they are known without reading the versions.

    A landing of a month's self-reports names thousands of records: what is the
    same for all of them (its time, who made which of its changes) is worked out
    once per landing."""

    def __init__(self, public: _Public, history: History) -> None:
        self.public = public
        self.history = history
        self._time: dict[str, str] = {}
        self._editors: dict[str, dict[str, list[Commit]]] = {}

    def _editors_of(self, landing: Landing) -> dict[str, list[Commit]]:
        found = self._editors.get(landing.sha)
        if found is None:
            found = self._editors[landing.sha] = {}
            for edit in landing.edits:
                for record_id in dict.fromkeys(c.id for c in edit.changes):
                    found.setdefault(record_id, []).append(edit.commit)
        return found

    def row(self, event: _Event) -> dict[str, Any]:
        landing, change = event.landing, event.change
        public = self.public
        people = self.history.people(landing.state)
        time = self._time.get(landing.sha)
        if time is None:
            time = self._time[landing.sha] = commit_time(landing.commit)
        editors = self._editors_of(landing).get(change.id, ())
        authors = sorted({people.staff_id(c.author.email) for c in editors})
        return {
            "seq": event.entry.seq,
            "time": time,
            "commit": landing.sha,
            "change": CHANGE_TITLE.get(change.status, change.status),
            "authors": [public.person(a) for a in authors] or [public.person(UNKNOWN)],
            "approvals": [
                _approval_text(public, v.tier, v.decision, people.staff_id(v.commit.author.email))
                for v in landing.verdicts
                if not v.records or change.id in v.records
            ],
        }


class _Versions:
    """A record's versions: the working file's when it is the version asked for (the
    loader's record, when it has parsed it already; else the file read and checked
    against the blob id), else read from git and parsed.  Reading a city's current
    versions from git instead (its packs deltified) costs minutes."""

    def __init__(self, root: Path, reader: gitread.BlobReader, worktree: bool) -> None:
        self.root = root
        self.reader = reader
        self.worktree = worktree  # whether the work tree is the version audited
        self._clean: dict[str, str] | None = None

    def clean(self) -> dict[str, str]:
        """Path → blob id of the working files that are that version (asked of git once,
        when a page is first made: a rebuild that makes none never asks)."""
        if self._clean is None:
            self._clean = gitread.clean_blobs(self.root, RECORDS_DIR) if self.worktree else {}
        return self._clean

    def of(
        self, path: str, blobs: Iterable[str | None], record: Record | None = None
    ) -> dict[str, Data | None]:
        """Blob id → data, for the record now at ``path`` (``record``: the loader's)."""
        current = self.clean().get(path)
        out: dict[str, Data | None] = {}
        for blob in blobs:
            if blob is None or blob in out:
                continue
            if blob == current and record is not None and record.path == path:
                out[blob] = record.data
                continue
            raw = self._working(path) if blob == current else None
            if raw is None or gitread.blob_id(raw) != blob:  # changed since git was asked
                raw = self.reader.read(blob)
            out[blob] = parse_blob(path, raw)
        return out

    def _working(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None


def _record_page(
    record_id: str,
    events: Sequence[_Event],
    skeletons: Sequence[dict[str, Any]],
    versions: dict[str, Data | None],
    public: _Public,
) -> tuple[str | None, list[tuple[str, str]]]:
    """The page (None when nothing of the record may be shown) and the log details of
    its changes: (item digest, the detail as canonical JSON)."""
    rows = []
    details: list[tuple[str, str]] = []
    for event, skeleton in zip(events, skeletons, strict=True):
        change = event.change
        if change.kind not in public.registry:
            continue
        shown = public_changes(
            public.publisher,
            change.kind,
            versions.get(change.old_blob) if change.old_blob else None,
            versions.get(change.new_blob) if change.new_blob else None,
        )
        if not shown and change.status == "M":
            continue  # only internal fields changed: not even that is shown
        detail = {
            "digest": event.digest,
            "id": change.id,
            "kind": change.kind,
            "change": change.status,
            "fields": [f.path for f in shown],
        }
        details.append((event.digest, canonical(detail).decode()))
        rows.append(
            {
                **skeleton,
                "fields": [
                    {
                        "title": public.title(change.kind, f.pointer),
                        "old": show_value(f.old),
                        "new": show_value(f.new),
                    }
                    for f in shown
                ],
            }
        )
    if not rows:
        return None, details
    kind = events[-1].change.kind
    html = render(
        _env(),
        "record.html",
        title=f"修改历史：{record_id}",
        home="../../",
        audit_home="../index.html",
        kind_title=public.registry[kind].title if kind in public.registry else kind,
        record_id=record_id,
        events=rows,
    )
    return html, details


@functools.cache
def _env() -> jinja2.Environment:
    return make_env()


def _public_salt(registry: Registry, public: _Public) -> str:
    """What cuts and titles the public fields: the schemas and the masking policy."""
    schemas = {kind: registry[kind].schema for kind in sorted(registry.kinds)}
    return sha256_hex(canonical({"schemas": schemas, "masking": public.publisher.masking}))


PAGES_PER_WORKER = 5_000  # fewer records than this are not worth a forked worker


class _Part(NamedTuple):
    """What writing some of the record pages gave (in a worker: to merge)."""

    found: dict[str, str]  # item digest → its log detail, as JSON
    pages: int  # pages written or linked
    reused: set[str]  # pages linked from the last build
    cached: dict[str, CacheEntry]  # the page cache's entries for them
    cache_hits: int


@dataclass
class _RecordPages:
    """Writes the history pages of the published records, some ids at a time."""

    root: Path
    out: Path
    history: History
    grouped: dict[str, list[_Event]]
    by_id: dict[str, Record]
    worktree: bool
    public: _Public
    salt: str

    def write(self, ids: Sequence[str], cache: PageCache) -> _Part:
        """The pages of ``ids``, one record at a time (its versions read, cut to their
        public fields, compared, rendered and dropped); unchanged pages taken from the
        last build."""
        found: dict[str, str] = {}
        count = 0
        reused: set[str] = set()
        grouped, out, public, salt = self.grouped, self.out, self.public, self.salt
        rows = _Skeletons(public, self.history)
        with gitread.BlobReader(self.root) as reader:
            versions = _Versions(self.root, reader, self.worktree)
            for record_id in ids:
                events = grouped[record_id]
                rel = record_file(record_id)
                target = f"{out}/{rel}"  # a string: asked once per published record
                kind = events[-1].change.kind
                # a commit names its whole past: its landing's time, edits, approvals and
                # the people as they stood then; seq, its place after the epoch
                inputs = (
                    salt,
                    record_id,
                    kind,
                    [(e.landing.sha, e.entry.seq, *e.change[1:3], *e.change[5:7]) for e in events],
                )
                key = sha256_hex(repr(inputs).encode())  # strings and numbers: repr is exact
                kept = cache.reuse(rel, key, target)
                if kept is None:
                    skeletons = [rows.row(e) for e in events]
                    blobs = [b for e in events for b in (e.change.old_blob, e.change.new_blob)]
                    read = versions.of(events[-1].change.path, blobs, self.by_id.get(record_id))
                    html, made = _record_page(record_id, events, skeletons, read, public)
                    del read
                    if html is not None:
                        Path(target).write_text(html, encoding="utf-8")
                    cache.made(rel, key, target if html is not None else None, html, made)
                    details = tuple(made)
                    has_page = html is not None
                else:
                    details, has_page = kept
                    if has_page:
                        reused.add(rel)
                found.update(details)
                count += has_page
        return _Part(found, count, reused, cache.new, cache.reused)


def _write_record_pages(
    root: Path,
    out: Path,
    history: History,
    entries: Sequence[Entry],
    records: Sequence[Record],
    worktree: bool,
    public: _Public,
    cache: PageCache,
    reused: set[str],
    jobs: int | None = None,
) -> tuple[dict[str, str], int]:
    """Every published record's page; unchanged pages taken from the last build (their
    paths added to ``reused``).  A city's half million are shared out between forked
    workers, one a core, each with its own ``git cat-file``.  Returns item digest → its
    log detail (as JSON), and the number of pages."""
    grouped = _events_by_record(history, entries, public.visible)
    # what a page is made of besides its record's landed changes: the code, the public
    # fields, the names of the staff today (who made and approved each change as they
    # stood then follows from the commits themselves), and where the audit starts
    salt = sha256_hex(
        canonical(
            {
                "code": code_salt(),
                "public": _public_salt(public.registry, public),
                "people": sorted(public.staff_names.items()),
                "epoch": history.epoch,
            }
        )
    )
    (out / "records").mkdir(parents=True, exist_ok=True)
    by_id = {r.id: r for r in records if r.id is not None}
    pages = _RecordPages(root, out, history, grouped, by_id, worktree, public, salt)
    ids = sorted(grouped)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(ids) // PAGES_PER_WORKER))
    shares = [ids[n * len(ids) // workers : (n + 1) * len(ids) // workers] for n in range(workers)]
    # forked first, while this process's page cache has recorded nothing yet
    others = [forked.start(functools.partial(pages.write, share, cache)) for share in shares[1:]]
    try:
        parts = [pages.write(shares[0], cache), *(job.result() for job in others)]
    finally:
        for job in others:
            job.cancel()
    found: dict[str, str] = {}
    count = 0
    for part in parts:
        found.update(part.found)
        count += part.pages
        reused |= part.reused
    for part in parts[1:]:
        cache.new.update(part.cached)
        cache.reused += part.cache_hits
    return found, count


def _named(
    entry: Entry, found: dict[str, str]
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    details: list[dict[str, Any]] = []
    named: list[dict[str, str]] = []
    for digest, change in entry.items:
        detail = found.get(digest)
        if detail is None:
            continue
        details.append(json.loads(detail))
        named.append(
            {
                "id": change.id,
                "change": CHANGE_TITLE.get(change.status, change.status),
                "href": record_file(change.id),
            }
        )
    return details, named


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
    named: Named,
    registry: Registry,
    policy: Policy,
    records: Iterable[Record] = (),
    ref: str = "HEAD",
    jobs: int | None = None,
    previous: Path | None = None,
) -> AuditSite:
    """Write ``out`` (``site/audit``): the log, its head, the index and the record pages
    of what may be ``named`` (``named_on``).

    The history is read without record versions (the chain needs only their blob
    ids); then each published record's versions are read and dropped, one record at
    a time: from git, or, where the loader's ``records`` are given and git says the
    working file is the version asked for, taken from them.  With ``previous`` (the
    folder published last time), pages whose inputs are unchanged are taken from it
    (``pagecache``).

    Raises ``AuditError`` when the history cannot be read (not a git work tree,
    an epoch that is not in the history).
    """
    history = read_history(root, ref, epoch=epoch_of(policy), want=Want(), jobs=jobs)
    entries = build_chain(history)
    records = list(records)
    public = _Public(named, registry, policy)
    # the loader's records are the work tree's: of use only when ``ref`` is checked out
    worktree = gitread.resolve(root, "HEAD") == history.head

    out.mkdir(parents=True, exist_ok=True)
    cache = PageCache.open(root, previous)
    try:
        reused: set[str] = set()
        found, count = _write_record_pages(
            root,
            out,
            history,
            entries,
            records if worktree else [],
            worktree,
            public,
            cache,
            reused,
        )
    except gitread.GitError as err:
        raise AuditError(str(err)) from err
    cache.save()

    head = json.loads(head_json(entries, history.epoch))
    (out / HEAD_FILE).write_text(head_json(entries, history.epoch), encoding="utf-8")
    env = _env()
    pages = []
    latest: list[dict[str, Any]] = []
    (out / "log").mkdir(exist_ok=True)
    with (out / LOG_FILE).open("w", encoding="utf-8", newline="\n") as log:
        for start in range(0, len(entries), PAGE_SIZE):
            chunk = []
            for entry in entries[start : start + PAGE_SIZE]:
                details, listed = _named(entry, found)
                log.write(log_line(entry, details))
                chunk.append(_entry_row(entry, listed, public, ""))
            number = start // PAGE_SIZE + 1
            href = f"log/{number}.html"
            last = number * PAGE_SIZE >= len(entries)
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
                    previous=f"{number - 1}.html" if number > 1 else None,
                    following=None if last else f"{number + 1}.html",
                ),
                encoding="utf-8",
            )
            pages.append({"href": href, "first": chunk[0]["seq"], "last": chunk[-1]["seq"]})
            latest = (latest + chunk)[-LATEST:]
    del found
    (out / "index.html").write_text(
        render(
            env,
            "index.html",
            title="审计日志",
            home="../",
            audit_home="index.html",
            head=head,
            log_name=LOG_FILE,
            entries=list(reversed(latest)),
            pages=pages[-LINKED:],
            older=max(0, len(pages) - LINKED),
        ),
        encoding="utf-8",
    )
    return AuditSite(head["head"], len(entries), count, frozenset(reused))


HOME_HREF = "audit/index.html"  # the audit index, relative to the site's root
NO_GIT_NOTE = "记录库不在 git 仓库中（或还没有提交），未生成审计日志 audit/"


def write_site_audit(
    root: Path,
    out: Path,
    *,
    named: Named,
    registry: Registry,
    policy: Policy,
    jobs: int | None = None,
    note: Callable[[str], None] | None = None,
    previous: Path | None = None,
) -> dict[str, Any] | None:
    """The audit trail for ``anjian build``: ``out`` written, and what the home page
    shows of it (head hash, entries, link).  It needs none of the loaded records, only
    what may be ``named``: the versions are read from git.  ``previous`` is the audit
    folder of the site published last time: its pages made from unchanged inputs are
    reused; and when the whole trail would be the same (``memo``), nothing is written
    and ``borrowed`` is true: the caller moves ``previous`` into the new site as it is.
    Otherwise the memo of the new trail is left beside ``out`` for ``TrailMemo.commit``
    once published.

    None, with a ``note``, when the records are not in a git work tree with a
    commit: a folder of records alone has no history to audit.  Any other
    trouble with the history (an epoch not in it) raises ``AuditError``.
    """
    if not gitread.has_commits(root):
        if note is not None:
            note(NO_GIT_NOTE)
        return None
    public = _Public(named, registry, policy)
    memo = TrailMemo.open(root, previous)
    try:
        head = gitread.resolve(root, "HEAD")
    except gitread.GitError as err:
        raise AuditError(str(err)) from err
    key = trail_key(
        head=head,
        epoch=resolve_epoch(root, head, epoch_of(policy)),
        public_salt=_public_salt(registry, public),
        people=public.staff_names.items(),
        visible=public.visible,
    )
    shown = memo.reusable(key)
    if shown is not None:  # the published trail is this one: the build moves it over
        return {**shown, "href": HOME_HREF, "reused": frozenset(), "borrowed": True}
    site = write_audit(
        root,
        out,
        named=named,
        registry=registry,
        policy=policy,
        jobs=jobs,
        previous=previous,
    )
    shown = {"head": site.head, "entries": site.entries}
    memo.write_pending(out, key, shown)
    return {**shown, "href": HOME_HREF, "reused": site.reused, "borrowed": False}

"""The history as the audit reads it: landings on the main line, in order.

A *landing* is a commit on the first-parent line of the audited branch after
the epoch that changed records (against its first parent) or carries a review
verdict.  A merge brings its *branch* with it — the commits reachable from its
other parents and not already landed — whose record commits are the *edits*
(who changed what) and whose review commits are the approvals.  A commit made
directly on the main line is its own edit.

Staff and policy are taken as they stood at each landing's first parent: a
change is judged by the rules it found, never by the ones it brings.

Built from one ``git log`` pass and one ``git cat-file`` stream (``gitread``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from generator.audit import gitread
from generator.audit.blobcache import BlobCache
from generator.audit.blobs import Blobs, Data, Skip, never, parse_blobs
from generator.audit.people import People
from generator.policy import POLICY_FILE, Policy
from generator.records import RECORDS_DIR, kind_of
from generator.review.approvals import Verdict, parse_verdict
from generator.review.gitio import Commit, parse_commit, parse_trailers
from generator.review.tiers import tier_rules

RECORDS_PREFIX = f"{RECORDS_DIR}/"
STAFF_DIR = f"{RECORDS_DIR}/staff/"
EVIDENCE = "evidence"
EVIDENCE_DIR = f"{RECORDS_DIR}/{EVIDENCE}/"  # photos and scans: never records


class AuditError(Exception):
    """The history cannot be read (no git, unknown ref, epoch not in the history)."""


class RecordChange(NamedTuple):
    """One record changed by a commit: A added, M modified (or moved), D deleted."""

    id: str
    kind: str
    status: str
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


@functools.lru_cache(maxsize=1 << 16)  # a path changes many times in a long history
def is_record(path: str) -> bool:
    if not path.endswith((".yaml", ".yml")) or not path.startswith(RECORDS_PREFIX):
        return False
    kind = kind_of(path)
    return kind is not None and kind != EVIDENCE


def stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _change(record_id: str, d: gitread.Delta) -> RecordChange:
    status = "M" if d.status not in ("A", "D") else d.status
    return RecordChange(
        record_id,
        kind_of(d.path) or "",
        status,
        None if status == "A" else d.path,
        None if status == "D" else d.path,
        d.old,
        d.new,
    )


_YAML = (".yaml", ".yml")
_tuple = tuple.__new__  # a named tuple without its Python-level ``__new__``


def record_changes(deltas: Iterable[gitread.Delta]) -> tuple[RecordChange, ...]:
    """The record files among a commit's deltas, a delete and an add of one id joined.

    Each delta is looked at once (a month's self-reports land in one commit, so a
    history holds hundreds of thousands); ids changed more than once in a commit
    (a record moved) are joined by ``_joined``.
    """
    found: list[tuple[str, str, gitread.Delta]] = []
    for delta in deltas:
        path = delta.path
        if path.startswith(RECORDS_PREFIX) and path.endswith(_YAML):
            parts = path.split("/")
            if len(parts) >= 3 and parts[1] != EVIDENCE:
                found.append((parts[-1].rsplit(".", 1)[0], parts[1], delta))
    if not found:
        return ()
    found.sort(key=_first)
    ids = [f[0] for f in found]
    if len(set(ids)) < len(ids):
        return _joined(found)
    return tuple(
        _tuple(
            RecordChange,
            (
                record_id,
                kind,
                "M" if d.status not in ("A", "D") else d.status,
                None if d.status == "A" else d.path,
                None if d.status == "D" else d.path,
                d.old,
                d.new,
            ),
        )
        for record_id, kind, d in found
    )


def _first(item: tuple[str, str, gitread.Delta]) -> str:
    return item[0]


def _joined(found: list[tuple[str, str, gitread.Delta]]) -> tuple[RecordChange, ...]:
    by_id: dict[str, list[gitread.Delta]] = {}
    for record_id, _, delta in found:
        by_id.setdefault(record_id, []).append(delta)
    out: list[RecordChange] = []
    for record_id, group in by_id.items():
        if len(group) == 1:
            out.append(_change(record_id, group[0]))
            continue
        statuses = sorted(d.status for d in group)
        if statuses == ["A", "D"]:
            old, new = (group[0], group[1]) if group[0].status == "D" else (group[1], group[0])
            out.append(
                RecordChange(
                    record_id, kind_of(new.path) or "", "M", old.path, new.path, old.old, new.new
                )
            )
            continue
        out.extend(_change(record_id, d) for d in sorted(group, key=lambda d: d.path))
    return tuple(out)


@dataclass(frozen=True)
class Edit:
    """A commit that changed records itself (not a merge)."""

    commit: Commit
    changes: tuple[RecordChange, ...]


@dataclass(frozen=True)
class State:
    """Staff records and policy as they stood before a landing."""

    version: int
    staff: tuple[tuple[str, str], ...]  # (path, blob id)
    policy: str | None  # blob id of policy.yaml


@dataclass(frozen=True)
class Landing:
    commit: Commit
    changes: tuple[RecordChange, ...]  # against the first parent
    branch: tuple[Commit, ...]  # commits that landed with a merge, oldest first
    edits: tuple[Edit, ...]
    state: State
    verdicts: tuple[Verdict, ...]  # review verdicts it carries (its branch's, or its own)

    @property
    def sha(self) -> str:
        return self.commit.sha

    @property
    def is_merge(self) -> bool:
        return len(self.commit.parents) > 1

    def last_edit(self) -> Commit | None:
        return self.edits[-1].commit if self.edits else None


@dataclass(frozen=True)
class Want:
    """Which record versions to read besides staff and policy."""

    landed_kinds: frozenset[str] | None = frozenset()  # None: every kind
    edit_kinds: frozenset[str] = frozenset()
    ids: frozenset[str] | None = None  # only these records (None: all)
    skip: Skip = never  # versions whose content does not matter (read as {}, not parsed)

    def landed(self, change: RecordChange) -> bool:
        if self.ids is not None and change.id not in self.ids:
            return False
        return self.landed_kinds is None or change.kind in self.landed_kinds

    def edited(self, change: RecordChange) -> bool:
        if self.ids is not None and change.id not in self.ids:
            return False
        return change.kind in self.edit_kinds


@dataclass
class History:
    root: Path
    ref: str
    head: str
    epoch: str | None
    landings: list[Landing]
    blobs: Blobs
    commits: dict[str, Commit]
    _people: dict[int, People] = field(default_factory=dict)
    _policies: dict[str | None, Policy] = field(default_factory=dict)
    _tiers: dict[str | None, dict[str, tuple[int, ...]]] = field(default_factory=dict)

    def people(self, state: State) -> People:
        if state.version not in self._people:
            rows = [d for _, sha in state.staff if (d := self.blobs.get(sha)) is not None]
            self._people[state.version] = People.of(rows)
        return self._people[state.version]

    def policy(self, state: State) -> Policy:
        if state.policy not in self._policies:
            self._policies[state.policy] = Policy(self.blobs.get(state.policy) or {})
        return self._policies[state.policy]

    def tier_rules(self, state: State) -> dict[str, tuple[int, ...]]:
        """Trigger → review tiers, as ``review.tiers`` of the policy stood then."""
        if state.policy not in self._tiers:
            self._tiers[state.policy] = tier_rules(self.policy(state))
        return self._tiers[state.policy]

    def states(self) -> list[State]:
        seen: dict[int, State] = {}
        for landing in self.landings:
            seen.setdefault(landing.state.version, landing.state)
        return list(seen.values())

    def data(self, blob: str | None) -> Data | None:
        return self.blobs.get(blob)


def commit_of(entry: gitread.LogCommit, *, message: bool = True) -> Commit:
    """A commit from its log entry; without ``message`` when it records no verdict.

    Whether it is signed is not recorded here: ``verify`` checks the signatures
    of the commits that must be signed.
    """
    assert entry.author is not None and entry.committer is not None
    text = (entry.message or "") if message else ""
    # trailers need two paragraphs, so two line breaks at the least
    trailers = parse_trailers(text) if text.strip().count("\n") >= 2 else ()
    return Commit(entry.sha, entry.parents, entry.author, entry.committer, text, False, trailers)


def _first_parent_line(log: list[gitread.LogCommit], head: str) -> list[gitread.LogCommit]:
    index = {c.sha: c for c in log}
    line: list[gitread.LogCommit] = []
    sha: str | None = head
    while sha is not None and sha in index:
        commit = index[sha]
        line.append(commit)
        sha = commit.parents[0] if commit.parents else None
    line.reverse()
    return line


def _branch_of(
    commit: gitread.LogCommit,
    index: dict[str, gitread.LogCommit],
    order: dict[str, int],
    landed: set[str],
) -> list[str]:
    """Commits a merge brings in: reachable from its other parents, not yet landed."""
    found: set[str] = set()
    stack = [p for p in commit.parents[1:] if p in index and p not in landed]
    while stack:
        sha = stack.pop()
        if sha in found or sha in landed or sha not in index:
            continue
        found.add(sha)
        stack.extend(index[sha].parents)
    return sorted(found, key=order.__getitem__)


def _merge_edits(
    merge: Commit, landed: tuple[RecordChange, ...], edits: list[Edit]
) -> tuple[Edit, ...]:
    """The branch's record commits — and the merge itself, for any record whose landed
    version no branch commit made (a conflict resolved, or content slipped into the
    merge): whoever merged made that change, and nobody reviewed it."""
    last: dict[str, str | None] = {}
    for edit in edits:
        for change in edit.changes:
            last[change.id] = change.new_blob
    own = tuple(c for c in landed if c.id not in last or last[c.id] != c.new_blob)
    return (*edits, Edit(merge, own)) if own else tuple(edits)


def _epoch_state(root: Path, epoch: str | None) -> dict[str, str]:
    if epoch is None:
        return {}
    return gitread.list_tree(root, epoch, STAFF_DIR, POLICY_FILE)


def epoch_of(policy: Policy) -> str | None:
    """The commit the audit starts after: ``audit.epoch`` of the policy (None: all history)."""
    value = policy.get("audit", "epoch")
    return str(value) if isinstance(value, str) and value else None


def resolve_epoch(root: Path, head: str, epoch: str | None) -> str | None:
    if not epoch:
        return None
    try:
        sha = gitread.resolve(root, epoch)
    except gitread.GitError as err:
        raise AuditError(f"策略中的审计起点 audit.epoch“{epoch}”不是本库的提交：{err}") from err
    return sha


def _check_epoch(epoch: str | None, head: str, log: list[gitread.LogCommit]) -> None:
    """The epoch is in the history of ``head``: it is ``head``, or the parent of a
    commit of ``epoch..head`` (the first commit after it on some path)."""
    if epoch is None or epoch == head or any(epoch in c.parents for c in log):
        return
    raise AuditError(f"审计起点 {epoch[:12]} 不在 {head[:12]} 的历史中")


def _read(
    root: Path,
    head: str,
    epoch: str | None,
    at_epoch: dict[str, str],
    want: Want,
    cached: BlobCache | None,
) -> tuple[
    list[gitread.LogCommit],
    dict[str, tuple[RecordChange, ...]],
    dict[str, Commit],
    list[tuple[str, str, bytes | None]],
    list[str],
]:
    """One ``git log`` pass, and one ``cat-file`` asked as the log streams in.

    The log gives every commit with its message; only the messages of commits
    that change no record are kept — the only ones that may be review verdicts.
    Asked of ``cat-file``: every staff and policy version, the record versions
    ``want`` names (landed or edited: which commits are on the main line is
    known only at the end, and the same content is one blob either way), and
    the rare commit whose names the log could not frame.  A version ``cached``
    knows is not asked for, and comes back without content.
    """
    objects = gitread.ObjectReader(root)
    paths: dict[str, str] = {}
    known: list[str] = []

    parsed, skipped = cached.known_sets(want.skip) if cached is not None else ({}, set())

    def ask(blob: str | None, path: str) -> None:
        if blob is not None and blob not in paths:
            paths[blob] = path
            if blob in parsed or blob in skipped:  # ``cached.known``, for every version
                known.append(blob)
            else:
                objects.ask(blob)

    for path, blob in at_epoch.items():
        ask(blob, path)
    # want.landed(change) or want.edited(change), asked of every change: once here
    kinds = None if want.landed_kinds is None else want.landed_kinds | want.edit_kinds
    ids = want.ids
    log: list[gitread.LogCommit] = []
    changes_of: dict[str, tuple[RecordChange, ...]] = {}
    commits: dict[str, Commit] = {}
    try:
        for entry in gitread.stream_log(root, head, epoch, ignore=(EVIDENCE_DIR,)):
            log.append(entry)  # newest first
            changes = record_changes(entry.deltas)
            changes_of[entry.sha] = changes
            if entry.author and entry.committer:
                commits[entry.sha] = commit_of(entry, message=not changes)
            else:
                objects.ask(entry.sha)
            for delta in entry.deltas:
                if delta.path == POLICY_FILE or delta.path.startswith(STAFF_DIR):
                    ask(delta.new, delta.path)
            for change in changes:
                if (kinds is None or change.kind in kinds) and (ids is None or change.id in ids):
                    ask(change.old_blob, change.path)  # landed or edited: both read
                    ask(change.new_blob, change.path)
    finally:
        found = objects.close()
    log.reverse()
    for entry in log:
        if entry.sha not in commits:
            commits[entry.sha] = parse_commit(entry.sha, found.pop(entry.sha, None) or b"")
    read = [(sha, paths[sha], raw) for sha, raw in found.items()]
    return log, changes_of, commits, read, known


def _parse(
    found: list[tuple[str, str, bytes | None]],
    known: list[str],
    want: Want,
    jobs: int | None,
    cached: BlobCache | None,
) -> Blobs:
    """The versions read, parsed; with ``cached``, those it knew added and the new kept."""
    skipped: set[str] = set()
    parsed = parse_blobs(found, skip=want.skip, jobs=jobs, skipped=skipped)
    if cached is None:
        return Blobs(parsed)
    missing = {sha for sha, _, raw in found if raw is None}  # may be there another time
    cached.add(
        {s: d for s, d in parsed.items() if s not in skipped and s not in missing},
        skipped,
        want.skip,
    )
    cached.save()
    for blob in known:
        parsed[blob] = cached.get(blob)
    return Blobs(parsed)


def read_history(
    root: Path,
    ref: str = "HEAD",
    *,
    epoch: str | None = None,
    want: Want | None = None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
    cache: BlobCache | None = None,
) -> History:
    """Read ``epoch..ref`` into landings, with the record versions ``want`` asks for
    (those ``cache`` knows taken from it, and those read kept in it)."""
    want = want or Want()
    try:
        head = gitread.resolve(root, ref)
        epoch_sha = resolve_epoch(root, head, epoch)
        at_epoch = _epoch_state(root, epoch_sha)
        log, changes_of, commits, found, known = _read(root, head, epoch_sha, at_epoch, want, cache)
    except gitread.GitError as err:
        raise AuditError(str(err)) from err
    _check_epoch(epoch_sha, head, log)
    if progress:
        progress(f"读取了 {len(log)} 个提交和 {len(found)} 个文件版本")
    blobs = _parse(found, known, want, jobs, cache)
    index = {c.sha: c for c in log}
    order = {c.sha: n for n, c in enumerate(log)}
    line = _first_parent_line(log, head)

    staff = {p: s for p, s in at_epoch.items() if p.startswith(STAFF_DIR)}
    policy_blob = at_epoch.get(POLICY_FILE)
    version = 0
    state = State(version, tuple(sorted(staff.items())), policy_blob)
    landed: set[str] = set()
    landings: list[Landing] = []
    for commit in line:
        branch_shas = _branch_of(commit, index, order, landed) if len(commit.parents) > 1 else []
        landed.update(branch_shas)
        landed.add(commit.sha)
        changes = changes_of[commit.sha]
        if len(commit.parents) > 1:
            edits = _merge_edits(
                commits[commit.sha],
                changes,
                [
                    Edit(commits[s], changes_of[s])
                    for s in branch_shas
                    if len(index[s].parents) <= 1 and changes_of[s]
                ],
            )
        else:
            edits = (Edit(commits[commit.sha], changes),) if changes else ()
        branch = tuple(commits[s] for s in branch_shas)
        carriers = branch if len(commit.parents) > 1 else (commits[commit.sha],)
        verdicts = tuple(
            v for c in carriers if c.trailers and isinstance(v := parse_verdict(c), Verdict)
        )
        landing = Landing(commits[commit.sha], changes, branch, edits, state, verdicts)
        if changes or verdicts:
            landings.append(landing)
        # the state after this commit, for the next landing
        touched = False
        for delta in commit.deltas:
            if delta.path.startswith(STAFF_DIR) and is_record(delta.path):
                if delta.new:
                    staff[delta.path] = delta.new
                else:
                    staff.pop(delta.path, None)
                touched = True
            elif delta.path == POLICY_FILE:
                policy_blob = delta.new
                touched = True
        if touched:
            version += 1
            state = State(version, tuple(sorted(staff.items())), policy_blob)
    return History(root, ref, head, epoch_sha, landings, blobs, commits)

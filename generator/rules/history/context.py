"""What every history rule sees: the change against the base, both versions of each file.

Built once per run from a handful of git calls (see ``generator.history``):
only the changed paths are read, at the base through ``git cat-file --batch``
and in the working tree from disk.  The ids that ever existed are read lazily,
only when the change adds a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from generator.history import MAX_PATHSPECS, FileChange, Git, GitError, stems
from generator.load import Document, Pointer, parse_document, pointer_text
from generator.problems import Code, Problem, make
from generator.records import RECORDS_DIR, kind_of
from generator.schemas import Registry

STAFF_DIR = "records/staff/"
EVIDENCE_KIND = "evidence"


@dataclass(frozen=True)
class Staff:
    id: str
    roles: frozenset[str]
    active: bool
    emails: frozenset[str]


def is_record_path(path: str | None) -> bool:
    if path is None or not path.endswith((".yaml", ".yml")):
        return False
    kind = kind_of(path)
    return kind is not None and kind != EVIDENCE_KIND


def _parse(raw: bytes | None, path: str, *, positions: bool = True) -> Document | None:
    """A record's data (and its positions, for locating problems: the working-tree version)."""
    if raw is None:
        return None
    parsed = parse_document(raw, path, positions=positions)
    return parsed if isinstance(parsed, Document) else None


def read_staff(docs: list[Document]) -> dict[str, Staff]:
    """E-mail (lower case) → staff member, from parsed staff records."""
    by_email: dict[str, Staff] = {}
    for doc in docs:
        data = doc.data
        git = data.get("git") if isinstance(data.get("git"), dict) else {}
        emails = frozenset(
            str(e).strip().lower() for e in (git or {}).get("emails") or [] if isinstance(e, str)
        )
        roles = data.get("roles") if isinstance(data.get("roles"), list) else []
        member = Staff(
            id=str(data.get("id")),
            roles=frozenset(str(r) for r in roles or []),
            active=data.get("active") is not False,
            emails=emails,
        )
        for email in emails:
            by_email[email] = member
    return by_email


@dataclass
class HistoryContext:
    """A change (base → working tree) with both versions of every changed record."""

    root: Path
    git: Git
    base_ref: str  # as named on the command line
    base: str  # the merge base's commit
    changes: list[FileChange]
    registry: Registry | None = None  # for Chinese names of kinds and fields
    old: dict[str, Document] = field(default_factory=dict)  # base version, by old path
    new: dict[str, Document] = field(default_factory=dict)  # working tree, by new path

    @classmethod
    def build(
        cls, root: Path, base_ref: str, registry: Registry | None = None, git: Git | None = None
    ) -> HistoryContext:
        git = git or Git(root)
        base = git.merge_base(base_ref)
        changes = git.changes(base)
        ctx = cls(root, git, base_ref, base, changes, registry)
        old_paths = [c.old_path for c in changes if c.new_path and is_record_path(c.old_path)]
        blobs = git.read_blobs(base, [p for p in old_paths if p])
        for path, raw in blobs.items():
            if (doc := _parse(raw, path, positions=False)) is not None:
                ctx.old[path] = doc
        new_paths = [c.new_path for c in changes if c.new_path and is_record_path(c.new_path)]
        # the commits alone: what was committed must be what is checked out
        head = git.read_blobs("HEAD", new_paths) if git.committed else {}
        for new_path in new_paths:
            content: bytes | None
            try:
                content = (root / new_path).read_bytes()
            except OSError:
                content = None
            if git.committed and content != head.get(new_path):
                raise GitError(
                    f"{new_path} 与最新提交中的内容不同（有未提交的修改）：--committed 只用于"
                    "干净的检出（如 CI）；要检查未提交的修改，去掉 --committed"
                )
            if content is not None and (doc := _parse(content, new_path)) is not None:
                ctx.new[new_path] = doc
        return ctx

    def record_changes(self) -> list[FileChange]:
        """Changes to record files (evidence files and other folders left out)."""
        return [c for c in self.changes if is_record_path(c.old_path) or is_record_path(c.new_path)]

    def pairs(self) -> list[tuple[FileChange, Document, Document]]:
        """Modified or renamed records whose two versions both parse."""
        out = []
        for change in self.record_changes():
            if change.old_path is None or change.new_path is None:
                continue
            old, new = self.old.get(change.old_path), self.new.get(change.new_path)
            if old is not None and new is not None:
                out.append((change, old, new))
        return out

    def ids_ever_used(self, added: Sequence[str]) -> set[str]:
        """Those ids of ``added`` records (file name and ``id``) that the base has or ever had.

        An id was used if a file of that kind named after it exists at the base
        or was added or deleted in the base's history.  One ``git log`` for each
        kind, limited to the paths the new ids could have had: every folder of
        that kind at the base, and the new record's own (a record deleted with a
        whole folder that no longer exists is not seen).  A dated id
        (``HAZ-20260314-002``, ``SR-…-202603``) cannot have been created — nor
        deleted — before its date, so for kinds whose new ids all carry a date
        only the commits since the earliest of them (less ``DATE_MARGIN``, for
        clocks and late entry) are read; the cost follows the change, not the
        repository or the length of the history.
        """
        by_kind: dict[str, dict[str, None]] = {}
        folders_of: dict[str, set[str]] = {}
        for path in added:
            kind = kind_of(path) or ""
            ids = by_kind.setdefault(kind, {})
            for record_id in (record_id_of(path), record_id_of(path, self.new.get(path))):
                if record_id and "\0" not in record_id and "\n" not in record_id:
                    ids[record_id] = None
            folders_of.setdefault(kind, set()).add(path.rsplit("/", 1)[0])
        found: set[str] = set()
        for kind, ids in sorted(by_kind.items()):
            folder = f"{RECORDS_DIR}/{kind}/"
            dates = [date_in_id(record_id) for record_id in ids]
            since = None if None in dates else min(d for d in dates if d) - DATE_MARGIN
            folders = sorted({*self.git.folders(self.base_ref, folder), *folders_of[kind]})
            paths = [f"{f}/{i}{ext}" for f in folders for i in ids for ext in (".yaml", ".yml")]
            if len(paths) > MAX_PATHSPECS:  # a very big change: read the whole folder
                found |= set(self.git.list_tree(self.base_ref, folder))
                found |= self.git.ever_deleted(self.base_ref, folder, since)
            else:
                found |= self.git.ever_present(self.base_ref, paths, since)
        return stems([p for p in found if is_record_path(p)])

    @cached_property
    def authors(self) -> dict[str, set[str]]:
        """Path → author e-mails of the branch's commits, and of the uncommitted change."""
        touched = self.git.authors(self.base)
        dirty = self.git.uncommitted()
        if dirty:
            me = self.git.identity() or ""
            for path in dirty:
                touched.setdefault(path, set()).add(me)
        return touched

    @cached_property
    def staff(self) -> dict[str, Staff]:
        """Who is who, from the staff records *at the base*: a change cannot grant itself rights.

        A repository whose base has no staff records yet (its first pull request)
        reads them from the working tree instead.
        """
        paths = [p for p in self.git.list_tree(self.base, STAFF_DIR) if is_record_path(p)]
        blobs = self.git.read_blobs(self.base, paths)
        docs = [d for p, raw in blobs.items() if (d := _parse(raw, p, positions=False)) is not None]
        if not docs:
            folder = self.root / STAFF_DIR
            files = sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
            for file in files:
                rel = file.relative_to(self.root).as_posix()
                if (d := _parse(file.read_bytes(), rel)) is not None:
                    docs.append(d)
        return read_staff(docs)

    def title(self, path: str, pointer: Pointer = ()) -> str:
        """The Chinese name of the record kind at ``path`` (隐患, 处罚 …), or of a field in it."""
        kind = kind_of(path) or ""
        if self.registry is None or kind not in self.registry:
            return str(pointer[-1]) if pointer else "记录"
        schema = self.registry[kind]
        return schema.title_of(pointer) if pointer else schema.title

    def problem(
        self,
        code: Code,
        path: str,
        zh: str,
        en: str,
        *,
        pointer: Pointer = (),
        key: bool = False,
        record_id: str | None = None,
    ) -> Problem:
        """A problem in the working-tree version of ``path``, located when it parses."""
        doc = self.new.get(path)
        where = doc.locate(pointer, key=key) if doc is not None and pointer else None
        if where is None and doc is not None:
            where = doc.locate(("id",))
        return make(
            code,
            path,
            zh,
            en,
            line=where[0] if where else None,
            column=where[1] if where else None,
            record_id=record_id or record_id_of(path, doc),
            pointer=pointer_text(pointer),
        )


DATED_ID = re.compile(r"-(\d{8})-\d+$|-(\d{6})$")
DATE_MARGIN = dt.timedelta(days=31)


def date_in_id(record_id: str) -> dt.date | None:
    """``HAZ-20260314-002`` → 2026-03-14, ``SR-…-202603`` → 2026-03-01, else None."""
    match = DATED_ID.search(record_id)
    if match is None:
        return None
    day, month = match.groups()
    try:
        if day:
            return dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))
        return dt.date(int(month[:4]), int(month[4:]), 1)
    except ValueError:
        return None


def record_id_of(path: str, doc: Document | None = None) -> str:
    if doc is not None and isinstance(doc.data.get("id"), str):
        return str(doc.data["id"])
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]

"""What the last build made, so the next one makes only what changed.

The cache is a manifest in ``.anjian-cache/`` (one per output folder): for each
page outside the navigation, the digest of its inputs (its template context,
the code and templates, its folder's frame) and the digest of the HTML it gave;
for each search-index shard, the digest of the pages in it.  A page whose
inputs are unchanged is not rendered again: its file is taken from the
published site — hard-linked, after checking that the file still has the
recorded digest (or the stamp it had when the digest was recorded: ``stamp``) —
and likewise each unchanged search shard.  Anything missing,
altered or unreadable is simply made again, so the cache can only save time,
never change the output: the same inputs give the same bytes either way.

The manifest is written only after the new site is in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import marshal
import os
import pickle
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.cache import file_digest, folder_key, read_stored, tree_files
from generator.render.rowsplice import RowIndex, Written
from generator.render.templating import TEMPLATES

CACHE_DIR = ".anjian-cache"
FORMAT = 3
RENDER_CODE = Path(__file__).resolve().parent
# the code that turns a page's context (or its inputs, which paginate.py cuts) into its HTML
# (the context itself is in the key)
PAGE_CODE = ("cache.py", "direct.py", "paginate.py", "shell.py", "templating.py", "urls.py")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def code_digest() -> str:
    """Digest of the templates and of the code that fills them: a change to either makes
    every page again.  Read once, when a build starts."""
    digest = hashlib.sha256(f"anjian-render-{FORMAT}".encode())
    files = [RENDER_CODE / name for name in PAGE_CODE]
    files += [f for f in sorted(TEMPLATES.rglob("*")) if f.is_file()]
    for file in files:
        digest.update(file.name.encode("utf-8") + b"\0" + file.read_bytes())
    return digest.hexdigest()


def stamp(path: Path) -> str:
    """The file's inode, size and status-change time: any write to it, or a file put in
    its place, changes them (which the file's owner cannot set back), so a file with the
    stamp recorded with its digest still has that digest.  Empty when it cannot be read."""
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_ctime_ns}"


def tree_digest(folder: Path) -> str | None:
    """Digest of every file in ``folder`` (names and contents)."""
    digest = hashlib.sha256()
    try:
        files = tree_files(folder)
    except OSError:
        return None
    for rel in files:
        content = file_digest(folder / rel)
        if content is None:
            return None
        digest.update(f"{rel}\0{content}\n".encode())
    return digest.hexdigest()


def input_key(*parts: Any) -> str:
    """Digest of the parts' values: their pickle, made without its memo ("fast" mode), so
    that it says what the values are and in which order, never which of them happen to be
    the same object (the same values give the same key in any process).  Three times as
    fast as JSON, for the context of every page of a city.  Values that do not pickle are
    digested by their JSON text (their ``repr`` where JSON has no form for them)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # no memo: equal values, equal bytes
    try:
        pickler.dump(parts)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=repr)
        return sha256_text("json\0" + text)
    return hashlib.sha256(buffer.getbuffer()).hexdigest()


@dataclass
class Manifest:
    # site path → [key, digest, stamp of the published file when the manifest was written]
    pages: dict[str, list[str]] = field(default_factory=dict)
    shards: dict[str, list[str]] = field(default_factory=dict)  # shard folder → [key, digest]
    scan: str = ""  # the leak scan's rules (``leakscan.rules_key``)
    scanned: dict[str, str] = field(default_factory=dict)  # site path → digest that passed

    @classmethod
    def load(cls, file: Path) -> Manifest:
        data = read_stored(file)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return cls()
        return cls(
            pages=dict(data.get("pages") or {}),
            shards=dict(data.get("shards") or {}),
            scan=str(data.get("scan") or ""),
            scanned=dict(data.get("scanned") or {}),
        )

    def dump(self) -> bytes:
        # marshal: a city's manifest names half a million files (JSON took 1.3 s to write
        # and as long to read; marshal, a tenth of that)
        data = {
            "format": FORMAT,
            "pages": self.pages,
            "shards": self.shards,
            "scan": self.scan,
            "scanned": self.scanned,
        }
        return marshal.dumps(data)


@dataclass
class Changes:
    """What a forked child recorded in its copy of the cache, for the parent's (``absorb``)."""

    pages: dict[str, list[str]]
    reused: set[str]
    rows: dict[str, RowIndex]


@dataclass(frozen=True)
class Mark:
    """What the cache held when a child was forked: its ``changes_since`` are the rest."""

    pages: frozenset[str]
    reused: frozenset[str]
    rows: frozenset[str]


def _link(source: Path, target: Path, folders: set[Path]) -> None:
    """``target`` as a hard link to ``source`` (a copy where linking fails); ``folders``:
    those made so far (a city links 20,000 pages into a few hundred folders)."""
    folder = target.parent
    if folder not in folders:
        folder.mkdir(parents=True, exist_ok=True)
        folders.add(folder)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class SiteCache:
    """The previous build of ``out`` (read) and this build (recorded as it goes)."""

    def __init__(self, root: Path | None, out: Path, *, enabled: bool = True) -> None:
        self.out = out
        self.file = (
            root / CACHE_DIR / f"site-{folder_key(root, out)}.marshal" if root is not None else None
        )
        usable = enabled and self.file is not None and out.is_dir()
        self.old = Manifest.load(self.file) if usable and self.file else Manifest()
        self.new = Manifest()
        self.reused: set[str] = set()  # site paths taken from the previous site
        self.shards_reused = 0
        # the row indexes of the open data files (``rowsplice``), by the file's digest
        self.rows = self.file.with_name(f"{self.file.stem}-rows") if self.file else None
        self.new_rows: dict[str, RowIndex] = {}
        self.folders: set[Path] = set()  # of the new site, made by linking into it

    def reuse_page(self, rel: str, key: str, target: Path) -> str | None:
        """Link the previous build's ``rel`` to ``target`` when made from the same inputs
        and unaltered since; returns its digest, or None when it must be made again."""
        entry = self.old.pages.get(rel)
        if not entry or entry[0] != key:
            return None
        source = self.out / rel
        if (len(entry) < 3 or stamp(source) != entry[2]) and file_digest(source) != entry[1]:
            return None
        _link(source, target, self.folders)
        self.record_page(rel, key, entry[1])
        self.reused.add(rel)
        return entry[1]

    def mark(self) -> Mark:
        """Where the cache stands now, for ``changes_since`` (in a child forked after)."""
        return Mark(frozenset(self.new.pages), frozenset(self.reused), frozenset(self.new_rows))

    def changes_since(self, mark: Mark) -> Changes:
        return Changes(
            {rel: entry for rel, entry in self.new.pages.items() if rel not in mark.pages},
            self.reused - mark.reused,
            {d: index for d, index in self.new_rows.items() if d not in mark.rows},
        )

    def absorb(self, changes: Changes) -> None:
        self.new.pages.update(changes.pages)
        self.reused |= changes.reused
        self.new_rows.update(changes.rows)

    def release(self, old: Path) -> None:
        """Delete the old site's names of the pages this build linked from it (its other
        files can go later, with the rest of it)."""
        for rel in self.reused & self.new.pages.keys():
            with contextlib.suppress(OSError):
                os.unlink(old / rel)

    def record_page(self, rel: str, key: str, digest: str) -> None:
        self.new.pages[rel] = [key, digest]

    def reuse_tree(self, rel: str, key: str, target: Path) -> bool:
        """Link the previous build's folder ``rel`` (a search shard) when made from the same
        pages and unaltered since."""
        entry = self.old.shards.get(rel)
        source = self.out / rel
        if not entry or entry[0] != key or not source.is_dir() or tree_digest(source) != entry[1]:
            return False
        try:
            files = tree_files(source)
            for name in files:
                _link(source / name, target / name, self.folders)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            self.folders = {f for f in self.folders if not f.is_relative_to(target)}
            return False
        self.new.shards[rel] = list(entry)
        self.shards_reused += 1
        self.reused.update(f"{rel}/{name}" for name in files)
        return True

    def record_tree(self, rel: str, key: str, folder: Path) -> None:
        self.new.shards[rel] = [key, tree_digest(folder) or ""]

    def scanned_before(self, rules: str) -> dict[str, str] | None:
        """The files of the published site that passed the last leak scan (site path →
        digest), when it ran under the same ``rules``; else None (scan everything)."""
        self.new.scan = rules
        return dict(self.old.scanned) if self.old.scan == rules and self.old.scanned else None

    def record_scan(self, passed: dict[str, str]) -> None:
        self.new.scanned = passed

    def save(self) -> None:
        if self.file is None:
            return
        for rel, entry in self.new.pages.items():
            entry[2:] = [stamp(self.out / rel)]
        with contextlib.suppress(OSError):
            self.file.parent.mkdir(parents=True, exist_ok=True)
            temp = self.file.with_name(f".{self.file.name}.{os.getpid()}")
            self._save_rows()
            temp.write_bytes(self.new.dump())
            os.replace(temp, self.file)

    def _save_rows(self) -> None:
        """The row index of every open data file of the new site (those of files taken
        unchanged are kept), and no other."""
        if self.rows is None:
            return
        self.rows.mkdir(exist_ok=True)
        keep = {f"{entry[1]}.bin" for entry in self.new.pages.values()}
        for digest, index in self.new_rows.items():
            temp = self.rows / f".{digest}.{os.getpid()}"
            temp.write_bytes(index.dump())
            os.replace(temp, self.rows / f"{digest}.bin")
        for name in os.listdir(self.rows):
            if name not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(self.rows / name)

    def previous_rows(self, rel: str) -> tuple[Path, RowIndex] | None:
        """The published open data file ``rel`` and the index of its rows, when it is
        still the file the index was made with."""
        entry = self.old.pages.get(rel)
        if not entry or self.rows is None:
            return None
        source = self.out / rel
        if (len(entry) < 3 or stamp(source) != entry[2]) and file_digest(source) != entry[1]:
            return None
        try:
            index = RowIndex.load((self.rows / f"{entry[1]}.bin").read_bytes())
        except OSError:
            return None
        return (source, index) if index is not None else None

    def record_rows(self, rel: str, key: str, written: Written) -> None:
        """An open data file written by this build, with the index of its rows."""
        self.record_page(rel, key, written.digest)
        if written.index is not None:
            self.new_rows[written.digest] = written.index

"""What a run may keep for the next one, in ``.anjian-cache/`` (git-ignored).

Three things, each keyed so that a stale entry cannot be used:

- **packs**: per record folder (a big folder in several buckets), what loading
  and schema-checking each file gave — its data (the chunk's kept as one
  marshal, sent on as it is while none of its files changed), or the problems
  that stopped it.  An entry is used only for the same content (a BLAKE2 digest of the
  bytes; the file's size, times and inode say whether it may have changed,
  with git's guard against "racy" files changed within the same tick), and the
  whole cache lives under a *salt*: the schemas, the size limit, the code of
  this package and the Python version.
- **evidence digests**: the SHA-256 of each evidence file, under the same
  stat guard, so an unchanged photo is not hashed again.
- **rule results** of a whole chunk, with every id, record and evidence file
  the rules looked at (``generator.rulecache``): reused only while all of
  them, the chunk's files, the policy, the as-of date and the code are as
  they were.
- **the listing**: every record path and the ids they name, reused while no
  folder under ``records/`` has changed (a folder's mtime changes whenever a
  file is added, removed or renamed in it);
- **the folders**: only the folders under ``records/``, under the same guard,
  for a small change that finds the records it names by their file names
  instead of listing every file.

Anything unreadable or written by another version is ignored; a cache that
cannot be written is skipped silently.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

CACHE_DIR = ".anjian-cache"
VERSION = 2  # 2: the data of a chunk's files kept as one marshal
RACY_NS = 2_000_000_000  # a file changed this close to the cache write is re-read next time
DISABLE_ENV = "ANJIAN_NO_CACHE"

Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def enabled() -> bool:
    return not os.environ.get(DISABLE_ENV)


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes (hex), None when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def tree_files(folder: Path, top: Callable[[str], bool] | None = None) -> list[str]:
    """Every file under ``folder`` (symbolic links followed, as ``Path.rglob``), as a path
    relative to it, in path order; ``top``: which of the folder's own entries to walk (all
    by default).  A city's site is half a million files: the walk makes no ``Path`` of
    each, and asks the system for no more than the folder lists."""
    found: list[str] = []
    folders = [("", str(folder))]
    while folders:
        prefix, current = folders.pop()
        with os.scandir(current) as entries:
            for entry in entries:
                if top is not None and not prefix and not top(entry.name):
                    continue
                if entry.is_dir():
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file():
                    found.append(prefix + entry.name)
    found.sort(key=_parts)
    return found


def _parts(rel: str) -> list[str]:
    return rel.split("/")


# the code whose output is cached: loading, schema checking, their problems (for the rules, see rulecache)
CACHED_CODE = (
    "cache.py",
    "load.py",
    "pipeline.py",
    "problems.py",
    "records.py",
    "schema_check.py",
    "schemas.py",
)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the code that made the cached results: new code, new cache."""
    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for name in CACHED_CODE:
        h.update(name.encode() + b"\0" + (package / name).read_bytes())
    return h.hexdigest()


def salt(root: Path, max_bytes: int) -> str:
    """What every cached load-and-schema result depends on besides the file itself."""
    h = hashlib.blake2b(digest_size=12)
    h.update(f"{VERSION}|{sys.version}|{code_fingerprint()}|{max_bytes}".encode())
    for file in sorted((root / "schemas").glob("*.json")):
        h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def folder_key(root: Path, folder: Path) -> str:
    """A short name for what is kept about an output folder: from its path inside the
    repository when it is there, so a copied or moved checkout with its cache restored
    (a CI runner's) still finds it; from its absolute path otherwise."""
    where = folder.resolve()
    try:
        name = "./" + where.relative_to(root.resolve()).as_posix()
    except ValueError:
        name = str(where)
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def read_stored(file: Path) -> Any:
    """What ``write_stored`` put in ``file``; None when it is missing or unreadable."""
    try:
        return marshal.loads(file.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write_stored(file: Path, value: Any) -> None:
    """``value`` (marshal) into ``file`` in one step (a new file renamed over the old);
    a cache that cannot be written is simply not kept."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, file)
    except (OSError, ValueError):
        pass


class Pack:
    """Cached results for the files of one folder (or one bucket of it).

    ``files``: name → (stat, digest, (loaded, problems, id)).  The data of the
    files that loaded is kept apart, as one marshal of their list in the order
    the chunk last gave them (``chunk_data``): a run that needs none of it (the
    rules' results kept, no records wanted) never takes it apart, and one that
    sends it all on unchanged sends those very bytes.  ``evidence``: path →
    (stat, sha256 or None for a Git LFS pointer).  ``written`` is when the
    results were computed: a file whose mtime is not clearly older was possibly
    changed in the same tick, and is read again.
    """

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.started = time.time_ns()
        loaded = read_stored(file) if file is not None and file.is_file() else None
        saved: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
        ok = saved.get("version") == VERSION
        names, blob = saved["data"] if ok and _is_data(saved.get("data")) else ((), _NO_DATA)
        self._names: tuple[str, ...] = names
        self._blob: bytes = blob
        self._data: dict[str, Any] | None = None  # the blob taken apart, once asked for
        self._new: dict[str, Any] = {}  # data of the files loaded in this run
        self.written: int = saved["written"] if ok else 0
        kept = set(names)
        self.files: dict[str, tuple[Stat, bytes, tuple[bool, list[Any], str | None]]] = (
            {k: v for k, v in saved["files"].items() if not v[2][0] or k in kept} if ok else {}
        )
        self.evidence: dict[str, tuple[Stat, str | None]] = saved["evidence"] if ok else {}
        # the rules' results for the chunk: (key, problems, what they depended on)
        self.rules: Any = saved.get("rules") if ok else None
        self.dirty = False
        self.used: set[str] = set()
        self.used_evidence: set[str] = set()

    def _trusted(self, st: Stat, cached: Stat) -> bool:
        return st == cached and st[1] < self.written - RACY_NS

    def fresh(self, name: str, st: Stat) -> Any | None:
        """The entry, if the file is unchanged by its stat alone (None: read it)."""
        entry = self.files.get(name)
        if entry is not None and self._trusted(st, entry[0]):
            self.used.add(name)
            return entry
        return None

    def same_content(self, name: str, st: Stat, content: bytes) -> Any | None:
        entry = self.files.get(name)
        if entry is not None and entry[1] == content:
            self.used.add(name)
            if entry[0] != st:
                self.files[name] = (st, content, entry[2])
                self.dirty = True
            return entry
        return None

    def store(
        self, name: str, st: Stat, content: bytes, data: Any, problems: list[Any]
    ) -> tuple[Stat, bytes, tuple[bool, list[Any], str | None]]:
        """A file loaded (``data``, None if it did not load) and checked in this run."""
        found = data.get("id") if isinstance(data, dict) else None
        record_id = found if isinstance(found, str) else None  # as ``Record.id``
        entry = (st, content, (data is not None, problems, record_id))
        self.files[name] = entry
        if data is not None:
            self._new[name] = data
        self.used.add(name)
        self.dirty = True
        return entry

    def data_of(self, name: str) -> Any:
        """The data of a file that loaded (from this run, or taken from the blob)."""
        if name in self._new:
            return self._new[name]
        if self._data is None:
            self._data = dict(zip(self._names, marshal.loads(self._blob), strict=True))
        return self._data[name]

    def chunk_data(self, names: list[str]) -> bytes | None:
        """The marshal of the list of these files' data (every one loaded), in this order:
        the stored bytes when they are that; None if marshal refuses a value (the pack
        is then not written)."""
        if tuple(names) == self._names and not self._new.keys() & self._names:
            return self._blob
        values = [self.data_of(name) for name in names]
        try:
            blob = marshal.dumps(values)
        except ValueError:
            self.file = None
            return None
        self._names, self._blob = tuple(names), blob
        self._data = dict(zip(names, values, strict=True))
        self._new.clear()
        self.dirty = True
        return blob

    def evidence_digest(self, path: str, st: Stat) -> tuple[bool, str | None]:
        entry = self.evidence.get(path)
        if entry is not None and self._trusted(st, entry[0]):
            self.used_evidence.add(path)
            return True, entry[1]
        return False, None

    def keep_evidence(self, paths: Iterable[str]) -> None:
        """Keep these digests for the next run though nothing asked for them in this one
        (the rules that would have were not applied again: see ``generator.rulecache``)."""
        self.used_evidence.update(p for p in paths if p in self.evidence)

    def store_evidence(self, path: str, st: Stat, sha: str | None) -> None:
        self.evidence[path] = (st, sha)
        self.used_evidence.add(path)
        self.dirty = True

    def rule_results(self, key: bytes) -> tuple[Any, Any] | None:
        """(problems, what they depended on) stored under ``key`` (see ``generator.rulecache``)."""
        stored = self.rules
        if isinstance(stored, tuple) and len(stored) == 3 and stored[0] == key:
            return stored[1], stored[2]
        return None

    def store_rules(self, value: tuple[bytes, Any, Any] | None) -> None:
        self.rules = value
        self.dirty = True

    def save(self, loaded: list[str]) -> None:
        """Write back what this run used (files gone from the folder are dropped);
        ``loaded``: the files of the chunk that loaded, in its order."""
        if self.chunk_data(loaded) is None:
            return
        stale = set(self.files) - self.used or set(self.evidence) - self.used_evidence
        if self.file is None or not (self.dirty or stale):
            return
        write_stored(
            self.file,
            {
                "version": VERSION,
                "written": self.started,
                "files": {k: v for k, v in self.files.items() if k in self.used},
                "data": (self._names, self._blob),
                "evidence": {k: v for k, v in self.evidence.items() if k in self.used_evidence},
                "rules": self.rules,
            },
        )


_NO_DATA = marshal.dumps([])


def _is_data(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], tuple)
        and isinstance(value[1], bytes)
    )


def pack_file(root: Path, salt_value: str, key: str) -> Path:
    name = hashlib.blake2b(key.encode(), digest_size=10).hexdigest()
    return root / CACHE_DIR / "packs" / salt_value / f"{name}.marshal"


def prune(root: Path, salt_value: str, keys: list[str] | None = None) -> None:
    """Remove the packs of other salts (old schemas, old code) and, given the keys of
    every pack a full run used, the packs of folders that are gone."""
    folder = root / CACHE_DIR / "packs"
    try:
        for old in folder.iterdir():
            if old.name != salt_value and old.is_dir():
                for file in old.iterdir():
                    file.unlink()
                old.rmdir()
        if keys is not None:
            wanted = {pack_file(root, salt_value, key).name for key in keys}
            for file in (folder / salt_value).iterdir():
                if file.name not in wanted and file.suffix == ".marshal":
                    file.unlink()
    except OSError:
        pass


# ---- the listing ---------------------------------------------------------------------


def _scan(folder: str) -> tuple[list[str], list[str]]:
    """A folder's record files and sub-folders, each sorted by name."""
    files: list[str] = []
    dirs: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                if not entry.is_symlink():  # like os.walk: linked folders are not entered
                    dirs.append(entry.name)
            elif entry.name.endswith((".yaml", ".yml")):
                files.append(entry.name)
    files.sort()
    dirs.sort()
    return files, dirs


Folders = dict[str, tuple[int, int, list[str], list[str]]]  # rel → mtime_ns, inode, files, dirs


class _Walk:
    """Depth first, each folder's entries by name: the order of sorting paths by their parts."""

    def __init__(
        self, root: Path, top: str, skip: str, known: Folders, written: int, collect: bool = True
    ) -> None:
        self.collect = collect  # False: only see whether anything changed
        self.root = str(root)
        self.top = top
        self.skip = skip
        self.known = known
        self.written = written
        self.seen: Folders = {}
        self.changed = False
        self.paths: list[str] = []

    def folder(self, rel: str) -> None:
        try:
            st = os.stat(f"{self.root}/{rel}")
        except OSError:
            self.changed = True
            return
        if not stat.S_ISDIR(st.st_mode):
            return
        old = self.known.get(rel)
        key = (st.st_mtime_ns, st.st_ino)
        if old is not None and (old[0], old[1]) == key and st.st_mtime_ns < self.written - RACY_NS:
            files, dirs = old[2], old[3]
        else:
            try:
                files, dirs = _scan(f"{self.root}/{rel}")
            except OSError:
                self.changed = True
                return
            self.changed = True
        self.seen[rel] = (key[0], key[1], files, dirs)
        if rel == self.top:
            dirs = [d for d in dirs if d != self.skip]
        if not self.collect:
            for name in dirs:
                self.folder(f"{rel}/{name}")
            return
        if not dirs:
            self.paths.extend(f"{rel}/{name}" for name in files)
            return
        entries = sorted([(name, False) for name in files] + [(name, True) for name in dirs])
        for name, is_dir in entries:
            if is_dir:
                self.folder(f"{rel}/{name}")
            else:
                self.paths.append(f"{rel}/{name}")


def walk_listing(root: Path, records_dir: str, skip: str) -> list[str]:
    """Every record path below ``records_dir`` (except ``skip``), sorted by their parts."""
    walk = _Walk(root, records_dir, skip, {}, 0)
    walk.folder(records_dir)
    return walk.paths


def cached_listing(root: Path, records_dir: str, skip: str) -> list[str] | None:
    """``walk_listing``, reusing the folders that have not changed since the last run.

    None when the cache is off or there is no ``records_dir``.
    """
    if not enabled() or not (root / records_dir).is_dir():
        return None
    file = root / CACHE_DIR / "listing.marshal"
    started = time.time_ns()
    loaded = read_stored(file) if file.is_file() else None
    cached: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    ok = cached.get("version") == VERSION and isinstance(cached.get("paths"), list)
    known = cached["folders"] if ok else {}
    walk = _Walk(root, records_dir, skip, known, cached.get("written", 0), collect=False)
    walk.folder(records_dir)
    if ok and not walk.changed and set(walk.seen) == set(walk.known):
        return list(cached["paths"])
    # the paths, from the folders just read (a folder changed since then is read again)
    seen = walk.seen
    walk = _Walk(root, records_dir, skip, seen, started + RACY_NS + 1)
    walk.folder(records_dir)
    write_stored(
        file, {"version": VERSION, "written": started, "folders": walk.seen, "paths": walk.paths}
    )
    return walk.paths


def _subfolders(folder: str) -> list[str]:
    """A folder's sub-folders by name (linked folders are not entered, as by ``_Walk``)."""
    dirs: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                dirs.append(entry.name)
    dirs.sort()
    return dirs


def cached_folders(root: Path, records_dir: str, skip: str) -> list[str]:
    """Every folder below ``records_dir`` (itself included, ``skip`` and what is below it left
    out), parents before their sub-folders; the sub-folders of a folder whose mtime
    has not changed since the last run are taken from ``.anjian-cache/``.

    The folders ``walk_listing`` enters, without reading their files (a few
    hundred stats instead of half a million names).
    """
    use = enabled()
    file = root / CACHE_DIR / "folders.marshal"
    started = time.time_ns()
    loaded = read_stored(file) if use and file.is_file() else None
    cached: dict[str, Any] = loaded if isinstance(loaded, dict) else {}
    ok = cached.get("version") == VERSION and isinstance(cached.get("folders"), dict)
    known: dict[str, tuple[int, int, list[str]]] = cached["folders"] if ok else {}
    written: int = cached.get("written", 0) if ok else 0
    seen: dict[str, tuple[int, int, list[str]]] = {}
    changed = False
    order: list[str] = []
    todo = [records_dir]
    while todo:
        rel = todo.pop()
        try:
            st = os.stat(f"{root}/{rel}")
        except OSError:
            changed = True
            continue
        if not stat.S_ISDIR(st.st_mode):
            continue
        old = known.get(rel)
        if (
            old is not None
            and (old[0], old[1]) == (st.st_mtime_ns, st.st_ino)
            and (st.st_mtime_ns < written - RACY_NS)
        ):
            dirs = old[2]
        else:
            try:
                dirs = _subfolders(f"{root}/{rel}")
            except OSError:
                changed = True
                continue
            changed = True
        seen[rel] = (st.st_mtime_ns, st.st_ino, dirs)
        order.append(rel)
        below = [d for d in dirs if not (rel == records_dir and d == skip)]
        todo.extend(f"{rel}/{name}" for name in reversed(below))
    if use and (changed or set(seen) != set(known)):
        write_stored(file, {"version": VERSION, "written": started, "folders": seen})
    return order

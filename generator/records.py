"""Records: a parsed file with its kind (from the folder) and id (from the data)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.cache import cached_folders, cached_listing, walk_listing
from generator.load import (
    MAX_BYTES,
    YAML_SYNTAX,
    Document,
    Pointer,
    Position,
    iter_record_files,
    parse_document,
)
from generator.problems import Problem, make

RECORDS_DIR = "records"
# below this many files, worker processes cost more than they save
PARALLEL_THRESHOLD = 1500


@dataclass(slots=True)
class Record:
    kind: str
    path: str  # relative to the repository root, POSIX separators
    doc: Document

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    @property
    def id(self) -> str | None:
        value = self.doc.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def stem(self) -> str:
        return stem_of(self.path)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Position | None:
        return self.doc.locate(pointer, key=key)


def stem_of(path: str) -> str:
    """``records/<kind>/…/<name>.yaml`` → ``<name>``."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def kind_of(path: str) -> str | None:
    """``records/<kind>/…/<id>.yaml`` → kind."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == RECORDS_DIR:
        return parts[1]
    return None


def load_record(root: Path, file: Path, *, max_bytes: int = MAX_BYTES) -> Record | Problem:
    rel = file.relative_to(root).as_posix()
    try:
        raw = file.read_bytes()
    except OSError as err:
        return make(
            YAML_SYNTAX, rel, f"无法读取文件：{err.strerror}", f"cannot read file: {err.strerror}"
        )
    parsed = parse_document(raw, rel, max_bytes=max_bytes)
    if isinstance(parsed, Problem):
        return parsed
    return Record(kind=kind_of(rel) or "", path=rel, doc=parsed)


def _load_chunk(args: tuple[str, list[str], int]) -> list[Record | Problem]:
    root, files, max_bytes = args
    base = Path(root)
    return [load_record(base, base / f, max_bytes=max_bytes) for f in files]


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_files(
    root: Path, files: Iterable[Path], *, max_bytes: int = MAX_BYTES, jobs: int | None = None
) -> tuple[list[Record], list[Problem]]:
    """Load files (in worker processes when there are many); bad files become problems."""
    rels = [f.relative_to(root).as_posix() for f in files]
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    results: list[Record | Problem]
    if workers > 1 and len(rels) >= PARALLEL_THRESHOLD:
        size = max(200, len(rels) // (workers * 8))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = pool.map(_load_chunk, [(str(root), c, max_bytes) for c in _chunks(rels, size)])
            results = [item for part in parts for item in part]
    else:
        results = _load_chunk((str(root), rels, max_bytes))
    records = [r for r in results if isinstance(r, Record)]
    problems = [r for r in results if isinstance(r, Problem)]
    return records, problems


def load_repository(
    root: Path, *, max_bytes: int = MAX_BYTES, jobs: int | None = None
) -> tuple[list[Record], list[Problem]]:
    return load_files(root, iter_record_files(root / RECORDS_DIR), max_bytes=max_bytes, jobs=jobs)


@dataclass
class Trail:
    """What was asked of a ``RecordIndex`` while it was set: what rule results depend on.

    ``lookups``: each id asked for and the paths it had; ``reads``: the paths
    whose records were looked at; ``listed_all``: every id was listed (an
    answer that depends on the whole repository).
    """

    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    reads: set[str] = field(default_factory=set)
    listed_all: bool = False


class RecordIndex:
    """Ids → paths from the file listing alone (path and id agree), records loaded on demand.

    Resolving a reference needs no parsing: ``records/<kind>/…/<id>.yaml`` names
    both.  A pull request's few records are checked against the whole
    repository without reading it.  While ``trail`` is set, every question
    asked is written down in it.
    """

    trail: Trail | None = None

    def __init__(
        self,
        root: Path,
        paths: Iterable[str],
        loaded: Iterable[Record] = (),
        *,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._by_id: dict[str, list[str]] = {}
        by_id = self._by_id
        for path in paths:
            name = path[path.rfind("/") + 1 :]
            dot = name.rfind(".")
            stem = name[:dot] if dot >= 0 else name
            found = by_id.get(stem)
            if found is None:
                by_id[stem] = [path]
            else:
                found.append(path)
        self._cache: dict[str, Record | None] = {}
        for record in loaded:
            self._cache[record.path] = record
            # a record whose id differs from its file name is still found by its id
            if record.id is not None:
                self.add(record.id, record.path)

    @property
    def paths_by_id(self) -> dict[str, list[str]]:
        """Every id and its paths (not to be changed)."""
        if self.trail is not None:
            self.trail.listed_all = True
        return self._by_id

    def paths(self, record_id: str) -> list[str]:
        found = self._find(record_id)
        if self.trail is not None:
            self.trail.lookups[record_id] = tuple(found)
        return found

    def _find(self, record_id: str) -> list[str]:
        return self._by_id.get(record_id, [])

    def add(self, record_id: str, path: str) -> None:
        """Find the record at ``path`` by ``record_id`` too (an id that differs from its file name)."""
        found = self._by_id.setdefault(record_id, [])
        if path not in found:
            found.append(path)

    def remember(self, records: Iterable[Record]) -> list[str]:
        """Serve these records from memory; the paths newly remembered (for ``forget``)."""
        added = [r.path for r in records if r.path not in self._cache]
        for record in records:
            self._cache.setdefault(record.path, record)
        return added

    def forget(self, paths: Iterable[str]) -> None:
        for path in paths:
            self._cache.pop(path, None)

    def kind(self, record_id: str) -> str | None:
        found = self.paths(record_id)
        return kind_of(found[0]) if found else None

    def get(self, record_id: str) -> Record | None:
        for path in self.paths(record_id):
            if self.trail is not None:
                self.trail.reads.add(path)
            if path not in self._cache:
                loaded = load_record(self.root, self.root / path, max_bytes=self.max_bytes)
                self._cache[path] = loaded if isinstance(loaded, Record) else None
            record = self._cache[path]
            if record is not None and record.id == record_id:
                return record
        return None


RECORD_SUFFIXES = (".yaml", ".yml")


def _listed(full: str) -> bool:
    """Whether ``walk_listing`` would list this path of a listed folder: anything but a folder."""
    try:
        st = os.lstat(full)
    except (OSError, ValueError):
        return False
    if stat.S_ISDIR(st.st_mode):
        return False
    return not (stat.S_ISLNK(st.st_mode) and os.path.isdir(full))


def _parts(path: str) -> list[str]:
    return path.split("/")


class ProbedIndex(RecordIndex):
    """A ``RecordIndex`` that finds an id's paths by trying its file names in every folder.

    For a small change: the few ids its records name are looked up where a
    record of that id would be (``<folder>/<id>.yaml`` or ``.yml``, in every
    record folder), instead of listing every file of the repository.  The
    answers are those of the full listing, in the same order.
    """

    def __init__(
        self,
        root: Path,
        folders: Sequence[str],
        loaded: Iterable[Record] = (),
        *,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.folders = [f"{root}/{folder}/" for folder in folders]
        self._aliases: dict[str, list[str]] = {}
        self._names: dict[str, set[str]] = {}  # folder → its entries, to confirm a name's case
        self._prefix = len(f"{root}/")
        super().__init__(root, [], loaded, max_bytes=max_bytes)

    def _find(self, record_id: str) -> list[str]:
        found = self._by_id.get(record_id)
        if found is None:
            found = self._probe(record_id)
            for path in self._aliases.get(record_id, []):
                if path not in found:
                    found.append(path)
            self._by_id[record_id] = found
        return found

    def add(self, record_id: str, path: str) -> None:
        aliases = self._aliases.setdefault(record_id, [])
        if path not in aliases:
            aliases.append(path)
        found = self._by_id.get(record_id)
        if found is not None and path not in found:
            found.append(path)

    def _probe(self, record_id: str) -> list[str]:
        if "/" in record_id or "\0" in record_id or (os.sep != "/" and os.sep in record_id):
            return []  # no file is named so
        names = [record_id + suffix for suffix in RECORD_SUFFIXES]
        found: list[str] = []
        for folder in self.folders:
            for name in names:
                full = folder + name
                if _listed(full) and self._exact(folder, name):
                    found.append(full[self._prefix :])
        found.sort(key=_parts)
        return found

    def _exact(self, folder: str, name: str) -> bool:
        """The name as written (a file system that ignores case finds ``haz-1.yaml`` for ``HAZ-1``)."""
        names = self._names.get(folder)
        if names is None:
            try:
                names = set(os.listdir(folder))
            except OSError:
                names = set()
            self._names[folder] = names
        return name in names


@dataclass(frozen=True)
class Folders:
    """The record folders of a repository, without their files (see ``ProbedIndex``)."""

    root: Path
    paths: tuple[str, ...]

    def index(self, *, max_bytes: int = MAX_BYTES) -> ProbedIndex:
        return ProbedIndex(self.root, self.paths, max_bytes=max_bytes)

    def listed(self, path: str) -> bool:
        """Whether ``list_record_paths`` has ``path`` (without listing)."""
        folder, _, name = path.rpartition("/")
        return (
            name.endswith(RECORD_SUFFIXES)
            and folder in self.paths
            and _listed(f"{self.root}/{path}")
        )


def record_folders(root: Path) -> Folders:
    """Every folder ``list_record_paths`` reads (their sub-folders remembered in ``.anjian-cache/``)."""
    return Folders(root, tuple(cached_folders(root, RECORDS_DIR, "evidence")))


def list_record_paths(root: Path) -> list[str]:
    """Every record file's relative path, in the order of ``iter_record_files``.

    ``os.scandir`` on strings, folder by folder in name order (no global sort):
    a pull request's check lists the whole repository to resolve references,
    and pathlib's ``rglob`` costs seconds at city scale.  The listing is reused
    from ``.anjian-cache/`` while no folder has changed.
    """
    cached = cached_listing(root, RECORDS_DIR, "evidence")
    if cached is not None:
        return cached
    return walk_listing(root, RECORDS_DIR, "evidence")

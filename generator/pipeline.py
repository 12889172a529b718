"""Checking many record files: load, schema and rules, folder by folder, on every core.

The files to check are cut into *chunks* — a folder, or a bucket of a big one
— and each chunk is checked whole by one worker process: every file loaded
(or its earlier result taken from the cache, see ``generator.cache``),
schema-checked, then every rule applied to the chunk's records, each judged
against the whole repository through a ``RecordIndex`` built from the file
listing (referenced records are read on demand).  What comes back is small:
problems, and the records' data only when the caller wants the records.  So
neither the parent nor a worker ever holds the whole corpus.

Rules judge each target against the index, never against the other targets
of their run: that is what makes chunks independent.  Rules about the
repository as a whole (``GLOBAL_RULES``: the policy's blacklist rules) run
once, in the calling process.

A record whose ``id`` differs from its file name is registered under both
names, as it would be with every record loaded at once: when a chunk finds
one, the rules run again with it known to every worker (from the cache, so
the second pass costs little).

In a run over every record, a chunk's rule results are kept with what the
rules looked at (``generator.rulecache``) and reused while none of it has
changed: a rebuild after a few edits applies the rules to the few chunks
that hold or refer to the edited records.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import marshal
import os
import re
import time
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

from generator import cache, collect, prefetch, rulecache
from generator.collect import GC_THRESHOLD, fewer_collections
from generator.load import Document, Pointer, Position, parse_document
from generator.policy import POLICY_FILE, Policy, load_policy
from generator.problems import Problem
from generator.records import RECORDS_DIR, Folders, Record, RecordIndex, Trail, kind_of, stem_of
from generator.rules import MODULES, blacklist_policy
from generator.rules.context import Context, FileDigests
from generator.schema_check import SchemaChecker
from generator.schemas import Registry, load_registry

GLOBAL_RULES = (blacklist_policy,)
LOCAL_RULES = [m.check for m in MODULES if m not in GLOBAL_RULES]
BUCKET = 2500  # files per chunk, at most (about)
PARALLEL_THRESHOLD = 1500  # below this many files, worker processes cost more than they save


# evidence paths in a record's bytes, as the demo and the forms write them: only a hint
# of what to read ahead (generator.prefetch); a path written otherwise is not read ahead.
# It starts with a literal, which the regular expression engine looks for at C speed.
_EVIDENCE_PATH = re.compile(rb"""records/evidence/[^'"\s#]+""")

# the positions of a lazy document before it is located: one empty table for all,
# never written (``ensure_positions`` puts new tables in its place)
_UNLOCATED: dict[Any, Any] = {}


@dataclass(slots=True)
class LazyDocument(Document):
    """A document whose positions are read again from its file when first asked for.

    Records taken from the cache, or sent between processes, carry their data
    only; the rare one that has a problem to locate is parsed once more.  Held
    for every record of a build, so it holds little: the root and the path are
    shared with every other record and with the record itself.
    """

    root: str = ""
    path: str = ""
    max_bytes: int = 0
    _located: bool = False

    def locate(self, pointer: Pointer, *, key: bool = False) -> Position | None:
        self.ensure_positions()
        return Document.locate(self, pointer, key=key)  # (slots: no bare super())

    def ensure_positions(self) -> None:
        if self._located:
            return
        self._located = True
        source = f"{self.root}/{self.path}"
        try:
            raw = Path(source).read_bytes()
        except OSError:
            return
        parsed = parse_document(raw, source, max_bytes=self.max_bytes or len(raw) + 1)
        if isinstance(parsed, Document) and parsed.data == self.data:
            self.positions = parsed.positions
            self.key_positions = parsed.key_positions
            self.raw_scalars = parsed.raw_scalars


def lazy_record(
    root: str, path: str, data: dict[str, Any], max_bytes: int, kind: str | None = None
) -> Record:
    """A record whose positions are read only when asked for; ``kind``: its path's, when
    the caller knows it (the records of a chunk share their folder)."""
    doc = LazyDocument(
        data=data,
        positions=_UNLOCATED,
        key_positions=_UNLOCATED,
        raw_scalars=_UNLOCATED,
        root=root,
        path=path,
        max_bytes=max_bytes,
    )
    return Record(kind=(kind or kind_of(path)) or "", path=path, doc=doc)


def chunks(paths: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Paths grouped by folder (a big folder split into stable buckets by file name)."""
    folders: dict[str, list[str]] = {}
    for path in paths:
        folders.setdefault(path.rsplit("/", 1)[0], []).append(path)
    out: list[tuple[str, list[str]]] = []
    for folder, files in folders.items():
        if len(files) <= BUCKET:
            out.append((folder, files))
            continue
        count = 1
        while count * BUCKET < len(files):
            count *= 2
        buckets: list[list[str]] = [[] for _ in range(count)]
        for path in files:
            buckets[zlib.crc32(path.rsplit("/", 1)[1].encode()) % count].append(path)
        out.extend((f"{folder}#{i}/{count}", b) for i, b in enumerate(buckets) if b)
    return out


@dataclass
class Settings:
    root: Path
    every: list[str] | Folders  # every record path of the repository, or only its folders
    as_of: dt.date
    max_bytes: int
    use_cache: bool
    keep_records: bool
    salt: str
    aliases: tuple[tuple[str, str], ...] = ()  # (id, path) of records named otherwise
    whole: bool = False  # every record is checked: chunks are whole, their rule results kept


@dataclass
class ChunkResult:
    problems: list[Problem] = field(default_factory=list)
    # every record that loaded: its path, and whether it passed schema and rules
    records: list[tuple[str, bool]] = field(default_factory=list)
    # their data in the same order, when the caller keeps the records: marshalled (it
    # loads in half pickle's time; the pack's own bytes when none of the chunk's files
    # changed, see ``Pack.chunk_data``), as a list should marshal refuse a value
    data: bytes | list[Any] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0
    # a digest of the names and bytes of the files that loaded, in order: what the records'
    # data was made from (empty when a file could not be read)
    content: bytes = b""


class _Worker:
    """What a process needs to check chunks: schemas, policy, the index; built once."""

    def __init__(self, settings: Settings) -> None:
        self.started = time.time_ns()  # before any file is read (see rulecache)
        self.settings = settings
        self.root = str(settings.root)
        self.registry: Registry = load_registry(settings.root)
        self.policy: Policy = load_policy(settings.root, self.registry.policy_schema)[0]
        self.checker = SchemaChecker(self.registry)
        every = settings.every
        self.index = (
            every.index(max_bytes=settings.max_bytes)
            if isinstance(every, Folders)
            else RecordIndex(settings.root, every, max_bytes=settings.max_bytes)
        )
        for record_id, path in settings.aliases:
            self.index.add(record_id, path)
        self.keep_rules = settings.use_cache and settings.whole
        self.stats: dict[str, cache.Stat | None] = {}  # records the rules read, by path
        self.evidence_ahead: list[str] = []  # evidence named by the files parsed: read it ahead
        try:
            self.policy_bytes = (settings.root / POLICY_FILE).read_bytes()
        except OSError:
            self.policy_bytes = b""

    def _pack(self, key: str) -> cache.Pack:
        s = self.settings
        file = cache.pack_file(s.root, s.salt, key) if s.use_cache else None
        return cache.Pack(file)

    def load(self, path: str, pack: cache.Pack) -> tuple[bool, list[Problem], bytes | None, Any]:
        """One file: whether it loaded, its load and schema problems, the digest of its
        bytes (None if they could not be read) and its id (None if it has none).  Its data
        stays in the pack (``Pack.data_of``) until a rule or the caller wants it."""
        s = self.settings
        full = f"{s.root}/{path}"
        name = path.rsplit("/", 1)[1]
        try:
            st = cache.stat_key(os.stat(full))
        except OSError:
            st = (0, 0, 0, 0)
        entry = pack.fresh(name, st)
        if entry is None:
            try:
                raw = _read(full, st[0])
            except OSError as err:
                from generator.load import YAML_SYNTAX
                from generator.problems import make

                problem = make(
                    YAML_SYNTAX,
                    path,
                    f"无法读取文件：{err.strerror}",
                    f"cannot read file: {err.strerror}",
                )
                return False, [problem], None, None
            content = cache.digest(raw)
            entry = pack.same_content(name, st, content)
            if entry is None:
                self.evidence_ahead.extend(
                    m.decode(errors="replace") for m in _EVIDENCE_PATH.findall(raw)
                )
                entry = pack.store(name, st, content, *self._check_fresh(path, raw))
        loaded, problems, record_id = entry[2]
        return loaded, [Problem(*p) for p in problems], entry[1], record_id

    def _check_fresh(self, path: str, raw: bytes) -> tuple[Any, list[tuple[Any, ...]]]:
        """Load and schema-check a file's bytes: (data or None, problems as tuples)."""
        s = self.settings
        parsed = parse_document(raw, path, max_bytes=s.max_bytes, positions=False)
        if isinstance(parsed, Problem):
            return None, [astuple(parsed)]
        record = Record(kind=kind_of(path) or "", path=path, doc=parsed)
        problems = self.checker.check(record)
        if problems:  # locate them: parse again, with positions
            located = parse_document(raw, path, max_bytes=s.max_bytes)
            if isinstance(located, Document):
                record = Record(kind=record.kind, path=path, doc=located)
                problems = self.checker.check(record)
        return parsed.data, [astuple(p) for p in problems]

    def check(self, key: str, paths: list[str]) -> ChunkResult:
        s = self.settings
        pack = self._pack(key)
        result = ChunkResult(files=len(paths))
        loaded: list[str] = []  # the paths of the files that loaded
        schema_ok: set[str] = set()
        contents: list[tuple[str, bytes]] | None = []
        self.evidence_ahead = []
        prefetch.ahead([f"{self.root}/{p}" for p in paths if p.rsplit("/", 1)[1] not in pack.files])
        for path in paths:
            ok, problems, content, record_id = self.load(path, pack)
            result.problems.extend(problems)
            if content is None:
                contents = None  # an unreadable file: the chunk's rule results are not kept
            elif contents is not None:
                contents.append((path, content))
            if not ok:
                continue
            loaded.append(path)
            if not problems:
                schema_ok.add(path)
            if record_id is not None and record_id != stem_of(path):
                result.aliases.append((record_id, path))
        names = [path.rsplit("/", 1)[1] for path in loaded]
        if contents is not None:
            result.content = content_key(contents, set(loaded))
        rule_key = (
            rulecache.chunk_key(_names(LOCAL_RULES), s.as_of, self.policy_bytes, contents)
            if self.keep_rules and contents is not None
            else None
        )
        found = self._kept(pack, rule_key)
        if found is None:
            records = [
                lazy_record(self.root, path, pack.data_of(name), s.max_bytes)
                for path, name in zip(loaded, names, strict=True)
            ]
            found = self._apply_rules(
                pack, rule_key, records, [r for r in records if r.path in schema_ok]
            )
        result.problems.extend(found)
        bad = {p.path for p in found if p.severity == "error"}
        result.records = [(path, path in schema_ok and path not in bad) for path in loaded]
        if s.keep_records:  # the very bytes kept in the pack, when none of its files changed
            data = pack.chunk_data(names)
            result.data = data if data is not None else [pack.data_of(n) for n in names]
        pack.save(names)
        return result

    def _kept(self, pack: cache.Pack, rule_key: bytes | None) -> list[Problem] | None:
        """The chunk's rule problems from the last run, if nothing they depended on changed."""
        stored = pack.rule_results(rule_key) if rule_key is not None else None
        if stored is None:
            return None
        problems, stored_depends = stored
        depends = rulecache.Depends.from_stored(stored_depends)
        if depends is None or not rulecache.unchanged(depends, self.index, self.root):
            return None
        pack.keep_evidence(real for _, real, _ in depends.evidence)
        return [Problem(*p) for p in problems]

    def _apply_rules(
        self,
        pack: cache.Pack,
        rule_key: bytes | None,
        loaded: list[Record],
        schema_ok: list[Record],
    ) -> list[Problem]:
        s = self.settings
        added = self.index.remember(loaded)  # the chunk's own records: no second read
        prefetch.ahead(
            [
                full
                for rel in self.evidence_ahead
                if (full := f"{self.root}/{rel}") not in pack.evidence
            ]
        )
        self.evidence_ahead = []
        trail = Trail()
        files = rulecache.TrackedFiles()
        ctx = Context(
            root=s.root,
            registry=self.registry,
            policy=self.policy,
            as_of=s.as_of,
            index=self.index,
            targets=schema_ok,
            digests=_PackDigests(pack),
            files=files,
        )
        found: list[Problem] = []
        self.index.trail = trail
        try:
            for rule in LOCAL_RULES:
                found.extend(rule(ctx))
        finally:
            self.index.trail = None
            self.index.forget(added)
        if rule_key is not None:
            own = {r.path for r in loaded}
            depends = rulecache.depends(trail, files, own, self.root, self.started, self.stats)
            pack.store_rules(
                None
                if depends is None
                else (rule_key, [astuple(p) for p in found], depends.stored())
            )
        return found


def content_key(contents: list[tuple[str, bytes]], loaded: set[str]) -> bytes:
    """A digest of the paths and contents of the ``loaded`` files, in order."""
    h = hashlib.blake2b(digest_size=16)
    for path, content in contents:
        if path in loaded:
            h.update(path.encode() + b"\0" + content)
    return h.digest()


def _names(rules: list[Any]) -> list[str]:
    return [f"{rule.__module__}.{rule.__qualname__}" for rule in rules]


def _read(path: str, size: int) -> bytes:
    """A file's bytes, in one read when its size is known (os.read: no buffered file object)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        want = size + 1
        data = os.read(fd, want)
        if len(data) < want:  # a short read is the end
            return data
        parts = [data]
        while block := os.read(fd, 1 << 20):
            parts.append(block)
        return b"".join(parts)
    finally:
        os.close(fd)


class _PackDigests(FileDigests):
    """Evidence digests remembered in the chunk's pack."""

    def __init__(self, pack: cache.Pack) -> None:
        self.pack = pack

    def sha256(self, path: str, st: os.stat_result) -> str | None:
        key = cache.stat_key(st)
        known, sha = self.pack.evidence_digest(path, key)
        if known:
            return sha
        sha = super().sha256(path, st)
        self.pack.store_evidence(path, key, sha)
        return sha


_WORKER: _Worker | None = None


def _start(settings: Settings) -> None:
    global _WORKER
    gc.set_threshold(*GC_THRESHOLD)  # a worker process does nothing else
    _WORKER = _Worker(settings)


def _check(task: tuple[str, list[str]]) -> ChunkResult:
    """A chunk checked in a worker process."""
    assert _WORKER is not None
    return _WORKER.check(*task)


def _run(settings: Settings, tasks: list[tuple[str, list[str]]], jobs: int) -> list[ChunkResult]:
    files = sum(len(t[1]) for t in tasks)
    if jobs <= 1 or files < PARALLEL_THRESHOLD or len(tasks) < 2:
        with fewer_collections():
            worker = _Worker(settings)
            alone = [worker.check(*task) for task in tasks]
        for result in alone:
            if isinstance(result.data, bytes):
                result.data = marshal.loads(result.data)
        return alone
    # big chunks first, so that no worker is left with a big one at the end
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][1]))
    with (
        fewer_collections(),  # the workers start with the same settings
        ProcessPoolExecutor(max_workers=jobs, initializer=_start, initargs=(settings,)) as pool,
    ):
        done = []
        # the records' data loaded as each chunk's result comes in, its bytes let go at once;
        # a city's records are millions of objects made to be kept: nothing for the
        # collector to find in them (see generator.collect)
        with collect.paused():
            for result in pool.map(_check, [tasks[i] for i in order], chunksize=1):
                if isinstance(result.data, bytes):
                    result.data = marshal.loads(result.data)
                done.append(result)
    results: list[ChunkResult] = [ChunkResult()] * len(tasks)
    for i, result in zip(order, done, strict=True):
        results[i] = result
    return results


@dataclass
class Checked:
    problems: list[Problem]
    records: list[Record]  # every record that loaded, in the order of the paths given
    valid: list[Record]  # those with no error of their own
    files: int
    # the chunks' contents (``ChunkResult.content``) and the paths of their records, for
    # what is worked out from the records and kept by what they were made from
    chunks: list[tuple[bytes, list[str]]] = field(default_factory=list)


def check_files(
    root: Path,
    paths: Sequence[str],
    every: list[str] | Folders,
    *,
    registry: Registry,
    policy: Policy,
    as_of: dt.date,
    jobs: int | None = None,
    keep_records: bool = True,
    use_cache: bool | None = None,
) -> Checked:
    """Load, schema-check and apply every rule to ``paths`` (against all of ``every``).

    ``every`` is every record path, or the record folders alone (``Folders``:
    for a few paths, the records they name are then found by their file names).
    """
    use = cache.enabled() if use_cache is None else use_cache
    settings = Settings(
        root=root,
        every=every,
        as_of=as_of,
        max_bytes=policy.size_limit_bytes,
        use_cache=use,
        keep_records=keep_records,
        salt=cache.salt(root, policy.size_limit_bytes) if use else "",
        whole=isinstance(every, list) and len(paths) == len(every),
    )
    tasks = chunks(paths)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    results = _run(settings, tasks, workers)
    aliases = sorted({a for r in results for a in r.aliases})
    if aliases:
        settings.aliases = tuple(aliases)
        results = _run(settings, tasks, workers)
    if use:
        # a full run: packs of folders now gone can go
        cache.prune(root, settings.salt, [key for key, _ in tasks] if settings.whole else None)
    problems = _unique(p for r in results for p in r.problems)
    problems.extend(_global_problems(root, registry, policy, as_of))
    where = str(root)
    max_bytes = policy.size_limit_bytes
    order = {path: n for n, path in enumerate(paths)}
    records: list[Record] = []
    valid: list[Record] = []
    if keep_records:
        made: list[tuple[int, Record, bool]] = []
        with collect.paused():
            for r in results:
                assert isinstance(r.data, list)  # loaded by _run
                kind = kind_of(r.records[0][0]) if r.records else None  # one folder, one kind
                for (path, ok), data in zip(r.records, r.data, strict=True):
                    made.append((order[path], lazy_record(where, path, data, max_bytes, kind), ok))
                r.data = []
            made.sort(key=lambda row: row[0])
            records = [record for _, record, _ in made]
            valid = [record for _, record, ok in made if ok]
            del made
    kept = [(r.content, [p for p, _ in r.records]) for r in results if r.content and keep_records]
    return Checked(problems, records, valid, sum(r.files for r in results), kept)


def _unique(problems: Iterator[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _global_problems(
    root: Path, registry: Registry, policy: Policy, as_of: dt.date
) -> list[Problem]:
    ctx = Context(
        root=root,
        registry=registry,
        policy=policy,
        as_of=as_of,
        index=RecordIndex(root, []),
        targets=[],
    )
    return [p for module in GLOBAL_RULES for p in module.check(ctx)]


__all__ = ["RECORDS_DIR", "Checked", "LazyDocument", "check_files", "chunks"]

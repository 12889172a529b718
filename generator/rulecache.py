"""Rule results kept between runs, one entry per chunk, with what they were worked out from.

Rules judge a chunk's records against the whole repository, so their results
are reused only when nothing they could have looked at has changed:

- the chunk's files, each by the digest of its bytes (``key``), and the code of
  the whole package, the policy file and the as-of date (the schemas and the
  size limit are in the cache's salt);
- every id the rules asked the index about, and the paths it had;
- every record they read from outside the chunk, by its stat;
- every evidence file they looked for: where it really is, and its stat.

Stats are trusted as the file cache trusts them (``generator.cache``): only a
file last changed well before the run that wrote the entry began, so a record
edited while it was being read is read again.  Results that depended on the
list of every id (a decision's follow-ups) are not kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from stat import S_ISREG
from typing import Any

from generator.cache import RACY_NS, Stat, stat_key
from generator.records import RecordIndex, Trail
from generator.rules.context import EvidenceFiles

Lookup = tuple[str, tuple[str, ...]]  # an id and its paths
Read = tuple[str, Stat | None]  # a record's path and its stat (None: none could be taken)
Seen = tuple[str, str, Stat | None]  # an evidence path, where it really is, its stat


@dataclass(frozen=True)
class Depends:
    """What a chunk's rule results were worked out from, besides the chunk itself."""

    since: int  # when the process that read them started (ns): the racy-file guard
    lookups: list[Lookup]
    reads: list[Read]
    evidence: list[Seen]

    def stored(self) -> tuple[Any, ...]:
        return (self.since, self.lookups, self.reads, self.evidence)

    @classmethod
    def from_stored(cls, value: Any) -> Depends | None:
        try:
            since, lookups, reads, evidence = value
            return cls(since, lookups, reads, evidence)
        except (TypeError, ValueError):
            return None


class TrackedFiles(EvidenceFiles):
    """Evidence files found, each answer written down."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, tuple[str, Stat | None]] = {}

    def file(self, path: str) -> tuple[str, os.stat_result | None]:
        real, st = super().file(path)
        self.seen[path] = (real, None if st is None else stat_key(st))
        return real, st


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Every module of the package (rules call into many), and the checksum library."""
    package = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for file in sorted(package.rglob("*.py")):
        h.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    h.update(metadata.version("python-stdnum").encode())
    return h.hexdigest()


def chunk_key(
    rules: list[str], as_of: dt.date, policy: bytes, files: list[tuple[str, bytes]]
) -> bytes:
    """The chunk's own inputs: its files' names and contents, the rules applied (by name)
    and their code, the policy and the date."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{code_fingerprint()}|{'|'.join(rules)}|{as_of.isoformat()}|".encode())
    h.update(hashlib.blake2b(policy, digest_size=16).digest())
    for name, content in files:
        h.update(name.encode() + b"\0" + content)
    return h.digest()


def _stat(path: str) -> Stat | None:
    try:
        return stat_key(os.stat(path))
    except OSError:
        return None


def depends(
    trail: Trail,
    files: TrackedFiles,
    own: set[str],
    root: str,
    since: int,
    stats: dict[str, Stat | None],
) -> Depends | None:
    """What the rules looked at outside the chunk (``own``); None if they listed every id.

    ``stats`` holds the stats taken so far by this process (which started at
    ``since``): a record many chunks refer to is looked at once.  A file changed
    after it was read has a later stat than ``since``, so it is not trusted."""
    if trail.listed_all:
        return None
    reads: list[Read] = []
    for path in sorted(trail.reads - own):
        if path not in stats:
            stats[path] = _stat(f"{root}/{path}")
        reads.append((path, stats[path]))
    evidence = [(path, real, st) for path, (real, st) in files.seen.items()]
    return Depends(since, sorted(trail.lookups.items()), reads, evidence)


def _trusted(now: Stat | None, then: Stat | None, since: int) -> bool:
    return now == then and (then is None or then[1] < since - RACY_NS)


def unchanged(depends: Depends, index: RecordIndex, root: str) -> bool:
    """Whether every id, record and evidence file the rules looked at is as it was."""
    for record_id, paths in depends.lookups:
        if tuple(index.paths(record_id)) != paths:
            return False
    for path, st in depends.reads:
        if not _trusted(_stat(f"{root}/{path}"), st, depends.since):
            return False
    return _evidence_unchanged(depends.evidence, depends.since)


def _evidence_unchanged(evidence: list[Seen], since: int) -> bool:
    """Whether every evidence file is where and as it was.  Most were regular files reached
    through no link (their real path is their path): each is then known by one ``lstat``,
    once its folder is known to be reached through no link either (a city's rebuild looks
    at 900,000 of them); the others are resolved again as the rules resolved them."""
    resolver = EvidenceFiles()
    plain: dict[str, bool] = {}  # folder → reached through no link
    limit = since - RACY_NS
    for path, real, st in evidence:
        cut = path.rfind("/")
        name = path[cut + 1 :]
        if st is None or real != path or cut <= 0 or name in ("", ".", ".."):
            now_real, now = resolver.file(path)
            if now_real != real or not _trusted(None if now is None else stat_key(now), st, since):
                return False
            continue
        folder = path[:cut]
        through = plain.get(folder)
        if through is None:
            through = plain[folder] = resolver.folder(folder) == folder
        if not through or st[1] >= limit:
            return False
        try:
            now = os.lstat(path)
        except OSError:
            return False
        if not S_ISREG(now.st_mode) or stat_key(now) != st:
            return False
    return True

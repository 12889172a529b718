"""What each chunk of records gave the portal, kept for the next build by what it was made from.

A rebuild after a one-record change checks every record again (from the
validation cache) but finds one chunk changed (``generator.pipeline``: a
folder, or a bucket of a big one).  Every other chunk gives the portal what it
gave last time: its records' public rows, the digests of their open data rows
(``rowsplice``) and its hazards' statuses on the as-of day.  They are kept per
chunk in ``.anjian-cache/portal/<salt>/``, under the digest of the chunk's
file names and bytes; the salt covers the code, the
schemas, the policy and the as-of day, so an entry is only ever used where
working it out again would give the same.  The figures are not kept: they are
worked out from every record (``model.build_portal``).

Statuses are read before the records are let go (the figures need them), rows
after, so the two are never held at once.  A chunk whose rows cannot be read
has its records read again from their files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from generator.cache import CACHE_DIR, read_stored, write_stored
from generator.derive.hazards import HazardStatus
from generator.policy import POLICY_FILE
from generator.records import Record, load_record

VERSION = 2
FOLDER = "portal"
Row = dict[str, Any]
Status = tuple[Any, ...]  # a HazardStatus, its dates as ordinals (marshal has no dates)


def _day(value: int | None) -> dt.date | None:
    return None if value is None else dt.date.fromordinal(value)


def _ordinal(value: dt.date | None) -> int | None:
    return None if value is None else value.toordinal()


def status_tuple(s: HazardStatus) -> Status:
    return (
        s.id,
        s.state,
        _ordinal(s.deadline),
        _ordinal(s.closed_on),
        s.days_left,
        s.overdue,
        s.due_soon,
        s.listed,
        s.on_time,
    )


def status_from(t: Status) -> HazardStatus:
    return HazardStatus(t[0], t[1], _day(t[2]), _day(t[3]), t[4], t[5], t[6], t[7], t[8])


def salt(root: Path, as_of: dt.date) -> str:
    """What every entry depends on besides its chunk: this package's code, the schemas,
    the policy, the as-of day and the Python version."""
    h = hashlib.blake2b(digest_size=12)
    h.update(f"{VERSION}|{sys.version}|{as_of.isoformat()}".encode())
    package = Path(__file__).resolve().parent.parent
    for file in sorted(package.rglob("*.py")):
        h.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes())
    for file in [*sorted((root / "schemas").glob("*.json")), root / POLICY_FILE]:
        with contextlib.suppress(OSError):
            h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


# what a chunk's ``.facts`` entry says of each of its records, in the chunk's order:
# not shown on the day (None), shown (True), or for a hazard shown, its status with, last,
# whether events after the day were left out of it (``model._trim_events``)
Entry = None | bool | Status
NOT_KEPT = False  # what ``PortalMemo.entry`` gives a record of a chunk not kept


class PortalMemo:
    """The last build's statuses and rows by chunk (read), and this build's (written)."""

    def __init__(
        self, root: Path, folder: Path | None, chunks: list[tuple[bytes, list[str]]]
    ) -> None:
        self.root = root
        self.folder = folder
        self.chunks = [(key.hex(), paths) for key, paths in chunks if key]
        self.kept: dict[str, Entry] = {}  # path → its entry, for the records of chunks kept
        self._kept_chunks: set[str] = set()
        if folder is None:
            return
        for key, paths in self.chunks:
            stored = read_stored(folder / f"{key}.facts")
            rows = folder / f"{key}.rows"
            if not isinstance(stored, list) or len(stored) != len(paths) or not rows.is_file():
                continue
            self._kept_chunks.add(key)
            self.kept.update(zip(paths, stored, strict=True))

    @classmethod
    def open(cls, root: Path, chunks: list[tuple[bytes, list[str]]], as_of: dt.date) -> PortalMemo:
        return cls(root, root / CACHE_DIR / FOLDER / salt(root, as_of), chunks)

    @property
    def chunks_kept(self) -> int:
        return len(self._kept_chunks)

    def entry(self, path: str) -> Entry:
        """What the last build found of the record (``NOT_KEPT``: its chunk is not kept)."""
        return self.kept.get(path, NOT_KEPT)

    def rows(self) -> tuple[dict[str, Row], dict[str, bytes], set[str]]:
        """The kept chunks' rows by path, the digests of their open data rows by path, and
        the paths of the chunks whose rows could not be read (their records must be read
        again)."""
        rows: dict[str, Row] = {}
        digests: dict[str, bytes] = {}
        lost: set[str] = set()
        for key, paths in self.chunks:
            if key not in self._kept_chunks:
                continue
            stored = read_stored(self.folder / f"{key}.rows") if self.folder else None
            if (
                isinstance(stored, tuple)
                and len(stored) == 2
                and all(isinstance(s, list) and len(s) == len(paths) for s in stored)
            ):
                for path, row, digest in zip(paths, *stored, strict=True):
                    if row is not None:
                        rows[path] = row
                        if isinstance(digest, bytes):
                            digests[path] = digest
            else:
                lost.update(paths)
        return rows, digests, lost

    def read_again(self, paths: set[str]) -> dict[str, dict[str, Any]]:
        """The data of these records, read from their files again."""
        out: dict[str, dict[str, Any]] = {}
        for path in sorted(paths):
            loaded = load_record(self.root, self.root / path, max_bytes=sys.maxsize)
            if isinstance(loaded, Record):
                out[path] = loaded.data
        return out

    def store(
        self,
        entries: dict[str, Entry],
        rows: dict[str, Row],
        digests: dict[str, bytes | None],
        present: set[str],
    ) -> None:
        """Keep the chunks not kept before whose every record was ``present``: each
        record's entry (``entries``, by path; not shown when missing), row and the digest
        of its open data row; and drop what no chunk uses now."""
        if self.folder is None:
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, paths in self.chunks:
                if key in self._kept_chunks or not all(p in present for p in paths):
                    continue  # kept already, or a record of it was not handed in
                write_stored(
                    self.folder / f"{key}.rows",
                    ([rows.get(p) for p in paths], [digests.get(p) for p in paths]),
                )
                # last: the entries say the pair is whole
                write_stored(self.folder / f"{key}.facts", [entries.get(p) for p in paths])
            self._prune()

    def _prune(self) -> None:
        assert self.folder is not None
        used = {f"{key}.{end}" for key, _ in self.chunks for end in ("facts", "rows")}
        for name in os.listdir(self.folder):
            if name not in used:
                with contextlib.suppress(OSError):
                    os.unlink(self.folder / name)
        for other in self.folder.parent.iterdir():
            if other != self.folder:
                shutil.rmtree(other, ignore_errors=True)

"""Record versions ``anjian audit verify`` read before, kept in ``.anjian-cache/``.

A git blob id names its content, so what a version parses to — or whether its
content did not matter (``Want.skip``) — never changes: an entry cannot be
stale.  The file is salted by the loader's code and the Python version (as
the record cache is, ``generator.cache``) and by this package's blob code;
anything unreadable or written by other code is ignored, and a cache that
cannot be written is skipped silently.  ``ANJIAN_NO_CACHE`` turns it off.

Only ``verify`` keeps one: it reads few kinds in full (staff, policy,
penalties, decisions, major hazards) and skips the rest, so the file stays
small; the public pages read every version and would make it as large as the
history.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

from generator import cache as record_cache
from generator.audit.blobs import Data, Skip

FILE = "audit-blobs"
VERSION = 1


def _salt() -> str:
    h = hashlib.blake2b(digest_size=16)
    blobs = Path(__file__).resolve().parent / "blobs.py"
    h.update(f"{VERSION}|{sys.version}|{record_cache.code_fingerprint()}|".encode())
    h.update(blobs.read_bytes())
    return h.hexdigest()


@functools.cache  # asked for every version a history names
def skip_name(skip: Skip) -> str:
    return f"{getattr(skip, '__module__', '')}.{getattr(skip, '__qualname__', repr(skip))}"


class BlobCache:
    """blob id → parsed data, and per skip rule the blob ids whose content did not matter."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.data: dict[str, Data | None] = {}
        self.skipped: dict[str, set[str]] = {}
        self.changed = False

    @classmethod
    def open(cls, root: Path) -> BlobCache:
        """The cache of the repository at ``root`` (an empty one when disabled or unreadable)."""
        if not record_cache.enabled():
            return cls(None)
        found = cls(root / record_cache.CACHE_DIR / FILE)
        assert found.file is not None
        stored = record_cache.read_stored(found.file)
        if isinstance(stored, dict) and stored.get("salt") == _salt():
            data, skipped = stored.get("data"), stored.get("skipped")
            if isinstance(data, dict) and isinstance(skipped, dict):
                found.data = data
                found.skipped = {str(k): set(v) for k, v in skipped.items()}
        return found

    def known(self, blob: str, skip: Skip) -> bool:
        return blob in self.data or blob in self.skipped.get(skip_name(skip), ())

    def known_sets(self, skip: Skip) -> tuple[dict[str, Data | None], set[str]]:
        """What ``known`` looks in: the parsed versions, and those ``skip`` passed over."""
        return self.data, self.skipped.get(skip_name(skip), set())

    def get(self, blob: str) -> Data | None:
        """What a known blob reads as ({} when its content did not matter)."""
        return self.data.get(blob, {})

    def add(self, parsed: dict[str, Data | None], skipped: set[str], skip: Skip) -> None:
        if parsed:
            self.data.update(parsed)
            self.changed = True
        if skipped:
            self.skipped.setdefault(skip_name(skip), set()).update(skipped)
            self.changed = True

    def save(self) -> None:
        if self.file is None or not self.changed:
            return
        stored = {
            "salt": _salt(),
            "data": self.data,
            "skipped": {k: sorted(v) for k, v in self.skipped.items()},
        }
        record_cache.write_stored(self.file, stored)
        self.changed = False

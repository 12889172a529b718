"""The whole audit trail, taken as it is from the published site when nothing it shows changed.

``audit/`` is a function of the history up to the commit checked out (a commit
names its whole past), where the audit starts (the policy's epoch), which
records are published today and the staff's names, the schemas and masking
policy that cut the public fields, and the code that writes it.  Its *key*
digests all of these; the working tree does not enter it (a record's versions
are read from git, or from a working file only when git says it is that
version).  So a build after an edit that is not committed yet, or one that
changed no published record's visibility, has the same trail as the last one.

The memo in ``.anjian-cache/`` (one per published folder) keeps that key, what
the home page shows of the trail (head hash, entries) and a digest of the
stamps of every file under the published ``audit/`` (path, inode, size and
modification time).  When the key is the same and the published folder still
has exactly those files, unaltered, the build moves that folder into the new
site instead of reading the history and writing half a million files again.
Anything else (another key, a file added, removed or rewritten, an unreadable
memo) writes the trail afresh: the memo can only save time, never change the
output.  A new memo is written beside the build and put in place only once the
new site is published (``commit``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import cache as record_cache
from generator.audit.chain import canonical, sha256_hex
from generator.audit.pagecache import code_salt

FORMAT = 1
PENDING = "audit-memo"  # the new memo, beside the audit folder being written


def trail_key(
    *,
    head: str,
    epoch: str | None,
    public_salt: str,
    people: Iterable[tuple[str, str]],
    visible: Iterable[str],
) -> str:
    """Digest of everything ``audit/`` is made from (see the module's docstring)."""
    shown = hashlib.sha256("\n".join(sorted(visible)).encode("utf-8")).hexdigest()
    return sha256_hex(
        canonical(
            {
                "format": FORMAT,
                "code": code_salt(),
                "head": head,
                "epoch": epoch,
                "public": public_salt,
                "people": sorted(people),
                "visible": shown,
            }
        )
    )


def tree_stamps(folder: Path) -> str | None:
    """Digest of every entry under ``folder``: its path, type, inode, size and modification
    time (a file written, replaced, added or removed changes it; a folder renamed does
    not).  None when the folder cannot be read."""
    stamps: list[str] = []
    pending = [("", str(folder))]
    try:
        while pending:
            prefix, current = pending.pop()
            with os.scandir(current) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    st = entry.stat(follow_symlinks=False)
                    if entry.is_dir(follow_symlinks=False):
                        stamps.append(f"{rel}/\0{st.st_ino}")
                        pending.append((rel + "/", entry.path))
                    else:
                        stamps.append(
                            f"{rel}\0{st.st_mode}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"
                        )
    except OSError:
        return None
    stamps.sort()
    return hashlib.sha256("\n".join(stamps).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass
class TrailMemo:
    """The memo for the trail published at ``previous`` (None: none kept or used)."""

    file: Path | None
    previous: Path | None

    @classmethod
    def open(cls, root: Path, previous: Path | None) -> TrailMemo:
        if previous is None or not record_cache.enabled():
            return cls(None, None)
        name = record_cache.folder_key(root, previous)
        return cls(root / record_cache.CACHE_DIR / f"audit-memo-{name}", previous)

    def reusable(self, key: str) -> dict[str, Any] | None:
        """What the home page shows of the published trail, when it was made from ``key``
        and is exactly as it was published; else None (write it afresh)."""
        if self.file is None or self.previous is None:
            return None
        stored = record_cache.read_stored(self.file)
        if not isinstance(stored, dict) or stored.get("format") != FORMAT:
            return None
        if stored.get("key") != key or not isinstance(stored.get("shown"), dict):
            return None
        if tree_stamps(self.previous) != stored.get("stamps"):
            return None
        return dict(stored["shown"])

    def write_pending(self, folder: Path, key: str, shown: dict[str, Any]) -> None:
        """The memo of ``folder`` (the trail just written), beside it until ``commit``."""
        if self.file is None:
            return
        stamps = tree_stamps(folder)
        if stamps is not None:
            memo = {"format": FORMAT, "key": key, "shown": shown, "stamps": stamps}
            record_cache.write_stored(folder.parent / PENDING, memo)

    def commit(self, work: Path) -> None:
        """Put the memo written in the build folder ``work`` in place (the site that holds
        its trail is now published); a build that wrote none leaves the old one."""
        if self.file is None:
            return
        pending = work / PENDING
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            os.replace(pending, self.file)
        except OSError:
            pass

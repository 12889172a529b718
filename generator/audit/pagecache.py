"""What the last build's audit pages were made from, so the next build remakes only
what changed.

A record's history page is a function of its *inputs*: its landed changes (the
blob ids of both versions name their content), who made and approved them as
the people stood then, the schemas and masking policy that cut the public
fields, and this package's page code (``salt``).  The manifest in
``.anjian-cache/`` (one per published folder) keeps, for each page, the digest
of those inputs, the digest of the HTML it gave, a stamp of the published file,
and what the page contributed to ``log.jsonl`` (the public fields each change
touched).  A page whose inputs are unchanged is hard-linked from the published
site — after checking that the file is the one recorded (its stamp, else its
digest) — and is neither read from git, parsed nor rendered again.  Anything
missing, altered or unreadable is simply made again: the cache can only save
time, never change the output.  ``ANJIAN_NO_CACHE`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

from generator import cache as record_cache

FORMAT = 2
# the code that turns a record's history into its page and its log details
CODE = (
    "pagecache.py",
    "pages.py",
    "publish.py",
    "diff.py",
    "record_history.py",
    "visibility.py",
    "chain.py",
    "people.py",
    "timeline.py",
)
PACKAGE = Path(__file__).resolve().parents[1]
# and what reads who approved a change, and names the tiers
OTHER_CODE = tuple(
    PACKAGE / rel
    for rel in ("render/public.py", "review/approvals.py", "review/gitio.py", "review/tiers.py")
)

# rel → (inputs key, HTML digest or "" when the record had no page, stamp, details)
# details: ((item digest, JSON of its log.jsonl detail), …)
Entry = tuple[str, str, str, tuple[tuple[str, str], ...]]


def code_salt() -> str:
    digest = hashlib.sha256(f"anjian-audit-pages-{FORMAT}".encode())
    here = Path(__file__).resolve().parent
    for file in [*(here / name for name in CODE), *OTHER_CODE]:
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def stamp(path: Path | str) -> str:
    """Inode, size and modification time: a write to the file, or another file put in its
    place, changes them; linking it (or unlinking another name of it) does not."""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


class PageCache:
    """The pages of the previously published folder (read) and of this build (recorded)."""

    def __init__(self, file: Path | None, previous: Path | None) -> None:
        self.file = file
        self.previous = previous
        self.old: dict[str, Entry] = {}
        self.new: dict[str, Entry] = {}
        self.reused = 0

    @classmethod
    def open(cls, root: Path, previous: Path | None) -> PageCache:
        """The cache for pages published to ``previous`` (none: nothing to reuse or keep)."""
        if previous is None or not record_cache.enabled():
            return cls(None, None)
        name = record_cache.folder_key(root, previous)
        found = cls(root / record_cache.CACHE_DIR / f"audit-pages-{name}", previous)
        if not previous.is_dir():
            return found
        assert found.file is not None
        stored = record_cache.read_stored(found.file)
        if isinstance(stored, dict) and stored.get("format") == FORMAT:
            pages = stored.get("pages")
            if isinstance(pages, dict):
                found.old = pages
        return found

    def reuse(
        self, rel: str, key: str, target: str
    ) -> tuple[tuple[tuple[str, str], ...], bool] | None:
        """The details of the previous page ``rel`` and whether the record had a page
        (linked to ``target``), when it was made from ``key`` and is unaltered; None when
        it must be made again.  Asked once per published record, so with plain string
        paths."""
        # asked once per page: the old table shrinks as the new one grows
        entry = self.old.pop(rel, None)
        if self.previous is None or entry is None or entry[0] != key:
            return None
        _, digest, was, details = entry
        mark = ""
        if digest:
            source = f"{self.previous}/{rel}"
            mark = stamp(source)
            if mark != was and record_cache.file_digest(Path(source)) != digest:
                return None
            try:
                os.link(source, target)  # the same file: the same stamp
            except FileExistsError:
                return None
            except OSError:
                try:
                    shutil.copyfile(source, target)
                except OSError:
                    return None
                mark = stamp(target)
        self.new[rel] = (key, digest, mark, details)
        self.reused += 1
        return details, bool(digest)

    def made(self, rel: str, key: str, target: str | None, html: str | None, details: Any) -> None:
        if self.file is None:
            return
        digest = hashlib.sha256(html.encode()).hexdigest() if html is not None else ""
        mark = stamp(target) if target is not None and html is not None else ""
        self.new[rel] = (key, digest, mark, tuple(details))

    def save(self) -> None:
        if self.file is None:
            return
        record_cache.write_stored(self.file, {"format": FORMAT, "pages": self.new})

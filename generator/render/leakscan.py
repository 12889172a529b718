"""Scan a built site for personal data that must never be published.

Chinese resident ID numbers (18 characters, GB 11643 check character verified
with ``stdnum.cn.ric``), mobile numbers (1[3-9] and nine digits, not inside a
longer run of letters or digits) and e-mail addresses.  Everything the build
produced is in scope — pages, open data, feed, sitemap and the search index
(Pagefind's compressed fragments are unpacked first); the theme's and
Pagefind's own vendored code is not.  Known public identifiers (credit codes)
are skipped so that they cannot pass for ID numbers.

A rebuild scans only the bytes that changed (``scan_site`` with ``known``):
a file whose bytes are those of a file that passed the last scan, at the same
path and under the same rules (``rules_key``: this scanner's code, the allow
list and the schemas' public fields), is not read again; a large text file
that changed is compared with its previous version — which must still have the
digest that passed — and only the lines between their common beginning and
their common end are scanned (nothing the scan looks for spans a line).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from generator.cache import file_digest, tree_files
from generator.schemas import Registry

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")

TEXT_SUFFIXES = {".html", ".htm", ".json", ".csv", ".xml", ".txt", ".md", ".js", ".css", ".svg"}
PAGEFIND_DATA = {".pf_fragment", ".pf_meta", ".pf_filter", ".pf_index"}
# vendored code of the theme and of Pagefind: not ours, not data
VENDORED = ("assets/javascripts/", "assets/stylesheets/", "assets/images/")
PAGEFIND_CODE = {".js", ".css", ".wasm", ".pagefind"}
PAGEFIND_SIGNATURE = b"pagefind_dcd"


@dataclass(frozen=True)
class Leak:
    path: str  # relative to the site
    kind: str  # id-number / phone / email
    sample: str  # masked, safe to print

    def describe(self) -> str:
        return f"{self.path}: {self.kind} {self.sample}"


def _masked(text: str) -> str:
    return text[:3] + "*" * max(0, len(text) - 5) + text[-2:]


def is_id_number(value: str) -> bool:
    """Check character and birth date (GB 11643); the region is not checked, so a
    number from a region code newer than stdnum's table is still caught."""
    number = value.upper()
    try:
        if number[-1] != ric.calc_check_digit(number):
            return False
        ric.get_birth_date(number)
    except (ValueError, ValidationError):
        return False
    return True


# Every ID or mobile number lies in a run of at least 11 digits, and every e-mail
# address around an "@": the patterns run only there (a city site is gigabytes of text,
# and the e-mail pattern alone crawls through long runs of letters).
DIGIT_RUN = re.compile(r"\d{11,}")
EMAIL_REACH = 254  # the longest address (RFC 5321)


def _number_windows(text: str) -> Iterator[tuple[int, int]]:
    for run in DIGIT_RUN.finditer(text):
        yield max(0, run.start() - 1), run.end() + 2  # the look-around characters too


def scan_text(text: str, path: str, allow: frozenset[str] = frozenset()) -> Iterator[Leak]:
    ids: list[Leak] = []
    phones: list[Leak] = []
    for start, end in _number_windows(text):
        window = text[start:end]
        for match in ID_NUMBER.finditer(window):
            value = match.group()
            if value.upper() not in allow and is_id_number(value):
                ids.append(Leak(path, "id-number", _masked(value)))
        phones.extend(Leak(path, "phone", _masked(m.group())) for m in MOBILE.finditer(window))
    yield from ids
    yield from phones
    done = 0  # end of the last address found
    at = text.find("@")
    while at != -1:
        for match in EMAIL.finditer(text, max(done, at - EMAIL_REACH), at + EMAIL_REACH):
            if match.start() <= at < match.end():
                yield Leak(path, "email", _masked(match.group()))
                done = match.end()
                break
        at = text.find("@", max(at + 1, done))


JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape_json(text: str) -> str:
    """JSON's ``\\uXXXX`` escapes read as the characters they stand for: the open data
    escapes ``<>&`` (``\\u003e@gmail.com`` is no address), and a number written with
    escapes must not slip past the scan."""
    return JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "\\u" in text else text


def _read(file: Path, rel: str) -> str | None:
    suffix = file.suffix.lower()
    if rel.startswith(VENDORED):
        return None
    if rel.startswith("pagefind/"):
        if suffix not in PAGEFIND_DATA:
            return None if suffix in PAGEFIND_CODE or suffix not in TEXT_SUFFIXES else _plain(file)
        raw = file.read_bytes()
        with contextlib.suppress(OSError, EOFError):
            raw = gzip.decompress(raw)
        if raw.startswith(PAGEFIND_SIGNATURE):
            raw = raw[len(PAGEFIND_SIGNATURE) :]
        # Pagefind joins Chinese word segments with zero-width spaces
        return _unescape_json(raw.decode("utf-8", errors="replace")).replace("\u200b", "")
    if suffix == ".gz":
        return gzip.decompress(file.read_bytes()).decode("utf-8", errors="replace")
    if suffix == ".json":
        return _unescape_json(_plain(file))
    if suffix in TEXT_SUFFIXES:
        return _plain(file)
    return None


def _plain(file: Path) -> str:
    return file.read_bytes().decode("utf-8", errors="replace")


def scan_site(
    site: Path,
    allow: Iterable[str] = (),
    skip: Iterable[str] = (),
    *,
    known: dict[str, str] | None = None,
    previous: Path | None = None,
    passed: dict[str, str] | None = None,
    top: Callable[[str], bool] | None = None,
) -> list[Leak]:
    """Every leak in ``site`` (in those of its own entries ``top`` takes: all by default).

    ``skip``: files taken unchanged from a site that passed this scan under the same
    rules, not read again.  ``known``: site path → digest of the files that passed
    the last scan under the same rules, in the site ``previous``; a file with the
    known digest is not scanned again, a large text file that changed is scanned
    only where it differs from its previous version.  ``passed`` receives the digest
    of every file scanned or skipped (what passes this scan, when it finds nothing).
    """
    allowed = frozenset(a.upper() for a in allow)
    skipped = frozenset(skip)
    before = known or {}
    leaks: list[Leak] = []
    for rel in tree_files(site, top):
        if rel.startswith(VENDORED):
            continue
        if rel in skipped and rel in before:
            if passed is not None:
                passed[rel] = before[rel]
            continue
        if rel in skipped and known is None:  # the caller vouches for it
            continue
        file = site / rel
        digest = file_digest(file) if known is not None or passed is not None else None
        if passed is not None and digest is not None:
            passed[rel] = digest
        old = before.get(rel)
        if digest is not None and old == digest:
            continue
        texts: Iterable[str] | None = None
        if old is not None and previous is not None:
            texts = _changed_lines(previous / rel, old, file, rel)
        for text in _texts(file, rel) if texts is None else texts:
            leaks.extend(scan_text(text, rel, allowed))
    return leaks


@cache
def scanner_version() -> str:
    """Digest of this scanner's code (its patterns and rules)."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def public_fields(registry: Registry) -> list[Any]:
    """Every field of every kind with its disclosure and personal-data marks."""
    return [
        [kind, [[list(p), spec.public, spec.pii] for p, spec in schema.fields.items()]]
        for kind, schema in sorted(registry.kinds.items())
    ]


def rules_key(allow: Iterable[str], public_fields: Any) -> str:
    """What a scan's verdict depends on besides the bytes: the scanner, the allow list and
    the schemas' public fields (JSON-able)."""
    text = json.dumps(
        [scanner_version(), sorted(a.upper() for a in allow), public_fields],
        ensure_ascii=False,
        sort_keys=True,
        default=repr,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


DIFFED = {".html", ".htm", ".json", ".csv", ".xml", ".txt", ".md"}
DIFF_MIN = 256 << 10  # smaller files are simply scanned again
BLOCK = 1 << 20
LINE_REACH = 1 << 16  # a changed line longer than this: the whole file is scanned


def _common_prefix(a: bytes, b: bytes) -> int:
    """Length of the common beginning of ``a`` and ``b`` (binary search on slices)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _prefix_length(old: Path, new: Path) -> int:
    done = 0
    with old.open("rb") as a, new.open("rb") as b:
        while True:
            x, y = a.read(BLOCK), b.read(BLOCK)
            if x == y:
                if not x:
                    return done
                done += len(x)
                continue
            return done + _common_prefix(x, y)


def _suffix_length(old: Path, new: Path, limit: int) -> int:
    """Length of the common end of the two files, at most ``limit``."""
    done = 0
    size_a, size_b = old.stat().st_size, new.stat().st_size
    with old.open("rb") as a, new.open("rb") as b:
        while done < limit:
            step = min(BLOCK, limit - done)
            a.seek(size_a - done - step)
            b.seek(size_b - done - step)
            x, y = a.read(step), b.read(step)
            if x == y:
                done += step
                continue
            return done + _common_prefix(x[::-1], y[::-1])
    return done


def _changed_lines(old: Path, old_digest: str, new: Path, rel: str) -> list[str] | None:
    """The text of the lines of ``new`` not found unchanged in ``old`` — the lines between
    their common beginning and their common end — or None when the whole file must be
    scanned (small, not line-oriented, or ``old`` is not the file that passed)."""
    suffix = new.suffix.lower()
    if suffix not in DIFFED or rel.startswith("pagefind/"):
        return None
    try:
        size = new.stat().st_size
        if size < DIFF_MIN or file_digest(old) != old_digest:
            return None
        prefix = _prefix_length(old, new)
        common = _suffix_length(old, new, min(old.stat().st_size, size) - prefix)
        end = size - common  # new[prefix:end] is what changed
        low, high = max(0, prefix - LINE_REACH), min(size, end + LINE_REACH)
        with new.open("rb") as handle:
            handle.seek(low)
            window = handle.read(high - low)
    except OSError:
        return None
    # from the start of the line holding the first changed byte to the end of the line
    # holding the last: every line outside is a whole line of ``old``, with its newlines
    start = window.rfind(b"\n", 0, prefix - low) + 1
    stop = window.find(b"\n", end - low)
    if (start == 0 and low > 0) or (stop == -1 and high < size):
        return None  # a line longer than the window
    if stop == -1:
        stop = len(window)
    if stop - start > CHUNK:
        return None
    text = window[start:stop].decode("utf-8", errors="replace")
    return [_unescape_json(text) if suffix == ".json" else text]


CHUNK = 8 << 20  # files larger than this are scanned in pieces of whole lines
STREAMED = {".html", ".htm", ".json", ".csv", ".xml", ".txt", ".md"}


def _texts(file: Path, rel: str) -> Iterator[str]:
    """The file's text, in pieces of whole lines when large (a city's open data is hundreds
    of megabytes); nothing the scan looks for spans a line, so the pieces find the same."""
    suffix = file.suffix.lower()
    if (
        suffix in STREAMED
        and not rel.startswith(("pagefind/", *VENDORED))
        and file.stat().st_size > CHUNK
    ):
        with file.open(encoding="utf-8", errors="replace", newline="") as handle:
            while lines := handle.readlines(CHUNK):
                text = "".join(lines)
                yield _unescape_json(text) if suffix == ".json" else text
        return
    whole = _read(file, rel)
    if whole is not None:
        yield whole

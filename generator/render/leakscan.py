"""Scan a built site for personal data that must never be published.

Chinese resident ID numbers (18 characters, GB 11643 check character verified
with ``stdnum.cn.ric``), mobile numbers (1[3-9] and nine digits, not inside a
longer run of letters or digits) and e-mail addresses.  Everything the build
produced is in scope — pages, open data, feed, sitemap and the search index
(Pagefind's compressed fragments are unpacked first); the theme's and
Pagefind's own vendored code is not.  Known public identifiers (credit codes)
are skipped so that they cannot pass for ID numbers.
"""

from __future__ import annotations

import contextlib
import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

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


def scan_site(site: Path, allow: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Leak]:
    """Every leak in ``site``; files in ``skip`` (taken unchanged from a site that passed
    this scan with the same ``allow``) are not read again."""
    allowed = frozenset(a.upper() for a in allow)
    skipped = frozenset(skip)
    leaks: list[Leak] = []
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(site).as_posix()
        if rel in skipped:
            continue
        for text in _texts(file, rel):
            leaks.extend(scan_text(text, rel, allowed))
    return leaks


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

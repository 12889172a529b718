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


def scan_text(text: str, path: str, allow: frozenset[str] = frozenset()) -> Iterator[Leak]:
    for match in ID_NUMBER.finditer(text):
        value = match.group()
        if value.upper() not in allow and is_id_number(value):
            yield Leak(path, "id-number", _masked(value))
    for match in MOBILE.finditer(text):
        yield Leak(path, "phone", _masked(match.group()))
    for match in EMAIL.finditer(text):
        yield Leak(path, "email", _masked(match.group()))


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
        return raw.decode("utf-8", errors="replace").replace("\u200b", "")
    if suffix == ".gz":
        return gzip.decompress(file.read_bytes()).decode("utf-8", errors="replace")
    if suffix in TEXT_SUFFIXES:
        return _plain(file)
    return None


def _plain(file: Path) -> str:
    return file.read_bytes().decode("utf-8", errors="replace")


def scan_site(site: Path, allow: Iterable[str] = ()) -> list[Leak]:
    allowed = frozenset(a.upper() for a in allow)
    leaks: list[Leak] = []
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(site).as_posix()
        text = _read(file, rel)
        if text is not None:
            leaks.extend(scan_text(text, rel, allowed))
    return leaks

"""Proposing ids that have never been used: not in the files, not anywhere in the history.

An id names one record forever (DESIGN §2), so a deleted or renamed record's id
is not free again.  The next number is one past the highest ever seen — gaps are
never filled, since a gap may be a record deleted on another branch.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from generator.authoring.kinds import KindInfo
from generator.records import RECORDS_DIR


class IdExhausted(Exception):
    """No free sequence number is left (e.g. a thousandth hazard on one day)."""


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def history_paths(root: Path, pathspec: str) -> list[str]:
    """Every path ever committed that matches a glob pathspec, on any branch.

    Outside a git repository (or without git) the history is empty.
    """
    try:
        result = subprocess.run(
            [
                "git",
                "log",
                "--all",
                "--no-renames",
                "--format=",
                "--name-only",
                "--",
                f":(glob){pathspec}",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return []
    if result.returncode != 0:
        return []
    return [line for line in result.stdout.splitlines() if line.strip()]


def used_ids(root: Path, kind: str, stem_glob: str = "*") -> set[str]:
    """Ids of a kind in the working tree and in the whole history."""
    folder = root / RECORDS_DIR / kind
    paths = [p.name for p in folder.rglob(f"{stem_glob}.yaml")] if folder.is_dir() else []
    paths += history_paths(root, f"{RECORDS_DIR}/{kind}/**/{stem_glob}.yaml")
    return {_stem(p) for p in paths}


def id_exists(root: Path, kind: str, record_id: str) -> bool:
    return record_id in used_ids(root, kind, record_id)


def _next_number(used: Iterable[str], pattern: re.Pattern[str]) -> int:
    numbers = [int(m.group(1)) for u in used if (m := pattern.fullmatch(u))]
    return max(numbers, default=0) + 1


def next_dated_id(root: Path, info: KindInfo, day: dt.date) -> str:
    """``HAZ-20250314-004`` when 001–003 exist (or ever existed) for that day."""
    stem = f"{info.prefix}-{day:%Y%m%d}"
    used = used_ids(root, info.kind, f"{stem}-*")
    number = _next_number(used, re.compile(re.escape(stem) + r"-(\d{3})"))
    if number > 999:
        raise IdExhausted(f"{day} 的 {info.prefix} 编号已用完（001–999）")
    return f"{stem}-{number:03d}"


def next_counter_id(root: Path, info: KindInfo) -> str:
    """``STAFF-0042`` after the highest staff number ever used."""
    used = used_ids(root, info.kind, f"{info.prefix}-*")
    number = _next_number(used, re.compile(re.escape(info.prefix) + rf"-(\d{{{info.digits}}})"))
    if number >= 10**info.digits:
        raise IdExhausted(f"{info.prefix} 编号已用完")
    return f"{info.prefix}-{number:0{info.digits}d}"

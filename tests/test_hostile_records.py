"""Each hostile mutation of a record is refused, naming the file, the line and the problem."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import problems_in
from tests.factory import ENTERPRISE, make_repo

HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"
INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"
ENTERPRISE_FILE = f"records/enterprise/{ENTERPRISE}.yaml"


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        text = (root / path).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(path: str, content: bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(content)

    return apply


def line_of(root: Path, path: str, needle: str) -> int:
    for number, line in enumerate((root / path).read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


HOSTILE: dict[str, tuple[Callable[[Path], None], str, str, str | None]] = {
    # name: (mutation, file, code, text on the expected line (None: no line))
    "duplicate key": (
        edit(HAZARD, "location: 一号仓库\n", "location: 一号仓库\nlocation: 二号仓库\n"),
        HAZARD,
        "duplicate-key",
        "location: 二号仓库",
    ),
    "unknown field": (
        edit(HAZARD, "location: 一号仓库\n", "location: 一号仓库\nlocaton: 二号\n"),
        HAZARD,
        "unknown-field",
        "locaton: 二号",
    ),
    "bad indentation": (
        edit(HAZARD, "location: 一号仓库\n", "location: 一号仓库\n   deadline2: x\n"),
        HAZARD,
        "yaml-syntax",
        "deadline2",
    ),
    "tab indentation": (
        edit(HAZARD, "- date: 2025-10-11", "-\tdate: 2025-10-11"),
        HAZARD,
        "tab-indent",
        "date: 2025-10-11",
    ),
    "invalid UTF-8": (
        write(HAZARD, "id: HAZ-20251010-001\nlocation: 一号\n".encode() + b"\xff\xfe\n"),
        HAZARD,
        "invalid-utf8",
        None,
    ),
    "empty file": (write(HAZARD, b""), HAZARD, "empty-file", None),
    "list instead of mapping": (
        write(HAZARD, b"- id: HAZ-20251010-001\n"),
        HAZARD,
        "not-a-mapping",
        None,
    ),
    "id not matching file name": (
        edit(HAZARD, "id: HAZ-20251010-001", "id: HAZ-20251010-002"),
        HAZARD,
        "id-mismatch",
        "id: HAZ-20251010-002",
    ),
    "missing required field": (
        edit(HAZARD, "location: 一号仓库\n", ""),
        HAZARD,
        "missing-field",
        None,
    ),
    "value outside an enum": (
        edit(HAZARD, "level: 三级", "level: 四级"),
        HAZARD,
        "bad-enum",
        "level: 四级",
    ),
    "dangling reference": (
        edit(HAZARD, "inspection: INS-20251010-001", "inspection: INS-20251010-009"),
        HAZARD,
        "dangling-ref",
        "inspection: INS-20251010-009",
    ),
    "impossible date": (
        edit(HAZARD, "deadline: 2025-10-17", "deadline: 2026-02-30"),
        HAZARD,
        "bad-date",
        "deadline: 2026-02-30",
    ),
    "same id in two files": (
        write("records/hazard/2026/HAZ-20251010-001.yaml", b"id: HAZ-20251010-001\n"),
        HAZARD,
        "duplicate-id",
        "id: HAZ",
    ),
    "alias bomb": (
        write(
            HAZARD,
            b'a: &a ["lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
            b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
        ),
        HAZARD,
        "alias-not-allowed",
        "a: &a",
    ),
    "8 MB scalar": (
        write(HAZARD, b"id: HAZ-20251010-001\ndescription: " + b"x" * (8 * 1024 * 1024) + b"\n"),
        HAZARD,
        "file-too-large",
        None,
    ),
    "unknown tag": (
        edit(HAZARD, "location: 一号仓库", "location: !!python/object:os.system 一号仓库"),
        HAZARD,
        "tag-not-allowed",
        "location:",
    ),
    "custom tag": (
        edit(HAZARD, "location: 一号仓库", "location: !secret 一号仓库"),
        HAZARD,
        "tag-not-allowed",
        "location:",
    ),
    "deep nesting": (
        write(HAZARD, b"id: " + b"[" * 50_000 + b"]" * 50_000 + b"\n"),
        HAZARD,
        "too-deep",
        None,
    ),
    "several documents": (
        write(HAZARD, b"id: HAZ-20251010-001\n---\nid: HAZ-20251010-002\n"),
        HAZARD,
        "multiple-documents",
        None,
    ),
    "yes read as a boolean": (
        edit(HAZARD, "location: 一号仓库", "location: yes"),
        HAZARD,
        "wrong-type",
        "location: yes",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_record_is_refused(tmp_path: Path, name: str) -> None:
    mutate, path, code, needle = HOSTILE[name]
    root = make_repo(tmp_path / "repo")
    mutate(root)
    started = time.perf_counter()
    problems = problems_in(root)
    assert time.perf_counter() - started < 10
    matching = [p for p in problems if p.path == path and p.code == code]
    assert matching, f"expected {code} in {path}, got {[(p.path, p.code) for p in problems]}"
    if needle is not None:
        assert matching[0].line == line_of(root, path, needle)
    assert all(p.message_zh for p in problems)

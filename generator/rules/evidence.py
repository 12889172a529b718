"""Evidence files exist under records/evidence/ and match their recorded sha256.

A record proves which file it means by its hash, so a swapped or edited photo is
detected.  Files kept in Git LFS are checked when their content is present.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.load import Pointer
from generator.problems import Problem, register
from generator.rules.context import Context

EVIDENCE_NOT_FOUND = register(
    "evidence-not-found",
    "证据文件不存在",
    "evidence file missing",
    "把证据文件放到 records/evidence/ 下记录中写的路径，并和记录在同一次提交中提交。",
)
EVIDENCE_HASH_MISMATCH = register(
    "evidence-hash-mismatch",
    "证据文件与哈希不符",
    "evidence file does not match its hash",
    "文件被替换或修改过：重新计算 sha256（sha256sum 文件名）并核实是否是原始证据。",
)
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


def _refs(data: Any, pointer: Pointer = ()) -> Iterator[tuple[Pointer, dict[str, Any]]]:
    if isinstance(data, dict):
        if isinstance(data.get("path"), str) and isinstance(data.get("sha256"), str):
            yield pointer, data
            return
        for key, value in data.items():
            yield from _refs(value, (*pointer, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _refs(item, (*pointer, i))


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check(ctx: Context) -> Iterator[Problem]:
    base = (ctx.root / "records" / "evidence").resolve()
    for record in ctx.targets:
        for pointer, ref in _refs(record.data):
            rel = ref["path"]
            file = (ctx.root / rel).resolve()
            if not file.is_relative_to(base) or not file.is_file():
                yield ctx.problem(
                    EVIDENCE_NOT_FOUND,
                    record,
                    (*pointer, "path"),
                    f"证据文件“{rel}”不存在（须在 records/evidence/ 下）",
                    f"evidence file {rel!r} not found under records/evidence/",
                )
                continue
            with file.open("rb") as handle:
                if handle.read(len(LFS_POINTER)) == LFS_POINTER:
                    continue  # content not fetched: nothing to compare
            if _sha256(file) != ref["sha256"]:
                yield ctx.problem(
                    EVIDENCE_HASH_MISMATCH,
                    record,
                    (*pointer, "sha256"),
                    f"证据文件“{rel}”的内容与记录的 sha256 不符",
                    f"evidence file {rel!r} does not match its sha256",
                )

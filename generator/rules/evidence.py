"""Evidence files exist under records/evidence/ and match their recorded sha256.

A record proves which file it means by its hash, so a swapped or edited photo is
detected.  Files kept in Git LFS are checked when their content is present.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from generator.load import Pointer
from generator.problems import Problem, register
from generator.rules.context import Context, EvidenceFiles, FileDigests

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


def _refs(data: Any) -> list[tuple[Pointer, dict[str, Any]]]:
    """Every mapping with a ``path`` and a ``sha256`` (not looked into), in document order."""
    found: list[tuple[Pointer, dict[str, Any]]] = []
    _walk(data, (), found)
    return found


def _walk(node: Any, pointer: Pointer, found: list[tuple[Pointer, dict[str, Any]]]) -> None:
    if isinstance(node, dict):
        if (
            "sha256" in node
            and isinstance(node["sha256"], str)
            and isinstance(node.get("path"), str)
        ):
            found.append((pointer, node))
            return
        for key, value in node.items():
            if value.__class__ is dict or value.__class__ is list:
                _walk(value, (*pointer, key), found)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if item.__class__ is dict or item.__class__ is list:
                _walk(item, (*pointer, i), found)


def check(ctx: Context) -> Iterator[Problem]:
    base = os.path.realpath(ctx.root / "records" / "evidence")
    digests = ctx.digests or FileDigests()
    resolver = ctx.files or EvidenceFiles()
    root = str(ctx.root)
    for record in ctx.targets:
        for pointer, ref in _refs(record.data):
            rel = ref["path"]
            real, st = resolver.file(os.path.join(root, rel))
            inside = real.startswith(base + os.sep) or real == base
            if not inside or st is None:
                yield ctx.problem(
                    EVIDENCE_NOT_FOUND,
                    record,
                    (*pointer, "path"),
                    f"证据文件“{rel}”不存在（须在 records/evidence/ 下）",
                    f"evidence file {rel!r} not found under records/evidence/",
                )
                continue
            sha = digests.sha256(real, st)
            if sha is None:
                continue  # a Git LFS pointer, content not fetched: nothing to compare
            if sha != ref["sha256"]:
                yield ctx.problem(
                    EVIDENCE_HASH_MISMATCH,
                    record,
                    (*pointer, "sha256"),
                    f"证据文件“{rel}”的内容与记录的 sha256 不符",
                    f"evidence file {rel!r} does not match its sha256",
                )

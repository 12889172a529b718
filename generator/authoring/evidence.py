"""Copying evidence files into ``records/evidence/<record-id>/`` and hashing them.

A record refers to evidence by path and sha256 (DESIGN §2); the copy keeps the
original file name where the schema's path pattern allows it (no spaces, no
leading dot) and never overwrites a different file of the same name.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

EVIDENCE_DIR = "records/evidence"
_UNSAFE = re.compile(r"[\s\\/]+")


def sha256_of(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def safe_name(name: str) -> str:
    """A file name the evidence path pattern accepts: 整改 前.jpg → 整改_前.jpg."""
    cleaned = _UNSAFE.sub("_", name).lstrip(".") or "file"
    return cleaned


@dataclass
class Copied:
    """Evidence refs for a record, and the files created (to undo on failure)."""

    refs: list[dict[str, str]] = field(default_factory=list)
    created: list[Path] = field(default_factory=list)

    def undo(self) -> None:
        for path in self.created:
            path.unlink(missing_ok=True)
        for path in {p.parent for p in self.created}:
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def copy_evidence(root: Path, record_id: str, files: list[Path]) -> Copied:
    """Copy files under records/evidence/<record_id>/; identical files are reused."""
    folder = root / EVIDENCE_DIR / record_id
    copied = Copied()
    for source in files:
        if not source.is_file():
            copied.undo()
            raise FileNotFoundError(f"证据文件不存在：{source}")
        digest = sha256_of(source)
        name = safe_name(source.name)
        stem, suffix = Path(name).stem, Path(name).suffix
        target = folder / name
        number = 1
        while target.exists() and sha256_of(target) != digest:
            number += 1
            target = folder / f"{stem}-{number}{suffix}"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            if source.resolve() != target.resolve():
                shutil.copyfile(source, target)
            copied.created.append(target)
        copied.refs.append({"path": target.relative_to(root).as_posix(), "sha256": digest})
    return copied

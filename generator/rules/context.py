"""What every rule sees: the loaded records, the policy and the as-of date."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.load import Pointer, pointer_text
from generator.policy import Policy
from generator.problems import Code, Problem, make
from generator.records import Record, RecordIndex
from generator.schemas import Registry

LFS_POINTER = b"version https://git-lfs.github.com/spec/v1"


class FileDigests:
    """SHA-256 of files (evidence), ``None`` for a Git LFS pointer whose content is not here.

    The validation pipeline passes one that remembers digests between runs.
    """

    def sha256(self, path: str, st: os.stat_result) -> str | None:
        # os.open and os.read: evidence files are many and small (one read each)
        fd = os.open(path, os.O_RDONLY)
        try:
            want = min(max(st.st_size + 1, len(LFS_POINTER)), 1 << 20)
            data = os.read(fd, want)
            if data.startswith(LFS_POINTER):
                return None
            digest = hashlib.sha256(data)
            if len(data) == want:  # a short read is the end; this file grew since its stat
                while block := os.read(fd, 1 << 20):
                    digest.update(block)
        finally:
            os.close(fd)
        return digest.hexdigest()


class EvidenceFiles:
    """Where evidence files really are: ``os.path.realpath`` of many files, each folder
    resolved once, from its parent's.  The validation pipeline passes one that
    writes down what it answered (see ``generator.rulecache``)."""

    def __init__(self) -> None:
        self.folders: dict[str, str] = {}

    def folder(self, path: str) -> str:
        real = self.folders.get(path)
        if real is None:
            parent, name = os.path.split(path)
            if name in ("", ".", "..") or parent == path:
                real = os.path.realpath(path)
            else:
                real = os.path.join(self.folder(parent), name)
                if os.path.islink(real):
                    real = os.path.realpath(real)
            self.folders[path] = real
        return real

    def file(self, path: str) -> tuple[str, os.stat_result | None]:
        """The real path of a file and its stat (None: not a regular file)."""
        folder, name = os.path.split(path)
        if name in ("", ".", ".."):
            real = os.path.realpath(path)
        else:
            real = os.path.join(self.folder(folder), name)
        try:
            st = os.lstat(real)
            if stat.S_ISLNK(st.st_mode):
                real = os.path.realpath(real)
                st = os.stat(real)
        except OSError:
            return real, None
        return real, st if stat.S_ISREG(st.st_mode) else None


@dataclass
class Context:
    root: Path
    registry: Registry
    policy: Policy
    as_of: dt.date
    index: RecordIndex  # every record of the repository, by id (for references)
    targets: list[Record]  # the records whose problems are reported
    digests: FileDigests | None = None  # how evidence files are hashed (None: read them)
    files: EvidenceFiles | None = None  # where evidence files are (None: a new resolver)

    def get(self, record_id: Any) -> Record | None:
        return self.index.get(record_id) if isinstance(record_id, str) else None

    def kind_of(self, record_id: Any) -> str | None:
        return self.index.kind(record_id) if isinstance(record_id, str) else None

    def targets_of(self, kind: str) -> list[Record]:
        return [r for r in self.targets if r.kind == kind]

    def problem(
        self,
        code: Code,
        record: Record,
        pointer: Pointer,
        zh: str,
        en: str,
        *,
        key: bool = False,
        hint_zh: str = "",
        hint_en: str = "",
        severity: str | None = None,
    ) -> Problem:
        where = record.locate(pointer, key=key)
        return make(
            code,
            record.path,
            zh,
            en,
            line=where[0] if where else None,
            column=where[1] if where else None,
            record_id=record.id,
            pointer=pointer_text(pointer),
            hint_zh=hint_zh,
            hint_en=hint_en,
            severity="warning" if severity == "warning" else None,
        )

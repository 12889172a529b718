"""Finding the record a reference means: by its id, or by part of its name.

Staff type 宏达 and get 青川县宏达化工有限公司 and its credit code.  The file
listing gives ids; names are read only from files whose raw text contains the
query, so a search over twenty thousand enterprises reads a handful of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.records import Record, list_record_paths, load_record

# the field that names a record of each kind, in the order tried
LABEL_FIELDS = ("name", "summary", "subject", "description", "document_no")


@dataclass(frozen=True)
class Match:
    id: str
    kind: str
    label: str  # a human name: 青川县宏达化工有限公司
    path: str

    def show(self) -> str:
        return f"{self.id}  {self.label}" if self.label else self.id


def label_of(data: dict[str, Any]) -> str:
    for name in LABEL_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value:
            return value if len(value) <= 40 else value[:39] + "…"
    return ""


class RefFinder:
    """Records of the repository by kind, searched by id or name."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._paths: dict[str, list[str]] | None = None
        self._records: dict[str, Record | None] = {}

    def paths(self, kind: str) -> list[str]:
        if self._paths is None:
            self._paths = {}
            for path in list_record_paths(self.root):
                self._paths.setdefault(path.split("/")[1], []).append(path)
        return self._paths.get(kind, [])

    def _stem(self, path: str) -> str:
        return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]

    def load(self, path: str) -> Record | None:
        if path not in self._records:
            loaded = load_record(self.root, self.root / path)
            self._records[path] = loaded if isinstance(loaded, Record) else None
        return self._records[path]

    def get(self, kind: str, record_id: str) -> Record | None:
        for path in self.paths(kind):
            if self._stem(path) == record_id:
                return self.load(path)
        return None

    def _match(self, kind: str, path: str) -> Match:
        record = self.load(path)
        label = label_of(record.data) if record else ""
        return Match(self._stem(path), kind, label, path)

    def find(self, kind: str, query: str, limit: int = 20) -> list[Match]:
        """Exact id first; else ids starting with the query; else names containing it."""
        query = query.strip()
        if not query:
            return []
        paths = self.paths(kind)
        exact = [p for p in paths if self._stem(p) == query]
        if exact:
            return [self._match(kind, exact[0])]
        upper = query.upper()
        by_id = [p for p in paths if self._stem(p).startswith(upper)]
        if by_id:
            return [self._match(kind, p) for p in by_id[:limit]]
        needle = query.encode("utf-8")
        found: list[Match] = []
        for path in paths:
            try:
                raw = (self.root / path).read_bytes()
            except OSError:
                continue
            if needle not in raw:
                continue
            match = self._match(kind, path)
            if query in match.label:
                found.append(match)
                if len(found) >= limit:
                    break
        return found

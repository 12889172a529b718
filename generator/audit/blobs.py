"""Record versions by blob id: read once, parsed once, shared by every change naming them.

A blob id names content, so what a blob parses to never changes: the old side
of a change is the new side of an earlier one and is parsed only once.  Many
blobs are parsed in worker processes on both cores.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from generator.load import Document, parse_document

Data = dict[str, Any]
# (path, content) → True when the version's content does not matter and it reads as {}
Skip = Callable[[str, bytes | None], bool]
# below this many blobs, worker processes cost more than they save
PARALLEL_THRESHOLD = 800


def parse_blob(path: str, raw: bytes | None) -> Data | None:
    """A record's data, or None when the content is missing or not a valid YAML record
    (parsed without positions, which nothing here asks for: four times faster)."""
    if raw is None:
        return None
    parsed = parse_document(raw, path, positions=False)
    return parsed.data if isinstance(parsed, Document) else None


Item = tuple[str, str, bytes | None]  # (blob id, path, content)


def _parse_chunk(chunk: list[Item]) -> list[tuple[str, Data | None]]:
    return [(sha, parse_blob(path, raw)) for sha, path, raw in chunk]


def never(path: str, raw: bytes | None) -> bool:
    return False


def parse_blobs(
    items: Iterable[Item],
    *,
    skip: Skip = never,
    jobs: int | None = None,
    skipped: set[str] | None = None,
) -> dict[str, Data | None]:
    """sha → data for every blob (``{}`` where ``skip`` says the content does not matter,
    and those shas added to ``skipped``), parsed in worker processes when there are many."""
    found: dict[str, Data | None] = {}
    todo: list[Item] = []
    for item in items:
        if skip(item[1], item[2]):
            found[item[0]] = {}
            if skipped is not None:
                skipped.add(item[0])
        else:
            todo.append(item)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        found.update(_parse_chunk(todo))
        return found
    from concurrent.futures import ProcessPoolExecutor  # only when it pays

    size = max(200, len(todo) // (workers * 4))
    chunks = [todo[start : start + size] for start in range(0, len(todo), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_parse_chunk, chunks):
            found.update(part)
    return found


class Blobs:
    """Parsed record versions by blob id."""

    def __init__(self, parsed: dict[str, Data | None] | None = None) -> None:
        self._data: dict[str, Data | None] = dict(parsed or {})

    def get(self, sha: str | None) -> Data | None:
        return None if sha is None else self._data.get(sha)

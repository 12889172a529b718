"""Records and policy as they stood at one commit, read from Git (not the work tree).

Review decisions rest on the *base* branch: the staff who may approve, the tiers
policy asks for and the sampling candidates all come from a commit the pull
request cannot change — a branch that adds its author as a reviewer, or drops a
tier from policy.yaml, is judged by the rules it is trying to change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.load import Document, parse_document
from generator.policy import POLICY_FILE, Policy
from generator.review import gitio
from generator.review.roster import Roster

Rows = list[tuple[str, dict[str, Any]]]


def parse(path: str, raw: bytes | None) -> dict[str, Any] | None:
    """A record's data, or None when the file is missing or unreadable."""
    if raw is None:
        return None
    parsed = parse_document(raw, path)
    return parsed.data if isinstance(parsed, Document) else None


def stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


@dataclass(frozen=True)
class Snapshot:
    root: Path
    commit: str

    def read(self, paths: Iterable[str]) -> dict[str, dict[str, Any] | None]:
        found = gitio.read_files(self.root, self.commit, paths)
        return {path: parse(path, raw) for path, raw in found.items()}

    def records(self, kind: str, keep: Callable[[str], bool] | None = None) -> Rows:
        """(path, data) of the records of one kind whose id (file name) ``keep`` accepts."""
        paths = [
            p
            for p in gitio.list_tree(self.root, self.commit, f"records/{kind}/")
            if p.endswith(".yaml") and (keep is None or keep(stem(p)))
        ]
        return [(path, data) for path, data in self.read(paths).items() if data is not None]

    def policy(self) -> Policy:
        data = self.read([POLICY_FILE]).get(POLICY_FILE)
        return Policy(data or {})

    def roster(self) -> Roster:
        return Roster.of(data for _, data in self.records("staff"))

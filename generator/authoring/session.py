"""Opening a repository for authoring, and writing a composed record that validates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.authoring.asker import Asker
from generator.authoring.composer import Draft, Incomplete, Session, write_draft
from generator.authoring.evidence import Copied, copy_evidence
from generator.authoring.writer import render_record
from generator.policy import load_policy
from generator.problems import Problem
from generator.schemas import load_registry
from generator.validate import validate_repository


def open_session(root: Path, asker: Asker, today: dt.date | None = None) -> Session:
    registry = load_registry(root)
    policy, _ = load_policy(root, registry.policy_schema)
    return Session(root, registry, policy, asker, today or policy.today())


def validate_file(root: Path, rel: str, as_of: dt.date) -> list[Problem]:
    """Problems of one file, checked against the whole repository."""
    loaded = validate_repository(root, as_of=as_of, paths=[root / rel], jobs=1)
    return loaded.report.sorted()


@dataclass
class Written:
    path: Path
    problems: list[Problem]
    evidence: Copied | None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def attach_evidence(session: Session, draft: Draft, files: list[Path]) -> Copied | None:
    """Copy evidence for a new record and reference it in its ``evidence`` field."""
    if not files:
        return None
    if draft.tree.child("evidence") is None:
        raise Incomplete([f"{draft.tree.title}记录没有“证据”字段；证据请附在整改事件中"])
    copied = copy_evidence(session.root, draft.id, files)
    draft.data["evidence"] = list(draft.data.get("evidence") or []) + copied.refs
    return copied


def render_draft(draft: Draft) -> str:
    return render_record(draft.tree, draft.data, draft.path, draft.notes)


def write_record(session: Session, draft: Draft, copied: Copied | None = None) -> Written:
    """Write the draft and validate it; the file stays so staff can fix what is reported."""
    target = write_draft(session.root, render_draft(draft), draft)
    return Written(target, validate_file(session.root, draft.path, session.today), copied)

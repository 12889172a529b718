"""The lifecycle steps staff take on a hazard: rectify, re-check, close.

Each step locates the hazard, copies its evidence, builds the event(s), checks
them against the state machine, appends them to the file and validates the
result.  A step that leaves the record invalid is undone (file and evidence),
so a refused step never leaves half-written files behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.authoring.events import (
    Hazard,
    StepRefused,
    check_steps,
    make_event,
    read_hazard,
    with_events,
)
from generator.authoring.evidence import copy_evidence
from generator.authoring.search import RefFinder
from generator.derive import lifecycle as lc
from generator.problems import Problem
from generator.validate import validate_repository

Build = Callable[[Hazard, list[dict[str, str]]], list[dict[str, Any]]]


@dataclass
class StepResult:
    path: str
    events: list[dict[str, Any]]
    state: str
    written: bool
    problems: list[Problem] = field(default_factory=list)


def hazard_path(root: Path, hazard_id: str) -> str:
    finder = RefFinder(root)
    for path in finder.paths("hazard"):
        if path.rsplit("/", 1)[-1] == f"{hazard_id}.yaml":
            return path
    raise StepRefused(f"没有找到隐患 {hazard_id}（records/hazard/ 下没有 {hazard_id}.yaml）")


def _errors(root: Path, rel: str, as_of: dt.date) -> list[Problem]:
    loaded = validate_repository(root, as_of=as_of, paths=[root / rel], jobs=1)
    return [p for p in loaded.report.sorted() if p.severity == "error"]


def record_step(
    root: Path,
    hazard_id: str,
    build: Build,
    *,
    evidence: Sequence[Path] = (),
    today: dt.date,
) -> StepResult:
    """Append the events ``build`` makes; undo everything if the record would not validate."""
    rel = hazard_path(root, hazard_id)
    file = root / rel
    original = file.read_bytes()
    hazard = read_hazard(original.decode("utf-8"), rel)
    copied = copy_evidence(root, hazard_id, list(evidence)) if evidence else None
    try:
        events = build(hazard, copied.refs if copied else [])
        check_steps(hazard, events, today)
        text = with_events(hazard, events)
        file.write_bytes(text.encode("utf-8"))
        problems = _errors(root, rel, today)
        if problems:
            file.write_bytes(original)
            before = _errors(root, rel, today)
            if copied:
                copied.undo()
            new = [
                p
                for p in problems
                if (p.code, p.pointer) not in {(b.code, b.pointer) for b in before}
            ]
            return StepResult(rel, events, hazard.state, False, new or problems)
    except BaseException:
        file.write_bytes(original)
        if copied:
            copied.undo()
        raise
    state = lc.state_of({"events": hazard.events + events})
    return StepResult(rel, events, state, True)


def rectify_events(
    day: dt.date,
    *,
    by: str | None = None,
    note: str | None = None,
    progress: bool = False,
    assessed_by: str | None = None,
    document_no: str | None = None,
) -> Build:
    """开始整改; with evidence 整改完成; or a 进展报告 / 评估."""

    def build(hazard: Hazard, refs: list[dict[str, str]]) -> list[dict[str, Any]]:
        common = {"by": by, "note": note, "document_no": document_no}
        if progress:
            return [make_event(lc.PROGRESS, day, **common)]
        if assessed_by:
            return [make_event(lc.ASSESSED, day, body=assessed_by, **common)]
        if refs:
            return [make_event(lc.RECTIFIED, day, evidence=refs, **common)]
        if hazard.state == lc.RECTIFYING:
            raise StepRefused(
                f"隐患 {hazard.id} 已在整改中。整改完成请附两照一表："
                "--evidence 整改前照片 --evidence 整改后照片 --evidence 责任表"
            )
        return [make_event(lc.START, day, **common)]

    return build


def recheck_events(
    day: dt.date,
    *,
    passed: bool,
    by: str | None,
    reason: str | None = None,
    note: str | None = None,
    document_no: str | None = None,
) -> Build:
    """复查通过 or 复查不通过 (with its reason)."""

    def build(hazard: Hazard, refs: list[dict[str, str]]) -> list[dict[str, Any]]:
        kind = lc.RECHECK_PASSED if passed else lc.RECHECK_FAILED
        return [
            make_event(
                kind,
                day,
                by=by,
                reason=reason,
                note=note,
                evidence=refs,
                document_no=document_no,
            )
        ]

    return build


def close_events(
    day: dt.date,
    *,
    by: str,
    body: str | None = None,
    note: str | None = None,
    document_no: str | None = None,
) -> Build:
    """销号; a major hazard not yet accepted gets its 验收 (by ``body``) first."""

    def build(hazard: Hazard, refs: list[dict[str, str]]) -> list[dict[str, Any]]:
        events = []
        if body and not hazard.accepted():
            events.append(make_event(lc.ACCEPTED, day, body=body, by=by, evidence=refs))
        elif lc.is_major(hazard.data) and not hazard.accepted():
            raise StepRefused(
                f"隐患 {hazard.id} 是重大隐患，销号前须经验收：请用 --body 写明验收机构"
                "（例如“县安全生产专家组”）"
            )
        events.append(make_event(lc.CLOSE, day, by=by, note=note, document_no=document_no))
        return events

    return build

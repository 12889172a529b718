"""Validation: load → schema → rules, over the whole repository or some files.

Problems in the named files are reported; references are resolved against
every record of the repository, so a pull request can be checked file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.policy import POLICY_FILE, Policy, load_policy
from generator.problems import Report
from generator.records import Record, RecordIndex, list_record_paths, load_files
from generator.rules import RULES
from generator.rules.context import Context
from generator.rules.history import check_history
from generator.schema_check import SchemaChecker
from generator.schemas import Registry, load_registry


@dataclass
class Loaded:
    """Everything a later stage needs: records that passed, the policy, the registry."""

    root: Path
    registry: Registry
    policy: Policy
    records: list[Record]  # every record loaded (all of them, unless files were named)
    valid: list[Record]  # records with no error of their own
    report: Report


class OutsideRepository(Exception):
    """A path named on the command line is not inside the repository."""


def _select(root: Path, every: list[str], paths: Sequence[Path]) -> list[str]:
    chosen: set[str] = set()
    for path in paths:
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not full.is_relative_to(root):
            raise OutsideRepository(f"{path} 不在记录库 {root} 中")
        rel = full.relative_to(root).as_posix()
        if full.is_dir():
            prefix = "" if full == root else rel + "/"
            chosen.update(f for f in every if f.startswith(prefix))
        elif full.is_file():
            chosen.add(rel)
    return sorted(chosen)


def validate_repository(
    root: Path,
    *,
    as_of: dt.date | None = None,
    paths: Sequence[Path] = (),
    jobs: int | None = None,
    only: Sequence[str] | None = None,
) -> Loaded:
    """Validate every record, or only the named files (against the whole repository).

    ``only`` names the files by their repository-relative paths (e.g. the files
    a change touched); it wins over ``paths``.
    """
    registry = load_registry(root)
    policy, policy_problems = load_policy(root, registry.policy_schema)
    report = Report()
    report.extend(policy_problems)
    every = list_record_paths(root)
    if only is not None:
        present = set(every)
        chosen = sorted(p for p in only if p in present)
    else:
        chosen = _select(root, every, paths) if paths else every
    records, load_problems = load_files(
        root, [root / p for p in chosen], max_bytes=policy.size_limit_bytes, jobs=jobs
    )
    report.files_checked = len(chosen)
    report.extend(load_problems)

    checker = SchemaChecker(registry)
    schema_ok: list[Record] = []
    for record in records:
        problems = checker.check(record)
        report.extend(problems)
        if not problems:
            schema_ok.append(record)

    index = RecordIndex(root, every, records, max_bytes=policy.size_limit_bytes)
    ctx = Context(
        root=root,
        registry=registry,
        policy=policy,
        as_of=as_of or policy.today(),
        index=index,
        targets=schema_ok,
    )
    bad_paths: set[str] = set()
    for rule in RULES:
        for problem in rule(ctx):
            report.problems.append(problem)
            if problem.severity == "error":
                bad_paths.add(problem.path)
    valid = [r for r in schema_ok if r.path not in bad_paths]
    return Loaded(root, registry, policy, records, valid, report)


# a change to these re-validates every record: the rules themselves changed
CONFIG_PATHS = ("schemas/", POLICY_FILE)


def validate_change(
    root: Path,
    base: str,
    *,
    as_of: dt.date | None = None,
    paths: Sequence[Path] = (),
    jobs: int | None = None,
) -> Loaded:
    """What CI runs on a pull request: the changed records, and the history rules against ``base``.

    The records the change adds or edits (or the named ``paths``) are validated
    against the whole repository; every record is when the schemas or the
    policy changed.  Raises ``generator.history.GitError`` when git cannot
    answer (no git repository, an unknown ref).
    """
    registry = load_registry(root)
    ctx, history_problems = check_history(root, base, registry)
    if paths:
        loaded = validate_repository(root, as_of=as_of, paths=paths, jobs=jobs)
    elif ctx.git.changes(ctx.base, *CONFIG_PATHS):
        loaded = validate_repository(root, as_of=as_of, jobs=jobs)
    else:
        changed = [c.new_path for c in ctx.record_changes() if c.new_path is not None]
        loaded = validate_repository(root, as_of=as_of, jobs=jobs, only=changed)
    loaded.report.extend(history_problems)
    bad = {p.path for p in history_problems if p.severity == "error"}
    loaded.valid = [r for r in loaded.valid if r.path not in bad]
    return loaded

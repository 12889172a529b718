"""Validation: load → schema → rules, over the whole repository or some files.

Problems in the named files are reported; references are resolved against
every record of the repository, so a pull request can be checked file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.load import iter_record_files
from generator.policy import Policy, load_policy
from generator.problems import Problem, Report
from generator.records import RECORDS_DIR, Record, load_files, load_repository
from generator.rules import RULES
from generator.rules.context import Context
from generator.schema_check import SchemaChecker
from generator.schemas import Registry, load_registry


@dataclass
class Loaded:
    """Everything a later stage needs: records that passed, the policy, the registry."""

    root: Path
    registry: Registry
    policy: Policy
    records: list[Record]
    valid: list[Record]  # records with no error of their own
    report: Report


class OutsideRepository(Exception):
    """A path named on the command line is not inside the repository."""


def _select(root: Path, paths: Sequence[Path]) -> set[str]:
    every = [f.relative_to(root).as_posix() for f in iter_record_files(root / RECORDS_DIR)]
    chosen: set[str] = set()
    for path in paths:
        full = (path if path.is_absolute() else Path.cwd() / path).resolve()
        if not full.is_relative_to(root):
            raise OutsideRepository(f"{path} 不在记录库 {root} 中")
        rel = full.relative_to(root).as_posix()
        if full.is_dir():
            prefix = "" if full == root else rel + "/"
            chosen.update(f for f in every if f.startswith(prefix))
        else:
            chosen.add(rel)
    return chosen


def validate_repository(
    root: Path,
    *,
    as_of: dt.date | None = None,
    paths: Sequence[Path] = (),
    jobs: int | None = None,
) -> Loaded:
    registry = load_registry(root)
    policy, policy_problems = load_policy(root, registry.policy_schema)
    report = Report()
    report.extend(policy_problems)
    records, load_problems = load_repository(root, max_bytes=policy.size_limit_bytes, jobs=jobs)
    report.files_checked = len(records) + len(load_problems)

    wanted = _select(root, paths) if paths else None
    if wanted is not None:
        missing = wanted - {r.path for r in records} - {p.path for p in load_problems}
        if missing:  # a named file outside records/ (or deleted): load it to report on it
            extra, extra_problems = load_files(
                root, [root / m for m in sorted(missing) if (root / m).is_file()]
            )
            records += extra
            load_problems += extra_problems
        load_problems = [p for p in load_problems if p.path in wanted]
    report.extend(load_problems)

    checker = SchemaChecker(registry)
    targets = [r for r in records if wanted is None or r.path in wanted]
    schema_ok: list[Record] = []
    for record in targets:
        problems = checker.check(record)
        report.extend(problems)
        if not problems:
            schema_ok.append(record)

    ctx = Context(
        root=root,
        registry=registry,
        policy=policy,
        as_of=as_of or policy.today(),
        records=records,
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


def problems_of(loaded: Loaded) -> list[Problem]:
    return loaded.report.sorted()

"""Validation: load → schema → rules, over the whole repository or some files.

Problems in the named files are reported; references are resolved against
every record of the repository, so a pull request can be checked file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator.history import Git
from generator.pipeline import check_files
from generator.policy import POLICY_FILE, Policy, load_policy
from generator.problems import Report
from generator.records import Record, list_record_paths
from generator.rules.history import check_history
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
    keep_records: bool = True,
    use_cache: bool | None = None,
    every: list[str] | None = None,
) -> Loaded:
    """Validate every record, or only the named files (against the whole repository).

    ``only`` names the files by their repository-relative paths (e.g. the files
    a change touched); it wins over ``paths``.  ``keep_records=False`` when
    only the report is wanted (``records`` and ``valid`` stay empty): nothing
    of the corpus is then held in memory.  Load and schema results are cached
    in ``.anjian-cache/`` unless ``use_cache`` is false (or ``ANJIAN_NO_CACHE``
    is set); rules always run.
    """
    registry = load_registry(root)
    policy, policy_problems = load_policy(root, registry.policy_schema)
    report = Report()
    report.extend(policy_problems)
    if every is None:  # the listing, unless the caller has it already
        every = list_record_paths(root)
    if only is not None:
        present = set(every)
        chosen = sorted(p for p in only if p in present)
    else:
        chosen = _select(root, every, paths) if paths else every
    checked = check_files(
        root,
        chosen,
        every,
        registry=registry,
        policy=policy,
        as_of=as_of or policy.today(),
        jobs=jobs,
        keep_records=keep_records,
        use_cache=use_cache,
    )
    report.files_checked = len(chosen)
    report.extend(checked.problems)
    return Loaded(root, registry, policy, checked.records, checked.valid, report)


# a change to these re-validates every record: the rules themselves changed
CONFIG_PATHS = ("schemas/", POLICY_FILE)


def validate_change(
    root: Path,
    base: str,
    *,
    as_of: dt.date | None = None,
    paths: Sequence[Path] = (),
    jobs: int | None = None,
    keep_records: bool = True,
) -> Loaded:
    """What CI runs on a pull request: the changed records, and the history rules against ``base``.

    The records the change adds or edits (or the named ``paths``) are validated
    against the whole repository; every record is when the schemas or the
    policy changed.  Raises ``generator.history.GitError`` when git cannot
    answer (no git repository, an unknown ref).
    """
    registry = load_registry(root)
    git = Git(root)
    git.prefetch()  # git looks at the working tree while the records are listed
    try:
        every = list_record_paths(root)
        ctx, history_problems = check_history(root, base, registry, git)
    finally:
        git.settle()
    run = partial(
        validate_repository, root, as_of=as_of, jobs=jobs, keep_records=keep_records, every=every
    )
    if paths:
        loaded = run(paths=paths)
    elif ctx.git.changes(ctx.base, *CONFIG_PATHS):
        loaded = run()
    else:
        changed = [c.new_path for c in ctx.record_changes() if c.new_path is not None]
        loaded = run(only=changed)
    loaded.report.extend(history_problems)
    bad = {p.path for p in history_problems if p.severity == "error"}
    loaded.valid = [r for r in loaded.valid if r.path not in bad]
    return loaded

"""Validation: load → schema → rules, over the whole repository or some files.

Problems in the named files are reported; references are resolved against
every record of the repository, so a pull request can be checked file by file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.history import Git
from generator.pipeline import check_files
from generator.policy import POLICY_FILE, Policy, load_policy
from generator.problems import Report
from generator.records import Folders, Record, list_record_paths, record_folders
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
    # each chunk's content digest and its records' paths (``generator.pipeline.Checked``)
    chunks: list[tuple[bytes, list[str]]] = field(default_factory=list)


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
    every: list[str] | Folders | None = None,
) -> Loaded:
    """Validate every record, or only the named files (against the whole repository).

    ``only`` names the files by their repository-relative paths (e.g. the files
    a change touched); it wins over ``paths``.  ``keep_records=False`` when
    only the report is wanted (``records`` and ``valid`` stay empty): nothing
    of the corpus is then held in memory.  Load and schema results are cached
    in ``.anjian-cache/`` unless ``use_cache`` is false (or ``ANJIAN_NO_CACHE``
    is set); rules always run.  ``every`` is the listing when the caller has
    it already, or only the record folders (``Folders``) when ``only`` names a
    few files: the records they refer to are then found by their file names.
    """
    registry = load_registry(root)
    policy, policy_problems = load_policy(root, registry.policy_schema)
    report = Report()
    report.extend(policy_problems)
    if every is None or (isinstance(every, Folders) and only is None):
        every = list_record_paths(root)  # the listing, unless the caller has it already
    if isinstance(every, Folders):
        chosen = sorted(p for p in set(only or ()) if every.listed(p))
    elif only is not None:
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
    return Loaded(root, registry, policy, checked.records, checked.valid, report, checked.chunks)


# a change to these re-validates every record: the rules themselves changed
CONFIG_PATHS = ("schemas/", POLICY_FILE)
# a change of at most this many records finds the records it refers to by their
# file names (a few stats in each record folder per id) instead of listing them all
PROBE_LIMIT = 50


def validate_change(
    root: Path,
    base: str,
    *,
    as_of: dt.date | None = None,
    paths: Sequence[Path] = (),
    jobs: int | None = None,
    keep_records: bool = True,
    committed: bool = False,
) -> Loaded:
    """What CI runs on a pull request: the changed records, and the history rules against ``base``.

    The records the change adds or edits (or the named ``paths``) are validated
    against the whole repository; every record is when the schemas or the
    policy changed.  ``committed``: the change is the commits alone, the
    working tree is not looked at (a clean checkout, as in CI; see
    ``generator.history.Git``).  Raises ``generator.history.GitError`` when git
    cannot answer (no git repository, an unknown ref).
    """
    registry = load_registry(root)
    git = Git(root, committed=committed)
    git.prefetch()  # git looks at the working tree while the history is read
    every: list[str] | Folders | None = None
    try:
        if paths:  # named files and folders are chosen from the listing
            every = list_record_paths(root)
        ctx, history_problems = check_history(root, base, registry, git)
    finally:
        git.settle()
    if paths:
        loaded = validate_repository(
            root, as_of=as_of, jobs=jobs, keep_records=keep_records, every=every, paths=paths
        )
    elif ctx.git.changes(ctx.base, *CONFIG_PATHS):
        loaded = validate_repository(root, as_of=as_of, jobs=jobs, keep_records=keep_records)
    else:
        changed = [c.new_path for c in ctx.record_changes() if c.new_path is not None]
        small = len(changed) <= PROBE_LIMIT
        loaded = validate_repository(
            root,
            as_of=as_of,
            jobs=jobs,
            keep_records=keep_records,
            every=record_folders(root) if small else None,
            only=changed,
        )
    loaded.report.extend(history_problems)
    bad = {p.path for p in history_problems if p.severity == "error"}
    loaded.valid = [r for r in loaded.valid if r.path not in bad]
    return loaded

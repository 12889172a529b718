"""A complete synthetic repository: records, schemas, policy, portal configuration, history.

``anjian demo --scale county|city --out DIR`` writes what a deployment of
that size would hold, ready for ``anjian validate`` and ``anjian build``: the
project's ``schemas/``, ``policy.yaml`` and ``mkdocs.yml`` beside the
generated ``records/``, and with ``history`` a Git history (``commits.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.demo.commits import write_history
from generator.demo.county import build_county
from generator.demo.scale import Scale
from generator.demo.write import write_county
from generator.load import Document, parse_document
from generator.policy import POLICY_FILE, Policy
from generator.review.tiers import tier_rules

CONFIG_FILES = (POLICY_FILE, "mkdocs.yml")
GITIGNORE = "/site/\n/.anjian-cache/\n"


@dataclass
class Written:
    records: int
    evidence: int
    history: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def project_dir() -> Path:
    """The project this package belongs to (its schemas, policy and mkdocs.yml)."""
    return Path(__file__).resolve().parents[2]


def _clear(out: Path, replace: bool) -> None:
    taken = [p for p in ("records", ".git") if (out / p).exists()]
    if taken and not replace:
        raise FileExistsError(f"{out} already holds {', '.join(taken)}; pass replace=True")
    for name in taken:
        shutil.rmtree(out / name)


def copy_project(project: Path, out: Path) -> None:
    (out / "schemas").mkdir(parents=True, exist_ok=True)
    for schema in sorted((project / "schemas").glob("*.json")):
        shutil.copyfile(schema, out / "schemas" / schema.name)
    for name in CONFIG_FILES:
        shutil.copyfile(project / name, out / name)
    (out / ".gitignore").write_text(GITIGNORE, encoding="utf-8")


def _policy(out: Path) -> Policy:
    parsed = parse_document((out / POLICY_FILE).read_bytes(), POLICY_FILE)
    return Policy(parsed.data if isinstance(parsed, Document) else {})


def write_repository(
    out: Path,
    scale: Scale,
    *,
    seed: int = 2026,
    as_of: dt.date = dt.date(2026, 11, 23),
    history: int = 0,
    replace: bool = False,
    jobs: int | None = None,
    project: Path | None = None,
) -> Written:
    """Write the repository of a county of ``scale`` into ``out``.

    Refuses (FileExistsError) when ``out`` already holds records or a git
    repository, unless ``replace``.  ``history`` > 0 makes it a git repository
    of that many commits.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _clear(out, replace)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    county = build_county(seed, as_of, scale)
    timings["build"] = time.perf_counter() - started
    copy_project(project or project_dir(), out)
    monthly = not scale.is_demo
    started = time.perf_counter()
    if history:  # git writes the files: checked out from the history
        made = write_history(
            out,
            county,
            history,
            monthly=monthly,
            rules=tier_rules(_policy(out)),
            start=dt.date(as_of.year - scale.years + 1, 1, 1),
        )
        timings["history"] = time.perf_counter() - started
        return Written(made["records"], len(county.evidence_files), made, timings)
    count = write_county(county, out, monthly=monthly, jobs=jobs or os.cpu_count() or 1)
    timings["write"] = time.perf_counter() - started
    return Written(count, len(county.evidence_files), seconds=timings)

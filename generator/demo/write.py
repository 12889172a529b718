"""Write the county to ``out/records/**.yaml`` and ``out/records/evidence/**``.

A city's half a million records and a million evidence files take a while to
dump and write; with ``jobs`` > 1 worker processes forked from this one (they
see the county without it being copied or pickled) each write a share.
"""

from __future__ import annotations

import gc
import multiprocessing
from pathlib import Path
from typing import Any

from generator.demo.emit import dump
from generator.demo.evidence import evidence_content
from generator.demo.model import County
from generator.demo.records import KIND_TITLES, Convert, sources

COUNTY_LABEL = "青川县安全生产监管记录"

Source = tuple[str, str, Convert, Any]
# what forked workers write: set just before forking, read by ``_write_share``
_SHARES: tuple[County, Path, list[Source], list[str], int] | None = None


def _record_path(root: Path, kind: str, folder: str, record_id: str) -> Path:
    return (root / kind / folder if folder else root / kind) / f"{record_id}.yaml"


def _write(county: County, out: Path, items: list[Source], evidence: list[str]) -> int:
    root = out / "records"
    for kind, folder, convert, item in items:
        data = convert(item)
        text = dump(data, f"{KIND_TITLES[kind]} — {COUNTY_LABEL}")
        _record_path(root, kind, folder, str(data["id"])).write_bytes(text.encode("utf-8"))
    for rel in evidence:
        (out / rel).write_bytes(evidence_content(county, rel))
    return len(items)


def _write_share(index: int) -> int:
    assert _SHARES is not None
    county, out, items, evidence, jobs = _SHARES
    return _write(county, out, items[index::jobs], evidence[index::jobs])


def write_county(county: County, out: Path, *, monthly: bool = False, jobs: int = 1) -> int:
    """Write every record and evidence file; return the number of records."""
    global _SHARES
    items = sources(county, monthly=monthly)
    evidence = sorted(county.evidence_files)
    root = out / "records"
    folders = {root / kind / folder if folder else root / kind for kind, folder, _, _ in items}
    folders.update((out / rel).parent for rel in evidence)
    for folder in sorted(folders):
        folder.mkdir(parents=True, exist_ok=True)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return _write(county, out, items, evidence)
    _SHARES = (county, out, items, evidence, jobs)
    gc.collect()
    gc.freeze()  # the workers share the county's pages instead of copying them
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return sum(pool.map(_write_share, range(jobs)))
    finally:
        _SHARES = None
        gc.unfreeze()

"""The demo county (青川县, fictional): a deterministic, realistic set of records.

``write_demo(out)`` writes about two years of supervision records — departments,
staff, some 200 enterprises, inspections, the hazard ledger with every
lifecycle state, penalties, monthly self-reports, blacklist and listed
supervision decisions, complaints — to ``out/records/``. The same seed and
as-of date always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from generator.demo.county import build_county
from generator.demo.write import write_county

__all__ = ["build_county", "write_demo"]


def write_demo(
    out: Path, *, seed: int = 2026, as_of: dt.date = dt.date(2026, 11, 23), replace: bool = False
) -> int:
    """Write the demo county's records under ``out/records``; return how many records.

    Refuses (FileExistsError) to write into an ``out/records`` that already
    holds files, unless ``replace`` is true, in which case that folder is
    emptied first.
    """
    root = Path(out) / "records"
    if root.exists() and any(root.iterdir()):
        if not replace:
            raise FileExistsError(f"{root} already holds records; pass replace=True to regenerate")
        shutil.rmtree(root)
    return write_county(build_county(seed, as_of), Path(out))

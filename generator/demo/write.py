"""Write the county to ``out/records/**.yaml`` and ``out/records/evidence/**``."""

from __future__ import annotations

from pathlib import Path

from generator.demo.emit import dump
from generator.demo.model import County
from generator.demo.records import KIND_TITLES, records

COUNTY_LABEL = "青川县安全生产监管记录"


def write_county(county: County, out: Path) -> int:
    """Write every record and evidence file; return the number of records."""
    root = out / "records"
    made: set[Path] = set()

    def folder_of(path: Path) -> Path:
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        return path

    count = 0
    for record in records(county):
        folder = root / record.kind / record.folder if record.folder else root / record.kind
        text = dump(record.data, f"{KIND_TITLES[record.kind]} — {COUNTY_LABEL}")
        folder_of(folder / f"{record.id}.yaml").write_bytes(text.encode("utf-8"))
        count += 1
    for rel, content in sorted(county.evidence_files.items()):
        folder_of(out / rel).write_bytes(content)
    return count

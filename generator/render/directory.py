"""The directory filter's index: small static JSON files, split so that filtering the
whole directory never downloads the whole directory.

- ``index.json``: the facet values (towns, industries, risk colours), each with
  the file of its posting list, and the shard size;
- ``<facet>-<n>.json``: a posting list — the sorted positions (in directory
  order) of the enterprises with that value;
- ``rows-<k>.json``: the directory rows at positions ``k*SHARD … (k+1)*SHARD-1``.

The page intersects the posting lists of the chosen values and fetches only the
row shards of the first results.  Deterministic (plain sorted JSON), unlike
search-engine filter indexes.
"""

from __future__ import annotations

from pathlib import Path

from generator.render.model import Portal
from generator.render.opendata import json_text
from generator.render.pages import enterprise_src
from generator.render.urls import page_url

DIRECTORY_INDEX = "directory-index"
SHARD = 500
FACETS = (("town", "town"), ("industry", "industry"), ("risk", "risk_color"))
COLUMNS = ("name", "town", "industry", "risk_color", "supervision_class", "status")


def write_directory_index(portal: Portal, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = portal.enterprises
    facets: dict[str, dict[str, str]] = {}
    for facet, field in FACETS:
        postings: dict[str, list[int]] = {}
        for position, row in enumerate(rows):
            postings.setdefault(str(row.get(field, "")), []).append(position)
        facets[facet] = {}
        for number, value in enumerate(sorted(postings)):
            name = f"{facet}-{number}.json"
            facets[facet][value] = name
            (folder / name).write_text(json_text(postings[value], indent=None), encoding="utf-8")
    for start in range(0, len(rows), SHARD):
        shard = [
            [page_url(enterprise_src(str(r["id"])))] + [str(r.get(c, "")) for c in COLUMNS]
            for r in rows[start : start + SHARD]
        ]
        (folder / f"rows-{start // SHARD}.json").write_text(
            json_text(shard, indent=None), encoding="utf-8"
        )
    index = {"count": len(rows), "shard": SHARD, "columns": ["url", *COLUMNS], "facets": facets}
    (folder / "index.json").write_text(json_text(index, indent=None), encoding="utf-8")

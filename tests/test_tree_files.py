"""Listing a built site: every file, relative to it, in the order ``sorted(rglob)`` gives.

The privacy scan and the search-shard cache list half a million files on a
city; ``tree_files`` must give exactly the listing pathlib would, only faster.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.cache import tree_files


def _pathlib_listing(folder: Path) -> list[str]:
    return [f.relative_to(folder).as_posix() for f in sorted(folder.rglob("*")) if f.is_file()]


def test_the_listing_is_pathlibs_file_for_file_and_in_its_order(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for rel in (
        "index.html",
        "a/b/index.html",
        "a-b/c.html",  # "a-b/…" sorts after "a/…" by part, before it as plain text
        "a.html",
        "enterprises/town/青石镇/2/index.html",
        "audit/records/HAZ-20250101-001.html",
        "data/hazards.csv",
    ):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(rel, encoding="utf-8")
    (site / "empty").mkdir()
    os.symlink(site / "a.html", site / "link.html")  # a link to a file is a file
    os.symlink(site / "missing.html", site / "broken.html")  # a broken link is not

    listing = tree_files(site)

    assert listing == _pathlib_listing(site)
    assert listing.index("a/b/index.html") < listing.index("a-b/c.html")
    assert "link.html" in listing and "broken.html" not in listing
    assert "empty" not in listing

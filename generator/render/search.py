"""Search: a Pagefind index of the built site, split into fragments loaded on demand.

Pagefind (the ``pagefind`` Python package, with the extended binary for
Chinese segmentation) runs after MkDocs.  Only pages marked
``data-pagefind-body`` are indexed (enterprise pages and the about pages).  No
Pagefind filters: their files list values in hash-map order, which differs from
run to run and would break byte-identical builds; the directory filters through
its own static posting lists (``directory.py``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

INDEX_DIR = "pagefind"


class SearchIndexError(Exception):
    """Pagefind failed or is not installed."""


def index_site(site: Path) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", INDEX_DIR]
    try:
        done = subprocess.run([*command, "--quiet"], capture_output=True, text=True, check=False)
    except OSError as err:
        raise SearchIndexError(f"无法运行 Pagefind：{err}") from err
    if done.returncode != 0 or not (site / INDEX_DIR / "pagefind.js").is_file():
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise SearchIndexError(f"Pagefind 建立搜索索引失败：{detail}")

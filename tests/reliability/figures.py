"""The figures a reliability run reports: cases tried per class, refused, accepted, crashed.

Tests store them in pytest's cache (``.pytest_cache``, shared by xdist workers);
``python -m tests.reliability.figures`` prints the latest of each.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

CACHE_PREFIX = "reliability/"


def record(config: pytest.Config, name: str, figures: dict[str, Any]) -> None:
    """Keep a run's figures; a run with the cache disabled (``-p no:cacheprovider``) keeps none."""
    cache = getattr(config, "cache", None)
    if cache is not None:
        cache.set(CACHE_PREFIX + name, figures)


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".") / ".pytest_cache/v/reliability"
    if not root.is_dir():
        print("no reliability figures yet: run pytest tests/test_reliability_*.py first")
        return
    for file in sorted(root.iterdir()):
        data = json.loads(file.read_text(encoding="utf-8"))
        print(f"== {file.name}")
        print(json.dumps(data, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

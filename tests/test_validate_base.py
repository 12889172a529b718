from __future__ import annotations

from pathlib import Path

from tests.conftest import problems_in


def test_the_small_county_is_valid(repo: Path) -> None:
    assert problems_in(repo) == []

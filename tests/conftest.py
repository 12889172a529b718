from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.problems import Problem
from generator.validate import validate_repository
from tests.factory import make_repo

AS_OF = dt.date(2026, 11, 23)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--full", action="store_true", help="run the full hostile corpora")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--full"):
        return
    skip = pytest.mark.skip(reason="full corpus: run with --full")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def problems_in(root: Path, as_of: dt.date = AS_OF) -> list[Problem]:
    return validate_repository(root, as_of=as_of, jobs=1).report.sorted()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo")


@pytest.fixture
def without_public_text_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation without the ``personal-data-in-public-field`` rule, as if it had missed
    something: what the build's own leak scan (the second line of defence) must catch."""
    from generator import pipeline
    from generator.rules import public_text

    monkeypatch.setattr(
        pipeline, "LOCAL_RULES", [r for r in pipeline.LOCAL_RULES if r is not public_text.check]
    )

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from generator.problems import Problem
from generator.validate import validate_repository
from tests.factory import make_repo
from tests.gitrepo import INSPECTOR, Repo, git_env, init_county

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
def clone(tmp_path: Path) -> Repo:
    """A clone of the small county's repository, on a new branch ``change`` (a pull request)."""
    origin = init_county(tmp_path / "origin")
    subprocess.run(
        ["git", "clone", "-q", str(origin.root), str(tmp_path / "clone")],
        env=git_env(INSPECTOR, "2026-11-20"),
        check=True,
    )
    repo = Repo(tmp_path / "clone")
    repo.branch("change")
    return repo


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

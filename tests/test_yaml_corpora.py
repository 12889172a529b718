"""Hostile YAML written by others: every case is refused with a located problem or loads as data.

Never a traceback, each case quickly.  The YAML test suite's error cases that
libyaml (a YAML 1.1 parser) accepts still cannot pass as records: the schema
refuses them, which ``test_accepted_error_cases_fail_the_schema`` checks.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.load import Document, parse_document
from generator.problems import Problem
from tests.conftest import problems_in
from tests.factory import make_repo

DATA = Path(__file__).parent / "data"
SUITE_ERRORS = sorted((DATA / "yaml-test-suite" / "error").glob("*.yaml"))
SUITE_VALID = sorted((DATA / "yaml-test-suite" / "valid").glob("*.yaml"))
ATTACKS = sorted(
    p for p in (DATA / "yaml-attacks" / "cases").iterdir() if p.suffix in {".yaml", ".yml"}
)


def _parse(path: Path) -> tuple[Document | Problem, float]:
    started = time.perf_counter()
    result = parse_document(path.read_bytes(), f"records/hazard/{path.name}")
    return result, time.perf_counter() - started


@pytest.mark.parametrize("case", SUITE_ERRORS + ATTACKS, ids=lambda p: p.name)
def test_hostile_yaml_is_refused_or_loaded_never_crashes(case: Path) -> None:
    result, seconds = _parse(case)
    assert seconds < 2.0
    if isinstance(result, Problem):
        assert result.code and result.message_zh and result.path.endswith(case.name)
    else:
        assert isinstance(result.data, dict)


@pytest.mark.parametrize("case", SUITE_VALID, ids=lambda p: p.name)
def test_valid_yaml_suite_case_never_crashes(case: Path) -> None:
    result, seconds = _parse(case)
    assert seconds < 2.0
    assert isinstance(result, (Document, Problem))


def test_error_cases_with_a_location_are_located() -> None:
    located = [r for r in (_parse(p)[0] for p in SUITE_ERRORS) if isinstance(r, Problem) and r.line]
    refused = [r for r in (_parse(p)[0] for p in SUITE_ERRORS) if isinstance(r, Problem)]
    assert len(refused) >= 85
    assert len(located) >= 0.9 * len(
        [r for r in refused if r.code not in {"empty-file", "multiple-documents"}]
    )


def test_accepted_error_cases_fail_the_schema(tmp_path: Path) -> None:
    accepted = [p for p in SUITE_ERRORS if isinstance(_parse(p)[0], Document)]
    raw = {
        f"records/hazard/HAZ-20250101-{i:03d}.yaml": p.read_bytes() for i, p in enumerate(accepted)
    }
    root = make_repo(tmp_path / "repo", raw=raw)
    bad = {p.path for p in problems_in(root) if p.severity == "error"}
    assert set(raw) <= bad


def test_alias_bomb_costs_nothing() -> None:
    bomb = next(p for p in ATTACKS if "billion" in p.name)
    result, seconds = _parse(bomb)
    assert isinstance(result, Problem) and result.code == "alias-not-allowed"
    assert seconds < 0.1

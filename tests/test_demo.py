"""The demo county: byte-identical for a seed, valid, and showing every story."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from stdnum.cn import uscc

from generator.demo import write_demo
from generator.derive import lifecycle as lc
from generator.validate import validate_repository

AS_OF = dt.date(2026, 11, 23)
REPO = Path(__file__).resolve().parents[1]


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copy(REPO / "policy.yaml", root / "policy.yaml")
    write_demo(root, as_of=AS_OF)
    return root


def _records(root: Path, kind: str) -> list[dict[str, object]]:
    return [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((root / "records" / kind).rglob("*.yaml"))
    ]


def test_same_seed_same_bytes(demo: Path, tmp_path: Path) -> None:
    write_demo(tmp_path, as_of=AS_OF)
    assert _tree(tmp_path / "records") == _tree(demo / "records")


def test_refuses_to_overwrite_records(demo: Path) -> None:
    with pytest.raises(FileExistsError):
        write_demo(demo, as_of=AS_OF)


def test_the_repository_validates(demo: Path) -> None:
    loaded = validate_repository(demo, as_of=AS_OF)
    assert loaded.report.errors == []
    assert loaded.report.files_checked > 3000


def test_sizes(demo: Path) -> None:
    assert len(_records(demo, "enterprise")) == 200
    assert 600 <= len(_records(demo, "inspection")) <= 900
    assert 1200 <= len(_records(demo, "hazard")) <= 1800
    assert 60 <= len(_records(demo, "penalty")) <= 100
    assert len(_records(demo, "complaint")) == 30


def test_credit_codes_are_valid(demo: Path) -> None:
    assert all(uscc.is_valid(str(e["id"])) for e in _records(demo, "enterprise"))


def test_every_hazard_state_and_story(demo: Path) -> None:
    hazards = _records(demo, "hazard")
    states = Counter(lc.state_of(h) for h in hazards)
    assert set(states) == set(lc.STATES)
    events = Counter(e["type"] for h in hazards for e in h.get("events", []))  # type: ignore[attr-defined]
    assert {"进展报告", "评估", "验收", "复查不通过", "重新打开"} <= set(events)
    assert Counter(h["level"] for h in hazards)["一级"] == 7


def test_every_inspection_kind_and_decision_type(demo: Path) -> None:
    kinds = {i["kind"] for i in _records(demo, "inspection")}
    assert len(kinds) == 9
    types = Counter(d["type"] for d in _records(demo, "decision"))
    assert types["挂牌督办"] == 7
    assert {"列入严重失信名单", "移出严重失信名单", "信用修复", "撤销信用修复"} <= set(types)


def test_the_committed_demo_is_what_the_generator_makes(demo: Path) -> None:
    """records/ is generated: change generator/demo/, then `anjian demo --replace`."""
    assert _tree(REPO / "records") == _tree(demo / "records")

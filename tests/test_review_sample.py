"""Sampling anyone can re-draw (双随机): same seed, same draw; the tier-1 rate holds."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from generator.review.tiers import sample_size
from tests.review_factory import (
    ENTERPRISE,
    OTHER_ENTERPRISE,
    Repo,
    anjian,
    init_review_county,
    inspection,
    review_county,
)

DAY = "2026-11-10"
DAY_INSPECTIONS = [f"INS-20261110-{n:03d}" for n in range(1, 13)]


def inspections_file(record_id: str) -> str:
    return f"records/inspection/2026/{record_id}.yaml"


@pytest.fixture
def county_with_a_busy_day(tmp_path: Path) -> Repo:
    """Twelve inspections on 2026-11-10, merged that day; the next commit lands on the 11th."""
    repo = init_review_county(tmp_path / "repo")
    for n, record_id in enumerate(DAY_INSPECTIONS):
        enterprise = ENTERPRISE if n % 2 else OTHER_ENTERPRISE
        repo.write(inspections_file(record_id), inspection(record_id, DAY, enterprise))
    repo.commit("11 月 10 日检查", date=DAY)
    repo.write(inspections_file("INS-20261111-001"), inspection("INS-20261111-001", "2026-11-11"))
    repo.commit("11 月 11 日检查", date="2026-11-11")
    return repo


def draw_json(repo: Repo, *args: str) -> dict[str, Any]:
    result = anjian(repo, "review", "sample", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def drawn_ids(draw: dict[str, Any]) -> list[str]:
    return [row["id"] for row in draw["drawn"]]


def test_the_same_day_draws_the_same_inspections_twice(county_with_a_busy_day: Repo) -> None:
    first = draw_json(county_with_a_busy_day, "--date", DAY)
    second = draw_json(county_with_a_busy_day, "--date", DAY)
    assert first == second
    assert len(drawn_ids(first)) == 3


def test_another_seed_draws_other_inspections(county_with_a_busy_day: Repo) -> None:
    published = draw_json(county_with_a_busy_day, "--date", DAY)
    other = draw_json(county_with_a_busy_day, "--date", DAY, "--seed", "纪检监察组 2026-11-12")
    assert other["seed_source"] == "given"
    assert drawn_ids(other) != drawn_ids(published)
    assert set(drawn_ids(other)) <= set(DAY_INSPECTIONS)


def test_the_tier1_draw_covers_at_least_a_fifth_of_the_days_inspections(
    county_with_a_busy_day: Repo,
) -> None:
    draw = draw_json(county_with_a_busy_day, "--date", DAY)
    assert draw["candidates"] == len(DAY_INSPECTIONS)
    assert len(draw["drawn"]) >= 0.2 * len(DAY_INSPECTIONS)
    assert set(drawn_ids(draw)) <= set(DAY_INSPECTIONS)


@pytest.mark.parametrize("population", range(0, 61))
def test_the_sample_size_is_the_smallest_that_reaches_the_rate(population: int) -> None:
    size = sample_size(Fraction("0.2"), population)
    assert size >= Fraction(1, 5) * population
    assert size == 0 or size - 1 < Fraction(1, 5) * population


def test_decimal_rates_are_exact() -> None:
    # 0.2 × 15 is 3.0000000000000004 in floating point; a day of 15 inspections draws 3
    assert sample_size(Fraction("0.2"), 15) == 3


def test_the_seed_is_the_first_commit_after_the_day_closes(county_with_a_busy_day: Repo) -> None:
    draw = draw_json(county_with_a_busy_day, "--date", DAY)
    next_day = county_with_a_busy_day.git("log", "-1", "--format=%H", "main").strip()
    assert draw["seed_source"] == "commit"
    assert draw["seed"] == next_day
    assert draw["snapshot"] == next_day


def test_anyone_can_redraw_with_the_published_algorithm(county_with_a_busy_day: Repo) -> None:
    draw = draw_json(county_with_a_busy_day, "--date", DAY)
    seed = draw["seed"]
    by_hand = sorted(
        DAY_INSPECTIONS, key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest()
    )
    assert drawn_ids(draw) == by_hand[:3]


def test_a_late_filing_does_not_change_a_past_draw(county_with_a_busy_day: Repo) -> None:
    before = draw_json(county_with_a_busy_day, "--date", DAY)
    late = "INS-20261110-013"
    county_with_a_busy_day.write(inspections_file(late), inspection(late, DAY))
    county_with_a_busy_day.commit("补录 11 月 10 日检查", date="2026-11-15")
    assert draw_json(county_with_a_busy_day, "--date", DAY) == before


def test_no_draw_before_the_day_has_closed_on_main(county_with_a_busy_day: Repo) -> None:
    result = anjian(county_with_a_busy_day, "review", "sample", "--date", "2026-11-11")
    assert result.exit_code == 1
    assert "种子尚未产生" in result.output


def test_the_text_draw_names_seed_algorithm_and_records(county_with_a_busy_day: Repo) -> None:
    result = anjian(county_with_a_busy_day, "review", "sample", "--date", DAY)
    assert result.exit_code == 0, result.output
    assert "一级复核 当日检查文书抽查：2026-11-10" in result.output
    assert 'sha256(种子 + ":" + 编号)' in result.output
    assert "候选：12 份检查记录；抽取 3 个（ceil(20% × 12)）" in result.output


def test_the_quarterly_look_back_draws_inspected_enterprises(tmp_path: Path) -> None:
    records = review_county()
    extra = inspection("INS-20251111-001", "2025-11-11", OTHER_ENTERPRISE)
    records["records/inspection/2025/INS-20251111-001.yaml"] = extra
    own = inspection("INS-20251112-001", "2025-11-12", "91330100745600150X")
    own["kind"] = "企业自查"  # the enterprise's own check is not a government inspection
    records["records/inspection/2025/INS-20251112-001.yaml"] = own
    repo = init_review_county(tmp_path / "repo", records)
    draw = draw_json(repo, "--quarter", "2025Q4")
    assert draw["tier"] == 2
    assert draw["candidates"] == 2
    assert sorted(drawn_ids(draw)) == sorted([ENTERPRISE, OTHER_ENTERPRISE])
    assert {row["label"] for row in draw["drawn"]} == {"青川县宏达化工有限公司", "青石镇鑫源建材厂"}


def test_the_look_back_draws_at_most_the_policy_number(county_with_a_busy_day: Repo) -> None:
    repo = county_with_a_busy_day
    policy = (repo.root / "policy.yaml").read_text(encoding="utf-8")
    repo.root.joinpath("policy.yaml").write_text(
        policy.replace("tier2_quarterly_enterprises: 10", "tier2_quarterly_enterprises: 1"),
        encoding="utf-8",
    )
    repo.commit("每季度只抽 1 家", date="2027-01-04")
    draw = draw_json(repo, "--quarter", "2026Q4")
    assert draw["candidates"] == 2
    assert len(draw["drawn"]) == 1


def test_an_unannounced_tier3_draw_covers_inspections_penalties_and_decisions(
    county_with_a_busy_day: Repo,
) -> None:
    draw = draw_json(county_with_a_busy_day, "--tier", "3", "--date", DAY, "--seed", "s3")
    assert draw["tier"] == 3
    assert draw["candidates"] == 12
    assert len(draw["drawn"]) == 1  # ceil(5% × 12)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--date", DAY, "--quarter", "2026Q4"],
        ["--quarter", "2026Q5"],
        ["--tier", "2", "--date", DAY],
        ["--tier", "1", "--quarter", "2026Q4"],
    ],
)
def test_a_draw_needs_one_period_that_fits_its_tier(
    county_with_a_busy_day: Repo, args: list[str]
) -> None:
    assert anjian(county_with_a_busy_day, "review", "sample", *args).exit_code == 2

"""``anjian ledger`` and ``anjian metrics``: the Monday-morning ledger, as of any date."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from generator.cli.tables import display_width
from tests.conftest import problems_in
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE, base_records, make_repo
from tests.test_cli import anjian

RECURRING = "HAZ-20260105-001"
DUE_SOON = "HAZ-20261115-001"
LISTED = "HAZ-20261101-001"


def new_hazard(
    hazard_id: str, enterprise: str, found_on: str, deadline: str, **extra: Any
) -> dict[str, Any]:
    return {
        "id": hazard_id,
        "enterprise": enterprise,
        "source": "企业自查",
        "found_on": found_on,
        "class": "一般",
        "level": "三级",
        "category": "消防安全",
        "description": "配电室门口堆放纸箱，堵塞消防通道。",
        "location": "配电室",
        "department": "DEPT-YJJ",
        "deadline": deadline,
        **extra,
    }


def ledger_records() -> dict[str, dict[str, Any]]:
    """The county with a recurring overdue hazard, one due soon and a listed major one."""
    records = base_records()

    def add(record: dict[str, Any]) -> None:
        records[f"records/hazard/{record['found_on'][:4]}/{record['id']}.yaml"] = record

    # fire exit blocked again 81 days after HAZ-20251010-001 was closed; never rectified
    add(new_hazard(RECURRING, ENTERPRISE, "2026-01-05", "2026-01-12"))
    add(
        new_hazard(
            DUE_SOON,
            OTHER_ENTERPRISE,
            "2026-11-15",
            "2026-11-25",
            level="二级",
            category="电气安全",
        )
    )
    add(
        new_hazard(
            LISTED,
            ENTERPRISE,
            "2026-11-01",
            "2027-01-30",
            level="一级",
            category="粉尘防爆",
            events=[{"date": "2026-11-02", "type": "开始整改"}],
            listing={"by": "DEPT-YJJ", "document_no": "青安委办〔2026〕7号", "date": "2026-11-03"},
            five_fixed={
                "responsible_person": "陈建国",
                "measures": "更换除尘器并加装泄爆装置",
                "funds": 200000,
                "deadline": "2027-01-30",
                "emergency_plan": "粉尘爆炸专项应急预案",
            },
            **{"class": "重大"},
        )
    )
    return records


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("ledger") / "repo", ledger_records())
    assert problems_in(root) == []
    return root


def ledger_json(root: Path, *args: str) -> dict[str, Any]:
    result = anjian("ledger", "--format", "json", *args, cwd=root)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout))


def ids(payload: dict[str, Any], flag: str) -> list[str]:
    return [h["id"] for h in payload["hazards"] if h[flag]]


def test_the_overdue_set_depends_on_the_as_of_date(county: Path) -> None:
    monday = ledger_json(county, "--as-of", "2026-11-23")
    friday = ledger_json(county, "--as-of", "2026-11-27")
    assert ids(monday, "overdue") == [RECURRING]
    assert ids(friday, "overdue") == [RECURRING, DUE_SOON]
    assert ids(monday, "due_soon") == [DUE_SOON]


def test_the_ledger_of_a_past_day_shows_what_was_known_then(county: Path) -> None:
    january = ledger_json(county, "--as-of", "2026-01-20")
    assert [h["id"] for h in january["hazards"]] == [RECURRING]
    assert january["hazards"][0]["overdue"] and january["hazards"][0]["days_left"] == -8


def test_overdue_first_then_due_soon_then_the_rest(county: Path) -> None:
    payload = ledger_json(county, "--as-of", "2026-11-23")
    assert [h["id"] for h in payload["hazards"]] == [RECURRING, DUE_SOON, LISTED]
    assert payload["summary"] == {
        "as_of": "2026-11-23",
        "open": 3,
        "overdue": 1,
        "due_soon": 1,
        "listed": 1,
        "recurring": 1,
    }


def test_listed_supervision_and_recurrence_are_shown(county: Path) -> None:
    payload = ledger_json(county, "--as-of", "2026-11-23")
    rows = {h["id"]: h for h in payload["hazards"]}
    assert rows[LISTED]["listed"] and rows[LISTED]["listing_document"] == "青安委办〔2026〕7号"
    assert rows[RECURRING]["recurrence_of"] == "HAZ-20251010-001"
    assert rows[RECURRING]["recurrence_closed_on"] == "2025-10-16"


def test_filters_by_level_status_and_department(county: Path) -> None:
    assert ids(ledger_json(county, "--as-of", "2026-11-23", "--level", "重大"), "listed") == [
        LISTED
    ]
    overdue = ledger_json(county, "--as-of", "2026-11-23", "--status", "逾期")
    assert [h["id"] for h in overdue["hazards"]] == [RECURRING]
    closed = ledger_json(county, "--as-of", "2026-11-23", "--status", "已销号")
    assert [h["id"] for h in closed["hazards"]] == ["HAZ-20251010-001"]
    assert ledger_json(county, "--dept", "公安局", "--as-of", "2026-11-23")["hazards"] == []
    assert len(ledger_json(county, "--dept", "DEPT-YJJ", "--as-of", "2026-11-23")["hazards"]) == 3


def test_the_table_is_in_chinese_and_lines_up(county: Path) -> None:
    result = anjian("ledger", "--as-of", "2026-11-23", cwd=county)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "隐患台账 截至 2026-11-23：未销号 3 项，其中逾期 1、即将到期 1、挂牌督办 1；复发 1 项"
        in out
    )
    assert "■ 挂牌督办的重大隐患" in out and "■ 复发隐患" in out and "逾期315天" in out
    table = out.split("\n\n")[1].splitlines()[1:]  # the 城关镇 group
    header, rule = table[0], table[1]
    columns = [len(part) for part in rule.split("  ")]
    starts = [sum(columns[:i]) + 2 * i for i in range(len(columns))]
    for line in table[2:]:
        inside = [s for s in starts if s < display_width(line)]
        assert [display_width(line[: _index_at_width(line, s)]) for s in inside] == inside, line
        assert all(line[_index_at_width(line, s) - 1] == " " for s in inside[1:]), line
    assert header.startswith("编号")


def _index_at_width(line: str, width: int) -> int:
    used = 0
    for i, char in enumerate(line):
        if used >= width:
            return i
        used += display_width(char)
    return len(line)


def test_csv_has_chinese_headers_and_one_row_per_hazard(county: Path) -> None:
    result = anjian("ledger", "--format", "csv", "--as-of", "2026-11-23", cwd=county)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][:3] == ["编号", "企业信用代码", "企业"]
    assert [r[0] for r in rows[1:]] == [RECURRING, DUE_SOON, LISTED]


def test_the_same_day_gives_the_same_bytes(county: Path) -> None:
    first = anjian("ledger", "--as-of", "2026-11-23", cwd=county).stdout
    assert first == anjian("ledger", "--as-of", "2026-11-23", cwd=county).stdout


def test_metrics_report_rates_against_the_targets(county: Path) -> None:
    result = anjian(
        "metrics",
        "--as-of",
        "2026-11-23",
        "--since",
        "2025-01-01",
        "--period",
        "year",
        "--format",
        "json",
        cwd=county,
    )
    assert result.returncode == 0, result.stderr
    rows = {r["key"]: r for r in json.loads(result.stdout)["rows"]}
    assert rows["2025"]["general"]["rate"] == 1.0 and rows["2025"]["general"]["reached"]
    # the recurring hazard is long overdue, the one due soon is past its 7 days: both late
    assert rows["2026"]["general"]["in_time"] == 0 and rows["2026"]["general"]["decided"] == 2
    table = anjian("metrics", "--as-of", "2026-11-23", "--by", "town", cwd=county).stdout
    assert "一般隐患7日内整改率" in table and "城关镇" in table and "合计" in table


def test_the_nightly_issue_lists_only_the_newly_overdue(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "overdue.md"
    args = ["ledger", "--status", "逾期", "--newly-overdue", "--format", "markdown"]
    result = anjian(*args, "--as-of", "2026-11-26", "--output", str(out), cwd=county)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert f"| {DUE_SOON} |" in text and RECURRING not in text
    assert text.splitlines()[2].startswith("| 编号 | 企业 |")


def test_no_file_is_written_when_nothing_became_overdue(county: Path, tmp_path: Path) -> None:
    out = tmp_path / "overdue.md"
    args = ["ledger", "--status", "逾期", "--level", "重大", "--newly-overdue"]
    result = anjian(
        *args, "--format", "markdown", "--as-of", "2026-11-26", "--output", str(out), cwd=county
    )
    assert result.returncode == 0 and not out.exists()
    assert "没有符合条件的隐患" in result.stderr

"""Rectification-rate metrics: general hazards in 7 days, major in 15, hazards per enterprise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.derive.metrics import derive_metrics, metrics_rows, outcome, periods_between, window
from generator.load import Document
from generator.policy import Policy
from generator.records import Record
from tests.test_hazard_state import closed, hazard

POLICY = Policy(
    {
        "on_time_days": {"一般": 7, "重大": 15},
        "targets": {
            "general_on_time_rate": 1.0,
            "major_on_time_rate": 0.9,
            "hazards_per_enterprise": 2,
        },
    }
)
AS_OF = dt.date(2026, 6, 30)


def record(kind: str, data: dict[str, Any]) -> Record:
    return Record(kind, f"records/{kind}/{data['id']}.yaml", Document(data))


def enterprise(code: str, town: str) -> Record:
    return record("enterprise", {"id": code, "town": town, "industry": "工贸"})


def inspection(ins_id: str, date: str, *enterprises: str, kind: str = "部门专项检查") -> Record:
    return record(
        "inspection",
        {
            "id": ins_id,
            "date": date,
            "kind": kind,
            "enterprises": list(enterprises),
            "lead_department": "DEPT-YJJ",
        },
    )


def found(
    hazard_id: str, on: str, enterprise_id: str, closed_on: str | None, cls: str = "一般"
) -> Record:
    data = hazard(hazard_id, on, on, closed(closed_on) if closed_on else [])
    data.update(
        {"enterprise": enterprise_id, "class": cls, "source": "监督检查", "department": "DEPT-YJJ"}
    )
    return record("hazard", data)


def county() -> list[Record]:
    return [
        enterprise("E1", "城关镇"),
        enterprise("E2", "青石镇"),
        record(
            "department", {"id": "DEPT-YJJ", "name": "青川县应急管理局", "short_name": "应急局"}
        ),
        inspection("INS-1", "2026-01-10", "E1", "E2"),
        inspection("INS-2", "2026-04-10", "E1"),
        inspection("INS-3", "2026-04-12", "E2", kind="企业自查"),  # not a government visit
        found("H1", "2026-01-10", "E1", "2026-01-15"),  # 5 days: in time
        found("H2", "2026-01-10", "E1", "2026-01-20"),  # 10 days: late
        found("H3", "2026-01-10", "E2", None),  # open, window passed: late
        found("H4", "2026-04-10", "E1", "2026-04-20", "重大"),  # 10 days: in time
        found("H5", "2026-06-28", "E1", None),  # open, 2 days: pending
    ]


def test_a_hazard_is_rectified_in_time_when_closed_within_the_days() -> None:
    assert outcome(hazard(events=closed("2026-03-08")), 7, AS_OF) is True
    assert outcome(hazard(events=closed("2026-03-09")), 7, AS_OF) is False
    assert outcome(hazard(), 7, dt.date(2026, 3, 5)) is None  # still inside the window
    assert outcome(hazard(), 7, dt.date(2026, 3, 9)) is False


def test_rates_per_quarter_against_the_targets() -> None:
    rows = derive_metrics(county(), POLICY, AS_OF, by="period", period="quarter")
    assert [r.key for r in rows] == ["2026Q1", "2026Q2", "合计"]
    q1, q2, total = rows
    assert (q1.general.in_time, q1.general.decided, q1.general.reached) == (1, 3, False)
    assert (q2.major.in_time, q2.major.decided, q2.major.reached) == (1, 1, True)
    assert q2.general.pending == 1 and q2.general.value is None
    assert (q1.hazards_found, q1.inspected_enterprises, q1.per_enterprise) == (3, 2, 1.5)
    assert q1.per_enterprise_reached is False
    assert (total.hazards_found, total.inspected_enterprises) == (5, 2)
    assert total.per_enterprise_reached is True


def test_rates_per_town() -> None:
    rows = {r.key: r for r in derive_metrics(county(), POLICY, AS_OF, by="town")}
    assert sorted(rows) == ["合计", "城关镇", "青石镇"]
    assert (rows["城关镇"].general.in_time, rows["城关镇"].general.decided) == (1, 2)
    assert rows["青石镇"].inspected_enterprises == 1  # its self-inspection does not count


def test_rates_per_department_use_its_short_name() -> None:
    rows = derive_metrics(county(), POLICY, AS_OF, by="department")
    assert [r.key for r in rows] == ["应急局", "合计"]


def test_only_the_chosen_window_counts() -> None:
    rows = derive_metrics(county(), POLICY, AS_OF, by="industry", since=dt.date(2026, 4, 1))
    total = rows[-1]
    assert (total.general.decided, total.major.decided, total.inspected_enterprises) == (0, 1, 1)


def test_one_window_serves_every_dimension() -> None:
    # the portal replays each hazard's events once, then counts it by period, town and industry
    since = dt.date(2026, 1, 1)
    counted = window(county(), POLICY, AS_OF, since=since)
    assert [h[0]["id"] for h in counted.hazards] == ["H1", "H2", "H3", "H4", "H5"]
    assert [h[3] for h in counted.hazards] == [True, False, False, True, None]
    assert [i[0]["id"] for i in counted.inspections] == ["INS-1", "INS-2"]  # no self-inspection
    for by, period in [("period", "month"), ("town", "year"), ("industry", "year")]:
        alone = derive_metrics(county(), POLICY, AS_OF, by=by, period=period, since=since)
        assert metrics_rows(counted, POLICY, by=by, period=period) == alone


def test_periods_include_the_empty_ones() -> None:
    assert periods_between(dt.date(2025, 11, 5), dt.date(2026, 2, 1), "month") == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert periods_between(dt.date(2025, 1, 1), dt.date(2026, 2, 1), "year") == ["2025", "2026"]

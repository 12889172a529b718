"""Each rule that needs no history: a passing case (the base county) and a failing one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.problems import CODES
from generator.rules import MODULES
from tests.conftest import problems_in
from tests.factory import ENTERPRISE, base_records, make_repo

Records = dict[str, dict[str, Any]]
HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"
INSPECTION = "records/inspection/2025/INS-20251010-001.yaml"
ENTERPRISE_FILE = f"records/enterprise/{ENTERPRISE}.yaml"


def hazard(records: Records) -> dict[str, Any]:
    return records[HAZARD]


def make_major(records: Records) -> None:
    h = hazard(records)
    h.update(
        {"class": "重大", "level": "二级", "deadline": "2025-10-25"},
    )
    h["five_fixed"] = {
        "responsible_person": "陈建国",
        "measures": "清理通道",
        "funds": 5000,
        "deadline": "2025-10-25",
        "emergency_plan": "专人值守",
    }


def major_closed_without_acceptance(records: Records) -> None:
    make_major(records)


def major_with_acceptance(records: Records) -> None:
    make_major(records)
    hazard(records)["events"].insert(
        3, {"date": "2025-10-16", "type": "验收", "body": "县安全评价中心"}
    )


def rename_enterprise(records: Records, new_id: str) -> None:
    record = records.pop(ENTERPRISE_FILE)
    record["id"] = new_id
    records[f"records/enterprise/{new_id}.yaml"] = record


CASES: dict[str, tuple[Callable[[Records], None], str]] = {
    "a credit code with a wrong check character": (
        lambda r: rename_enterprise(r, "91330100745600124G"),
        "bad-credit-code",
    ),
    "a town the policy does not list": (
        lambda r: r[ENTERPRISE_FILE].update(town="西城区"),
        "unknown-town",
    ),
    "a deadline beyond the level's days": (
        lambda r: hazard(r).update(deadline="2025-10-30"),
        "deadline-exceeds-level",
    ),
    "a deadline before the finding": (
        lambda r: hazard(r).update(deadline="2025-10-01"),
        "deadline-before-found",
    ),
    "an event dated before the finding": (
        lambda r: hazard(r)["events"][0].update(date="2025-10-01"),
        "date-order",
    ),
    "a notice after the visit": (
        lambda r: r[INSPECTION].update(notice_date="2025-10-12"),
        "date-order",
    ),
    "an inspection dated after as-of": (
        lambda r: r[INSPECTION].update(date="2026-12-01"),
        "future-date",
    ),
    "a single inspector": (
        lambda r: r[INSPECTION].update(inspectors=["STAFF-0001"]),
        "too-few-inspectors",
    ),
    "no certified inspector": (
        lambda r: r[INSPECTION].update(inspectors=["STAFF-0002", "STAFF-0003"]),
        "no-certified-inspector",
    ),
    "neither signed nor refused": (
        lambda r: r[INSPECTION].update(signature={"refused": False}),
        "unsigned-inspection",
    ),
    "a refusal witnessed by one inspector": (
        lambda r: r[INSPECTION].update(signature={"refused": True, "witnesses": ["STAFF-0001"]}),
        "unsigned-inspection",
    ),
    "a level-1 hazard of class general": (
        lambda r: hazard(r).update(level="一级", deadline="2025-10-17"),
        "level-class-mismatch",
    ),
    "a major hazard without its five fixes": (
        lambda r: hazard(r).update({"class": "重大", "level": "二级"}),
        "major-without-five-fixed",
    ),
    "a level-1 hazard not listed": (
        lambda r: (make_major(r), hazard(r).update(level="一级")),
        "major-not-listed",
    ),
    "closure before a re-check": (lambda r: hazard(r)["events"].pop(2), "bad-transition"),
    "rectified without two photos and a table": (
        lambda r: hazard(r)["events"][1].update(evidence=[]),
        "event-incomplete",
    ),
    "a re-check that names nobody": (
        lambda r: hazard(r)["events"][2].pop("by"),
        "event-incomplete",
    ),
    "a major hazard closed without acceptance": (
        major_closed_without_acceptance,
        "closed-without-acceptance",
    ),
    "evidence that is not there": (
        lambda r: hazard(r)["events"][1]["evidence"][0].update(
            path="records/evidence/x/missing.jpg"
        ),
        "evidence-not-found",
    ),
    "evidence swapped for another file": (
        lambda r: hazard(r)["events"][1]["evidence"][0].update(sha256="0" * 64),
        "evidence-hash-mismatch",
    ),
    "a mobile number in a hazard's public description": (
        lambda r: hazard(r).update(description="仓库安全出口堆放杂物，联系人电话13812345678。"),
        "personal-data-in-public-field",
    ),
    "an ID number in a hazard's public location": (
        lambda r: hazard(r).update(location="11010519491231002X 家门口"),
        "personal-data-in-public-field",
    ),
    "an e-mail address in a hazard's public measures": (
        lambda r: hazard(r).update(measures="整改照片发至 wang.li@example.com"),
        "personal-data-in-public-field",
    ),
    "evidence outside the evidence folder": (
        lambda r: hazard(r)["events"][1]["evidence"][0].update(
            path="records/evidence/../../policy.yaml"
        ),
        "bad-format",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_refuses(tmp_path: Path, name: str) -> None:
    mutate, code = CASES[name]
    records = base_records()
    mutate(records)
    problems = problems_in(make_repo(tmp_path / "repo", records))
    assert code in {p.code for p in problems}, [(p.code, p.message_zh) for p in problems]
    hit = next(p for p in problems if p.code == code)
    assert hit.line is not None and hit.message_zh


def test_a_major_hazard_with_acceptance_closes(tmp_path: Path) -> None:
    records = base_records()
    major_with_acceptance(records)
    assert problems_in(make_repo(tmp_path / "repo", records)) == []


def test_a_refusal_witnessed_by_two_inspectors_counts_as_signed(tmp_path: Path) -> None:
    records = base_records()
    records[INSPECTION]["signature"] = {"refused": True, "witnesses": ["STAFF-0001", "STAFF-0002"]}
    assert problems_in(make_repo(tmp_path / "repo", records)) == []


def test_a_listed_exception_code_only_warns(tmp_path: Path) -> None:
    records = base_records()
    rename_enterprise(records, "91330100745600124G")
    for record in records.values():
        for key in ("enterprise",):
            if record.get(key) == ENTERPRISE:
                record[key] = "91330100745600124G"
        if record.get("enterprises") == [ENTERPRISE]:
            record["enterprises"] = ["91330100745600124G"]
    root = make_repo(tmp_path / "repo", records)
    policy = (root / "policy.yaml").read_text(encoding="utf-8")
    (root / "policy.yaml").write_text(
        policy.replace("uscc_exceptions: []", "uscc_exceptions: [91330100745600124G]"),
        encoding="utf-8",
    )
    problems = problems_in(root)
    assert [(p.code, p.severity) for p in problems] == [("bad-credit-code", "warning")]


def test_deadlines_may_lie_ahead_of_as_of(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    assert problems_in(root, as_of=dt.date(2025, 10, 16)) == []


def test_every_rule_module_is_documented_and_its_codes_registered() -> None:
    for module in MODULES:
        assert module.__doc__ and len(module.__doc__) > 40, module.__name__
    for code in CODES.values():
        assert code.title_zh and code.title_en and code.fix_zh, code.code


def test_personal_data_in_an_internal_field_is_not_a_public_field_problem(tmp_path: Path) -> None:
    records = base_records()
    make_major(records)
    hazard(records)["five_fixed"]["responsible_person"] = "陈建国 13812345678"
    problems = problems_in(make_repo(tmp_path / "repo", records))
    assert "personal-data-in-public-field" not in {p.code for p in problems}


def test_long_numbers_that_are_not_personal_data_pass(tmp_path: Path) -> None:
    records = base_records()
    hazard(records).update(description="罐区容积 120000000000 升，编号 110105194912310021。")
    problems = problems_in(make_repo(tmp_path / "repo", records))
    assert "personal-data-in-public-field" not in {p.code for p in problems}

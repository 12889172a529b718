"""The public list and its open data: only what is listed on the date, only public fields."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from generator.derive.blacklist import blacklist_tables, write_blacklist_data
from generator.validate import Loaded
from tests.blacklist_factory import Records, add, follow_up, inspection, listing, load
from tests.factory import OTHER_ENTERPRISE, base_records
from tests.test_cli import anjian

D = dt.date.fromisoformat
AFTER_EVERY_TERM = "2031-01-01"


def a_county_with_every_kind_of_listing() -> Records:
    """Listed, pending, repaired and withdrawn listings, as of 2026-11-23."""
    records = base_records()
    add(records, "inspection", inspection("INS-20250210-001", "2025-02-10", ["提供虚假材料"]))
    add(records, "decision", listing(evidence_records=["INS-20250210-001"]))
    pending = listing(
        "DEC-20261115-001",
        enterprise=OTHER_ENTERPRISE,
        notice_date="2026-11-15",
        objection_until="2026-11-25",
        decided_on="2026-11-15",
        listed_from="2026-11-26",
    )
    add(records, "decision", pending)
    repaired = listing(
        "DEC-20240105-001",
        enterprise=OTHER_ENTERPRISE,
        notice_date="2024-01-01",
        objection_until="2024-01-04",
        decided_on="2024-01-05",
        listed_from="2024-01-05",
    )
    add(records, "decision", repaired)
    add(
        records,
        "decision",
        follow_up(
            "DEC-20250301-002",
            "信用修复",
            "2025-03-01",
            target="DEC-20240105-001",
            enterprise=OTHER_ENTERPRISE,
        ),
    )
    withdrawn = listing(
        "DEC-20250601-001",
        notice_date="2025-05-20",
        objection_until="2025-05-27",
        decided_on="2025-06-01",
        listed_from="2025-06-02",
    )
    withdrawn["notice"]["objection"] = {
        "filed_on": "2025-05-25",
        "outcome": "撤销",
        "decided_on": "2025-05-30",
    }
    add(records, "decision", withdrawn)
    return records


def county(tmp_path: Path) -> Loaded:
    loaded = load(tmp_path, a_county_with_every_kind_of_listing())
    assert not loaded.report.problems, [(p.code, p.message_zh) for p in loaded.report.problems]
    return loaded


def test_the_public_list_shows_only_the_listed_enterprise_with_its_rule_and_decision(
    tmp_path: Path,
) -> None:
    rows = blacklist_tables(county(tmp_path), D("2026-11-23"))
    assert [r["decision"] for r in rows] == ["DEC-20250320-001"]
    row = rows[0]
    assert row["enterprise_name"] == "青川县宏达化工有限公司"
    assert row["enterprise"] == "91330100745600123G"
    assert row["rule_title"] == "提供虚假材料"
    assert "第11号" in row["basis"]
    assert row["facts"].startswith("2025年2月10日")
    assert row["document_no"] == "青应急失信〔2025〕1号"
    assert row["department_name"] == "青川县应急管理局"
    assert (row["listed_from"], row["listed_until"]) == ("2025-03-21", "2028-03-20")
    assert row["evidence_records"] == ["INS-20250210-001"]


def test_the_policy_measures_apply_when_a_decision_names_none(tmp_path: Path) -> None:
    loaded = county(tmp_path)
    row = blacklist_tables(loaded, D("2026-11-23"))[0]
    assert row["measures"] == loaded.policy.get("blacklist", "measures")
    assert "加大执法检查频次" in row["measures"]


def test_measures_written_on_the_decision_replace_the_policy_list(tmp_path: Path) -> None:
    records = base_records()
    add(records, "decision", listing(measures=["限制参与政府招投标"]))
    rows = blacklist_tables(load(tmp_path, records), D("2026-11-23"))
    assert rows[0]["measures"] == ["限制参与政府招投标"]


def test_nothing_internal_reaches_the_public_rows(tmp_path: Path) -> None:
    rows = blacklist_tables(county(tmp_path), D("2026-11-23"))
    text = json.dumps(rows, ensure_ascii=False)
    for internal in ("objection", "notice", "STAFF-0001", "2025-03-01", "陈建国", "13900001234"):
        assert internal not in text


def test_the_pending_enterprise_is_published_once_its_objection_period_ends(
    tmp_path: Path,
) -> None:
    loaded = county(tmp_path)
    assert "DEC-20261115-001" not in str(blacklist_tables(loaded, D("2026-11-25")))
    assert "DEC-20261115-001" in str(blacklist_tables(loaded, D("2026-11-26")))


def test_a_listing_on_a_past_date_is_reproducible(tmp_path: Path) -> None:
    loaded = county(tmp_path)
    on = {
        day: [r["decision"] for r in blacklist_tables(loaded, D(day))]
        for day in ("2024-06-01", "2025-03-20", "2025-06-01")
    }
    assert on == {
        "2024-06-01": ["DEC-20240105-001"],  # before its repair
        "2025-03-20": [],  # repaired on 03-01; the next listing starts 03-21
        "2025-06-01": ["DEC-20250320-001"],
    }


def test_after_every_term_the_public_list_is_empty(tmp_path: Path) -> None:
    assert blacklist_tables(county(tmp_path), D(AFTER_EVERY_TERM)) == []


def test_open_data_files_after_every_term_hold_no_trace_of_former_entries(
    tmp_path: Path,
) -> None:
    loaded = county(tmp_path)
    out = tmp_path / "site" / "data"
    write_blacklist_data(blacklist_tables(loaded, D(AFTER_EVERY_TERM)), out)
    assert json.loads((out / "blacklist.json").read_text(encoding="utf-8")) == []
    text = (out / "blacklist.csv").read_text(encoding="utf-8-sig")
    assert text.count("\n") == 1  # the header only
    for trace in ("DEC-", "91330100745600123G", "宏达", "鑫源"):
        assert trace not in (out / "blacklist.json").read_text(encoding="utf-8") + text


def test_the_csv_opens_in_excel_and_matches_the_json(tmp_path: Path) -> None:
    rows = blacklist_tables(county(tmp_path), D("2026-11-23"))
    out = tmp_path / "data"
    write_blacklist_data(rows, out)
    raw = (out / "blacklist.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    assert not (out / "blacklist.json").read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["decision"] for r in parsed] == [r["decision"] for r in rows]
    assert parsed[0]["measures"] == "；".join(rows[0]["measures"])


def test_the_same_records_and_date_give_the_same_bytes(tmp_path: Path) -> None:
    loaded = county(tmp_path)
    first, second = tmp_path / "a", tmp_path / "b"
    write_blacklist_data(blacklist_tables(loaded, D("2026-11-23")), first)
    write_blacklist_data(blacklist_tables(loaded, D("2026-11-23")), second)
    for name in ("blacklist.json", "blacklist.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_the_command_lists_the_public_blacklist_as_of_a_date(tmp_path: Path) -> None:
    root = county(tmp_path).root
    result = anjian("blacklist", "list", "--as-of", "2026-11-23", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert [r["decision"] for r in json.loads(result.stdout)] == ["DEC-20250320-001"]
    table = anjian("blacklist", "list", "--as-of", "2026-11-23", cwd=root)
    assert "青川县宏达化工有限公司" in table.stdout and "Traceback" not in table.stderr


def test_the_command_after_every_term_prints_an_empty_list(tmp_path: Path) -> None:
    root = county(tmp_path).root
    for fmt in ("json", "csv", "table"):
        result = anjian("blacklist", "list", "--as-of", AFTER_EVERY_TERM, "--format", fmt, cwd=root)
        assert result.returncode == 0, result.stderr
        assert "DEC-" not in result.stdout and "宏达" not in result.stdout


def test_the_command_shows_every_listing_state_internally(tmp_path: Path) -> None:
    root = county(tmp_path).root
    result = anjian(
        "blacklist", "list", "--all", "--as-of", "2026-11-23", "--format", "json", cwd=root
    )
    states = {r["decision"]: r["status"] for r in json.loads(result.stdout)}
    assert states == {
        "DEC-20250320-001": "公示中",
        "DEC-20250601-001": "已撤销",
        "DEC-20240105-001": "已修复",
        "DEC-20261115-001": "待定",
    }


def test_the_command_lists_candidates_with_their_records(tmp_path: Path) -> None:
    root = county(tmp_path).root
    result = anjian(
        "blacklist", "candidates", "--as-of", "2026-11-23", "--format", "json", cwd=root
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert [(c["rule"], c["records"], c["existing"]) for c in found] == [
        (
            "false-documents",
            ["INS-20250210-001"],
            "DEC-20250320-001 公示中；DEC-20250601-001 已撤销",
        )
    ]

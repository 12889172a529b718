"""The audit trail: who changed what, when, with whose approval — published and verifiable.

Every test builds a real git history in a scratch repository (fixed names,
e-mails and dates; SSH keys made by ssh-keygen where signing is required) and
checks what ``anjian audit verify`` reports, naming the commit, or what the
public audit pages under ``site/audit/`` contain.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.audit.chain import parse_log
from generator.audit.findings import Finding
from generator.cli import cli
from generator.render.leakscan import scan_site
from tests.audit_factory import (
    AS_OF,
    OTHER_OFFICER,
    OTHER_OFFICER_FILE,
    County,
    head,
    init_audited_county,
    make_key,
    other_department_officer,
)
from tests.factory import ENTERPRISE, OTHER_ENTERPRISE
from tests.gitrepo import ADMIN, INSPECTOR, STRANGER, git_env
from tests.review_factory import (
    INSPECTION_NEW,
    OFFICER,
    PENALTY_NEW,
    TIER1,
    TIER2,
    inspection,
    penalty,
    review_county,
)

ENTERPRISE_FILE = f"records/enterprise/{ENTERPRISE}.yaml"
OTHER_FILE = f"records/enterprise/{OTHER_ENTERPRISE}.yaml"
WINDOW = {"from": "2026-11-21", "until": "2027-11-20"}


def codes(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.commit) for f in findings if f.severity == "error"]


def published_penalty() -> dict[str, Any]:
    return {**penalty(), "publish": dict(WINDOW), "case_no": "青应急立〔2026〕41号"}


def enterprise(county: County, rel: str = ENTERPRISE_FILE) -> dict[str, Any]:
    return copy.deepcopy(county.repo.read(rel))


@pytest.fixture
def county(tmp_path: Path) -> County:
    return init_audited_county(tmp_path / "repo")


def land_inspection(county: County, **kwargs: Any) -> tuple[str, str]:
    return county.land(
        {INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")},
        approvals=[(1, TIER1)],
        **kwargs,
    )


def land_penalty(county: County, **kwargs: Any) -> tuple[str, str]:
    kwargs.setdefault("author", OFFICER)
    return county.land(
        {PENALTY_NEW: published_penalty()},
        approvals=[(2, TIER2)],
        date="2026-11-21",
        **kwargs,
    )


def edit_note(county: County, note: str, *, date: str, **changes: Any) -> tuple[str, str]:
    record = enterprise(county)
    record["note"] = note
    record.update(changes)
    return county.land({ENTERPRISE_FILE: record}, date=date, branch=f"note-{date}")


# -- a clean history ---------------------------------------------------------------


def test_a_clean_history_of_reviewed_pull_requests_verifies(county: County) -> None:
    land_inspection(county)
    land_penalty(county)
    edit_note(county, "复查时约谈了企业负责人。", date="2026-11-22")

    result = county.verify()

    assert result.findings == []
    assert [len(e.body["records"]) for e in result.entries] == [1, 1, 1]
    assert result.entries[0].body["authors"] == ["STAFF-0001"]
    assert result.entries[1].body["approvals"][0]["reviewer"] == "STAFF-0006"
    assert result.entries[2].body["landed_by"] == "STAFF-0004"


def test_the_published_log_verifies_against_the_history_it_came_from(
    county: County, tmp_path: Path
) -> None:
    land_inspection(county)
    land_penalty(county)
    county.publish(tmp_path / "audit")

    log = (tmp_path / "audit" / "log.jsonl").read_text(encoding="utf-8")
    result = county.verify(published=log)

    assert result.findings == []
    assert result.compared == 2


def test_rebuilding_the_audit_pages_gives_the_same_files_byte_for_byte(
    county: County, tmp_path: Path
) -> None:
    land_inspection(county)
    land_penalty(county)
    county.publish(tmp_path / "one")
    county.publish(tmp_path / "two")

    one = {
        p.relative_to(tmp_path / "one"): p.read_bytes()
        for p in (tmp_path / "one").rglob("*")
        if p.is_file()
    }
    two = {
        p.relative_to(tmp_path / "two"): p.read_bytes()
        for p in (tmp_path / "two").rglob("*")
        if p.is_file()
    }
    assert one == two
    head_json = json.loads((tmp_path / "one" / "head.json").read_text(encoding="utf-8"))
    last = (tmp_path / "one" / "log.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    assert head_json["head"] == json.loads(last)["entry_hash"]
    assert head_json["entries"] == 2


# -- who made the change ----------------------------------------------------------------


def test_a_record_commit_by_an_unknown_identity_is_named(county: County) -> None:
    land_inspection(county)
    change, _ = edit_note_by(county, STRANGER)

    found = codes(county.verify().findings)

    assert found == [("audit-unknown-author", change)]


def edit_note_by(county: County, email: str) -> tuple[str, str]:
    record = enterprise(county)
    record["note"] = "补充说明。"
    return county.land({ENTERPRISE_FILE: record}, author=email, branch="by-someone")


def test_a_reviewer_editing_an_inspection_is_outside_their_role(county: County) -> None:
    land_inspection(county)
    record = inspection("INS-20261120-001", "2026-11-20")
    record["summary"] = "检查生产现场，复核员改写了结论。"
    change, _ = county.land({INSPECTION_NEW: record}, author=TIER1, approvals=[(1, TIER1)])

    found = codes(county.verify().findings)

    assert ("audit-not-permitted", change) in found


def test_an_officer_of_another_department_may_not_change_a_penalty(tmp_path: Path) -> None:
    records = review_county()
    records[OTHER_OFFICER_FILE] = other_department_officer()
    county = init_audited_county(tmp_path / "repo", records)
    land_inspection(county)
    change, _ = land_penalty(county, author=OTHER_OFFICER)

    found = county.verify().findings

    assert [(f.code, f.commit, f.record_id) for f in found if f.severity == "error"] == [
        ("audit-not-permitted", change, "PEN-20261120-001")
    ]
    assert "DEPT-YJJ" in found[0].message_zh


def test_nobody_may_change_their_own_staff_record(county: County) -> None:
    rel = "records/staff/STAFF-0004.yaml"
    record = copy.deepcopy(county.repo.read(rel))
    record["roles"] = ["管理员", "二级复核员"]
    change, _ = county.land({rel: record}, author=ADMIN)

    assert codes(county.verify().findings) == [("audit-not-permitted", change)]


def test_a_change_slipped_into_a_merge_is_the_mergers_and_unreviewed(county: County) -> None:
    land_inspection(county)
    repo = county.repo
    repo.git("checkout", "-q", "-b", "note")
    record = enterprise(county)
    record["note"] = "补充说明。"
    repo.write(ENTERPRISE_FILE, record)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "备注", email=INSPECTOR, date="2026-11-21")
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "--no-commit", "note", email=ADMIN, date="2026-11-21")
    changed = inspection("INS-20261120-001", "2026-11-20")
    changed["summary"] = "合并时顺手改了检查结论。"
    repo.write(INSPECTION_NEW, changed)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "合并 note", email=ADMIN, date="2026-11-21")
    merge = head(repo)

    assert sorted(codes(county.verify().findings)) == [
        ("audit-approval-missing", merge),
        ("audit-not-permitted", merge),
    ]


# -- approvals -----------------------------------------------------------------------


def test_an_inspection_landed_without_its_tier_one_approval_is_named(county: County) -> None:
    _, merge = county.land({INSPECTION_NEW: inspection("INS-20261120-001", "2026-11-20")})

    found = county.verify().findings

    assert codes(found) == [("audit-approval-missing", merge)]
    assert found[0].record_id == "INS-20261120-001"


def test_a_reviewer_approving_their_own_penalty_does_not_count(county: County) -> None:
    land_inspection(county)
    # 赵刚 (STAFF-0003) is an enforcement officer and a tier-2 reviewer
    _, merge = county.land(
        {PENALTY_NEW: published_penalty()}, author=OFFICER, approvals=[(2, OFFICER)]
    )

    found = county.verify().findings

    assert codes(found) == [("audit-approval-missing", merge)]
    assert any(f.code == "audit-approval-not-counted" for f in found)


# -- signatures -------------------------------------------------------------------------


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "keys"
    return {email: make_key(folder, email) for email in (INSPECTOR, TIER1, TIER2, OFFICER, ADMIN)}


def test_signed_commits_verify_where_policy_requires_signatures(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    county = init_audited_county(tmp_path / "repo", keys=keys, require_signatures=True)
    land_inspection(county)
    land_penalty(county)

    assert county.verify().findings == []


def test_an_unsigned_commit_is_named_where_policy_requires_signatures(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    county = init_audited_county(tmp_path / "repo", keys=keys, require_signatures=True)
    land_inspection(county)
    unsigned = dict(keys)
    del unsigned[OFFICER]
    county.keys = unsigned
    change, _ = land_penalty(county)

    assert codes(county.verify().findings) == [("audit-unsigned", change)]


def test_a_commit_signed_with_someone_elses_key_is_named(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    county = init_audited_county(tmp_path / "repo", keys=keys, require_signatures=True)
    county.keys = {**keys, OFFICER: keys[INSPECTOR]}
    land_inspection(county)
    change, _ = land_penalty(county)

    assert codes(county.verify().findings) == [("audit-bad-signature", change)]


def test_unsigned_commits_pass_where_policy_does_not_require_signatures(county: County) -> None:
    land_penalty(county, author=OFFICER)
    assert "audit-unsigned" not in {f.code for f in county.verify().findings}


def test_allowed_signers_lists_each_staff_key_for_each_email(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    county = init_audited_county(tmp_path / "repo", keys=keys)
    out = tmp_path / "allowed_signers"

    result = CliRunner().invoke(
        cli, ["--repo", str(county.root), "audit", "allowed-signers", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    officer_key = keys[OFFICER].with_suffix(".pub").read_text(encoding="utf-8").split()[1]
    assert f'{OFFICER} namespaces="git" ssh-ed25519 {officer_key}' in text
    assert text.count("ssh-ed25519") == 5


# -- the published chain ----------------------------------------------------------------


def test_a_rewritten_old_commit_is_named_against_the_published_log(
    county: County, tmp_path: Path
) -> None:
    _, first = land_inspection(county)
    change, second = land_penalty(county)
    edit_note(county, "整改情况良好。", date="2026-11-22")
    county.publish(tmp_path / "audit")
    published = (tmp_path / "audit" / "log.jsonl").read_text(encoding="utf-8")

    # history rewritten from the second landing on: the penalty amended, the rest replayed
    county.repo.git("reset", "-q", "--hard", first)
    amended = {**published_penalty(), "fine": 2000}
    county.land({PENALTY_NEW: amended}, author=OFFICER, approvals=[(2, TIER2)], date="2026-11-21")
    edit_note(county, "整改情况良好。", date="2026-11-22")

    found = county.verify(published=published).findings

    assert codes(found) == [("audit-chain-diverged", second)]
    assert found[0].seq == 2
    assert second[:12] in found[0].message_zh
    assert change != second


def test_records_removed_from_history_are_named_against_the_published_log(
    county: County, tmp_path: Path
) -> None:
    _, first = land_inspection(county)
    _, second = land_penalty(county)
    county.publish(tmp_path / "audit")
    published = (tmp_path / "audit" / "log.jsonl").read_text(encoding="utf-8")

    county.repo.git("reset", "-q", "--hard", first)

    assert codes(county.verify(published=published).findings) == [("audit-chain-truncated", second)]


def test_an_edited_published_log_is_refused(county: County, tmp_path: Path) -> None:
    land_inspection(county)
    county.publish(tmp_path / "audit")
    lines = (tmp_path / "audit" / "log.jsonl").read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[0])
    row["authors"] = ["STAFF-0002"]

    found = county.verify(published=json.dumps(row, ensure_ascii=False) + "\n").findings

    assert [f.code for f in found] == ["audit-log-corrupt"]


def test_verify_exits_one_and_names_the_commit_on_the_command_line(
    county: County, tmp_path: Path
) -> None:
    change, _ = edit_note_by(county, STRANGER)

    result = CliRunner().invoke(
        cli, ["--repo", str(county.root), "audit", "verify"], env=git_env(ADMIN, "2026-11-23")
    )

    assert result.exit_code == 1
    assert f"commit {change[:12]}: audit-unknown-author" in result.output


# -- the public pages ------------------------------------------------------------------------


def test_the_public_audit_pages_never_show_an_internal_field(
    county: County, tmp_path: Path
) -> None:
    record = enterprise(county)
    record["contact"] = {"name": "陈建国", "phone": "13911112222"}
    for n, date in enumerate(["2026-11-20", "2026-11-21", "2026-11-22"], start=1):
        record["note"] = f"CANARY-{n}-内部备注"
        record["contact"]["phone"] = f"1391111222{n}"
        if n == 2:
            record["address"] = "城关镇工业园区18号"  # one public change among them
        county.land({ENTERPRISE_FILE: dict(record)}, date=date, branch=f"edit-{n}")
    out = tmp_path / "audit"
    county.publish(out)

    files = [p for p in out.rglob("*") if p.is_file()]
    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    assert "CANARY" not in text
    for phone in ("13900001234", "13911112221", "13911112222", "13911112223"):
        assert phone not in text
    assert scan_site(out) == []
    # the public change is there, and only the landing that made it names the enterprise
    page = (out / "records" / f"{ENTERPRISE}.html").read_text(encoding="utf-8")
    assert "城关镇工业园区18号" in page and "城关镇工业园区8号" in page
    rows, _ = parse_log((out / "log.jsonl").read_text(encoding="utf-8"))
    assert [bool(r.details) for r in rows] == [False, True, False]
    # the canary really is in the history: the internal view shows every version
    shown = CliRunner().invoke(cli, ["--repo", str(county.root), "audit", "show", ENTERPRISE])
    assert "CANARY-1-内部备注" in shown.output and "CANARY-3-内部备注" in shown.output


def test_a_withdrawn_penalty_leaves_a_tombstone_and_the_same_chain(
    county: County, tmp_path: Path
) -> None:
    land_inspection(county)
    land_penalty(county)
    county.publish(tmp_path / "listed", as_of=AS_OF)
    county.publish(tmp_path / "ended", as_of=dt.date(2027, 12, 1))

    listed = (tmp_path / "listed" / "log.jsonl").read_text(encoding="utf-8")
    ended = (tmp_path / "ended" / "log.jsonl").read_text(encoding="utf-8")
    assert "PEN-20261120-001" in listed
    assert "PEN-20261120-001" not in ended
    assert not (tmp_path / "ended" / "records" / "PEN-20261120-001.html").exists()
    assert "PEN-20261120-001" not in "".join(
        p.read_text(encoding="utf-8") for p in (tmp_path / "ended").rglob("*") if p.is_file()
    )
    # the chain does not change when a record leaves publication: the old log still verifies
    assert [r.entry_hash for r in parse_log(listed)[0]] == [
        r.entry_hash for r in parse_log(ended)[0]
    ]
    assert county.verify(published=listed).findings == []


def test_an_ended_listing_is_not_named_on_the_audit_pages(county: County, tmp_path: Path) -> None:
    listing = {
        "id": "DEC-20261120-001",
        "type": "列入严重失信名单",
        "enterprise": OTHER_ENTERPRISE,
        "document_no": "青应急失信〔2026〕3号",
        "decided_on": "2023-11-20",
        "department": "DEPT-YJJ",
        "rule": "false-documents",
        "listed_from": "2023-11-21",
    }
    county.land(
        {"records/decision/2023/DEC-20261120-001.yaml": listing},
        author=OFFICER,
        approvals=[(2, TIER2)],
    )
    out = tmp_path / "audit"
    county.publish(out)

    text = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file())
    assert "DEC-20261120-001" not in text
    assert "青应急失信" not in text
    rows, _ = parse_log((out / "log.jsonl").read_text(encoding="utf-8"))
    assert len(rows) == 1 and len(rows[0].body["records"]) == 1 and not rows[0].details


def test_the_audit_index_shows_the_head_hash(county: County, tmp_path: Path) -> None:
    land_inspection(county)
    site = county.publish(tmp_path / "audit")

    index = (tmp_path / "audit" / "index.html").read_text(encoding="utf-8")
    assert site.head in index
    assert "INS-20261120-001" in index


def test_history_before_the_epoch_is_not_judged(tmp_path: Path) -> None:
    # the county was imported by the administrator before any staff record existed:
    # that first commit is the epoch, so it is taken as given
    county = init_audited_county(tmp_path / "repo")
    assert county.verify().findings == []
    policy = (county.root / "policy.yaml").read_text(encoding="utf-8")
    (county.root / "policy.yaml").write_text(
        policy.replace(f"epoch: {county.epoch}", "epoch: null"), encoding="utf-8"
    )
    assert ("audit-unknown-author", county.epoch) in codes(county.verify().findings)


def test_show_lists_every_change_of_a_record_with_its_author_and_reviewer(
    county: County,
) -> None:
    change, merge = land_inspection(county)

    result = CliRunner().invoke(
        cli,
        ["--repo", str(county.root), "audit", "show", "INS-20261120-001", "--format", "json"],
    )

    rows = json.loads(result.output)
    assert [r["commit"] for r in rows] == [merge]
    assert rows[0]["editors"][0] == {
        "commit": change,
        "staff": "STAFF-0001",
        "email": INSPECTOR,
        "time": "2026-11-20T09:00:00+08:00",
    }
    assert rows[0]["approvals"][0]["reviewer"] == "STAFF-0005"
    assert head(county.repo) == merge


def test_a_log_published_by_the_command_line_verifies_from_a_file(
    county: County, tmp_path: Path
) -> None:
    land_inspection(county)
    out = tmp_path / "published"
    runner = CliRunner()
    root = ["--repo", str(county.root)]

    made = runner.invoke(
        cli, [*root, "audit", "publish", "--out", str(out), "--as-of", "2026-11-23"]
    )
    checked = runner.invoke(cli, [*root, "audit", "verify", "--against", str(out / "log.jsonl")])
    pinned = runner.invoke(cli, [*root, "audit", "head"])

    assert made.exit_code == 0, made.output
    assert checked.exit_code == 0, checked.output
    assert json.loads(pinned.output) == json.loads((out / "head.json").read_text("utf-8"))

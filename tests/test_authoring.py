"""Authoring: composing records, appending lifecycle events, importing citizens' issues."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.authoring import (
    Incomplete,
    QuietAsker,
    StepRefused,
    close_events,
    compose_record,
    open_session,
    record_step,
    rectify_events,
)
from generator.authoring.events import append_events, read_hazard, with_events
from generator.authoring.session import render_draft, write_record
from generator.authoring.values import BadValue, parse_value
from generator.authoring.writer import wrap
from generator.cli import cli
from generator.load import Document, parse_document
from generator.schemas import load_registry, project_public
from tests.conftest import problems_in
from tests.factory import ENTERPRISE, base_records, make_repo

TODAY = dt.date(2026, 11, 23)
HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"
OPEN_HAZARD = "records/hazard/2026/HAZ-20261120-001.yaml"


def open_hazard() -> dict[str, Any]:
    return {
        "id": "HAZ-20261120-001",
        "enterprise": ENTERPRISE,
        "source": "企业自查",
        "found_on": "2026-11-20",
        "class": "一般",
        "level": "三级",
        "category": "消防安全",
        "description": "灭火器过期。",
        "location": "仓库",
        "department": "DEPT-YJJ",
        "deadline": "2026-11-27",
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    records = base_records()
    records[OPEN_HAZARD] = open_hazard()
    return make_repo(tmp_path / "repo", records)


def compose(root: Path, kind: str, values: dict[str, Any]) -> Any:
    session = open_session(root, QuietAsker(), TODAY)
    draft, _ = compose_record(session, kind, values)
    return session, draft


# --- composing ---------------------------------------------------------------------


def test_a_level_one_hazard_is_major_and_needs_its_five_fixes_and_listing(repo: Path) -> None:
    values = {
        "enterprise": "宏达",
        "found_on": "2026-11-20",
        "level": "一级",
        "category": "危险化学品管理",
        "description": "储罐区紧急切断阀失效。",
        "location": "储罐区",
        "department": "DEPT-YJJ",
    }
    with pytest.raises(Incomplete) as missing:
        compose(repo, "hazard", values)
    text = "；".join(missing.value.problems)
    assert "five_fixed.responsible_person" in text and "listing.document_no" in text
    values |= {
        "five_fixed.responsible_person": "陈建国",
        "five_fixed.measures": "更换紧急切断阀",
        "five_fixed.funds": "120000",
        "five_fixed.emergency_plan": "储罐区泄漏专项应急预案",
        "listing.document_no": "青安委办〔2026〕3号",
    }
    session, draft = compose(repo, "hazard", values)
    assert draft.id == "HAZ-20261120-002"  # 001 exists
    assert draft.path == "records/hazard/2026/HAZ-20261120-002.yaml"
    data = draft.data
    assert data["class"] == "重大"
    assert data["deadline"] == "2027-02-18"  # found_on + 90 days (policy: 一级)
    assert data["five_fixed"]["deadline"] == data["deadline"]
    assert data["five_fixed"]["funds"] == 120000
    assert data["listing"] == {
        "by": "DEPT-YJJ",
        "document_no": "青安委办〔2026〕3号",
        "date": "2026-11-20",
    }
    assert list(data)[:3] == ["id", "enterprise", "source"]  # schema order
    written = write_record(session, draft)
    assert written.problems == []


def test_values_are_checked_as_they_are_given(repo: Path) -> None:
    base = {
        "enterprise": ENTERPRISE,
        "found_on": "2026-11-20",
        "level": "三级",
        "category": "消防安全",
        "location": "仓库",
        "department": "DEPT-YJJ",
    }
    with pytest.raises(Incomplete) as late:
        compose(repo, "hazard", base | {"description": "x", "deadline": "2026-12-31"})
    assert "三级隐患整改期限最长 7 日，最晚 2026-11-27" in late.value.problems[0]
    with pytest.raises(Incomplete) as phone:
        compose(repo, "hazard", base | {"description": "联系人电话 13912345678"})
    assert "会公开，不能写手机号" in phone.value.problems[0]
    with pytest.raises(Incomplete) as future:
        compose(repo, "hazard", base | {"description": "x", "found_on": "2026-12-01"})
    assert "不能晚于今天" in future.value.problems[0]
    with pytest.raises(Incomplete) as unknown:
        compose(repo, "hazard", base | {"descripton": "x"})
    assert "是不是“description”" in unknown.value.problems[0]


def test_an_inspection_needs_two_inspectors_one_certified_and_a_signature(repo: Path) -> None:
    values = {
        "date": "2026-11-20",
        "kind": "双随机抽查",
        "enterprises": "宏达、鑫源",
        "summary": "抽查两家企业。",
    }
    with pytest.raises(Incomplete) as one:
        compose(repo, "inspection", values | {"inspectors": "王军"})
    assert any("至少需要两名检查人员" in p for p in one.value.problems)
    with pytest.raises(Incomplete) as uncertified:
        compose(repo, "inspection", values | {"inspectors": "李娜 赵刚"})
    assert any("执法证" in p for p in uncertified.value.problems)
    with pytest.raises(Incomplete) as unsigned:
        compose(repo, "inspection", values | {"inspectors": "王军,李娜"})
    assert any("signature" in p for p in unsigned.value.problems)
    session, draft = compose(
        repo,
        "inspection",
        values
        | {
            "inspectors": "王军,李娜",
            "signature.refused": "是",
            "signature.witnesses": "STAFF-0001,STAFF-0002",
        },
    )
    assert draft.data["enterprises"] == [ENTERPRISE, "91330100745600131B"]
    assert draft.data["signature"] == {"refused": True, "witnesses": ["STAFF-0001", "STAFF-0002"]}
    assert write_record(session, draft).problems == []


def test_ambiguous_names_are_refused_without_prompts(repo: Path) -> None:
    with pytest.raises(Incomplete) as ambiguous:
        compose(repo, "inspection", {"enterprises": "青", "inspectors": "王军,李娜"})
    assert "对应多条记录" in ambiguous.value.problems[0]


def test_entered_and_counted_ids(repo: Path) -> None:
    with pytest.raises(Incomplete) as bad:
        compose(repo, "enterprise", {"id": "91330100745600123X"})
    assert "格式不对" in bad.value.problems[0] or "校验位" in bad.value.problems[0]
    with pytest.raises(Incomplete) as used:
        compose(repo, "enterprise", {"id": ENTERPRISE})
    assert "已经用过" in used.value.problems[0]
    _, staff = compose(repo, "staff", {"name": "孙丽", "department": "DEPT-YJJ", "roles": "检查员"})
    assert staff.id == "STAFF-0004" and staff.data["active"] is True
    _, report = compose(
        repo,
        "self-report",
        {
            "enterprise": ENTERPRISE,
            "signed_by": "陈建国",
            "hazards_found": "2",
            "hazards_fixed": "2",
        },
    )
    assert report.id == f"SR-{ENTERPRISE}-202610"  # last month, from today
    assert report.path == f"records/self-report/2026/SR-{ENTERPRISE}-202610.yaml"


def test_written_records_explain_each_field(repo: Path) -> None:
    _, draft = compose(
        repo,
        "complaint",
        {"kind": "隐患举报", "subject": "反映仓库堆放杂物", "department": "DEPT-YJJ"},
    )
    text = render_draft(draft)
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../schemas/complaint.json"
    assert "# 事项【公开】：对外公开的事项摘要" in text
    assert "# 渠道【公开】" in text
    doc = parse_document(text.encode(), draft.path)
    assert isinstance(doc, Document) and doc.data == draft.data
    assert draft.data["outcome"] == "处理中" and draft.data["received_on"] == "2026-11-23"


def test_comment_lines_never_start_with_punctuation() -> None:
    text = (
        "按《安全生产事故隐患排查治理暂行规定》划分：一般（危害和整改难度较小，能立即整改）；" * 4
    )
    lines = wrap(text, 40)
    assert len(lines) > 3
    assert not any(line[0] in "，。、；：）" for line in lines)


def test_values_from_text() -> None:
    from generator.authoring.tree import build_tree

    tree = build_tree(load_registry(Path(__file__).resolve().parents[1])["staff"])
    roles = tree.child("roles")
    assert roles is not None
    assert parse_value(roles, "检查员，执法人员") == ["检查员", "执法人员"]
    assert parse_value(roles, "1、2") == ["检查员", "执法人员"]
    active = tree.child("active")
    assert active is not None and parse_value(active, "否") is False
    with pytest.raises(BadValue):
        parse_value(roles, "司机")


# --- lifecycle events ----------------------------------------------------------------


def test_events_are_appended_without_touching_the_rest(repo: Path) -> None:
    original = (repo / OPEN_HAZARD).read_text(encoding="utf-8")
    hazard = read_hazard(original, OPEN_HAZARD)
    text = with_events(hazard, [{"date": "2026-11-21", "type": "开始整改"}])
    assert text.startswith(original)
    assert text[len(original) :].endswith("events:\n- date: 2026-11-21\n  type: 开始整改\n")


@pytest.mark.parametrize(
    ("events_block", "expected_tail"),
    [
        ("events:\n  - date: 2026-11-21\n    type: 开始整改\n", "  - date: 2026-11-22\n"),
        ("events: []\n", "events:\n- date: 2026-11-22\n"),
    ],
)
def test_events_follow_the_file_s_style(events_block: str, expected_tail: str) -> None:
    head = "id: HAZ-20261120-001\nfound_on: 2026-11-20\n"
    tail = "\n# 整改要求\nmeasures: 更换\n"
    text = head + "# 整改过程\n" + events_block + tail
    hazard = read_hazard(text, OPEN_HAZARD)
    event = {"date": "2026-11-22", "type": "进展报告", "note": "进行中"}
    result = append_events(hazard, [event])
    assert result.startswith(head) and result.endswith(tail)  # inserted before the next key
    assert expected_tail in result
    after = parse_document(result.encode(), OPEN_HAZARD)
    assert isinstance(after, Document) and after.data["events"][-1] == event


def test_steps_the_state_machine_forbids_are_refused(repo: Path) -> None:
    closed = rectify_events(TODAY)
    with pytest.raises(StepRefused, match="当前状态为“已销号”，不能记录“开始整改”"):
        record_step(repo, "HAZ-20251010-001", closed, today=TODAY)
    no_photos = rectify_events(TODAY)
    record_step(repo, "HAZ-20261120-001", no_photos, today=TODAY)
    with pytest.raises(StepRefused, match="已在整改中"):
        record_step(repo, "HAZ-20261120-001", no_photos, today=TODAY)
    early = rectify_events(dt.date(2026, 11, 19), progress=True)
    with pytest.raises(StepRefused, match="早于上一个事件"):
        record_step(repo, "HAZ-20261120-001", early, today=TODAY)
    with pytest.raises(StepRefused, match="没有找到隐患"):
        record_step(repo, "HAZ-20991231-001", no_photos, today=TODAY)


def test_a_major_hazard_is_accepted_before_it_is_closed(tmp_path: Path) -> None:
    records = base_records()
    major = open_hazard() | {
        "class": "重大",
        "level": "二级",
        "deadline": "2026-12-05",
        "five_fixed": {
            "responsible_person": "陈建国",
            "measures": "更换",
            "funds": 1000,
            "deadline": "2026-12-05",
            "emergency_plan": "专人值守",
        },
        "events": [
            {"date": "2026-11-21", "type": "开始整改"},
            {
                "date": "2026-11-22",
                "type": "整改完成",
                "evidence": [
                    {"path": p, "sha256": s}
                    for p, s in (
                        (r["path"], r["sha256"])
                        for r in base_records()[HAZARD]["events"][1]["evidence"]
                    )
                ],
            },
            {"date": "2026-11-22", "type": "复查通过", "by": "STAFF-0001"},
        ],
    }
    records[OPEN_HAZARD] = major
    root = make_repo(tmp_path / "repo", records)
    with pytest.raises(StepRefused, match="重大隐患，销号前须经验收"):
        record_step(root, "HAZ-20261120-001", close_events(TODAY, by="STAFF-0001"), today=TODAY)
    done = record_step(
        root,
        "HAZ-20261120-001",
        close_events(TODAY, by="STAFF-0001", body="县安全生产专家组"),
        today=TODAY,
    )
    assert done.written and done.state == "已销号"
    assert [e["type"] for e in done.events] == ["验收", "销号"]
    assert problems_in(root) == []


def test_a_step_that_would_not_validate_is_undone(repo: Path, tmp_path: Path) -> None:
    before = (repo / OPEN_HAZARD).read_bytes()
    photos = []
    for name in ("a.jpg", "b.jpg"):
        (tmp_path / name).write_bytes(name.encode())
        photos.append(tmp_path / name)
    build = rectify_events(TODAY, by="STAFF-9999")  # no such staff: dangling reference
    result = record_step(repo, "HAZ-20261120-001", build, evidence=photos, today=TODAY)
    assert not result.written
    assert [p.code for p in result.problems] == ["dangling-ref"]
    assert (repo / OPEN_HAZARD).read_bytes() == before
    assert not (repo / "records/evidence/HAZ-20261120-001").exists()


def test_cli_refusals_are_chinese_and_exit_one(repo: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["--repo", str(repo), "recheck", "HAZ-20261120-001", "--pass", "--by", "王军"]
    )
    assert result.exit_code == 1
    assert "当前状态为“待整改”，不能记录“复查通过”" in result.output
    usage = runner.invoke(cli, ["--repo", str(repo), "recheck", "HAZ-20261120-001", "--fail"])
    assert usage.exit_code == 2 and "--reason" in usage.output


# --- citizens' issues ------------------------------------------------------------------


def issue_json(tmp_path: Path) -> Path:
    body = (
        "### 涉及单位名称\n\n青川县宏达化工有限公司\n\n### 地点\n\n城关镇工业园区\n\n"
        "### 发生或发现时间\n\n_No response_\n\n### 隐患类型\n\n危险化学品（违规储存、使用、运输）\n\n"
        "### 具体情况\n\n仓库夜间堆放液化气钢瓶，我是隔壁厂的张伟，电话 13712345678。\n\n"
        "### 确认\n\n- [X] 我已阅读上面的提示。"
    )
    data = {
        "number": 12,
        "title": "[隐患举报] 宏达化工仓库违规储存",
        "body": body,
        "author": {"login": "zhangwei88", "name": "张伟"},
        "createdAt": "2026-11-21T18:30:00Z",  # 2026-11-22 in Asia/Shanghai
        "labels": [{"name": "隐患举报"}],
        "url": "https://example.org/county/records/issues/12",
    }
    file = tmp_path / "issue.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return file


def test_an_issue_becomes_a_complaint_with_the_reporter_kept_internal(
    repo: Path, tmp_path: Path
) -> None:
    file = issue_json(tmp_path)
    runner = CliRunner()
    args = [
        "--repo",
        str(repo),
        "import-issue",
        "--file",
        str(file),
        "--yes",
        "--as-of",
        "2026-11-23",
    ]
    leaked = runner.invoke(cli, [*args, "--set", "subject=zhangwei88 反映仓库违规储存"])
    assert leaked.exit_code == 2 and "不能包含举报人" in leaked.output
    unwritten = runner.invoke(cli, args)
    assert unwritten.exit_code == 2 and "subject" in unwritten.output

    done = runner.invoke(cli, [*args, "--set", "subject=反映企业仓库夜间违规储存液化气钢瓶"])
    assert done.exit_code == 0, done.output
    rel = "records/complaint/CMP-20261122-001.yaml"
    doc = parse_document((repo / rel).read_bytes(), rel)
    assert isinstance(doc, Document)
    data = doc.data
    assert data["kind"] == "隐患举报" and data["channel"] == "网络"
    assert data["enterprise"] == ENTERPRISE and data["department"] == "DEPT-YJJ"
    assert data["reporter"] == {"name": "张伟"}
    assert "@zhangwei88" in data["details"] and "issues/12" in data["details"]
    public = json.dumps(project_public(load_registry(repo)["complaint"], data), ensure_ascii=False)
    for secret in ("张伟", "zhangwei88", "13712345678", "issues/12"):
        assert secret not in public
    assert "请在议题 #12 中回复受理编号 CMP-20261122-001" in done.output


@pytest.mark.parametrize(
    ("kind", "values", "path"),
    [
        (
            "penalty",
            {
                "enterprise": "鑫源",
                "document_no": "青应急罚〔2026〕3号",
                "violation": "未按规定储存危险化学品。",
                "basis": "《中华人民共和国安全生产法》第九十九条",
                "measures": "警告,罚款",
                "fine": "20000",
                "department": "DEPT-YJJ",
            },
            "records/penalty/2026/PEN-20261123-001.yaml",
        ),
        (
            "department",
            {"id": "DEPT-ZJJ", "name": "青川县住房和城乡建设局", "kind": "参与部门"},
            "records/department/DEPT-ZJJ.yaml",
        ),
        (
            "complaint",
            {
                "kind": "执法投诉",
                "channel": "来信",
                "subject": "反映检查时未出示证件",
                "department": "DEPT-YJJ",
            },
            "records/complaint/CMP-20261123-001.yaml",
        ),
    ],
)
def test_new_records_of_other_kinds_validate(
    repo: Path, kind: str, values: dict[str, str], path: str
) -> None:
    args = [f"{k}={v}" for k, v in values.items()]
    result = CliRunner().invoke(
        cli,
        ["--repo", str(repo), "new", kind, "--yes", "--as-of", "2026-11-23"]
        + [item for arg in args for item in ("--set", arg)],
    )
    assert result.exit_code == 0, result.output
    assert (repo / path).is_file()
    assert problems_in(repo) == []

"""Walkthrough: from a fresh repository to a closed hazard, driven through the prompts.

An inspector opens a branch, creates an inspection and a hazard found in it by
answering ``anjian new``'s questions, then rectifies, re-checks and closes the
hazard with ``anjian rectify``/``recheck``/``close``.  Every step validates and,
committed on the branch, passes ``anjian validate --base main`` (history rules
included); every lifecycle step's diff only adds lines.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from generator.cli import cli
from generator.load import Document, parse_document
from tests.factory import base_records, make_repo

AS_OF = "2026-11-23"
INSPECTOR = "wangjun@qc.example.gov.cn"
ADMIN = "admin@qc.example.gov.cn"
INSPECTION = "records/inspection/2026/INS-20261120-001.yaml"
HAZARD = "records/hazard/2026/HAZ-20261120-001.yaml"


def answers(*lines: str) -> str:
    return "\n".join(lines) + "\n"


NEW_INSPECTION = answers(
    "2026-11-20",  # 检查日期
    "2",  # 检查类型: 部门专项检查
    "宏达",  # 被检查企业, by part of its name
    "y",  # 是这家企业吗？
    "",  # 牵头部门: the enterprise's supervising department
    "",  # 参与部门 (optional)
    "王军,李娜",  # 检查人员 by name
    "",  # 专家 (optional)
    "2026-11-17",  # 通知日期
    "检查危化品仓库和配电室，发现隐患 1 项，已责令限期整改。",  # 检查情况
    "y",  # 添加一项执法文书
    "2",  # 责令限期整改指令书
    "（青）应急责改〔2026〕12号",  # 文号
    "",  # 文书日期: the inspection date
    "n",  # 不再添加
    "n",  # 检查表: none
    "y",  # 负责人签字
    "",  # 签字人: the legal representative
    "",  # 检查发现: none
    "y",  # 写入
)

NEW_HAZARD = answers(
    "y",  # 是这家企业吗？ (from the inspection)
    "2",  # 隐患等级: 二级
    "1",  # 隐患类别: 一般
    "1",  # 隐患类型: 消防安全
    "配电室门口堆放纸箱，堵塞安全通道。",  # 隐患描述
    "配电室门口",  # 隐患部位
    "",  # 判定依据 (optional)
    "",  # 整改期限: found_on + 15 days from policy
    "立即清理纸箱，保持通道畅通。",  # 整改要求
    "y",  # 写入
)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The factory county on ``main``, its staff with git e-mails, committed by an administrator."""
    records = base_records()
    emails = {"STAFF-0001": INSPECTOR, "STAFF-0002": "lina@qc.example.gov.cn"}
    for staff_id, email in emails.items():
        records[f"records/staff/{staff_id}.yaml"]["git"] = {"emails": [email]}
    records["records/staff/STAFF-0004.yaml"] = {
        "id": "STAFF-0004",
        "name": "周敏",
        "department": "DEPT-YJJ",
        "roles": ["管理员"],
        "git": {"emails": [ADMIN]},
        "active": True,
    }
    root = make_repo(tmp_path / "repo", records)
    for name in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"):
        monkeypatch.setenv(name, str(tmp_path / "no-config"))
    set_author(monkeypatch, ADMIN)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "青川县记录库")
    set_author(monkeypatch, INSPECTOR)
    git(root, "switch", "-q", "-c", "submit/ins-20261120")
    return root


def set_author(monkeypatch: pytest.MonkeyPatch, email: str) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", email.split("@")[0])
        monkeypatch.setenv(f"GIT_{role}_EMAIL", email)
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-11-23T09:00:00+08:00")


def anjian(root: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--repo", str(root), *args], input=input)


def has_base_option() -> bool:
    command = cli.commands["validate"]
    return any(isinstance(p, click.Option) and "--base" in p.opts for p in command.params)


def assert_valid(root: Path, *paths: str) -> None:
    """The files validate; committed, the branch passes ``validate --base main``."""
    plain = anjian(root, "validate", "--as-of", AS_OF, *[str(root / p) for p in paths])
    assert plain.exit_code == 0, plain.output
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", f"提交 {' '.join(paths)}")
    if has_base_option():
        based = anjian(root, "validate", "--as-of", AS_OF, "--base", "main")
        assert based.exit_code == 0, based.output


def read(root: Path, rel: str) -> Document:
    doc = parse_document((root / rel).read_bytes(), rel)
    assert isinstance(doc, Document)
    return doc


def added_lines_only(root: Path, rel: str) -> list[str]:
    """The last commit's diff of a file: every changed line is an added one."""
    diff = git(root, "diff", "--unified=0", "HEAD~1", "HEAD", "--", rel).splitlines()
    body = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert body, "the step changed nothing"
    assert all(line.startswith("+") for line in body), "\n".join(body)
    return [line[1:] for line in body]


def test_from_an_empty_branch_to_a_closed_hazard(county: Path, tmp_path: Path) -> None:
    root = county

    created = anjian(root, "new", "inspection", "--as-of", AS_OF, input=NEW_INSPECTION)
    assert created.exit_code == 0, created.output
    assert f"已写入 {INSPECTION}，校验通过" in created.output
    inspection = read(root, INSPECTION).data
    assert inspection["inspectors"] == ["STAFF-0001", "STAFF-0002"]
    assert inspection["lead_department"] == "DEPT-YJJ"
    assert inspection["signature"] == {"signed_by": "陈建国", "refused": False}
    assert inspection["documents"][0]["date"] == "2026-11-20"
    text = (root / INSPECTION).read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/inspection.json")
    assert "# 检查人员【公开】" in text and "date: 2026-11-20\n" in text  # dates unquoted
    assert_valid(root, INSPECTION)

    found = anjian(
        root,
        "new",
        "hazard",
        "--from-inspection",
        "INS-20261120-001",
        "--as-of",
        AS_OF,
        input=NEW_HAZARD,
    )
    assert found.exit_code == 0, found.output
    hazard = read(root, HAZARD).data
    assert hazard["enterprise"] == "91330100745600123G"
    assert hazard["inspection"] == "INS-20261120-001"
    assert hazard["found_on"] == "2026-11-20"
    assert hazard["found_by"] == ["STAFF-0001", "STAFF-0002"]
    assert hazard["deadline"] == "2026-12-05"  # 二级: 15 days in policy.yaml
    assert "events" not in hazard
    assert_valid(root, HAZARD)

    started = anjian(root, "rectify", "HAZ-20261120-001", "--date", "2026-11-21", "--as-of", AS_OF)
    assert started.exit_code == 0, started.output
    assert "整改中" in started.output
    assert_valid(root, HAZARD)
    assert added_lines_only(root, HAZARD)[-2:] == ["- date: 2026-11-21", "  type: 开始整改"]

    refused = anjian(root, "close", "HAZ-20261120-001", "--by", "王军", "--as-of", AS_OF)
    assert refused.exit_code == 1
    assert "当前状态为“整改中”，不能记录“销号”" in refused.output

    photos = []
    for name, content in (("整改前.jpg", b"before"), ("整改后 照片.jpg", b"after")):
        photo = tmp_path / name
        photo.write_bytes(content)
        photos += ["--evidence", str(photo)]
    rectified = anjian(
        root, "rectify", "HAZ-20261120-001", *photos, "--date", "2026-11-22", "--as-of", AS_OF
    )
    assert rectified.exit_code == 0, rectified.output
    assert (root / "records/evidence/HAZ-20261120-001/整改后_照片.jpg").read_bytes() == b"after"
    assert_valid(root, HAZARD)
    assert added_lines_only(root, HAZARD)

    passed = anjian(
        root, "recheck", "HAZ-20261120-001", "--pass", "--by", "STAFF-0002", "--as-of", AS_OF
    )
    assert passed.exit_code == 0, passed.output
    assert_valid(root, HAZARD)

    closed = anjian(root, "close", "HAZ-20261120-001", "--by", "王军", "--as-of", AS_OF)
    assert closed.exit_code == 0, closed.output
    assert "已销号" in closed.output
    assert_valid(root, HAZARD)
    assert added_lines_only(root, HAZARD)[-3:] == [
        "- date: 2026-11-23",
        "  type: 销号",
        "  by: STAFF-0001",
    ]
    events = read(root, HAZARD).data["events"]
    assert [e["type"] for e in events] == ["开始整改", "整改完成", "复查通过", "销号"]


def test_the_next_id_skips_numbers_ever_used(county: Path) -> None:
    """A hazard deleted in history keeps its number: the next one is one past it."""
    root = county
    values = [
        "--set",
        "enterprise=宏达",
        "--set",
        "found_on=2026-11-20",
        "--set",
        "level=三级",
        "--set",
        "category=消防安全",
        "--set",
        "description=灭火器过期",
        "--set",
        "location=仓库",
        "--set",
        "department=DEPT-YJJ",
    ]
    first = anjian(root, "new", "hazard", "--yes", "--as-of", AS_OF, *values)
    assert first.exit_code == 0, first.output
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "一条隐患")
    git(root, "rm", "-q", HAZARD)
    git(root, "commit", "-q", "-m", "删除")
    again = anjian(root, "new", "hazard", "--yes", "--as-of", AS_OF, *values)
    assert again.exit_code == 0, again.output
    assert (root / "records/hazard/2026/HAZ-20261120-002.yaml").is_file()
    assert not (root / HAZARD).exists()

"""The command line: exit codes, output formats, languages, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factory import make_repo

HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"


def anjian(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def break_level(root: Path) -> None:
    path = root / HAZARD
    path.write_text(
        path.read_text(encoding="utf-8").replace("level: 三级", "level: 四级"), encoding="utf-8"
    )


def test_a_clean_repository_exits_zero(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    result = anjian("validate", "--as-of", "2026-11-23", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 个错误" in result.stderr


def test_problems_print_path_line_column_code_and_chinese_message(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    break_level(root)
    result = anjian("validate", "--as-of", "2026-11-23", cwd=root / "records")
    assert result.returncode == 1
    assert f"{HAZARD}:7:8: bad-enum" in result.stdout
    assert "可选：一级、二级、三级" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_english_messages_on_request(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    break_level(root)
    result = anjian("--lang", "en", "validate", "--as-of", "2026-11-23", cwd=root)
    assert "is not one of" in result.stdout


def test_json_and_github_formats(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    break_level(root)
    rows = json.loads(
        anjian("validate", "--format", "json", "--as-of", "2026-11-23", cwd=root).stdout
    )
    assert rows[0]["path"] == HAZARD and rows[0]["line"] == 7 and rows[0]["code"] == "bad-enum"
    github = anjian("validate", "--format", "github", "--as-of", "2026-11-23", cwd=root).stdout
    assert github.startswith(f"::error file={HAZARD},line=7,col=8,title=bad-enum::")


def test_validating_named_files_reports_only_them(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    break_level(root)
    inspection = "records/inspection/2025/INS-20251010-001.yaml"
    assert anjian("validate", inspection, "--as-of", "2026-11-23", cwd=root).returncode == 0
    assert anjian("validate", HAZARD, "--as-of", "2026-11-23", cwd=root).returncode == 1


def test_usage_errors_exit_two(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    assert anjian("validate", "--as-of", "2026-02-30", cwd=root).returncode == 2
    assert anjian("validate", "--format", "xml", cwd=root).returncode == 2
    outside = anjian("validate", cwd=tmp_path)
    assert outside.returncode == 2 and "不在安监记录库中" in outside.stderr
    assert "Traceback" not in outside.stderr

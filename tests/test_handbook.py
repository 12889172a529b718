"""The staff handbook and the repository's helpers for staff stay complete and current.

Like datasette's ``test_docs.py``: every problem code has a handbook entry, the
generated pages match what the code renders now (``anjian docs --write``
regenerates them), and the editor, pre-commit, pull-request and issue
templates cover every kind and say what they must.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from generator.authoring import issues
from generator.authoring.handbook import (
    CLI_PAGE,
    ERRORS_PAGE,
    import_all,
    render_cli,
    render_errors,
)
from generator.cli import cli
from generator.problems import CODES

PROJECT = Path(__file__).resolve().parents[1]
KINDS = sorted(p.stem for p in (PROJECT / "schemas").glob("*.json") if p.stem != "policy")


def load_yaml(rel: str) -> Any:
    return yaml.safe_load((PROJECT / rel).read_text(encoding="utf-8"))


def test_every_module_imports() -> None:
    assert import_all() == []


def test_every_problem_code_has_a_handbook_entry() -> None:
    import_all()
    page = (PROJECT / ERRORS_PAGE).read_text(encoding="utf-8")
    headings = set(re.findall(r"^### (\S+)$", page, re.MULTILINE))
    missing = sorted(set(CODES) - headings)
    assert not missing, f"no handbook entry (run `anjian docs --write`): {missing}"
    for code in CODES.values():
        assert code.fix_zh.strip(), f"{code.code} has no fix"


def test_the_error_page_is_current() -> None:
    committed = (PROJECT / ERRORS_PAGE).read_text(encoding="utf-8")
    assert committed == render_errors(), "stale: run `anjian docs --write`"


def test_the_cli_reference_is_current() -> None:
    committed = (PROJECT / CLI_PAGE).read_text(encoding="utf-8")
    assert committed == render_cli(), "stale: run `anjian docs --write`"


def test_every_command_is_in_the_cli_reference() -> None:
    page = (PROJECT / CLI_PAGE).read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## anjian {name}\n" in page


def test_docs_command_checks_and_writes(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--repo", str(PROJECT), "docs"]).exit_code == 0
    root = tmp_path / "repo"
    (root / "schemas").mkdir(parents=True)
    (root / "policy.yaml").write_text("{}\n", encoding="utf-8")
    stale = runner.invoke(cli, ["--repo", str(root), "docs"])
    assert stale.exit_code == 1 and "anjian docs --write" in stale.output
    assert runner.invoke(cli, ["--repo", str(root), "docs", "--write"]).exit_code == 0
    assert (root / ERRORS_PAGE).read_text(encoding="utf-8") == render_errors()


def test_handbook_links_resolve() -> None:
    folder = PROJECT / "docs/handbook"
    anchors = set(re.findall(r"^### (\S+)$", (folder / "errors.md").read_text("utf-8"), re.M))
    for page in folder.glob("*.md"):
        for target in re.findall(r"\]\(([^)#\s]+\.md)(?:#([^)]+))?\)", page.read_text("utf-8")):
            assert (folder / target[0]).is_file(), f"{page.name} links to {target[0]}"
            if target[0] == "errors.md" and target[1]:
                assert target[1] in anchors, f"{page.name} links to errors.md#{target[1]}"


def test_editor_settings_map_every_kind_to_its_schema() -> None:
    settings = json.loads((PROJECT / ".vscode/settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    for kind in KINDS:
        assert mapping[f"./schemas/{kind}.json"] == [f"records/{kind}/**/*.yaml"]
    assert mapping["./schemas/policy.json"] == ["policy.yaml"]
    extensions = json.loads((PROJECT / ".vscode/extensions.json").read_text(encoding="utf-8"))
    assert "redhat.vscode-yaml" in extensions["recommendations"]


def test_pre_commit_validates_only_changed_records() -> None:
    (hook,) = load_yaml(".pre-commit-hooks.yaml")
    assert hook["id"] == "anjian-validate" and hook["entry"] == "anjian validate"
    assert hook["files"] == "^records/" and hook.get("pass_filenames", True)
    config = load_yaml(".pre-commit-config.yaml")
    local = next(r for r in config["repos"] if r["repo"] == "local")
    ours = next(h for h in local["hooks"] if h["id"] == "anjian-validate")
    assert ours["entry"] == "anjian validate" and ours["files"] == "^records/"


@pytest.mark.parametrize("name", ["inspection", "hazard", "rectification", "penalty", "decision"])
def test_a_pull_request_template_per_kind_of_submission(name: str) -> None:
    text = (PROJECT / f".github/PULL_REQUEST_TEMPLATE/{name}.md").read_text(encoding="utf-8")
    assert text.count("- [ ]") >= 5
    assert "anjian review approve" in text and "anjian" in text
    default = (PROJECT / ".github/pull_request_template.md").read_text(encoding="utf-8")
    assert f"?template={name}.md" in default


@pytest.mark.parametrize(
    ("form", "label"),
    [
        ("hazard-report.yml", issues.HAZARD_REPORT),
        ("enforcement-complaint.yml", issues.ENFORCEMENT_COMPLAINT),
    ],
)
def test_issue_forms_warn_and_match_the_importer(form: str, label: str) -> None:
    spec = load_yaml(f".github/ISSUE_TEMPLATE/{form}")
    assert spec["labels"] == [label]
    body = spec["body"]
    warning = body[0]["attributes"]["value"]
    assert body[0]["type"] == "markdown"
    for words in ("公开", "姓名", "电话", "身份证号", "12350", "来信", "匿名"):
        assert words in warning
    ids = [item["id"] for item in body if "id" in item]
    assert len(ids) == len(set(ids))
    labels = {item["attributes"]["label"] for item in body if item["type"] != "markdown"}
    assert {issues.WHAT_LABEL, issues.WHEN_LABEL, issues.PLACE_LABEL} <= labels
    assert issues.ENTERPRISE_LABEL in labels
    assert not any("电话" in lab or "姓名" in lab for lab in labels)  # never asks for identity
    confirm = next(item for item in body if item["type"] == "checkboxes")
    assert confirm["attributes"]["options"][0]["required"] is True

"""Handing a submission to Git for staff who never open a terminal: branch, commit, push.

Only the named files are committed, on a new branch when the current one is the
main line; the push output (which on GitHub and Gitea carries the link that opens
the pull request) is returned for the page to show.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

MAIN_BRANCHES = {"main", "master"}


class GitFailed(Exception):
    """A git command failed; the message holds its output."""


@dataclass
class Submitted:
    branch: str
    output: str


def _git(root: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=False
        )
    except OSError as err:
        raise GitFailed(f"无法运行 git：{err}") from err
    if result.returncode != 0:
        raise GitFailed(
            f"git {' '.join(args)} 失败：{result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout + result.stderr


def current_branch(root: Path) -> str:
    return _git(root, "rev-parse", "--abbrev-ref", "HEAD").strip()


def submit(root: Path, paths: list[str], message: str, branch_hint: str, push: bool) -> Submitted:
    """Commit ``paths`` (on a new branch if on main) and optionally push it."""
    if not paths:
        raise GitFailed("没有要提交的文件")
    for path in paths:
        if not (root / path).resolve().is_relative_to(root.resolve() / "records"):
            raise GitFailed(f"{path} 不在 records/ 下")
    branch = current_branch(root)
    output = ""
    if branch in MAIN_BRANCHES or branch == "HEAD":
        safe = re.sub(r"[^A-Za-z0-9._-]+", "-", branch_hint).strip("-") or "record"
        branch = f"submit/{safe}"
        existing = _git(root, "branch", "--list", f"{branch}*").split()
        if branch in existing:
            branch = f"{branch}-{len(existing) + 1}"
        output += _git(root, "switch", "-c", branch)
    output += _git(root, "add", "--", *paths)
    output += _git(root, "commit", "-m", message, "--", *paths)
    if push:
        output += _git(root, "push", "-u", "origin", branch)
    return Submitted(branch, output)

"""A built site as a value (relative path → sha256), and the build run as a process."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

from tests.factory import PROJECT

Tree = dict[str, str]


def tree(site: Path) -> Tree:
    """Every file under ``site`` with the hash of its bytes (empty if there is no site)."""
    if not site.is_dir():
        return {}
    return {
        file.relative_to(site).as_posix(): hashlib.sha256(file.read_bytes()).hexdigest()
        for file in sorted(site.rglob("*"))
        if file.is_file()
    }


def leftovers(out: Path, wait: float = 30.0) -> list[str]:
    """Work and old-site folders a build keeps beside its output while it runs.  The old
    site, deleted in the background once the new one is in, is waited for a while."""
    deadline = time.monotonic() + wait
    while True:
        found = sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))
        if not any(".trash-" in name for name in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def build_command(root: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generator",
        "--repo",
        str(root),
        "build",
        "--as-of",
        "2026-11-23",
        "--out",
        str(out),
        *extra,
    ]


def start_build(root: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        build_command(root, out, *extra),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,  # a signal to the group reaches MkDocs and Pagefind too
    )

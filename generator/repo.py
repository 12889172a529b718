"""Find the repository that holds the current directory, like git does."""

from __future__ import annotations

from pathlib import Path

MARKERS = ("schemas", "policy.yaml")


class NotARepository(Exception):
    """No anjian repository contains the directory."""


def find_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / MARKERS[0]).is_dir() and (candidate / MARKERS[1]).is_file():
            return candidate
    raise NotARepository(
        f"{here} 不在安监记录库中（没有找到 schemas/ 和 policy.yaml）；请进入记录库目录或使用 --repo。"
    )

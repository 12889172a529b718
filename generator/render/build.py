"""``anjian build``: validate → derive → render → MkDocs → open data → search → scan → swap.

All or nothing.  Everything is made in a work folder beside the output (same
file system), scanned for personal data, and only then swapped in: the old
site is renamed aside, the new one renamed in, the old one deleted.  Any
failure before the swap leaves the last good site untouched.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.problems import Problem
from generator.render.directory import DIRECTORY_INDEX, write_directory_index
from generator.render.docs import write_docs
from generator.render.feed import FEED_FILE, render_feed
from generator.render.leakscan import Leak, scan_site
from generator.render.mkdocs_config import (
    ConfigError,
    compose_config,
    read_repo_config,
    write_config,
)
from generator.render.model import Portal, build_portal
from generator.render.opendata import DATA_DIR, Table, write_open_data
from generator.render.pages import build_pages
from generator.render.search import SearchIndexError, index_site
from generator.render.templating import make_env
from generator.schemas import Registry
from generator.validate import validate_repository

Progress = Callable[[str], None]


class BuildError(Exception):
    """The build cannot go on; the previous site stays as it was."""

    def __init__(self, message: str, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class InvalidRecords(BuildError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"记录校验有 {len(problems)} 个错误，未生成网站", [])
        self.problems = problems


class LeakFound(BuildError):
    def __init__(self, leaks: list[Leak]) -> None:
        files = sorted({leak.path for leak in leaks})
        super().__init__(
            f"隐私扫描在 {len(files)} 个文件中发现个人信息，未发布网站（检查模式中的 x-disclosure）",
            [leak.describe() for leak in leaks[:50]],
        )
        self.leaks = leaks


@dataclass
class BuildResult:
    site: Path
    as_of: dt.date
    pages: int
    enterprises: int
    tables: list[Table]
    timings: dict[str, float] = field(default_factory=dict)


def _quiet(_: str) -> None:
    pass


def source_date_epoch(as_of: dt.date) -> str:
    return str(int(dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC).timestamp()))


def run_mkdocs(config_file: Path, as_of: dt.date) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(as_of), "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "--clean", "-f", str(config_file)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-20:]
        raise BuildError("MkDocs 构建失败", detail)


def swap_in(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new`` (both in the same folder) with two renames."""
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def render_project(
    portal: Portal, root: Path, project: Path, site: Path
) -> tuple[int, list[Table]]:
    """Open data into ``project/data``, pages into ``project/docs``, the MkDocs config."""
    env = make_env()
    repo_config = read_repo_config(root)
    tables = write_open_data(portal, project / DATA_DIR)
    write_directory_index(portal, project / DIRECTORY_INDEX)
    extra = {
        "portal": portal,
        "tables": tables,
        "as_of": portal.as_of.isoformat(),
        "anjian": dict((repo_config.get("extra") or {}).get("anjian") or {}),
    }
    pages = build_pages(portal, extra)
    write_docs(env, pages, project / "docs")
    name = f"{portal.county}安全生产信息公示" if portal.county else ""
    write_config(project, compose_config(repo_config, site, name))
    site_url = str(repo_config.get("site_url") or "")
    (project / FEED_FILE).write_text(render_feed(env, portal, site_url), encoding="utf-8")
    return len(pages), tables


def build_site(
    root: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    progress: Progress = _quiet,
    search: bool = True,
    jobs: int | None = None,
) -> BuildResult:
    marks: list[tuple[str, float]] = []

    def step(name: str, message: str) -> None:
        marks.append((name, time.perf_counter()))
        progress(message)

    step("validate", "校验记录…")
    loaded = validate_repository(root, as_of=as_of, jobs=jobs)
    if loaded.report.errors:
        raise InvalidRecords(sorted(set(loaded.report.errors), key=Problem.sort_key))
    day = as_of or loaded.policy.today()
    registry: Registry = loaded.registry

    step("derive", "汇总台账和统计…")
    portal = build_portal(loaded.valid, registry, loaded.policy, day)

    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    try:
        project, site = work / "project", work / "site"
        step("render", "生成页面和开放数据…")
        pages, tables = render_project(portal, root, project, site)

        step("mkdocs", f"MkDocs 构建 {pages} 个页面…")
        run_mkdocs(project / "mkdocs.yml", day)
        shutil.move(project / DATA_DIR, site / DATA_DIR)
        shutil.move(project / FEED_FILE, site / FEED_FILE)
        shutil.move(project / DIRECTORY_INDEX, site / DIRECTORY_INDEX)

        if search:
            step("search", "建立搜索索引（Pagefind）…")
            index_site(site)

        step("scan", "隐私扫描…")
        leaks = scan_site(site, allow=portal.enterprise_by_id)
        if leaks:
            raise LeakFound(leaks)

        step("publish", "发布…")
        swap_in(site, out)
        step("done", "完成")
    except (SearchIndexError, ConfigError) as err:
        raise BuildError(str(err)) from err
    finally:
        shutil.rmtree(work, ignore_errors=True)
    timings = {name: end - start for (name, start), (_, end) in itertools.pairwise(marks)}
    return BuildResult(out, day, pages, len(portal.enterprises), tables, timings)

"""``anjian build``: validate → audit trail → derive → render → MkDocs → open data → search → scan → swap.

The audit trail is written by a forked child (``generator.forked``) while the
parent derives the ledgers and writes the open data from the same records;
the site's files are scanned for personal data while Pagefind indexes its
pages, and the index once it is made.

All or nothing.  Everything is made in a work folder beside the output (same
file system), scanned for personal data, and only then swapped in: exchanged
with the old site in one step where Linux allows (``renameat2``), else the old
site renamed aside and the new one renamed in.  The old one is then renamed
to trash and deleted by a detached process: the build is done once the new
site is in place (a city's old site is half a million files).  Any failure
before the swap leaves the last good site untouched, and the next build
removes what a killed one left behind (``clear_leftovers``).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import datetime as dt
import errno
import functools
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from generator import collect, forked
from generator.audit import AuditError, gitread
from generator.audit.memo import TrailMemo
from generator.audit.publish import NO_GIT_NOTE, Named, named_on, write_site_audit
from generator.cache import file_digest
from generator.policy import Policy, load_policy
from generator.problems import Problem
from generator.records import Record
from generator.render.cache import Changes, SiteCache, code_digest
from generator.render.derived import PortalMemo
from generator.render.direct import DirectPages, complete_sitemap, write_direct_pages
from generator.render.directory import DIRECTORY_INDEX, write_directory_index
from generator.render.docs import write_docs, write_shells
from generator.render.feed import FEED_FILE, render_feed
from generator.render.handbook import SECTION_TITLE, handbook_nav, handbook_pages
from generator.render.leakscan import Leak, public_fields, rules_key, scan_site
from generator.render.mkdocs_config import (
    ConfigError,
    compose_config,
    nav_sources,
    read_repo_config,
    write_config,
)
from generator.render.model import Portal, build_portal
from generator.render.opendata import DATA_DIR, FORK_ROWS, Table, row_count, write_open_data
from generator.render.pages import Page, enterprise_pages, enterprise_src, site_pages
from generator.render.search import INDEX_DIR, SearchIndexError, index_site
from generator.render.shell import Shell, folder_of, html_path, take_shells
from generator.render.templating import make_env
from generator.schemas import Registry, load_registry
from generator.validate import validate_repository

Progress = Callable[[str], None]
SPLIT_AT = 2000  # pages outside the navigation: from this many on, two processes write them


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
    # pages rendered / taken unchanged from the last build; search shards indexed / taken
    made: dict[str, int] = field(default_factory=dict)


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


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``).

    False where the system or the file system cannot, so the caller falls back
    to two renames (between which ``out`` briefly does not exist).
    """
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}:
        return False
    raise OSError(code, os.strerror(code), str(a))


def _alive(pid: int) -> bool:
    if pid == os.getpid():  # called before this build made anything: not ours
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clear_leftovers(out: Path) -> None:
    """Remove what killed builds left beside ``out``: work folders and old sites.

    Their names carry the process id of their build; only those of processes
    that are gone are touched.  An old site left by a build that died between
    the two renames of a swap (no atomic exchange) is put back.
    """
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(build|old|trash)-(\d+)-.*")
    for path in sorted(out.parent.glob(f".{out.name}.*")):
        match = pattern.fullmatch(path.name)
        if match is None or _alive(int(match[2])):
            continue
        if match[1] == "old" and not out.exists():
            os.rename(path, out)
        elif match[1] == "trash":
            delete_later(path)  # (its deletion may still be under way: a second is harmless)
        else:
            give_back_trail(path, out)
            shutil.rmtree(path, ignore_errors=True)


BORROWED = "borrowed"  # in a build folder: the published audit trail was moved into its site


def borrow_trail(work: Path, out: Path) -> None:
    """Move the published ``audit/`` into the new site (``work/site``) just before the swap:
    the trail is the same (``generator.audit.memo``), and half a million files are not
    linked one by one.  A marker says so, for ``give_back_trail``."""
    (work / BORROWED).touch()
    os.rename(out / "audit", work / "site" / "audit")


def give_back_trail(work: Path, out: Path) -> None:
    """Put back the trail a build moved from the published site, if the swap did not
    happen (the build failed, or was killed, in between)."""
    trail = work / "site" / "audit"
    if (work / BORROWED).exists() and out.is_dir() and not (out / "audit").exists():
        with contextlib.suppress(FileNotFoundError):
            os.rename(trail, out / "audit")


def to_trash(folder: Path, out: Path) -> Path | None:
    """``folder`` (the old site) renamed beside ``out`` as trash, for ``delete_later``;
    where it cannot be renamed, deleted at once (None: nothing is left to delete)."""
    trash = out.with_name(f".{out.name}.trash-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(folder, trash)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return trash


def delete_later(path: Path) -> None:
    """Remove ``path`` in a process of its own that outlives this one (``rm`` started in
    the background by a shell that returns at once, so nothing is left to wait for)."""
    try:
        subprocess.run(
            ["sh", "-c", 'rm -rf -- "$1" </dev/null >/dev/null 2>&1 &', "sh", str(path)],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, subprocess.CalledProcessError):
        shutil.rmtree(path, ignore_errors=True)


def scan_borrowed(
    trail: Path, allow: frozenset[str], known: dict[str, str] | None, passed: dict[str, str]
) -> list[Leak]:
    """The published trail the build moves into the new site (``borrow_trail``): it passed
    the last scan; if that ran under other rules, it is scanned where it is."""
    if known is not None:
        passed.update((rel, d) for rel, d in known.items() if rel.startswith("audit/"))
        return []
    found: dict[str, str] = {}
    leaks = scan_site(trail, allow, passed=found)
    passed.update((f"audit/{rel}", d) for rel, d in found.items())
    return [dataclasses.replace(leak, path=f"audit/{leak.path}") for leak in leaks]


def validation_day(root: Path, as_of: dt.date | None) -> dt.date | None:
    """The date records are checked against: today, or ``as_of`` when it is later.

    A site for a past date D is the repository as it stands, seen on D: what
    happened after D is simply not shown yet (the model filters by date), so
    records dated after D are not errors — only records dated after today are.
    A build that succeeds thus gives the same bytes whichever day it runs.
    """
    if as_of is None:
        return None
    registry = load_registry(root)
    policy, _ = load_policy(root, registry.policy_schema)
    return max(as_of, policy.today())


def swap_in(new: Path, out: Path) -> Path | None:
    """Replace ``out`` by ``new`` (both in the same folder): one atomic exchange where
    the system has it, else two renames.  Returns the old site, renamed to trash
    beside ``out`` for the caller to delete (``delete_later``); None if there is none
    left to delete."""
    if out.exists() and exchange(new, out):
        return to_trash(new, out)  # the old site, now at ``new``
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
    return None if old is None else to_trash(old, out)


@dataclass
class Rendered:
    """The MkDocs project written, and what is left to make once MkDocs has run."""

    portal: Portal
    env: jinja2.Environment
    extra: dict[str, Any]
    tables: list[Table]
    navigable: list[Page]  # built by MkDocs
    direct: list[Page]  # outside the navigation, but for the enterprise pages (made lazily)
    folders: set[str]  # folders of the pages outside the navigation: one shell each
    site_url: str

    @property
    def pages(self) -> int:
        return len(self.navigable) + len(self.direct) + len(self.portal.enterprises)


def render_project(
    portal: Portal,
    root: Path,
    project: Path,
    site: Path,
    audit: Callable[[], dict[str, Any] | None] = lambda: None,
    cache: SiteCache | None = None,
) -> Rendered:
    """Open data into ``project/data``; into ``project/docs`` the pages of the navigation,
    and one shell page per folder of the pages outside it; the MkDocs config.  ``audit``
    gives the home page's audit head: asked for only once the open data is written.
    ``cache``: the last build's, for the open data files whose rows are unchanged."""
    env = make_env()
    repo_config = read_repo_config(root)
    opendata = _write_open_data(portal, project / DATA_DIR, cache)
    try:
        write_directory_index(portal, project / DIRECTORY_INDEX)
        tables: list[Table] = []  # the pages' (they read it once rendered)
        extra = {
            "portal": portal,
            "tables": tables,
            "as_of": portal.as_of.isoformat(),
            "anjian": dict((repo_config.get("extra") or {}).get("anjian") or {}),
        }
        handbook = handbook_pages(root)
        pages = [*site_pages(portal, extra), *handbook]
        written, changes = opendata.result()
    finally:
        opendata.cancel()
    if cache is not None and changes is not None:
        cache.absorb(changes)
    tables += written
    env.globals["audit"] = audit()  # navigable pages only
    nav = [(SECTION_TITLE, handbook_nav(handbook))] if handbook else []
    in_nav = nav_sources(nav)
    navigable = [p for p in pages if p.src in in_nav]
    direct = [p for p in pages if p.src not in in_nav]
    folders = {folder_of(p.src) for p in direct}
    if portal.enterprises:
        folders.add(folder_of(enterprise_src(str(portal.enterprises[0]["id"]))))
    write_docs(env, navigable, project / "docs")
    write_shells(folders, project / "docs")
    name = f"{portal.county}安全生产信息公示" if portal.county else ""
    write_config(project, compose_config(repo_config, site, name, nav))
    site_url = str(repo_config.get("site_url") or "")
    (project / FEED_FILE).write_text(render_feed(env, portal, site_url), encoding="utf-8")
    return Rendered(portal, env, extra, tables, navigable, direct, folders, site_url)


def _write_open_data(
    portal: Portal, folder: Path, cache: SiteCache | None
) -> forked.Forked[tuple[list[Table], Changes | None]]:
    """The open data files, written by a forked child while the build makes its pages
    (a city's tables are half a million rows: 5 s of digests and text); the tables come
    back without their rows, and what the child recorded in the cache is taken over."""
    fork = row_count(portal) >= FORK_ROWS and forked.room_for_a_child()
    mark = cache.mark() if cache is not None else None

    def write() -> tuple[list[Table], Changes | None]:
        tables = write_open_data(portal, folder, cache)
        changes = cache.changes_since(mark) if cache is not None and mark is not None else None
        return [t.without_rows() for t in tables], changes

    return forked.start(write, fork=fork)


def write_pages(rendered: Rendered, site: Path, cache: SiteCache) -> DirectPages:
    """After MkDocs: every page outside the navigation, in its folder's shell (or taken
    unchanged from the last build), and the sitemap completed."""
    shells = take_shells(site, rendered.folders)
    total = len(rendered.direct) + len(rendered.portal.enterprises)
    if total < SPLIT_AT or (os.cpu_count() or 1) < 2:
        done = write_direct_pages(rendered.env, _share(rendered, 0, 1), shells, site, cache)
    else:
        done = _write_in_two(rendered, shells, site, cache)
    as_of = rendered.portal.as_of
    complete_sitemap(
        site, done.urls, rendered.site_url, as_of.isoformat(), int(source_date_epoch(as_of))
    )
    for page in rendered.navigable:
        if page.indexed:
            rel = html_path(page.src)
            done.indexed[rel] = file_digest(site / rel) or ""
    return done


def _share(rendered: Rendered, share: int, shares: int) -> Iterator[Page]:
    """Every ``shares``-th page from the ``share``-th, counting the direct pages and then
    the enterprise pages as one list (an enterprise's page is made only in its share)."""
    direct = rendered.direct
    yield from direct[share::shares]
    start = (share - len(direct)) % shares
    yield from enterprise_pages(rendered.portal, rendered.extra, start=start, step=shares)


def _write_in_two(
    rendered: Rendered, shells: dict[str, Shell], site: Path, cache: SiteCache
) -> DirectPages:
    """Half of the pages written by a forked child, the other half here (a city has
    20,000 enterprise pages): the same files, and the same ``DirectPages`` and cache
    entries as one process would give.  (Without memory to spare, the halves are
    written one after the other.)"""
    mark = cache.mark()

    def other_half() -> tuple[DirectPages, Changes]:
        done = write_direct_pages(rendered.env, _share(rendered, 1, 2), shells, site, cache)
        return done, cache.changes_since(mark)

    child = forked.start(other_half, fork=forked.room_for_a_child())
    try:
        mine = write_direct_pages(rendered.env, _share(rendered, 0, 2), shells, site, cache)
        theirs, changes = child.result()
    finally:
        child.cancel()
    cache.absorb(changes)
    urls = [
        url
        for pair in itertools.zip_longest(mine.urls, theirs.urls)
        for url in pair
        if url is not None
    ]
    return DirectPages(
        count=mine.count + theirs.count,
        rendered=mine.rendered + theirs.rendered,
        reused=mine.reused + theirs.reused,
        urls=urls,
        indexed={**mine.indexed, **theirs.indexed},
    )


def _write_trail(
    root: Path,
    jobs: int | None,
    previous: Path | None,
    given: tuple[Path, Named, Registry, Policy],
) -> dict[str, Any] | None:
    """The audit trail, in the child forked ahead: ``given`` what the build sends it."""
    out, named, registry, policy = given
    return write_site_audit(
        root, out, named=named, registry=registry, policy=policy, jobs=jobs, previous=previous
    )


def _trail_input(
    out: Path, records: list[Record], registry: Registry, policy: Policy, day: dt.date
) -> tuple[Path, Named, Registry, Policy]:
    """What the child writing the trail is sent: what may be named, from the records."""
    return out, named_on(records, registry, policy, day), registry, policy


def build_site(
    root: Path,
    out: Path,
    *,
    as_of: dt.date | None = None,
    progress: Progress = _quiet,
    search: bool = True,
    jobs: int | None = None,
    incremental: bool = True,
    published: Callable[[], None] = lambda: None,
) -> BuildResult:
    """Build the site into ``out``, all or nothing.  ``published`` is called the moment the
    new site is in place: what is left (deleting the old one, saving the caches) cannot
    undo it."""
    with collect.fewer_collections():  # whoever calls: a build holds a corpus (see ``collect``)
        return _build_site(root, out, as_of, progress, search, jobs, incremental, published)


def _build_site(
    root: Path,
    out: Path,
    as_of: dt.date | None,
    progress: Progress,
    search: bool,
    jobs: int | None,
    incremental: bool,
    published: Callable[[], None],
) -> BuildResult:
    marks: list[tuple[str, float]] = []

    def step(name: str, message: str) -> None:
        marks.append((name, time.perf_counter()))
        progress(message)

    code_digest()  # the templates as they are when the build starts (pages' cache keys)
    out = out.resolve()
    # the audit trail is written by a child forked now, while this process is small: one
    # forked once the records are loaded would count all of their memory it shares as
    # its own (a city's: 1.8 GB), the history's (1.2 GB) on top.  It waits for what may
    # be named, and reads the records' versions from git and the working files
    pending = (
        forked.ahead(
            functools.partial(_write_trail, root, jobs, out / "audit" if incremental else None)
        )
        if gitread.has_commits(root)
        else None
    )
    trail: forked.Forked[dict[str, Any] | None] | None = None
    try:
        step("validate", "校验记录…")
        loaded = validate_repository(root, as_of=validation_day(root, as_of), jobs=jobs)
        if loaded.report.errors:
            raise InvalidRecords(sorted(set(loaded.report.errors), key=Problem.sort_key))
        day = as_of or loaded.policy.today()
        registry: Registry = loaded.registry
        records, policy, chunks = loaded.valid, loaded.policy, loaded.chunks
        del loaded  # the records are held by ``records`` alone from here: let go once derived

        out.parent.mkdir(parents=True, exist_ok=True)
        clear_leftovers(out)
        work = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-{os.getpid()}-", dir=out.parent))
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise
    try:
        collect.settle()  # the records live as long as the build: later collections skip them
        project, site = work / "project", work / "site"
        memo = TrailMemo.open(root, out / "audit" if incremental else None)
        # the child writes the trail while the ledgers are derived and the open data
        # written; the home page, the first to need the trail, waits for it.  What it may
        # name is worked out by another child, which sends it on (a city's: 1.4 s).  Where
        # the machine has not its memory to spare, the trail is written first, here
        if pending is not None:
            step("audit", "生成审计日志（audit/，与以下两步同时进行）…")
            trail = pending.send_made(
                functools.partial(_trail_input, work / "audit", records, registry, policy, day),
                fork=forked.room_for_a_child(),
            )
        else:
            progress(NO_GIT_NOTE)  # a folder of records alone has no history to audit
        step("derive", "汇总台账和统计…")
        # the records are handed over: the portal keeps what it publishes (sharing the
        # records' values), the rest (private fields, events) is freed as the public rows
        # are made, and for what comes next.
        kept = PortalMemo.open(root, chunks, day) if incremental else None
        portal = build_portal(records, registry, policy, day, release=True, memo=kept)
        del kept, chunks
        del records

        step("render", "生成开放数据和导航页面…")
        cache = SiteCache(root, out, enabled=incremental)
        rendered = render_project(
            portal, root, project, site, trail.result if trail else lambda: None, cache
        )
        audit = trail.result() if trail else None
        pages, tables = rendered.pages, rendered.tables

        step("mkdocs", f"MkDocs 构建 {len(rendered.navigable)} 个导航页面…")
        run_mkdocs(project / "mkdocs.yml", day)
        shutil.move(project / DATA_DIR, site / DATA_DIR)
        shutil.move(project / FEED_FILE, site / FEED_FILE)
        shutil.move(project / DIRECTORY_INDEX, site / DIRECTORY_INDEX)
        borrowed = audit is not None and bool(audit.get("borrowed"))
        if borrowed:
            progress("审计日志与上次发布的相同：整体沿用，发布时移入新网站")
        elif audit is not None:
            shutil.move(work / "audit", site / "audit")

        step("pages", f"生成其余 {pages - len(rendered.navigable)} 个页面（未改动的沿用上次）…")
        direct = write_pages(rendered, site, cache)
        del rendered

        made = {"rendered": direct.rendered, "reused": direct.reused}
        allow = frozenset(portal.enterprise_by_id)
        known = cache.scanned_before(rules_key(allow, public_fields(registry)))
        passed: dict[str, str] = {}
        # taken unchanged from the published site, which passed the same scan rules
        audit_reused = {f"audit/{p}" for p in audit["reused"]} if audit else set()

        def reused_now() -> set[str]:
            return cache.reused | audit_reused if known is not None else set()

        def scan(top: Callable[[str], bool] | None, reused: set[str]) -> list[Leak]:
            return scan_site(
                site, allow, reused, known=known, previous=cache.out, passed=passed, top=top
            )

        if search:
            # Pagefind's processes index the pages while this one scans the rest of the site;
            # the index, once made, is scanned with the shards it took over (``reused``)
            step("search", "建立搜索索引（Pagefind，未改动的分片沿用上次），同时隐私扫描其余文件…")
            rest = {name for name in os.listdir(site) if name != INDEX_DIR}
            reused = reused_now()
            with ThreadPoolExecutor(max_workers=1) as pool:
                indexing = pool.submit(index_site, site, direct.indexed, cache)
                leaks = scan(rest.__contains__, reused)
                shards = indexing.result()
            made["shards"] = len(shards)
            made["shards_reused"] = cache.shards_reused
            step("scan", "隐私扫描搜索索引（未改动的文件不再扫描）…")
            leaks += scan(lambda name: name not in rest, reused_now())
        else:
            step("scan", "隐私扫描（未改动的文件不再扫描）…")
            leaks = scan(None, reused_now())
        if borrowed:
            leaks += scan_borrowed(out / "audit", allow, known, passed)
        if leaks:
            raise LeakFound(leaks)

        step("publish", "发布…")
        if borrowed:
            borrow_trail(work, out)
        try:
            old = swap_in(site, out)
        except BaseException:
            give_back_trail(work, out)
            raise
        published()
        if audit is not None and not borrowed:
            memo.commit(work)
        if old is not None:
            # the old names of the pages linked into the new site go first: that changes
            # the files' status-change time, which the stamps saved next include
            cache.release(old)
            delete_later(old)
        cache.record_scan(passed)
        cache.save()
        step("done", "完成")
    except (SearchIndexError, ConfigError, AuditError) as err:
        raise BuildError(str(err)) from err
    except forked.ChildDied as err:
        raise BuildError(f"生成审计日志的进程意外退出（内存不足或被终止？）：{err}") from err
    except OSError as err:  # a full disk, a read-only folder
        raise BuildError(f"无法写入网站文件：{err}") from err
    finally:
        if pending is not None:
            pending.cancel()  # sent nothing: the build stopped before the trail was begun
        if trail is not None:
            trail.cancel()  # still running only when the build stopped early
        shutil.rmtree(work, ignore_errors=True)
        collect.unsettle()
    timings = {name: end - start for (name, start), (_, end) in itertools.pairwise(marks)}
    return BuildResult(out, day, pages, len(portal.enterprises), tables, timings, made)

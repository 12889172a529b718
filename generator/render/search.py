"""Search: Pagefind indexes of the built site, in shards, each split into fragments loaded on demand.

Pagefind (the ``pagefind`` Python package, with the extended binary for
Chinese segmentation) runs after the pages are made.  Only pages marked
``data-pagefind-body`` are indexed (enterprise pages and the about pages).
They are divided by a hash of their path into shards of about
``SHARD_PAGES`` pages, each indexed by its own Pagefind run into
``pagefind/<n>/``; the search page loads the first and merges the others
(Pagefind's ``mergeIndex``), listed in ``pagefind/shards.json``.  Sharding
bounds Pagefind's memory (it holds a whole index in memory: 843 MB for the
3,000 pages of a county) and lets a rebuild index again only the shards whose
pages changed; the shards to index are indexed two at a time (one Pagefind
per core: each is mostly single-threaded).  No Pagefind filters: their files
list values in hash-map order, which differs from run to run and would break
byte-identical builds; the directory filters through its own static posting
lists (``directory.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import metadata
from pathlib import Path

from generator.cache import file_digest
from generator.render.cache import SiteCache, input_key

INDEX_DIR = "pagefind"
SHARDS_FILE = "shards.json"
SHARD_PAGES = 1000
MARKER = b"data-pagefind-body"
PARALLEL = min(2, os.cpu_count() or 1)  # Pagefind runs at once (each holds its shard in memory)


class SearchIndexError(Exception):
    """Pagefind failed or is not installed."""


def shard_count(pages: int) -> int:
    return max(1, -(-pages // SHARD_PAGES))


def shard_of(rel: str, count: int) -> int:
    return int(hashlib.sha256(rel.encode("utf-8")).hexdigest()[:8], 16) % count


@cache
def pagefind_version() -> str:
    found = []
    for name in ("pagefind", "pagefind_bin_extended", "pagefind_bin"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{name}=={metadata.version(name)}")
    return ";".join(found)


def searchable_pages(site: Path) -> dict[str, str]:
    """Every HTML page of ``site`` marked for the index, with its digest."""
    out = {}
    for file in sorted(site.rglob("*.html")):
        if MARKER in file.read_bytes():
            out[file.relative_to(site).as_posix()] = file_digest(file) or ""
    return out


def run_pagefind(
    source: Path, output: Path, running: list[subprocess.Popen[str]] | None = None
) -> None:
    """Index ``source`` into ``output``; the process is added to ``running`` while it runs
    (so that a build stopped meanwhile can end it)."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(source),
        "--output-path",
        str(output),
        "--quiet",
    ]
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    except OSError as err:
        raise SearchIndexError(f"无法运行 Pagefind：{err}") from err
    if running is not None:
        running.append(process)
    with process:
        out, errors = process.communicate()
    if process.returncode != 0 or not (output / "pagefind.js").is_file():
        detail = (errors or out).strip()[-2000:]
        raise SearchIndexError(f"Pagefind 建立搜索索引失败：{detail}")


def _stage(site: Path, pages: list[str], stage: Path) -> None:
    """The shard's pages, hard-linked at their site paths (Pagefind indexes a folder)."""
    for rel in pages:
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(site / rel, target)
        except OSError:
            shutil.copyfile(site / rel, target)


def index_site(
    site: Path, pages: dict[str, str] | None = None, cache: SiteCache | None = None
) -> list[str]:
    """Index ``pages`` (site path → digest; default: every page marked for the index) into
    shards under ``site/pagefind/``, reusing unchanged shards of the last build; returns the
    shard folders."""
    if pages is None:
        pages = searchable_pages(site)
    count = shard_count(len(pages))
    groups: list[list[str]] = [[] for _ in range(count)]
    for rel in sorted(pages):
        groups[shard_of(rel, count)].append(rel)
    version = pagefind_version()
    shards: list[str] = []
    todo: list[tuple[str, list[str], str]] = []  # shards to index: folder, pages, key
    for number, group in enumerate(groups):
        if not group:
            continue
        name = str(number)
        folder = f"{INDEX_DIR}/{name}"
        key = input_key("pagefind", version, [(rel, pages[rel]) for rel in group])
        shards.append(name)
        if cache is None or not cache.reuse_tree(folder, key, site / folder):
            todo.append((folder, group, key))

    running: list[subprocess.Popen[str]] = []

    def index(folder: str, group: list[str]) -> None:
        stage = Path(tempfile.mkdtemp(prefix=".pagefind-", dir=site.parent))
        try:
            _stage(site, group, stage)
            run_pagefind(stage, site / folder, running)
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    # one Pagefind per core: each is a process of its own, mostly single-threaded
    with ThreadPoolExecutor(max_workers=max(1, min(PARALLEL, len(todo)))) as pool:
        futures = [pool.submit(index, folder, group) for folder, group, _ in todo]
        try:
            for done in futures:
                done.result()
        except BaseException:  # a failed shard, a stopped build: end the others now
            for future in futures:
                future.cancel()
            for process in list(running):
                with contextlib.suppress(OSError):
                    process.kill()
            raise
    if cache is not None:
        for folder, _, key in todo:
            cache.record_tree(folder, key, site / folder)
    (site / INDEX_DIR).mkdir(parents=True, exist_ok=True)
    listing = json.dumps({"shards": shards}, separators=(",", ":")) + "\n"
    (site / INDEX_DIR / SHARDS_FILE).write_text(listing, encoding="utf-8")
    return shards

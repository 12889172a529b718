"""Where a Markdown source lands, and relative links between pages and files.

Pages are written as raw HTML inside Markdown, which MkDocs does not rewrite,
so links are made relative here (the site then works under any base path).
With ``use_directory_urls``: ``index.md`` → ``""``, ``a/index.md`` → ``a/``,
``a/b.md`` → ``a/b/``.
"""

from __future__ import annotations

import posixpath


def page_url(src: str) -> str:
    stem = src[: -len(".md")] if src.endswith(".md") else src
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def relative(from_src: str, to: str) -> str:
    """Link from the page built from ``from_src`` to a page source or a site file."""
    base = page_url(from_src)
    target = page_url(to) if to.endswith(".md") else to
    rel = posixpath.relpath(target or ".", base or ".")
    if target == "" or target.endswith("/"):
        return "./" if rel == "." else rel + "/"
    return rel

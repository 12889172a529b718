"""Pages outside the navigation: rendered into their folder's shell, or taken from the last build.

Each page's inputs — its template context (public values only: the model and
the table list are not passed, so a template cannot reach past its page), the
code and templates, its folder's frame — are digested into a key.  A page whose
key is the one the previous build recorded is taken from the published site;
any other is rendered and written.  Pages are made one at a time and nothing
of them is kept but their digests.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import escape

from generator.render.cache import SiteCache, code_digest, input_key, sha256_text
from generator.render.pages import Page
from generator.render.shell import SHELL, Shell, folder_of, html_path
from generator.render.urls import page_url

PRIVATE = ("portal", "tables")  # what only the navigable pages may see


@dataclass
class DirectPages:
    count: int = 0
    rendered: int = 0
    reused: int = 0
    urls: list[str] = field(default_factory=list)  # in the order written
    indexed: dict[str, str] = field(default_factory=dict)  # searchable page → its digest


def page_context(page: Page) -> dict[str, Any]:
    return {k: v for k, v in page.resolved().items() if k not in PRIVATE}


def key_context(page: Page) -> dict[str, Any]:
    """What the page's key digests: what it is made from, without the model and tables."""
    return {k: v for k, v in page.key_source.items() if k not in PRIVATE}


def write_direct_pages(
    env: jinja2.Environment,
    pages: Iterable[Page],
    shells: dict[str, Shell],
    site: Path,
    cache: SiteCache,
) -> DirectPages:
    done = DirectPages()
    code = code_digest()
    for page in pages:
        shell = shells[folder_of(page.src)]
        rel = html_path(page.src)
        key = input_key(
            code,
            shell.digest,
            page.src,
            page.template,
            page.title,
            page.heading,
            page.indexed,
            key_context(page),
        )
        target = site / rel
        digest = cache.reuse_page(rel, key, target)
        if digest is None:
            context = page_context(page)
            body = env.get_template(f"pages/{page.template}").render(
                **context, src=page.src, title=page.heading or page.title, indexed=page.indexed
            )
            text = shell.fill(page, body)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            digest = sha256_text(text)
            cache.record_page(rel, key, digest)
            done.rendered += 1
        else:
            done.reused += 1
        done.count += 1
        done.urls.append(page_url(page.src))
        if page.indexed:
            done.indexed[rel] = digest
    return done


_URL = re.compile(r"\s*<url>\s*<loc>([^<]*)</loc>.*?</url>", re.S)


def complete_sitemap(site: Path, urls: list[str], site_url: str, lastmod: str, mtime: int) -> None:
    """Add the pages made outside MkDocs to its sitemap, and drop the shells from it.

    MkDocs lists pages only when ``site_url`` is set; so does this.
    """
    file = site / "sitemap.xml"
    if not file.is_file():
        return
    text = file.read_text(encoding="utf-8")
    entries = [m.group(0) for m in _URL.finditer(text) if SHELL not in m.group(1)]
    if not entries and not site_url:
        return
    base = site_url if site_url.endswith("/") else site_url + "/"
    for url in urls:
        entries.append(
            f"\n    <url>\n         <loc>{escape(base + quote(url))}</loc>\n"
            f"         <lastmod>{lastmod}</lastmod>\n    </url>"
        )
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    data = (head + "".join(entries) + "\n</urlset>").encode("utf-8")
    file.write_bytes(data)
    (site / "sitemap.xml.gz").write_bytes(gzip.compress(data, mtime=mtime))

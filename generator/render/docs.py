"""Write the pages as Markdown files (raw HTML from autoescaped templates) and the assets.

Record text never goes through Markdown: every page body is HTML rendered by
Jinja with autoescape, which Python-Markdown passes through untouched.  The
page title, which MkDocs copies into ``<title>`` and the header without
escaping, is escaped here.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import yaml

from generator.render.pages import Page
from generator.render.shell import shell_markdown, shell_page
from generator.render.templating import TEMPLATES, html_text

ASSETS = TEMPLATES / "assets"


def front_matter(page: Page) -> str:
    meta = {"title": str(html_text(page.title)), "hide": ["toc"]}
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"


def render_page(env: jinja2.Environment, page: Page) -> str:
    body = env.get_template(f"pages/{page.template}").render(
        **page.resolved(), src=page.src, title=page.heading or page.title, indexed=page.indexed
    )
    return front_matter(page) + body


def write_docs(env: jinja2.Environment, pages: list[Page], docs: Path) -> None:
    for page in pages:
        target = docs / page.src
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_page(env, page), encoding="utf-8")
    shutil.copytree(ASSETS, docs / "assets" / "anjian", dirs_exist_ok=True)


def write_shells(folders: set[str], docs: Path) -> None:
    """One shell page per folder of the pages made outside MkDocs (see ``shell.py``)."""
    for folder in sorted(folders):
        page = shell_page(folder)
        target = docs / page.src
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(shell_markdown(front_matter(page)), encoding="utf-8")

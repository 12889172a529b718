"""The staff handbook (``docs/handbook/*.md``) as a section of the portal, marked for staff.

Each handbook page is converted here, with Python-Markdown's raw-HTML
handling switched off: any ``<tag>`` written in the handbook (or in a rule's
docstring that ``errors.md`` quotes) shows as text, never as markup.  Links
between handbook pages (``errors.md#bad-enum``) become links between the built
pages.  The result is one more page like the others (autoescaped template,
HTML body), under ``handbook/``, with a banner saying it is for staff, in its
own navigation tab at the end, and kept out of the public search.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import markdown
from markupsafe import Markup

from generator.render.pages import Page
from generator.render.urls import relative

HANDBOOK_DIR = "docs/handbook"
SECTION = "handbook"
SECTION_TITLE = "工作人员手册"
# reading order (the handbook's own index table); other pages follow by name
ORDER = (
    "index.md",
    "submit.md",
    "editor.md",
    "evidence.md",
    "review.md",
    "complaints.md",
    "form-editor.md",
    "errors.md",
    "cli.md",
)
_LINK = re.compile(r'href="([^":#?]+\.md)(#[^"]*)?"')
_TITLE = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _converter() -> markdown.Markdown:
    md = markdown.Markdown(
        extensions=["tables", "toc", "pymdownx.superfences"],
        output_format="html",
    )
    md.preprocessors.deregister("html_block")  # raw HTML is text here
    md.inlinePatterns.deregister("html")
    return md


def handbook_files(root: Path) -> list[Path]:
    folder = root / HANDBOOK_DIR
    if not folder.is_dir():
        return []
    files = {f.name: f for f in folder.glob("*.md") if f.is_file()}
    rank = {name: n for n, name in enumerate(ORDER)}
    return [files[n] for n in sorted(files, key=lambda n: (rank.get(n, len(ORDER)), n))]


def _title(text: str, fallback: str) -> str:
    found = _TITLE.search(text)
    return found.group(1).strip() if found else fallback


def _relink(html: str, src: str, names: set[str]) -> str:
    def link(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(SECTION, match.group(1)))
        if target.removeprefix(f"{SECTION}/") not in names:
            return match.group(0)
        return f'href="{relative(src, target)}{match.group(2) or ""}"'

    return _LINK.sub(link, html)


def handbook_pages(root: Path) -> list[Page]:
    """One page per handbook file, in reading order (none when the repository has no handbook)."""
    files = handbook_files(root)
    names = {f.name for f in files}
    md = _converter()
    pages = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        src = f"{SECTION}/{file.name}"
        body = _relink(md.reset().convert(text), src, names)
        pages.append(
            Page(
                src,
                "handbook.md.j2",
                _title(text, file.stem),
                {"body": Markup(body), "section": SECTION_TITLE},
            )
        )
    return pages


def handbook_nav(pages: list[Page]) -> list[tuple[str, str]]:
    return [(page.title, page.src) for page in pages]

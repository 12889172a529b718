"""Pages outside the navigation, put into the site's own page frame without MkDocs.

MkDocs spends about 10 ms on every page, mostly copying the navigation into it,
and a city has 25,000 pages outside the navigation (one per enterprise, the
numbered pages of long lists).  Instead, each folder holding such pages gets
one *shell* page in the MkDocs project — a marker title and a marker body —
which MkDocs builds like any other page.  Everything in a page's frame that
depends on where the page is (relative links to the assets and to the
navigation, the canonical address) is the same for every page in that folder
but its own name, so a page is its folder's shell with the markers replaced by
its title, body and name: the same bytes MkDocs would have written (a test
compares them).  The shells are removed from the built site.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markupsafe import escape

from generator.render.pages import Page
from generator.render.urls import page_url

SHELL = "__anjian_shell__"
TITLE_MARK = "ANJIANSHELLTITLEMARK"
BODY_MARK = '<div class="aj-shell"><h1>ANJIANSHELLBODYMARK</h1></div>'


def folder_of(src: str) -> str:
    """The folder of the page built from ``src``: ``enterprise/X.md`` → ``enterprise``."""
    return page_url(src).rstrip("/").rpartition("/")[0]


def shell_src(folder: str) -> str:
    return f"{folder}/{SHELL}.md" if folder else f"{SHELL}.md"


def shell_page(folder: str) -> Page:
    return Page(shell_src(folder), "", TITLE_MARK)


def shell_markdown(front_matter: str) -> str:
    return front_matter + BODY_MARK + "\n"


def html_path(src: str) -> str:
    """Where the page built from ``src`` lands in the site: ``enterprise/X/index.html``."""
    url = page_url(src)
    return f"{url}index.html" if url else "index.html"


_BLANKISH = re.compile(r"(?<=\n) +\n")


def markdown_text(body: str) -> str:
    """``body`` as Python-Markdown passes a raw HTML block through (its whitespace
    normalisation: no STX/ETX, LF line ends, tabs expanded to 4 columns, lines of
    spaces emptied, stripped)."""
    text = body.replace("\x02", "").replace("\x03", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    return _BLANKISH.sub("\n", "\n" + text + "\n").strip()


@dataclass(frozen=True)
class Shell:
    """A folder's page frame: the text around the title, body and own-name markers."""

    parts: tuple[str, ...]  # text between the markers
    marks: tuple[str, ...]  # "title", "body" or "name", one between two parts
    digest: str  # of the frame, so pages cached from another frame are made again

    @classmethod
    def parse(cls, html: str) -> Shell:
        pattern = re.compile("|".join(re.escape(m) for m in (TITLE_MARK, BODY_MARK, SHELL)))
        parts: list[str] = []
        marks: list[str] = []
        last = 0
        for match in pattern.finditer(html):
            parts.append(html[last : match.start()])
            marks.append({TITLE_MARK: "title", BODY_MARK: "body"}.get(match.group(), "name"))
            last = match.end()
        parts.append(html[last:])
        if marks.count("body") != 1:
            raise ValueError("the shell page has no body marker (a theme override dropped it?)")
        digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
        return cls(tuple(parts), tuple(marks), digest)

    def fill(self, page: Page, body: str) -> str:
        """The page as MkDocs would have written it (title escaped as in the front matter)."""
        values = {
            "title": str(escape(page.title)),
            "body": markdown_text(body),
            "name": quote(page_url(page.src).rstrip("/").rpartition("/")[2]),  # as MkDocs
        }
        out = [self.parts[0]]
        for mark, part in zip(self.marks, self.parts[1:], strict=True):
            out.append(values[mark])
            out.append(part)
        return "".join(out)


def take_shells(site: Path, folders: set[str]) -> dict[str, Shell]:
    """Read each folder's shell from the built site, then remove the shell pages."""
    shells = {}
    for folder in sorted(folders):
        page = site / html_path(shell_src(folder))
        shells[folder] = Shell.parse(page.read_text(encoding="utf-8"))
        shutil.rmtree(page.parent)
    return shells

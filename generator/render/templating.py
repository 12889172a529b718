"""The Jinja environment: autoescape everywhere, StrictUndefined, a few filters.

Templates see public values only (the model is built through ``Publisher``);
autoescaping makes every value inert text in HTML, attributes and the feed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from generator.render.urls import relative

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# characters XML 1.0 forbids (C0 controls other than tab/newline/return, FFFE/FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def amount(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def xml_text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def width(value: float, top: float) -> str:
    """Percentage width of a bar, as a plain number string."""
    return f"{(100 * value / top) if top else 0:.1f}"


@jinja2.pass_context
def url(ctx: jinja2.runtime.Context, to: str) -> str:
    return relative(str(ctx["src"]), to)


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(pct=pct, amount=amount, xml=xml_text, width=width)
    env.globals.update(url=url)
    return env


def html_text(value: str) -> Markup:
    """Escape text for places MkDocs copies into HTML unescaped (page titles)."""
    return escape(value)

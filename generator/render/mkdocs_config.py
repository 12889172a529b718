"""Compose the MkDocs configuration of one build from the repository's mkdocs.yml.

The repository's ``mkdocs.yml`` holds what a deployment tunes (site name,
palette, footer, report channels); the build adds the rest: where the pages
are, where the site goes, the navigation, the portal's script and style, and
no plugins (search is Pagefind's, run after MkDocs).  The result is a plain
mkdocs.yml inside the build's project folder, which Zensical can read too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.render.pages import NAV, NOT_IN_NAV

NavEntries = Sequence[tuple[str, str | list[tuple[str, str]]]]

CONFIG_FILE = "mkdocs.yml"
ASSET_CSS = "assets/anjian/anjian.css"
ASSET_JS = "assets/anjian/anjian.js"

DEFAULT_THEME: dict[str, Any] = {
    "name": "material",
    "language": "zh",
    "font": False,
    "features": ["navigation.tabs", "navigation.top"],
    "palette": [
        {
            "media": "(prefers-color-scheme: light)",
            "scheme": "default",
            "toggle": {"icon": "material/weather-night", "name": "切换到深色模式"},
        },
        {
            "media": "(prefers-color-scheme: dark)",
            "scheme": "slate",
            "toggle": {"icon": "material/weather-sunny", "name": "切换到浅色模式"},
        },
    ],
}


class ConfigError(Exception):
    """The repository's mkdocs.yml cannot be used."""


def read_repo_config(root: Path) -> dict[str, Any]:
    file = root / CONFIG_FILE
    if not file.is_file():
        return {}
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{CONFIG_FILE} 无法读取（只能使用普通 YAML）：{err}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{CONFIG_FILE} 的内容必须是映射")
    return data


def _nav(extra: NavEntries = ()) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for title, target in [*NAV, *extra]:
        if isinstance(target, str):
            out.append({title: target})
        else:
            out.append({title: [{t: s} for t, s in target]})
    return out


def nav_sources(extra: NavEntries = ()) -> set[str]:
    """The pages MkDocs builds: those of the navigation; every other page is put into a shell."""
    out: set[str] = set()
    for _, target in [*NAV, *extra]:
        out.update([target] if isinstance(target, str) else [src for _, src in target])
    return out


def compose_config(
    repo: dict[str, Any], site_dir: Path, default_name: str, extra_nav: NavEntries = ()
) -> dict[str, Any]:
    """The build's config; ``extra_nav`` adds sections after the portal's own (the handbook)."""
    config = dict(repo)
    config.setdefault("site_name", default_name or "安全生产信息公示")
    theme = config.get("theme")
    config["theme"] = dict(theme) if isinstance(theme, dict) else dict(DEFAULT_THEME)
    config["theme"].setdefault("language", "zh")
    config["theme"].setdefault("font", False)
    config.update(
        docs_dir="docs",
        site_dir=str(site_dir),
        use_directory_urls=True,
        nav=_nav(extra_nav),
        not_in_nav="\n".join(NOT_IN_NAV) + "\n",
        plugins=[],
        extra_css=[*(config.get("extra_css") or []), ASSET_CSS],
        extra_javascript=[*(config.get("extra_javascript") or []), ASSET_JS],
    )
    extra = dict(config.get("extra") or {})
    extra.setdefault("generator", False)
    config["extra"] = extra
    return config


def write_config(project: Path, config: dict[str, Any]) -> Path:
    file = project / CONFIG_FILE
    file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return file

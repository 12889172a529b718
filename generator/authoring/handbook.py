"""The generated pages of the staff handbook: one entry per problem code, and the CLI reference.

``docs/handbook/errors.md`` is rendered from :data:`generator.problems.CODES`
(every module of the package is imported first, so every code is registered)
with each module's docstring as its documentation; ``docs/handbook/cli.md``
from the ``--help`` of every command.  ``anjian docs --write`` regenerates both
and a test fails when the committed files are stale.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
from dataclasses import dataclass
from pathlib import Path

import click

from generator.problems import CODES, Code

HANDBOOK_DIR = "docs/handbook"
ERRORS_PAGE = f"{HANDBOOK_DIR}/errors.md"
CLI_PAGE = f"{HANDBOOK_DIR}/cli.md"
HELP_WIDTH = 88
# the pipeline's order: loading, policy, schema, then the rules as they run
FIRST_MODULES = ("generator.load", "generator.policy", "generator.schema_check")
GENERATED = "<!-- 本页由 `anjian docs --write` 生成，请勿手工修改。 -->"


def import_all() -> list[str]:
    """Import every module of the package so that every problem code is registered.

    Returns the modules that could not be imported (their codes are then missing,
    and the staleness test says so).
    """
    import generator
    import generator.rules
    import generator.validate

    failed = []
    for info in pkgutil.walk_packages(generator.__path__, "generator."):
        if info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # another part's module that does not import: report, go on
            failed.append(info.name)
    return failed


@dataclass
class Section:
    module: str
    doc: str
    codes: list[Code]


def _rule_order() -> dict[str, tuple[str, int]]:
    """Rule modules in the order their package runs them (``MODULES`` lists)."""
    import sys

    order: dict[str, tuple[str, int]] = {}
    for name, module in sorted(sys.modules.items()):
        listed = getattr(module, "MODULES", None) if name.startswith("generator.") else None
        if isinstance(listed, list):
            for index, rule in enumerate(listed):
                if isinstance(rule, types.ModuleType):
                    order.setdefault(rule.__name__, (name, index))
    return order


def _module_rank(name: str, rules: dict[str, tuple[str, int]]) -> tuple[int, str, int, str]:
    if name in FIRST_MODULES:
        return (0, "", FIRST_MODULES.index(name), name)
    if name in rules:
        package, index = rules[name]
        return (1, "" if package == "generator.rules" else package, index, name)
    return (2, "", 0, name)


def sections() -> list[Section]:
    """Codes grouped by the module that declares them, in pipeline order."""
    import sys

    owner: dict[str, tuple[str, int]] = {}
    for name, module in list(sys.modules.items()):
        if not (name == "generator" or name.startswith("generator.")) or not isinstance(
            module, types.ModuleType
        ):
            continue
        for position, value in enumerate(vars(module).values()):
            if isinstance(value, Code) and CODES.get(value.code) is value:
                # the declaring module is the one whose name the code object was defined in
                current = owner.get(value.code)
                if current is None or _declares(module, value):
                    owner[value.code] = (name, position)
    grouped: dict[str, list[tuple[int, Code]]] = {}
    for code, (module_name, position) in owner.items():
        grouped.setdefault(module_name, []).append((position, CODES[code]))
    orphans = sorted(set(CODES) - set(owner))
    out = []
    rules = _rule_order()
    for module_name in sorted(grouped, key=lambda name: _module_rank(name, rules)):
        module = sys.modules[module_name]
        codes = [c for _, c in sorted(grouped[module_name], key=lambda pair: pair[0])]
        out.append(Section(module_name, (module.__doc__ or "").strip(), codes))
    if orphans:
        out.append(Section("", "", [CODES[c] for c in orphans]))
    return out


def _declares(module: types.ModuleType, code: Code) -> bool:
    """True when ``module`` calls ``register`` for the code (not merely imports it)."""
    try:
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(r"register\(\s*[\"']" + re.escape(code.code) + r"[\"']", source) is not None


def _rst_to_md(text: str) -> str:
    return text.replace("``", "`")


def _quote(text: str) -> list[str]:
    return [f"> {line}".rstrip() for line in _rst_to_md(text).splitlines()]


def render_errors() -> str:
    import_all()
    lines = [
        GENERATED,
        "",
        "# 错误代码速查",
        "",
        "`anjian validate` 报出的每个问题都带一个代码，例如",
        "`records/hazard/2025/HAZ-20251010-001.yaml:7:8: bad-enum [level] …`。",
        "在本页查找代码，按“怎么改”修改后重新运行 `anjian validate 文件`。",
        "“警告”不阻止合并，但请核实；“错误”必须改正。",
        "",
        "每一节开头的引文是该项检查的开发文档（源自代码），说明检查的依据。",
        "",
        "| 代码 | 含义 | 级别 |",
        "|---|---|---|",
    ]
    found = sections()
    for section in found:
        for code in section.codes:
            level = "错误" if code.severity == "error" else "警告"
            lines.append(f"| [{code.code}](#{code.code}) | {code.title_zh} | {level} |")
    lines.append("")
    for section in found:
        title = section.module.replace(".", "/") + ".py" if section.module else "其他"
        lines += [f"## {title}", ""]
        if section.doc:
            lines += [*_quote(section.doc), ""]
        for code in section.codes:
            level = "错误" if code.severity == "error" else "警告"
            lines += [
                f"### {code.code}",
                "",
                f"**{code.title_zh}**（{code.title_en}）· {level}",
                "",
                f"怎么改：{code.fix_zh}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def _commands(
    group: click.Command, name: str, parent: click.Context | None
) -> list[tuple[str, click.Command, click.Context]]:
    # the command's own settings (e.g. ``-h`` as a help option), as when it is invoked
    settings = {
        key: value
        for key, value in group.context_settings.items()
        if key not in ("terminal_width", "max_content_width")
    }
    ctx = click.Context(
        group,
        info_name=name,
        parent=parent,
        terminal_width=HELP_WIDTH,
        max_content_width=HELP_WIDTH,
        **settings,
    )
    found = [(ctx.command_path, group, ctx)]
    if isinstance(group, click.Group):
        for sub in sorted(group.list_commands(ctx)):
            command = group.get_command(ctx, sub)
            if command is not None and not command.hidden:
                found += _commands(command, sub, ctx)
    return found


def render_cli() -> str:
    from generator.cli import cli

    lines = [
        GENERATED,
        "",
        "# 命令参考",
        "",
        "每个命令都作用于当前目录所在的记录库（像 git 一样），也可以用 `--repo 路径` 指定。",
        "退出码：0 没有问题，1 记录有问题，2 命令用法错误。",
        "",
    ]
    for path, command, ctx in _commands(cli, "anjian", None):
        lines += [f"## {path}", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(lines).rstrip() + "\n"


PAGES = {ERRORS_PAGE: render_errors, CLI_PAGE: render_cli}


def stale_pages(root: Path) -> list[str]:
    """Generated pages whose committed text differs from what the code renders now."""
    stale = []
    for rel, render in PAGES.items():
        file = root / rel
        current = file.read_text(encoding="utf-8") if file.is_file() else None
        if current != render():
            stale.append(rel)
    return stale


def write_pages(root: Path) -> list[str]:
    """Regenerate the pages; returns those that changed."""
    changed = []
    for rel, render in PAGES.items():
        file = root / rel
        text = render()
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
            changed.append(rel)
    return changed

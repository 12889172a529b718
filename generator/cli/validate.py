"""anjian validate."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from generator.cli.app import DATE, Settings, cli, pass_settings
from generator.problems import FORMATTERS


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
    help="输出格式：text 文本，json，github（在拉取请求中逐行标注）。",
)
@click.option("--as-of", type=DATE, default=None, help="按哪一天判断（默认：策略时区的今天）。")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）。"
)
@click.option(
    "--base",
    metavar="REF",
    default=None,
    help="与哪个分支比较（例如 main、origin/main）：只校验改动的记录，并检查历史"
    "（不得删除、改名，事件只能追加，已销号不得修改，编号不得重用，提交人有权修改）。",
)
@click.option(
    "--committed",
    is_flag=True,
    help="与 --base 一起用：只检查已提交的修改，不查看工作区（干净的检出，如 CI；"
    "省去扫描全部记录文件）。改动的记录与最新提交不同时报错。",
)
@pass_settings
def validate(
    settings: Settings,
    paths: tuple[Path, ...],
    fmt: str,
    as_of: dt.date | None,
    jobs: int | None,
    base: str | None,
    committed: bool,
) -> None:
    """校验记录：模式、编号、引用和业务规则。不指定 PATHS 时校验全部记录（有 --base 时只校验改动的记录）。"""
    from generator.history import GitError
    from generator.schemas import SchemaError
    from generator.validate import OutsideRepository, validate_change, validate_repository

    root = settings.root()
    if committed and base is None:
        raise click.UsageError("--committed 只能与 --base 一起使用")
    try:
        if base is not None:
            loaded = validate_change(
                root,
                base,
                as_of=as_of,
                paths=paths,
                jobs=jobs,
                keep_records=False,
                committed=committed,
            )
        else:
            loaded = validate_repository(
                root, as_of=as_of, paths=paths, jobs=jobs, keep_records=False
            )
    except (SchemaError, OutsideRepository, GitError) as err:
        raise click.UsageError(str(err)) from err
    problems = loaded.report.sorted()
    if problems:
        click.echo(FORMATTERS[fmt](problems, settings.lang))
    errors = [p for p in problems if p.severity == "error"]
    if fmt == "text":
        summary = (
            f"共检查 {loaded.report.files_checked} 个文件：{len(errors)} 个错误，{len(problems) - len(errors)} 个警告"
            if settings.lang == "zh"
            else f"{loaded.report.files_checked} files checked: {len(errors)} errors, "
            f"{len(problems) - len(errors)} warnings"
        )
        click.echo(summary, err=True)
    sys.exit(1 if errors else 0)

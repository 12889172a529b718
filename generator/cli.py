"""The ``anjian`` command: parse options → call the core → report → exit code.

Exit status: 0 when all is well, 1 when a record has a problem, 2 for a usage
error (bad option, not inside a repository, unusable schemas).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from generator.problems import FORMATTERS, Lang
from generator.repo import NotARepository, find_root
from generator.schemas import SchemaError
from generator.validate import OutsideRepository, validate_repository


class DateType(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"“{value}”不是有效日期（格式 YYYY-MM-DD）", param, ctx)


DATE = DateType()


@dataclass
class Settings:
    repo: Path | None
    lang: Lang

    def root(self) -> Path:
        try:
            return find_root(self.repo)
        except NotARepository as err:
            raise click.UsageError(str(err)) from err


pass_settings = click.make_pass_decorator(Settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--repo", type=click.Path(file_okay=False, path_type=Path), help="记录库目录（默认：当前目录所在的记录库）。")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="提示信息的语言。")
@click.version_option(package_name="anjian")
@click.pass_context
def cli(ctx: click.Context, repo: Path | None, lang: Lang) -> None:
    """安监：安全生产监管记录的校验、台账与信息公示。"""
    ctx.obj = Settings(repo=repo, lang=lang)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATTERS)), default="text", show_default=True,
              help="输出格式：text 文本，json，github（在拉取请求中逐行标注）。")
@click.option("--as-of", type=DATE, default=None, help="按哪一天判断（默认：策略时区的今天）。")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）。")
@pass_settings
def validate(settings: Settings, paths: tuple[Path, ...], fmt: str, as_of: dt.date | None,
             jobs: int | None) -> None:
    """校验记录：模式、编号、引用和业务规则。不指定 PATHS 时校验全部记录。"""
    root = settings.root()
    try:
        loaded = validate_repository(root, as_of=as_of, paths=paths, jobs=jobs)
    except (SchemaError, OutsideRepository) as err:
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


@cli.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="写到哪个目录（默认：当前记录库）。")
@click.option("--seed", type=int, default=2026, show_default=True, help="随机种子：同一种子生成完全相同的文件。")
@click.option("--as-of", type=DATE, default=dt.date(2026, 11, 23), show_default=True, help="演示数据的“今天”。")
@pass_settings
def demo(settings: Settings, out: Path | None, seed: int, as_of: dt.date) -> None:
    """生成演示县（青川县）的记录。"""
    from generator.demo import write_demo

    target = out or settings.root()
    count = write_demo(target, seed=seed, as_of=as_of)
    click.echo(f"已写入 {count} 条记录到 {target / 'records'}", err=True)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("已中断", err=True)
        sys.exit(130)

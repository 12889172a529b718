"""anjian build."""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import click

from generator.cli.app import DATE, Settings, cli, pass_settings
from generator.problems import format_text
from generator.schemas import SchemaError


class Terminated(BaseException):
    """SIGTERM during a build: not an ``Exception``, so that no ``except Exception`` on the
    way (a parser falling back to another, say) can take it for an error it handles and
    carry on; like ``KeyboardInterrupt``, it unwinds the build to the command."""


@cli.command()
@click.option("--as-of", type=DATE, default=None, help="按哪一天生成（默认：策略时区的今天）。")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="输出目录（默认：记录库下的 site/）。",
)
@click.option("--no-search", is_flag=True, help="不建立搜索索引（更快，用于预览）。")
@click.option(
    "--full",
    is_flag=True,
    help="全部重新生成，不沿用上次生成的页面和搜索索引分片（.anjian-cache/ 中的记录）。",
)
@click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="校验的并行进程数（默认：CPU 核数）。"
)
@pass_settings
def build(
    settings: Settings,
    as_of: dt.date | None,
    out: Path | None,
    no_search: bool,
    full: bool,
    jobs: int | None,
) -> None:
    """生成信息公示网站：校验 → 审计日志 → 汇总 → 页面 → MkDocs → 开放数据 → 搜索索引 → 隐私扫描 → 发布。

    要么全部成功，要么保留上一次的网站不变。输入没有改动的页面和搜索索引分片沿用上一次生成的
    结果（输出与全部重新生成完全相同），所以改动少量记录后重新生成很快。
    """
    from generator.render.build import BuildError, InvalidRecords, build_site

    root = settings.root()
    target = out or root / "site"
    started = time.perf_counter()

    def progress(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    done = False  # the new site is in place: a stop now changes nothing, so it waits

    def terminated(signum: int, frame: FrameType | None) -> None:
        # unwind, so the build removes its work folder (the default would just die)
        if not done:
            raise Terminated

    def published() -> None:
        nonlocal done
        done = True

    previous = signal.signal(signal.SIGTERM, terminated)
    try:
        result = build_site(
            root,
            target,
            as_of=as_of,
            progress=progress,
            search=not no_search,
            jobs=jobs,
            incremental=not full,
            published=published,
        )
    except SchemaError as err:
        raise click.UsageError(str(err)) from err
    except InvalidRecords as err:
        click.echo(format_text(err.problems, settings.lang), err=True)
        click.echo(f"{err}（网站未更新）", err=True)
        sys.exit(1)
    except BuildError as err:
        for line in err.details:
            click.echo(line, err=True)
        click.echo(f"{err}（网站未更新）", err=True)
        sys.exit(1)
    except Terminated:
        click.echo("构建被终止（SIGTERM）（网站未更新）", err=True)
        sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(
        f"已生成 {result.site}：{result.pages} 个页面，{result.enterprises} 家企业，"
        f"数据截至 {result.as_of}，用时 {time.perf_counter() - started:.1f} 秒"
        f"（重新生成 {result.made.get('rendered', 0)} 页，沿用 {result.made.get('reused', 0)} 页）",
        err=True,
    )

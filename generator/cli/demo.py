"""anjian demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.cli.app import DATE, Settings, cli, pass_settings

SCALE_NAMES = ("demo", "county", "city")


@cli.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="写到哪个目录（默认：当前记录库）。",
)
@click.option(
    "--seed",
    type=int,
    default=2026,
    show_default=True,
    help="随机种子：同一种子生成完全相同的文件。",
)
@click.option(
    "--as-of",
    type=DATE,
    default=dt.date(2026, 11, 23),
    show_default=True,
    help="演示数据的“今天”。",
)
@click.option("--replace", is_flag=True, help="清空已有的 records/（和 .git/）后重新生成。")
@click.option(
    "--scale",
    type=click.Choice(SCALE_NAMES),
    default=None,
    help="生成完整的记录库（记录、模式、策略、门户配置）：demo 演示县约 200 家企业；"
    "county 一个县 3,000 家企业、每年约 1 万次检查和 4 万条隐患；"
    "city 一个市 2 万家企业、5 年约 10 万次检查和 30 万条隐患。",
)
@click.option(
    "--history",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="同时生成 N 个提交的 Git 历史（按日期由各工作人员提交记录，附复核批准提交）。",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="写文件的并行进程数（默认：CPU 核数）。",
)
@click.option("--enterprises", type=click.IntRange(min=200), default=None, hidden=True)
@pass_settings
def demo(
    settings: Settings,
    out: Path | None,
    seed: int,
    as_of: dt.date,
    replace: bool,
    scale: str | None,
    history: int,
    jobs: int | None,
    enterprises: int | None,
) -> None:
    """生成演示县（青川县）的记录；加 --scale 生成县、市规模的完整记录库（用于测速）。"""
    if scale is None and history == 0 and enterprises is None:
        _records_only(settings, out, seed, as_of, replace)
        return
    from generator.demo.repository import write_repository
    from generator.demo.scale import SCALES, reduced

    size = SCALES[scale or "demo"]
    if enterprises is not None:
        size = reduced(size, enterprises)
    if history and history < 3:
        raise click.UsageError("--history 至少 3 个提交（部署、审计起点和记录）。")
    if out is None:
        raise click.UsageError("生成完整记录库（--scale、--history）须用 --out 指定一个新目录。")
    target = out
    try:
        written = write_repository(
            target, size, seed=seed, as_of=as_of, history=history, replace=replace, jobs=jobs
        )
    except FileExistsError as err:
        raise click.UsageError(
            f"{target} 中已有记录或 Git 版本库；加 --replace 重新生成（会删除 records/ 和 .git/）。"
        ) from err
    timing = "，".join(f"{k} {v:.1f} 秒" for k, v in written.seconds.items())
    click.echo(
        f"已写入 {written.records:,} 条记录、{written.evidence:,} 个证据文件到 {target}（{timing}）",
        err=True,
    )
    if written.history:
        click.echo(f"Git 历史：{written.history['commits']:,} 个提交", err=True)


def _records_only(
    settings: Settings, out: Path | None, seed: int, as_of: dt.date, replace: bool
) -> None:
    from generator.demo import write_demo

    target = out or settings.root()
    try:
        count = write_demo(target, seed=seed, as_of=as_of, replace=replace)
    except FileExistsError as err:
        raise click.UsageError(
            f"{target / 'records'} 中已有记录；加 --replace 重新生成（会删除现有记录）。"
        ) from err
    click.echo(f"已写入 {count} 条记录到 {target / 'records'}", err=True)

"""anjian demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from generator.cli.app import DATE, Settings, cli, pass_settings


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
@click.option("--replace", is_flag=True, help="清空已有的 records/ 后重新生成。")
@pass_settings
def demo(settings: Settings, out: Path | None, seed: int, as_of: dt.date, replace: bool) -> None:
    """生成演示县（青川县）的记录。"""
    from generator.demo import write_demo

    target = out or settings.root()
    try:
        count = write_demo(target, seed=seed, as_of=as_of, replace=replace)
    except FileExistsError as err:
        raise click.UsageError(f"{target / 'records'} 中已有记录；加 --replace 重新生成（会删除现有记录）。") from err
    click.echo(f"已写入 {count} 条记录到 {target / 'records'}", err=True)

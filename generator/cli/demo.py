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
@pass_settings
def demo(settings: Settings, out: Path | None, seed: int, as_of: dt.date) -> None:
    """生成演示县（青川县）的记录。"""
    from generator.demo import write_demo

    target = out or settings.root()
    count = write_demo(target, seed=seed, as_of=as_of)
    click.echo(f"已写入 {count} 条记录到 {target / 'records'}", err=True)

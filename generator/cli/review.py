"""anjian review: the three-tier review (plan, sample, approve, check, codeowners)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from generator.cli.app import DATE, Settings, cli, pass_settings

BASE_HELP = "目标分支：拉取请求要合并到的分支（找不到时用 origin/ 下的同名分支）。"


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@cli.group()
def review() -> None:
    """三级复核：复核计划、双随机抽查、批准和检查。"""


@review.command()
@click.option("--base", default="main", show_default=True, help=BASE_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="输出格式：markdown（可直接贴到拉取请求评论中）或 json。",
)
@click.option("--as-of", type=DATE, default=None, help="按哪一天确定“回头看”的季度（默认：今天）。")
@pass_settings
def plan(settings: Settings, base: str, fmt: str, as_of: dt.date | None) -> None:
    """列出本分支的修改需要哪几级复核、由谁复核，以及已有的批准。"""
    from generator.review import GitError, build_plan, check_review
    from generator.review.report import plan_json, plan_markdown

    root = settings.root()
    try:
        found = build_plan(root, base, as_of=as_of)
        status = check_review(root, base, plan=found)
    except GitError as err:
        raise click.UsageError(str(err)) from err
    click.echo(
        plan_markdown(found, status) if fmt == "markdown" else _json(plan_json(found, status))
    )


@review.command()
@click.option("--date", "day", type=DATE, default=None, help="一级复核：抽查这一天的检查文书。")
@click.option(
    "--quarter",
    default=None,
    metavar="YYYYQN",
    help="二级复核：抽取这个季度（如 2026Q1）已检查的企业。",
)
@click.option(
    "--tier",
    type=click.IntRange(1, 3),
    default=None,
    help="复核层级（默认：--date 为 1，--quarter 为 2；3 为纪检监察不打招呼抽查）。",
)
@click.option("--seed", default=None, help="指定种子（默认：该期结束后主分支上第一个提交的编号）。")
@click.option("--ref", default="main", show_default=True, help="主分支：种子和记录从这里读取。")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@pass_settings
def sample(
    settings: Settings,
    day: dt.date | None,
    quarter: str | None,
    tier: int | None,
    seed: str | None,
    ref: str,
    fmt: str,
) -> None:
    """双随机抽查：按公开的种子抽签，任何人都能重抽出同样的结果。

    算法：对每个候选编号计算 sha256(种子 + ":" + 编号)，按十六进制值从小到大排序，取前 k 个；
    一级 k = ceil(抽查比例 × 当日检查数)，二级 k = 每季度抽查企业数。
    """
    from generator.review import GitError, SeedNotYetAvailable, draw_sample
    from generator.review.report import sample_text
    from generator.review.sample import day as day_period
    from generator.review.sample import parse_quarter

    if (day is None) == (quarter is None):
        raise click.UsageError(
            "请指定 --date YYYY-MM-DD（一级复核）或 --quarter YYYYQN（二级复核）之一"
        )
    chosen = tier or (1 if day else 2)
    if day is not None and chosen == 2:
        raise click.UsageError("二级复核按季度抽取：请用 --quarter")
    if quarter is not None and chosen == 1:
        raise click.UsageError("一级复核按日抽查：请用 --date")
    try:
        period = day_period(day) if day is not None else parse_quarter(quarter or "")
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--quarter") from err
    root = settings.root()
    try:
        result = draw_sample(root, tier=chosen, period=period, ref=ref, seed=seed)
    except SeedNotYetAvailable as err:
        _fail(str(err))
    except GitError as err:
        raise click.UsageError(str(err)) from err
    click.echo(sample_text(result) if fmt == "text" else _json(result.as_json()))


@review.command()
@click.option("--tier", type=click.IntRange(1, 3), required=True, help="复核层级：1、2 或 3。")
@click.option("--comment", default="", help="复核意见（写入提交说明）。")
@click.option("--request-changes", is_flag=True, help="要求修改，而不是批准。")
@click.option(
    "--record",
    "records",
    multiple=True,
    metavar="ID",
    help="只复核这些记录（可重复；默认：该级需要复核的全部记录）。",
)
@click.option("--base", default="main", show_default=True, help=BASE_HELP)
@pass_settings
def approve(
    settings: Settings,
    tier: int,
    comment: str,
    request_changes: bool,
    records: tuple[str, ...],
    base: str,
) -> None:
    """在本分支上记录复核结论：一个带说明和签名的空提交，之后请 git push。"""
    from generator.review import GitError, ReviewError
    from generator.review import approve as record_approval
    from generator.review.tiers import TIER_TITLE

    root = settings.root()
    try:
        done = record_approval(
            root, base, tier=tier, comment=comment, request_changes=request_changes, records=records
        )
    except ReviewError as err:
        _fail(str(err))
    except GitError as err:
        _fail(str(err))
    verb = "要求修改" if request_changes else "批准"
    click.echo(
        f"已记录 {done.reviewer} 的{TIER_TITLE[tier]}{verb}：提交 {done.sha[:7]}，{len(done.records)} 条记录"
    )
    if not done.signed:
        click.echo(
            "注意：没有配置签名密钥，本次提交未签名（已在提交中注明 Review-Signed: no）。"
            "配置方法：git config gpg.format ssh; git config user.signingkey ~/.ssh/id_ed25519.pub",
            err=True,
        )
    click.echo("请运行 git push，把复核结论推送到拉取请求。", err=True)


@review.command()
@click.option("--base", default="main", show_default=True, help=BASE_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@pass_settings
def check(settings: Settings, base: str, fmt: str) -> None:
    """检查本分支的各级复核是否齐全（CI 必需状态）：齐全退出码 0，否则 1。"""
    from generator.review import GitError, check_review
    from generator.review.report import check_text, plan_json

    root = settings.root()
    try:
        result = check_review(root, base)
    except GitError as err:
        raise click.UsageError(str(err)) from err
    click.echo(check_text(result) if fmt == "text" else _json(plan_json(result.plan, result)))
    sys.exit(0 if result.ok else 1)


@review.command()
@click.option("--write", is_flag=True, help="写入 .github/CODEOWNERS（默认只打印）。")
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="只检查 .github/CODEOWNERS 是否与记录一致，不一致时退出码 1。",
)
@pass_settings
def codeowners(settings: Settings, write: bool, check_only: bool) -> None:
    """根据人员、部门记录和复核层级生成 .github/CODEOWNERS。"""
    from generator.review.codeowners import PATH, generate

    root = settings.root()
    text = generate(root)
    target = root / PATH
    if check_only:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            _fail(f"{PATH} 与人员记录不一致；请运行 anjian review codeowners --write 并提交")
        click.echo(f"{PATH} 与人员记录一致", err=True)
        return
    if write:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        click.echo(f"已写入 {PATH}", err=True)
        return
    click.echo(text, nl=False)

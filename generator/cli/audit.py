"""anjian audit: per-record history, the published audit log, and its verification."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from generator.cli.app import DATE, Settings, cli, pass_settings

REF_HELP = "审计哪个分支或提交（默认：当前 HEAD，CI 中即主分支）。"


@cli.group()
def audit() -> None:
    """审计：每条记录的修改历史、公开的审计日志及其核验。"""


@audit.command()
@click.option(
    "--against",
    "log",
    metavar="LOG",
    default=None,
    help="与之比较的已发布审计日志 log.jsonl：文件路径或 http(s) 网址（默认：site/audit/log.jsonl）。",
)
@click.option("--ref", default="HEAD", show_default=True, help=REF_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="解析记录的并行进程数（默认：CPU 核数）。",
)
@pass_settings
def verify(settings: Settings, log: str | None, ref: str, fmt: str, jobs: int | None) -> None:
    """核验全部历史：审计链未被改写；每个修改记录的提交都由登记人员在角色范围内作出、
    按策略签名；每次合入都有所需的复核批准。有问题时退出码 1。"""
    from generator.audit import AuditError
    from generator.audit.findings import format_json, format_text
    from generator.audit.verify import LOG_PATH, read_published
    from generator.audit.verify import verify as run_verify

    root = settings.root()
    started = time.perf_counter()
    try:
        published: str | None = None
        if log is not None:
            published = read_published(log)
        elif (root / LOG_PATH).is_file():
            published = (root / LOG_PATH).read_text(encoding="utf-8")
        result = run_verify(root, ref=ref, published=published, jobs=jobs)
    except AuditError as err:
        raise click.UsageError(str(err)) from err
    findings = result.findings
    if findings:
        click.echo(
            format_text(findings, settings.lang)
            if fmt == "text"
            else format_json(findings, settings.lang)
        )
    elif fmt == "json":
        click.echo("[]")
    if result.compared is None:
        click.echo(
            "没有已发布的审计日志可比较（可用 --against 指定）；只核验了历史本身。", err=True
        )
    errors = len(result.errors)
    click.echo(
        f"核验 {len(result.history.landings)} 次合入（审计链 {len(result.entries)} 条"
        + (f"，与已发布的 {result.compared} 条比较" if result.compared is not None else "")
        + f"）：{errors} 个错误，{len(findings) - errors} 个警告，用时 {time.perf_counter() - started:.2f} 秒",
        err=True,
    )
    sys.exit(1 if errors else 0)


def _event_json(event: Any, people: Any) -> dict[str, Any]:
    from generator.audit.chain import commit_time
    from generator.audit.diff import MISSING

    def value(v: Any) -> Any:
        return None if v is MISSING else v

    return {
        "seq": event.seq,
        "commit": event.landing.sha,
        "time": commit_time(event.landing.commit),
        "change": event.change.status,
        "path": event.change.path,
        "landed_by": {
            "staff": people.staff_id(event.landing.commit.author.email),
            "email": event.landing.commit.author.email,
        },
        "editors": [
            {
                "commit": c.sha,
                "staff": people.staff_id(c.author.email),
                "email": c.author.email,
                "time": commit_time(c),
            }
            for c in event.editors
        ],
        "approvals": [
            {
                "commit": v.commit.sha,
                "tier": v.tier,
                "decision": v.decision,
                "reviewer": people.staff_id(v.commit.author.email),
                "email": v.commit.author.email,
            }
            for v in event.approvals
        ],
        "fields": [
            {"field": f.path, "action": f.action, "old": value(f.old), "new": value(f.new)}
            for f in event.changes()
        ],
    }


def _show_value(value: Any) -> str:
    from generator.audit.publish import show_value

    return show_value(value)


@audit.command()
@click.argument("record_id", metavar="ID")
@click.option("--ref", default="HEAD", show_default=True, help=REF_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="输出格式。",
)
@pass_settings
def show(settings: Settings, record_id: str, ref: str, fmt: str) -> None:
    """一条记录的全部修改历史（内部使用：含全部字段和提交邮箱）。"""
    from generator.audit import AuditError, Want, read_history
    from generator.audit.chain import build_chain
    from generator.audit.record_history import record_events
    from generator.audit.timeline import epoch_of
    from generator.audit.verify import current_policy

    root = settings.root()
    try:
        history = read_history(
            root,
            ref,
            epoch=epoch_of(current_policy(root)),
            want=Want(landed_kinds=None, ids=frozenset({record_id})),
        )
    except AuditError as err:
        raise click.UsageError(str(err)) from err
    events = record_events(history, build_chain(history), [record_id]).get(record_id, [])
    rows = [_event_json(e, history.people(e.landing.state)) for e in events]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"审计起点之后没有 {record_id} 的修改", err=True)
        sys.exit(1)
    mark = {"added": "+", "removed": "-", "changed": "~"}
    for row in rows:
        landed = row["landed_by"]
        click.echo(
            f"#{row['seq']} {row['time']} {row['change']} {row['path']}  提交 {row['commit'][:12]}"
            f"（合入：{landed['staff']} <{landed['email']}>）"
        )
        for editor in row["editors"]:
            click.echo(
                f"  修改人：{editor['staff']} <{editor['email']}>  提交 {editor['commit'][:12]}  {editor['time']}"
            )
        for approval in row["approvals"]:
            click.echo(
                f"  复核：第 {approval['tier']} 级 {approval['decision']}  {approval['reviewer']} "
                f"<{approval['email']}>  提交 {approval['commit'][:12]}"
            )
        for f in row["fields"]:
            if f["action"] == "changed":
                text = f"{_show_value(f['old'])} → {_show_value(f['new'])}"
            else:
                text = _show_value(f["new"] if f["action"] == "added" else f["old"])
            click.echo(f"  {mark[f['action']]} {f['field']}: {text}")


@audit.command("allowed-signers")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="写到哪个文件（默认：.git/allowed_signers；写 - 输出到屏幕）。",
)
@pass_settings
def allowed_signers_command(settings: Settings, out: Path | None) -> None:
    """根据人员记录 git.signing_keys 生成 SSH 签名核验用的 allowed_signers 文件。"""
    from generator.audit.gitread import GitError, git_dir
    from generator.audit.people import People, allowed_signers
    from generator.records import list_record_paths, load_files

    root = settings.root()
    paths = [p for p in list_record_paths(root) if p.startswith("records/staff/")]
    records, _ = load_files(root, [root / p for p in paths], jobs=1)
    text = allowed_signers([People.of(r.data for r in records)])
    if out is not None and str(out) == "-":
        click.echo(text, nl=False)
        return
    if out is None:
        try:
            out = git_dir(root) / "allowed_signers"
        except GitError as err:
            raise click.UsageError(str(err)) from err
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"已写入 {out}（{text.count(chr(10)) - text.count('# ')} 把密钥）", err=True)
    click.echo(f"本机核验签名：git config gpg.ssh.allowedSignersFile {out.resolve()}", err=True)


@audit.command()
@click.option("--ref", default="HEAD", show_default=True, help=REF_HELP)
@pass_settings
def head(settings: Settings, ref: str) -> None:
    """打印审计链的最新哈希和条目数（即 head.json 的内容），供 CI 记录或与门户上公布的核对。"""
    from generator.audit import AuditError
    from generator.audit.publish import audit_head
    from generator.audit.verify import current_policy

    root = settings.root()
    try:
        found = audit_head(root, current_policy(root), ref=ref)
    except AuditError as err:
        raise click.UsageError(str(err)) from err
    click.echo(json.dumps(found, ensure_ascii=False, indent=2, sort_keys=True))


@audit.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="输出目录（默认：site/audit）。",
)
@click.option(
    "--as-of", type=DATE, default=None, help="按哪一天判断哪些记录仍在公示（默认：今天）。"
)
@click.option("--ref", default="HEAD", show_default=True, help=REF_HELP)
@pass_settings
def publish(settings: Settings, out: Path | None, as_of: dt.date | None, ref: str) -> None:
    """生成公开的审计页面：log.jsonl、head.json、首页和每条公示记录的修改历史（只含公开字段）。"""
    from generator.audit import AuditError
    from generator.audit.publish import named_on, write_audit
    from generator.schemas import SchemaError
    from generator.validate import validate_repository

    root = settings.root()
    try:
        loaded = validate_repository(root, as_of=as_of)
        day = as_of or loaded.policy.today()
        site = write_audit(
            root,
            out or root / "site" / "audit",
            named=named_on(loaded.valid, loaded.registry, loaded.policy, day),
            registry=loaded.registry,
            policy=loaded.policy,
            records=loaded.valid,
            ref=ref,
        )
    except (AuditError, SchemaError) as err:
        raise click.UsageError(str(err)) from err
    click.echo(
        f"审计日志 {site.entries} 条，最新哈希 {site.head}；{site.record_pages} 个记录历史页面",
        err=True,
    )

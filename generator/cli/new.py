"""anjian new, rectify, recheck, close, import-issue, docs, form: authoring without hand-editing YAML."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from generator.cli.app import DATE, Settings, cli, pass_settings

if TYPE_CHECKING:
    from generator.authoring import Incomplete, Session
    from generator.authoring.events import Hazard

# the authoring package is imported by the commands that use it: ``anjian`` loads
# this module for every command

EVIDENCE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _session(settings: Settings, yes: bool, as_of: dt.date | None) -> Session:
    from generator.authoring import ClickAsker, QuietAsker, open_session
    from generator.schemas import SchemaError

    asker = QuietAsker() if yes else ClickAsker()
    try:
        return open_session(settings.root(), asker, as_of)
    except SchemaError as err:
        raise click.UsageError(str(err)) from err


def _incomplete(err: Incomplete) -> NoReturn:
    lines = "\n".join(f"  - {p}" for p in err.problems)
    raise click.UsageError(
        f"无法生成记录：\n{lines}\n（用 --set 字段=值 补上，或去掉 --yes 逐项填写）"
    )


def _report(settings: Settings, written_path: Path, root: Path, problems: list[Any]) -> None:
    from generator.problems import format_text

    rel = written_path.relative_to(root).as_posix()
    if problems:
        click.echo(format_text(problems, settings.lang))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        click.echo(
            f"已写入 {rel}，但校验发现 {len(errors)} 个错误，请按提示修改后再提交。", err=True
        )
        sys.exit(1)
    click.echo(f"已写入 {rel}，校验通过。下一步：git add {rel} 后提交并发起合并请求。", err=True)


@cli.command()
@click.argument("kind")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="字段=值",
    help="直接给出字段的值（可重复），例如 --set level=二级 --set five_fixed.funds=5000。",
)
@click.option(
    "--from-inspection",
    metavar="INS-…",
    help="新建隐患时：从这次检查带出企业、检查、部门、发现日期和发现人。",
)
@click.option(
    "--evidence",
    multiple=True,
    type=EVIDENCE,
    help="证据文件（可重复），复制到 records/evidence/<编号>/ 并记录 sha256。",
)
@click.option(
    "--yes", "-y", is_flag=True, help="不提问：采用建议值，缺少必填项时报错（配合 --set 使用）。"
)
@click.option("--as-of", type=DATE, default=None, help="以哪一天为“今天”（默认：策略时区的今天）。")
@pass_settings
def new(
    settings: Settings,
    kind: str,
    assignments: tuple[str, ...],
    from_inspection: str | None,
    evidence: tuple[Path, ...],
    yes: bool,
    as_of: dt.date | None,
) -> None:
    """新建一条记录：逐项用中文提问，建议编号和路径，写出带字段说明的 YAML 并校验。

    KIND 是记录类别，例如 inspection（检查）、hazard（隐患）、penalty（处罚）、
    complaint（投诉举报）、enterprise（企业）。
    """
    from generator.authoring import Incomplete, compose_record
    from generator.authoring.session import attach_evidence, render_draft, write_record
    from generator.authoring.values import BadValue, parse_assignments

    session = _session(settings, yes, as_of)
    try:
        values: dict[str, Any] = parse_assignments(list(assignments))
    except BadValue as err:
        raise click.UsageError(str(err)) from err
    if from_inspection:
        if kind != "hazard":
            raise click.UsageError("--from-inspection 只用于新建隐患（anjian new hazard）")
        values = {**_from_inspection(session, from_inspection), **values}
    try:
        draft, _ = compose_record(session, kind, values)
        copied = attach_evidence(session, draft, list(evidence))
    except Incomplete as err:
        _incomplete(err)
    text = render_draft(draft)
    if not yes:
        click.echo("\n" + text, err=True)
        if not click.confirm(f"写入 {draft.path}？", default=True, err=True):
            if copied:
                copied.undo()
            click.echo("未写入。", err=True)
            return
    written = write_record(session, draft, copied)
    _report(settings, written.path, session.root, written.problems)


def _from_inspection(session: Session, inspection_id: str) -> dict[str, Any]:
    from generator.authoring.search import RefFinder

    found = RefFinder(session.root).get("inspection", inspection_id)
    if found is None:
        raise click.UsageError(f"没有找到检查 {inspection_id}")
    data = found.data
    values: dict[str, Any] = {"inspection": inspection_id, "source": "监督检查"}
    enterprises = data.get("enterprises") or []
    if len(enterprises) == 1:
        values["enterprise"] = enterprises[0]
    for key, source in (("department", "lead_department"), ("found_on", "date")):
        if data.get(source):
            values[key] = data[source]
    if data.get("inspectors"):
        values["found_by"] = list(data["inspectors"])
    return values


def _staff(root: Path, text: str | None) -> str | None:
    """A staff id from an id or a name (unique)."""
    from generator.authoring.search import RefFinder

    if not text:
        return None
    matches = RefFinder(root).find("staff", text)
    if len(matches) == 1 or (matches and matches[0].id == text):
        return matches[0].id
    if not matches:
        raise click.UsageError(f"没有找到人员“{text}”（写人员编号 STAFF-…，或姓名）")
    shown = "；".join(m.show() for m in matches[:5])
    raise click.UsageError(f"“{text}”对应多名人员：{shown}，请写人员编号")


def _step(
    settings: Settings,
    hazard_id: str,
    build: Callable[[Hazard, list[dict[str, str]]], list[dict[str, Any]]],
    evidence: tuple[Path, ...],
    today: dt.date,
) -> None:
    from generator.authoring import StepRefused, record_step
    from generator.problems import format_text

    root = settings.root()
    try:
        result = record_step(root, hazard_id, build, evidence=evidence, today=today)
    except StepRefused as err:
        raise click.ClickException(str(err)) from err
    if not result.written:
        click.echo(format_text(result.problems, settings.lang))
        click.echo(f"未修改 {result.path}：追加后记录不能通过校验（见上）。", err=True)
        sys.exit(1)
    kinds = "、".join(str(e["type"]) for e in result.events)
    click.echo(f"已在 {result.path} 追加“{kinds}”，隐患状态：{result.state}。", err=True)


def _today(settings: Settings, as_of: dt.date | None) -> dt.date:
    from generator.authoring import QuietAsker, open_session

    if as_of:
        return as_of
    return open_session(settings.root(), QuietAsker()).today


DATE_OPTION = click.option(
    "--date", "day", type=DATE, default=None, help="事件日期（默认：今天）。"
)
AS_OF_OPTION = click.option(
    "--as-of", type=DATE, default=None, help="以哪一天为“今天”（默认：策略时区的今天）。"
)
NOTE_OPTION = click.option("--note", default=None, help="对外公开的说明（不要写个人信息）。")
DOC_OPTION = click.option(
    "--document-no", default=None, help="对应文书的文号，例如整改复查意见书。"
)


@cli.command()
@click.argument("hazard")
@DATE_OPTION
@click.option(
    "--evidence",
    multiple=True,
    type=EVIDENCE,
    help="整改完成的证据（两照一表：整改前照片、整改后照片、责任表；可重复）。",
)
@click.option("--by", default=None, help="经办人员编号或姓名。")
@click.option(
    "--progress", is_flag=True, help="记录一次进展报告（挂牌督办期间每月报告），状态不变。"
)
@click.option(
    "--assessed-by", default=None, metavar="机构", help="记录重大隐患的评估，写明评估机构。"
)
@NOTE_OPTION
@DOC_OPTION
@AS_OF_OPTION
@pass_settings
def rectify(
    settings: Settings,
    hazard: str,
    day: dt.date | None,
    evidence: tuple[Path, ...],
    by: str | None,
    progress: bool,
    assessed_by: str | None,
    note: str | None,
    document_no: str | None,
    as_of: dt.date | None,
) -> None:
    """追加整改事件：不带证据为“开始整改”，带 --evidence 为“整改完成”。"""
    from generator.authoring import rectify_events

    today = _today(settings, as_of)
    build = rectify_events(
        day or today,
        by=_staff(settings.root(), by),
        note=note,
        progress=progress,
        assessed_by=assessed_by,
        document_no=document_no,
    )
    _step(settings, hazard, build, evidence, today)


@cli.command()
@click.argument("hazard")
@click.option("--pass/--fail", "passed", required=True, help="复查通过或不通过。")
@click.option("--reason", default=None, help="不通过的原因（--fail 时必填）。")
@click.option("--by", default=None, help="复查人员编号或姓名（--pass 时必填）。")
@click.option("--evidence", multiple=True, type=EVIDENCE, help="复查证据（可重复）。")
@DATE_OPTION
@NOTE_OPTION
@DOC_OPTION
@AS_OF_OPTION
@pass_settings
def recheck(
    settings: Settings,
    hazard: str,
    passed: bool,
    reason: str | None,
    by: str | None,
    evidence: tuple[Path, ...],
    day: dt.date | None,
    note: str | None,
    document_no: str | None,
    as_of: dt.date | None,
) -> None:
    """追加复查结果：--pass 复查通过（须 --by），--fail 复查不通过（须 --reason）。"""
    from generator.authoring import recheck_events

    if passed and not by:
        raise click.UsageError("复查通过须写明复查人员：--by 人员编号")
    if not passed and not reason:
        raise click.UsageError("复查不通过须写明原因：--reason …")
    today = _today(settings, as_of)
    build = recheck_events(
        day or today,
        passed=passed,
        by=_staff(settings.root(), by),
        reason=reason,
        note=note,
        document_no=document_no,
    )
    _step(settings, hazard, build, evidence, today)


@cli.command()
@click.argument("hazard")
@click.option("--by", required=True, help="销号经办人员编号或姓名。")
@click.option("--body", default=None, metavar="验收机构", help="验收机构（重大隐患销号前须验收）。")
@click.option(
    "--evidence", multiple=True, type=EVIDENCE, help="验收证据（可重复，随验收事件记录）。"
)
@DATE_OPTION
@NOTE_OPTION
@DOC_OPTION
@AS_OF_OPTION
@pass_settings
def close(
    settings: Settings,
    hazard: str,
    by: str,
    body: str | None,
    evidence: tuple[Path, ...],
    day: dt.date | None,
    note: str | None,
    document_no: str | None,
    as_of: dt.date | None,
) -> None:
    """销号：复查通过后追加“销号”；重大隐患用 --body 先记录验收。"""
    from generator.authoring import close_events

    today = _today(settings, as_of)
    staff = _staff(settings.root(), by)
    assert staff is not None
    if evidence and not body:
        raise click.UsageError("--evidence 随验收事件记录，请同时用 --body 写明验收机构")
    build = close_events(day or today, by=staff, body=body, note=note, document_no=document_no)
    _step(settings, hazard, build, evidence, today)


@cli.command("import-issue")
@click.option(
    "--file",
    "file",
    required=True,
    type=EVIDENCE,
    help="议题 JSON：gh issue view 编号 --json number,title,body,author,createdAt,labels,url > issue.json",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="字段=值",
    help="直接给出字段的值，例如 --set subject=… --set department=DEPT-YJJ。",
)
@click.option("--yes", "-y", is_flag=True, help="不提问（事项 subject 等须用 --set 给出）。")
@click.option("--as-of", type=DATE, default=None, help="以哪一天为“今天”。")
@pass_settings
def import_issue(
    settings: Settings, file: Path, assignments: tuple[str, ...], yes: bool, as_of: dt.date | None
) -> None:
    """把公众在议题中提交的隐患举报或执法投诉转为投诉举报记录。

    举报人的账号和议题原文只写入不公开的字段（reporter、details）；对外公开的
    “事项”由工作人员概括填写，不照抄原文，不含任何身份信息。
    """
    from generator.authoring import Incomplete, compose_record
    from generator.authoring.issues import BadIssue, complaint_values, enterprise_hint, read_issue
    from generator.authoring.session import render_draft, write_record
    from generator.authoring.values import BadValue, parse_assignments

    session = _session(settings, yes, as_of)
    try:
        issue = read_issue(file)
        values: dict[str, Any] = complaint_values(issue, session.policy.timezone)
        values.update(parse_assignments(list(assignments)))
    except (BadIssue, BadValue) as err:
        raise click.UsageError(str(err)) from err
    hint = enterprise_hint(issue)
    if hint and "enterprise" not in values:
        matches = session.finder.find("enterprise", hint)
        if len(matches) == 1:
            values["enterprise"] = matches[0].id
        session.asker.say(f"举报中写的单位：{hint}（匹配到 {len(matches)} 家企业）")
    session.asker.say(
        "注意：“事项”会公开。请用自己的话概括反映的问题，不要照抄议题原文，"
        "不要写举报人或任何人的姓名、账号、电话。"
    )
    try:
        draft, _ = compose_record(session, "complaint", values, forbidden=issue.identities())
    except Incomplete as err:
        _incomplete(err)
    if not yes:
        click.echo("\n" + render_draft(draft), err=True)
        if not click.confirm(f"写入 {draft.path}？", default=True, err=True):
            click.echo("未写入。", err=True)
            return
    written = write_record(session, draft)
    click.echo(
        f"请在议题 #{issue.number} 中回复受理编号 {draft.id} 并关闭议题；"
        "议题是公开的，如含有举报人身份信息，请隐藏或删除相关内容。",
        err=True,
    )
    _report(settings, written.path, session.root, written.problems)


@cli.command()
@click.option("--write", is_flag=True, help="重新生成（否则只检查是否过时，过时则退出码为 1）。")
@pass_settings
def docs(settings: Settings, write: bool) -> None:
    """重新生成工作手册中的错误代码速查（errors.md）和命令参考（cli.md）。"""
    from generator.authoring.handbook import stale_pages, write_pages

    root = settings.root()
    if write:
        changed = write_pages(root)
        click.echo("已更新：" + "、".join(changed) if changed else "已是最新。", err=True)
        return
    stale = stale_pages(root)
    if stale:
        click.echo("需要重新生成（anjian docs --write）：" + "、".join(stale), err=True)
        sys.exit(1)
    click.echo("工作手册生成页已是最新。", err=True)


@cli.command()
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="本机端口。"
)
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@pass_settings
def form(settings: Settings, port: int, no_browser: bool) -> None:
    """在本机浏览器中用表单填写记录（只监听 127.0.0.1），保存前按同样的规则校验。"""
    from generator.authoring.form.server import serve_form

    serve_form(settings.root(), port=port, open_browser=not no_browser)

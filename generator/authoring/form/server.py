"""``anjian form``: the authoring code behind a local web form, on 127.0.0.1 only.

The page for each kind is generated from its schema; a submission is composed,
written and validated by the very code behind ``anjian new`` and ``anjian
rectify``/``recheck``/``close``, and a record that does not validate is not
kept.  Requests must carry the page's token and come to the loopback host
(no other site in the browser can post to it, no DNS rebinding).
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.parser
import email.policy
import json
import secrets
import tempfile
import threading
import webbrowser
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from generator.authoring.asker import QuietAsker
from generator.authoring.composer import Incomplete, compose_record
from generator.authoring.events import StepRefused
from generator.authoring.evidence import safe_name
from generator.authoring.form import html
from generator.authoring.gitops import GitFailed, submit
from generator.authoring.hooks import hooks_for
from generator.authoring.search import RefFinder
from generator.authoring.session import attach_evidence, open_session, render_draft, write_record
from generator.authoring.steps import (
    Build,
    close_events,
    recheck_events,
    record_step,
    rectify_events,
)
from generator.authoring.tree import Node, build_tree
from generator.authoring.values import BadValue, parse_scalar
from generator.problems import Problem
from generator.schemas import load_registry

MAX_BODY = 200 * 1024 * 1024
Fields = dict[str, list[str]]
Uploads = list[tuple[str, bytes]]


@dataclass
class Response:
    status: int
    body: str
    content_type: str = "text/html; charset=utf-8"


@dataclass
class FormApp:
    """The form's pages and actions, independent of the HTTP server (tested directly)."""

    root: Path
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    today: dt.date | None = None

    def kinds(self) -> list[tuple[str, str]]:
        registry = load_registry(self.root)
        return [(kind, spec.title) for kind, spec in sorted(registry.kinds.items())]

    def tree(self, kind: str) -> Node | None:
        """The kind's fields, in the order ``anjian new`` asks them (level before class …)."""
        registry = load_registry(self.root)
        if kind not in registry:
            return None
        tree = build_tree(registry[kind])
        rank = {name: i for i, name in enumerate(hooks_for(kind).order)}
        tree.children.sort(key=lambda child: rank.get(child.name, len(rank)))
        return tree

    # --- GET ---------------------------------------------------------------------
    def get(self, path: str, query: dict[str, list[str]]) -> Response:
        if path == "/":
            return Response(200, html.index_page(self.kinds()))
        if path == "/step":
            return Response(200, html.step_form(self.token, {}))
        if path == "/search":
            kind, text = query.get("kind", [""])[0], query.get("q", [""])[0]
            rows = [{"id": m.id, "label": m.label} for m in RefFinder(self.root).find(kind, text)]
            return Response(200, json.dumps(rows, ensure_ascii=False), "application/json")
        if path.startswith("/new/"):
            tree = self.tree(path[5:])
            if tree is None:
                return Response(404, html.page("没有这类记录", ""))
            return Response(
                200, html.record_form(tree, {}, self.token, evidence=self._evidence(tree))
            )
        return Response(404, html.page("页面不存在", ""))

    @staticmethod
    def _evidence(tree: Node) -> bool:
        return tree.child("evidence") is not None

    # --- POST --------------------------------------------------------------------
    def post(self, path: str, fields: Fields, uploads: Uploads) -> Response:
        if fields.get("_token", [""])[0] != self.token:
            return Response(403, html.page("请求无效", "<p>请从本机的表单页面重新提交。</p>"))
        if path.startswith("/new/"):
            return self.post_record(path[5:], fields, uploads)
        if path == "/step":
            return self.post_step(fields, uploads)
        if path == "/submit":
            return self.post_submit(fields)
        return Response(404, html.page("页面不存在", ""))

    def post_record(self, kind: str, fields: Fields, uploads: Uploads) -> Response:
        tree = self.tree(kind)
        if tree is None:
            return Response(404, html.page("没有这类记录", ""))
        session = open_session(self.root, QuietAsker(), self.today)
        errors: list[str] = []
        values = collect_values(tree, fields, errors)

        def again(problems: list[str]) -> Response:
            form = html.record_form(tree, fields, self.token, problems, self._evidence(tree))
            return Response(200, form)

        if errors:
            return again(errors)
        with tempfile.TemporaryDirectory() as temp:
            try:
                draft, _ = compose_record(session, kind, values)
                copied = attach_evidence(session, draft, save_uploads(Path(temp), uploads))
            except Incomplete as err:
                return again(err.problems)
            written = write_record(session, draft, copied)
        if written.errors:
            written.path.unlink()
            if written.evidence:
                written.evidence.undo()
            return again([_problem_text(p) for p in written.errors])
        files = [draft.path] + [ref["path"] for ref in (copied.refs if copied else [])]
        return Response(
            200,
            html.result_page(
                f"已保存 {draft.id}",
                True,
                f"已写入 {draft.path}，校验通过。",
                render_draft(draft),
                [_problem_text(p) for p in written.problems],
            )
            + self._submit_form(files, f"新建{tree.title} {draft.id}", draft.id),
        )

    def post_step(self, fields: Fields, uploads: Uploads) -> Response:
        flat = {k: v[0].strip() for k, v in fields.items() if v and k != "_token"}
        hazard_id = flat.get("hazard", "")
        session = open_session(self.root, QuietAsker(), self.today)
        try:
            day = dt.date.fromisoformat(flat["date"]) if flat.get("date") else session.today
            build = step_build(self.root, flat, day, bool(uploads))
        except (BadValue, ValueError, StepRefused) as err:
            return Response(200, html.step_form(self.token, flat, [str(err)]))
        with tempfile.TemporaryDirectory() as temp:
            files = save_uploads(Path(temp), uploads)
            try:
                result = record_step(
                    self.root, hazard_id, build, evidence=files, today=session.today
                )
            except StepRefused as err:
                return Response(200, html.step_form(self.token, flat, [str(err)]))
        if not result.written:
            return Response(
                200, html.step_form(self.token, flat, [_problem_text(p) for p in result.problems])
            )
        kinds = "、".join(str(e["type"]) for e in result.events)
        evidence = [ref["path"] for e in result.events for ref in e.get("evidence") or []]
        text = (self.root / result.path).read_text(encoding="utf-8")
        return Response(
            200,
            html.result_page(
                f"已追加“{kinds}”",
                True,
                f"已在 {result.path} 追加“{kinds}”，隐患状态：{result.state}。",
                text,
            )
            + self._submit_form([result.path, *evidence], f"{hazard_id} {kinds}", hazard_id),
        )

    def post_submit(self, fields: Fields) -> Response:
        paths = fields.get("path", [])
        message = fields.get("message", ["提交记录"])[0]
        hint = fields.get("branch", ["record"])[0]
        push = fields.get("push", [""])[0] == "1"
        try:
            done = submit(self.root, paths, message, hint, push)
        except GitFailed as err:
            return Response(200, html.result_page("提交失败", False, str(err)))
        next_step = (
            "已推送。请打开上面输出中的链接（或平台上的“新建合并请求”）发起合并请求。"
            if push
            else f"已提交到分支 {done.branch}。推送后在平台上发起合并请求：git push -u origin {done.branch}"
        )
        return Response(200, html.result_page("已提交", True, next_step, done.output))

    def _submit_form(self, paths: list[str], message: str, branch: str) -> str:
        hidden = "".join(f'<input type="hidden" name="path" value="{escape(p)}">' for p in paths)
        return (
            '<form method="post" action="/submit" style="max-width:56rem;margin:auto;padding:0 1rem">'
            f'<input type="hidden" name="_token" value="{escape(self.token)}">{hidden}'
            f'<input type="hidden" name="message" value="{escape(message)}">'
            f'<input type="hidden" name="branch" value="{escape(branch)}">'
            '<label><input type="checkbox" name="push" value="1" style="width:auto"> 同时推送到远程仓库</label>'
            "<button>提交到新分支</button></form>"
        )


def _problem_text(problem: Problem) -> str:
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    return f"{where} {problem.code} {problem.message('zh')}"


def collect_values(tree: Node, fields: Fields, errors: list[str]) -> dict[str, Any]:
    """Posted fields → the composer's given values (dotted keys; lists of objects typed)."""
    values: dict[str, Any] = {}

    def walk(nodes: list[Node], prefix: tuple[str, ...]) -> None:
        for node in nodes:
            path = (*prefix, node.name)
            name = ".".join(path)
            if path in html.SKIPPED:
                continue
            if node.shape == "object":
                walk(node.children, path)
            elif node.shape == "array" and node.item is not None and node.item.shape == "object":
                rows = [_row(node.item, name, i, fields, errors) for i in range(html.ROWS)]
                kept = [row for row in rows if row]
                if kept:
                    values[name] = kept
            else:
                posted = [v.strip() for v in fields.get(name, []) if v.strip()]
                if posted:
                    values[name] = ",".join(posted)

    walk(tree.children, ())
    return values


def _row(item: Node, name: str, index: int, fields: Fields, errors: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for child in item.children:
        text = (fields.get(f"{name}.{index}.{child.name}") or [""])[0].strip()
        if not text:
            continue
        try:
            row[child.name] = parse_scalar(child, text)
        except BadValue as err:
            errors.append(f"{item.title}第 {index + 1} 项：{err}")
    return row


def save_uploads(folder: Path, uploads: Uploads) -> list[Path]:
    saved = []
    for index, (name, content) in enumerate(uploads):
        target = folder / str(index) / safe_name(Path(name).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        saved.append(target)
    return saved


def step_build(root: Path, flat: dict[str, str], day: dt.date, has_files: bool) -> Build:
    action = flat.get("action", "")
    by = _staff(root, flat.get("by", ""))
    common: dict[str, Any] = {
        "note": flat.get("note") or None,
        "document_no": flat.get("document_no") or None,
    }
    body = flat.get("body") or None
    if action == "start":
        return rectify_events(day, by=by, **common)
    if action == "rectified":
        if not has_files:
            raise BadValue("整改完成须附两照一表（至少 2 个证据文件）")
        return rectify_events(day, by=by, **common)
    if action == "progress":
        return rectify_events(day, by=by, progress=True, **common)
    if action == "assessed":
        if not body:
            raise BadValue("评估须写明评估机构")
        return rectify_events(day, by=by, assessed_by=body, **common)
    if action in ("pass", "fail"):
        return recheck_events(
            day, passed=action == "pass", by=by, reason=flat.get("reason") or None, **common
        )
    if action == "close":
        if not by:
            raise BadValue("销号须写明经办人员")
        return close_events(day, by=by, body=body, **common)
    raise BadValue(f"未知的步骤：{action}")


def _staff(root: Path, text: str) -> str | None:
    if not text:
        return None
    matches = RefFinder(root).find("staff", text)
    if len(matches) == 1 or (matches and matches[0].id == text):
        return matches[0].id
    raise BadValue(f"人员“{text}”{'不存在' if not matches else '对应多人，请写编号'}")


def parse_multipart(content_type: str, body: bytes) -> tuple[Fields, Uploads]:
    """multipart/form-data or urlencoded body → fields and uploaded files."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return parse_qs(body.decode("utf-8"), keep_blank_values=True), []
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: Fields = {}
    uploads: Uploads = []
    parts = message.iter_parts() if isinstance(message, email.message.EmailMessage) else []
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        raw = part.get_payload(decode=True)
        payload = raw if isinstance(raw, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            if filename and payload:
                uploads.append((filename, payload))
            continue
        fields.setdefault(str(name), []).append(payload.decode("utf-8"))
    return fields, uploads


def make_handler(app: FormApp, port_box: list[int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _allowed_host(self) -> bool:
            host = self.headers.get("Host", "")
            return host in {f"127.0.0.1:{port_box[0]}", f"localhost:{port_box[0]}"}

        def _send(self, response: Response) -> None:
            data = response.body.encode("utf-8")
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Frame-Options", "DENY")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if not self._allowed_host():
                self._send(Response(403, "forbidden", "text/plain"))
                return
            parts = urlsplit(self.path)
            self._send(app.get(parts.path, parse_qs(parts.query)))

        def do_POST(self) -> None:
            if not self._allowed_host():
                self._send(Response(403, "forbidden", "text/plain"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(Response(413, html.page("文件太大", "<p>单次上传不超过 200 MB。</p>")))
                return
            body = self.rfile.read(length)
            try:
                fields, uploads = parse_multipart(self.headers.get("Content-Type", ""), body)
                response = app.post(urlsplit(self.path).path, fields, uploads)
            except Exception as err:  # show it on the page rather than drop the connection
                response = Response(500, html.page("出错了", f"<pre>{escape(str(err))}</pre>"))
            self._send(response)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    return Handler


def start_server(
    root: Path, port: int = 0, today: dt.date | None = None
) -> tuple[ThreadingHTTPServer, FormApp]:
    """A running server on 127.0.0.1 (port 0: any free port), in a background thread."""
    app = FormApp(root, today=today)
    port_box = [port]
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(app, port_box))
    port_box[0] = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, app


def serve_form(root: Path, *, port: int, open_browser: bool) -> None:
    server, _ = start_server(root, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print(f"表单已在 {url} 打开（只在本机可访问），按 Ctrl+C 结束。", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()

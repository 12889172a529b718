"""``anjian form``: pages generated from the schemas, records written by the authoring code."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from generator.authoring.form.server import FormApp, parse_multipart, start_server
from tests.conftest import problems_in
from tests.factory import ENTERPRISE, make_repo

TODAY = dt.date(2026, 11, 23)
HAZARD_FIELDS = {
    "enterprise": ["宏达"],
    "found_on": ["2026-11-20"],
    "level": ["二级"],
    "class": ["一般"],
    "category": ["电气安全"],
    "description": ["配电箱门损坏，带电部位外露。"],
    "location": ["二号车间"],
    "found_by": ["王军，李娜"],
}


@pytest.fixture
def app(tmp_path: Path) -> FormApp:
    return FormApp(make_repo(tmp_path / "repo"), today=TODAY)


def post(
    app: FormApp,
    path: str,
    fields: dict[str, list[str]],
    uploads: Sequence[tuple[str, bytes]] = (),
) -> str:
    response = app.post(path, {**fields, "_token": [app.token]}, list(uploads))
    assert response.status == 200
    return response.body


def test_pages_are_generated_from_the_schemas(app: FormApp) -> None:
    index = app.get("/", {}).body
    assert '<a href="/new/hazard">新建隐患</a>' in index
    form = app.get("/new/hazard", {}).body
    assert 'name="five_fixed.funds"' in form and 'type="date"' in form
    assert "隐患描述" in form and "【公开】" in form and "【不公开】" in form
    assert app.token in form
    inspection = app.get("/new/inspection", {}).body
    assert 'name="documents.0.type"' in inspection and 'name="_evidence"' in inspection
    found = json.loads(app.get("/search", {"kind": ["enterprise"], "q": ["宏达"]}).body)
    assert found == [{"id": ENTERPRISE, "label": "青川县宏达化工有限公司"}]


def test_a_posted_record_is_composed_written_and_validated(app: FormApp) -> None:
    body = post(app, "/new/hazard", HAZARD_FIELDS)
    assert "已写入 records/hazard/2026/HAZ-20261120-001.yaml，校验通过" in body
    assert 'action="/submit"' in body
    written = (app.root / "records/hazard/2026/HAZ-20261120-001.yaml").read_text(encoding="utf-8")
    assert "deadline: 2026-12-05" in written and "- STAFF-0001\n- STAFF-0002" in written
    assert problems_in(app.root) == []


def test_missing_or_wrong_values_come_back_with_the_form(app: FormApp) -> None:
    fields = {**HAZARD_FIELDS, "class": [""], "description": ["<script>alert(1)</script>"]}
    body = post(app, "/new/hazard", fields)
    assert "请修改以下问题后再保存" in body and "class" in body
    assert "<script>alert(1)</script>" not in body  # escaped when shown again
    assert "&lt;script&gt;" in body
    assert not (app.root / "records/hazard/2026").exists()


def test_a_request_without_the_page_token_is_refused(app: FormApp) -> None:
    response = app.post("/new/hazard", HAZARD_FIELDS, [])
    assert response.status == 403
    assert not (app.root / "records/hazard/2026").exists()


def test_lifecycle_steps_from_the_form(app: FormApp) -> None:
    post(app, "/new/hazard", HAZARD_FIELDS)
    hazard = "HAZ-20261120-001"
    started = post(app, "/step", {"hazard": [hazard], "action": ["start"], "date": ["2026-11-21"]})
    assert "隐患状态：整改中" in started
    refused = post(app, "/step", {"hazard": [hazard], "action": ["close"], "by": ["王军"]})
    assert "不能记录“销号”" in refused
    photos = [("整改前.jpg", b"before"), ("整改后.jpg", b"after")]
    done = post(app, "/step", {"hazard": [hazard], "action": ["rectified"]}, photos)
    assert "隐患状态：待验收" in done
    assert (app.root / f"records/evidence/{hazard}/整改后.jpg").read_bytes() == b"after"
    assert problems_in(app.root) == []


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


def test_multipart_bodies_are_parsed() -> None:
    content_type, body = multipart(
        {"hazard": "HAZ-1", "note": "已清理"}, {"_evidence": ("前.jpg", b"x")}
    )
    fields, uploads = parse_multipart(content_type, body)
    assert fields["hazard"] == ["HAZ-1"] and fields["note"] == ["已清理"]
    assert uploads == [("前.jpg", b"x")]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, FormApp]]:
    running, app = start_server(make_repo(tmp_path / "repo"), 0, TODAY)
    try:
        yield f"http://127.0.0.1:{running.server_address[1]}", app
    finally:
        running.shutdown()
        running.server_close()


def test_the_server_listens_on_loopback_and_checks_the_host(server: tuple[str, FormApp]) -> None:
    url, app = server
    with urllib.request.urlopen(f"{url}/new/hazard") as page:
        assert page.status == 200 and "新建隐患" in page.read().decode()
    rebinding = urllib.request.Request(f"{url}/", headers={"Host": "attacker.example:80"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(rebinding)
    assert refused.value.code == 403
    fields = {k: v[0] for k, v in HAZARD_FIELDS.items()} | {"_token": app.token}
    content_type, body = multipart(fields, {})
    request = urllib.request.Request(
        f"{url}/new/hazard", data=body, headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request) as saved:
        assert "校验通过" in saved.read().decode()


def test_a_saved_record_is_committed_on_a_new_branch(
    app: FormApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    for name in ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"):
        monkeypatch.setenv(name, str(tmp_path / "no-config"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "wangjun")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "wangjun@qc.example.gov.cn")

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=app.root, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "init")
    (app.root / "notes.txt").write_text("not part of the submission")
    post(app, "/new/hazard", HAZARD_FIELDS)
    rel = "records/hazard/2026/HAZ-20261120-001.yaml"
    done = post(
        app,
        "/submit",
        {"path": [rel], "message": ["新建隐患 HAZ-20261120-001"], "branch": ["HAZ-20261120-001"]},
    )
    assert "已提交到分支 submit/HAZ-20261120-001" in done
    assert git("rev-parse", "--abbrev-ref", "HEAD").strip() == "submit/HAZ-20261120-001"
    assert git("show", "--name-only", "--format=%s", "HEAD").split() == [
        "新建隐患",
        "HAZ-20261120-001",
        rel,
    ]
    outside = post(app, "/submit", {"path": ["notes.txt"], "message": ["x"], "branch": ["x"]})
    assert "不在 records/ 下" in outside

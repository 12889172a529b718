"""anjian serve."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from generator.cli.app import DATE, Settings, cli, pass_settings

WATCHED = ("records", "schemas", "policy.yaml", "mkdocs.yml")
PREVIEW_DIR = ".anjian-cache/preview"


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    seen: list[tuple[str, int, int]] = []
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else sorted(path.rglob("*")) if path.is_dir() else []
        for file in files:
            if file.is_file():
                stat = file.stat()
                seen.append((file.as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(seen)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@cli.command()
@click.option("--as-of", type=DATE, default=None, help="按哪一天生成（默认：今天）。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@click.option("--port", type=int, default=8000, show_default=True, help="端口。")
@click.option(
    "--interval", type=float, default=2.0, show_default=True, help="检查改动的间隔（秒）。"
)
@pass_settings
def serve(settings: Settings, as_of: dt.date | None, host: str, port: int, interval: float) -> None:
    """本地预览网站：生成一次，之后记录、模式、策略或 mkdocs.yml 改动时自动重新生成。"""
    from generator.render.build import BuildError, build_site

    root = settings.root()
    out = root / PREVIEW_DIR

    def rebuild() -> None:
        started = time.perf_counter()
        try:
            build_site(root, out, as_of=as_of, progress=lambda m: click.echo(m, err=True))
        except BuildError as err:
            click.echo(f"生成失败（继续显示上一版）：{err}", err=True)
            for line in getattr(err, "problems", [])[:20]:
                click.echo(f"  {line.path}: {line.code} {line.message(settings.lang)}", err=True)
            for line in err.details[:20]:
                click.echo(f"  {line}", err=True)
            return
        click.echo(f"已生成（{time.perf_counter() - started:.1f} 秒）", err=True)

    rebuild()
    out.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(out))
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    click.echo(f"预览地址 http://{host}:{port}/ （Ctrl+C 结束）", err=True)
    state = _fingerprint(root)
    try:
        while True:
            time.sleep(interval)
            now = _fingerprint(root)
            if now != state:
                state = now
                click.echo("检测到改动，重新生成…", err=True)
                rebuild()
    finally:
        server.shutdown()

"""All or nothing: a build killed, failing or out of disk leaves the previous site exactly as it was.

The published folder is only ever the complete old site or the complete new one
(byte for byte; ``site/`` never missing, never mixed), and what a killed build
leaves beside it (its work folder) is removed by the next build.

- signals: ``anjian build`` in a subprocess, SIGKILL to its process group or
  SIGTERM to the process, after seeded random delays across a build's duration;
- a failing step: an unexpected exception injected at each step, in-process;
- a full disk: the output on a tiny tmpfs (``mount -t tmpfs``, as root), sized so
  that the disk fills at different steps; where mounting is not allowed, an
  ``OSError(ENOSPC)`` injected on write instead.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator import blockyaml
from generator.cli import cli
from generator.cli.build import Terminated
from generator.render import build as build_module
from generator.render.build import BuildError, build_site
from tests.portal_factory import AS_OF, make_portal_repo, portal_records, with_enterprises
from tests.reliability.figures import record
from tests.reliability.sitetree import Tree, build_command, leftovers, start_build, tree

EXTRA = 40  # enterprises: a build of a few seconds, so signals land in every step
NEW_NAME = "青川县新名称化工有限公司"


def county(root: Path) -> Path:
    return make_portal_repo(root, with_enterprises(portal_records(), EXTRA))


def change_a_record(root: Path) -> None:
    """The edit the interrupted build would publish: a renamed enterprise."""
    path = next((root / "records/enterprise").glob("*MA0000001*.yaml"))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("青川县第001号测试企业有限公司", NEW_NAME), encoding="utf-8")


def published_then_changed(tmp_path: Path, *, history: bool = False) -> tuple[Path, Path, Tree]:
    """A county whose site is published, then a record changed: (root, site, site's files).
    With ``history``, the records are committed first: the site has an audit trail."""
    root = county(tmp_path / "repo")
    if history:
        _committed(root)
    out = tmp_path / "pub" / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    before = tree(out)
    change_a_record(root)
    return root, out, before


class Scenario:
    def __init__(self, base: Path) -> None:
        self.root = county(base / "repo")
        self.out = base / "pub" / "site"
        self.saved = base / "old-site"
        started = time.perf_counter()
        done = subprocess.run(build_command(self.root, self.out), capture_output=True, text=True)
        self.duration = time.perf_counter() - started
        assert done.returncode == 0, done.stderr
        shutil.copytree(self.out, self.saved)
        self.old: Tree = tree(self.out)
        change_a_record(self.root)
        build_site(self.root, base / "new-site", as_of=AS_OF)
        self.new: Tree = tree(base / "new-site")
        assert self.old != self.new

    def reset(self) -> None:
        if self.out.exists():
            shutil.rmtree(self.out)
        shutil.copytree(self.saved, self.out)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return Scenario(tmp_path_factory.mktemp("atomic"))


def _kill(process: subprocess.Popen[str], how: str) -> None:
    if process.poll() is not None:
        return
    if how == "SIGKILL-group":
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.send_signal(signal.SIGTERM)


def _wait_group(process: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = process.communicate(timeout=120)
    for _ in range(200):  # MkDocs or Pagefind outliving a SIGTERM'd parent
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    return process.returncode, err


def _differences(now: Tree, old: Tree, new: Tree) -> dict[str, list[str]]:
    def differ(a: Tree, b: Tree) -> list[str]:
        return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))[:20]

    return {"from_old": differ(now, old), "from_new": differ(now, new)}


def _trials(full: bool) -> int:
    return 40 if full else 6


def test_killed_builds_publish_all_or_nothing(
    scenario: Scenario, request: pytest.FixtureRequest
) -> None:
    rng = random.Random(20261123)
    full = bool(request.config.getoption("--full"))
    outcomes: Counter[str] = Counter()
    for trial in range(_trials(full)):
        scenario.reset()
        how = "SIGKILL-group" if trial % 2 == 0 else "SIGTERM"
        delay = rng.uniform(0.0, scenario.duration * 1.1)
        process = start_build(scenario.root, scenario.out)
        time.sleep(delay)
        _kill(process, how)
        code, err = _wait_group(process)
        now = tree(scenario.out)
        state = "old" if now == scenario.old else "new" if now == scenario.new else "MIXED"
        outcomes[f"{how}:{state}"] += 1
        assert state != "MIXED", (
            trial,
            how,
            round(delay, 2),
            code,
            _differences(now, scenario.old, scenario.new),
            err[-4000:],
        )
        assert "Traceback" not in err, err[-2000:]
        if how == "SIGTERM" and code == 1:  # stopped by its handler, which unwinds
            assert "构建被终止" in err, err[-500:]
            # a signal landing just before ``try`` or during the cleanup itself can
            # still leave the work folder: then the next build removes it
            outcomes["SIGTERM:cleaned-up" if not leftovers(scenario.out) else "SIGTERM:left"] += 1
    if full:
        assert outcomes["SIGTERM:cleaned-up"] > 0
    # the next build clears whatever the killed ones left, and publishes
    done = subprocess.run(
        build_command(scenario.root, scenario.out), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert tree(scenario.out) == scenario.new
    assert leftovers(scenario.out) == []
    record(
        request.config,
        "atomic-signals",
        {"build_seconds": round(scenario.duration, 2), "trials": dict(sorted(outcomes.items()))},
    )


# write_site_audit fails in the forked child that writes the audit trail; build_portal
# while that child is still at work
def _committed(root: Path) -> None:
    """The county committed as one commit, audited from the start (no epoch)."""
    policy = root / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(re.sub(r"(?m)^  epoch: .*$", "  epoch: null", text), encoding="utf-8")
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "王军",
        "GIT_AUTHOR_EMAIL": "wangjun@qc.example.gov.cn",
        "GIT_COMMITTER_NAME": "王军",
        "GIT_COMMITTER_EMAIL": "wangjun@qc.example.gov.cn",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "记录"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


STEPS = [
    "write_site_audit",
    "build_portal",
    "render_project",
    "run_mkdocs",
    "index_site",
    "scan_site",
    "swap_in",
]


@pytest.mark.parametrize("step", STEPS)
def test_a_failing_step_leaves_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    root, out, before = published_then_changed(tmp_path, history=True)
    assert (out / "audit" / "index.html").is_file()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"injected failure in {step}")

    monkeypatch.setattr(build_module, step, broken)
    with pytest.raises(RuntimeError, match="injected"):
        build_site(root, out, as_of=AS_OF)
    assert tree(out) == before
    assert leftovers(out) == []


def test_an_audit_child_killed_mid_build_fails_the_build_and_leaves_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, out, before = published_then_changed(tmp_path, history=True)

    def killed(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does when memory runs out

    monkeypatch.setattr(build_module, "write_site_audit", killed)
    with pytest.raises(BuildError, match="生成审计日志的进程意外退出"):
        build_site(root, out, as_of=AS_OF, search=False)
    assert tree(out) == before
    assert leftovers(out) == []


def test_a_stop_inside_the_parser_is_not_taken_for_a_parse_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM raises ``Terminated`` wherever the build is; inside the fast YAML parser,
    which hands anything it cannot read to libyaml, it must still stop the build."""
    root, out, before = published_then_changed(tmp_path)

    def stopped(text: str) -> Any:
        raise Terminated

    monkeypatch.setenv("ANJIAN_NO_CACHE", "1")  # every record parsed again
    for memo in ("_lines", "_values", "_keys"):  # nothing read before this test is reused
        monkeypatch.setattr(blockyaml, memo, {})
    monkeypatch.setattr(blockyaml, "_read_scalar", stopped)
    with pytest.raises(Terminated):
        build_site(root, out, as_of=AS_OF, search=False, jobs=1)
    assert tree(out) == before
    assert leftovers(out) == []


def test_a_failing_rename_during_the_swap_restores_the_old_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, out, before = published_then_changed(tmp_path)
    real_rename = os.rename

    def rename(src: Any, dst: Any) -> None:
        if Path(src).parent.name.startswith(".site.build-"):  # the new site moving in
            raise OSError(errno.EXDEV, "injected rename failure")
        real_rename(src, dst)

    monkeypatch.setattr(build_module.os, "rename", rename)
    monkeypatch.setattr(build_module, "exchange", lambda a, b: False)  # the two-rename path
    with pytest.raises(BuildError, match="injected rename failure"):
        build_site(root, out, as_of=AS_OF, search=False)
    assert tree(out) == before
    assert leftovers(out) == []


def test_the_old_site_is_deleted_in_the_background_and_its_trash_by_the_next_build(
    tmp_path: Path,
) -> None:
    root, out, before = published_then_changed(tmp_path)
    build_site(root, out, as_of=AS_OF, search=False)
    assert tree(out) != before
    assert leftovers(out) == []  # (waits for the background deletion)
    # a build killed while its old site was being deleted left trash behind
    dead = subprocess.Popen(["true"])
    dead.wait()
    trash = out.with_name(f".{out.name}.trash-{dead.pid}-1")
    (trash / "audit/records").mkdir(parents=True)
    (trash / "audit/records/x.html").write_text("old page", encoding="utf-8")
    assert leftovers(out, wait=0) == [trash.name]
    build_module.clear_leftovers(out)
    assert leftovers(out) == []


def test_a_stop_once_the_new_site_is_in_place_is_not_reported_as_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, out, before = published_then_changed(tmp_path)
    delete_later = build_module.delete_later

    def stopped_while_letting_go(path: Path) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # the stop arrives as the old site is let go
        delete_later(path)

    monkeypatch.setattr(build_module, "delete_later", stopped_while_letting_go)
    result = CliRunner().invoke(
        cli, ["--repo", str(root), "build", "--as-of", "2026-11-23", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "网站未更新" not in result.output
    assert tree(out) != before
    assert leftovers(out) == []


def test_an_injected_write_error_leaves_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where tmpfs cannot be mounted, the full disk is a write that fails."""
    root, out, before = published_then_changed(tmp_path)
    real = build_module.write_open_data

    def full(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(build_module, "write_open_data", full)
    with pytest.raises(BuildError, match="No space left"):
        build_site(root, out, as_of=AS_OF, search=False)
    assert tree(out) == before
    assert leftovers(out) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Any]:
    """``mount(size_kb)`` → a fresh tmpfs of that size; all unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size_kb: int) -> Path:
        point = tmp_path / f"tmpfs-{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(point)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount tmpfs here ({done.stderr.strip()}): see the injected test")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_full_disk_leaves_the_previous_site(
    tmp_path: Path, small_disk: Any, request: pytest.FixtureRequest
) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting tmpfs needs root: see the injected test")
    root = county(tmp_path / "repo")
    scratch = tmp_path / "measure"
    build_site(root, scratch / "site", as_of=AS_OF)
    # what the site takes on a disk: whole blocks per file, a block per folder
    site_kb = (
        sum(
            f.stat().st_blocks * 512 if f.is_file() else 4096 for f in (scratch / "site").rglob("*")
        )
        // 1024
    )
    change_a_record(root)
    full = bool(request.config.getoption("--full"))
    margins = [50, 400, 1200, 2000, 3000, 4000, 8000] if full else [400, 2000]
    results: dict[int, str] = {}
    for margin in margins:
        disk = small_disk(site_kb * 2 + margin if margin == 8000 else site_kb + 200 + margin)
        out = disk / "site"
        shutil.copytree(scratch / "site", out)
        before = tree(out)
        done = subprocess.run(build_command(root, out), capture_output=True, text=True)
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        if done.returncode == 0:
            assert tree(out) != before and tree(out)
            results[margin] = "built"
        else:
            assert done.returncode == 1, done.stderr[-2000:]
            assert "网站未更新" in done.stderr, done.stderr[-2000:]
            assert tree(out) == before
            last = [line for line in done.stderr.splitlines() if line.startswith("[")]
            results[margin] = "refused after: " + (last[-1].split("] ", 1)[-1] if last else "?")
        assert leftovers(out) == []
    record(request.config, "atomic-full-disk", {"site_kb": site_kb, "by_free_kb": results})
    assert any(r.startswith("refused") for r in results.values())

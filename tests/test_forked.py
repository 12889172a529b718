"""A step run in a forked child: its result or its exception come back; it never outlives
the command that started it."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import forked


class Refused(Exception):
    pass


def test_the_child_works_on_the_parents_objects_and_hands_back_its_result() -> None:
    records = [{"id": f"HAZ-{n:06}", "level": "一般"} for n in range(50_000)]
    job = forked.start(lambda: (os.getpid(), sum(1 for r in records if r["level"] == "一般")))
    child, counted = job.result()
    assert child != os.getpid()
    assert counted == len(records)
    assert job.result() == (child, counted)  # asked again: the same, no second wait


def test_without_fork_the_step_runs_at_once_here() -> None:
    ran: list[int] = []
    job = forked.start(lambda: ran.append(os.getpid()) or "done", fork=False)
    assert ran == [os.getpid()]  # before result() is asked for
    assert job.result() == "done"


def test_a_child_is_started_only_with_memory_to_spare(monkeypatch: pytest.MonkeyPatch) -> None:
    assert forked.room_for_a_child()  # a test process holds little

    def meminfo(path: str, *args: object, **kwargs: object) -> object:
        if path == "/proc/meminfo":
            return io.StringIO("MemTotal: 8000000 kB\nMemAvailable: 1000 kB\n")
        return real_open(path, *args, **kwargs)

    real_open = open
    monkeypatch.setattr("builtins.open", meminfo)
    assert not forked.room_for_a_child()


def test_an_exception_in_the_child_is_raised_in_the_parent() -> None:
    def refuse() -> None:
        raise Refused("审计历史中没有这个起点提交")

    job = forked.start(refuse)
    with pytest.raises(Refused, match="没有这个起点提交"):
        job.result()


def test_a_child_killed_before_its_result_is_reported_as_died() -> None:
    job = forked.start(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(forked.ChildDied):
        job.result()


def test_a_result_that_cannot_be_pickled_is_an_error_not_a_hang() -> None:
    job = forked.start(lambda: lambda: None)
    with pytest.raises(RuntimeError, match="pickle"):
        job.result()


def test_cancel_stops_a_child_still_at_work() -> None:
    job = forked.start(lambda: time.sleep(60))
    pid = job.pid
    assert pid is not None
    started = time.monotonic()
    job.cancel()
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_with_its_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = (
        "import os, sys, time\n"
        "from generator import forked\n"
        f"def work():\n    open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(60)\n"
        "forked.start(work)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 20
        while not pid_file.exists() or not pid_file.read_text():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.05)
        child = int(pid_file.read_text())
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 20
        while _alive(child):
            assert time.monotonic() < deadline, "the child outlived its parent"
            time.sleep(0.05)
    finally:
        parent.kill()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"  # a zombie has died
    except FileNotFoundError:
        return False


def test_a_child_forked_ahead_runs_on_what_it_is_sent_later() -> None:
    pending = forked.ahead(lambda ids: (os.getpid(), sorted(ids)[:2], len(ids)))
    assert pending.job is not None and pending.job.pid is not None  # forked already
    ids = {f"HAZ-{n:06}" for n in range(200_000)}  # more than a pipe holds at once
    child, first, count = pending.send(ids).result()
    assert child != os.getpid()
    assert (first, count) == (["HAZ-000000", "HAZ-000001"], 200_000)


def test_a_child_forked_ahead_is_not_held_up_by_processes_forked_meanwhile() -> None:
    """Children forked after it (a validation's workers) hold the writing end of its
    input pipe open: the message says its length, so no end of file is waited for."""
    pending = forked.ahead(lambda word: word * 2)
    meanwhile = forked.start(lambda: time.sleep(30))
    try:
        started = time.monotonic()
        assert pending.send("隐患").result() == "隐患隐患"
        assert time.monotonic() - started < 10
    finally:
        meanwhile.cancel()


def test_sent_without_fork_the_step_runs_here_and_the_waiting_child_is_stopped() -> None:
    pending = forked.ahead(lambda value: (os.getpid(), value))
    assert pending.job is not None
    pid = pending.job.pid
    assert pid is not None
    job = pending.send("审计", fork=False)
    assert job.result() == (os.getpid(), "审计")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped, and reaped


def test_a_child_forked_ahead_and_never_sent_anything_is_stopped_by_cancel() -> None:
    pending = forked.ahead(lambda value: value)
    assert pending.job is not None
    pid = pending.job.pid
    assert pid is not None
    pending.cancel()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    pending.cancel()  # twice: nothing left to stop


def test_an_exception_in_a_child_forked_ahead_is_raised_in_the_parent() -> None:
    def refuse(reason: str) -> None:
        raise Refused(reason)

    with pytest.raises(Refused, match="起点提交"):
        forked.ahead(refuse).send("审计历史中没有这个起点提交").result()


def test_a_child_forked_ahead_can_be_sent_what_another_child_works_out() -> None:
    """The build goes on with the ledgers while one child names the records for the trail's."""
    pending = forked.ahead(lambda made: (os.getpid(), made))
    trail = pending.send_made(lambda: (os.getpid(), [f"HAZ-{n:06}" for n in range(100_000)]))
    child, (maker, ids) = trail.result()
    assert len({child, maker, os.getpid()}) == 3  # worked out by neither this process nor it
    assert (ids[0], len(ids)) == ("HAZ-000000", 100_000)


def test_what_the_input_could_not_be_made_of_is_raised_not_a_dead_child() -> None:
    def make() -> str:
        raise ValueError("员工名册无法读取")

    trail = forked.ahead(lambda made: made).send_made(make)
    with pytest.raises(ValueError, match="员工名册"):
        trail.result()


def test_made_without_fork_the_input_is_made_here_and_the_step_runs_here() -> None:
    pending = forked.ahead(lambda made: (os.getpid(), made))
    trail = pending.send_made(lambda: (os.getpid(), "名单"), fork=False)
    assert trail.result() == (os.getpid(), (os.getpid(), "名单"))

"""One step of a command run in a forked child while the parent goes on.

A city build works out its portal's figures and writes half its pages from the
loaded records while it goes on with the rest; neither needs the other until
the end.  ``start`` forks: the child runs the step on the records it shares
with the parent (no copy is made or sent), and hands back only the step's
result, pickled through a pipe; ``Forked.result()`` waits for it.  An exception in the child is raised
again in the parent; a child that dies without a result is reported as such;
a child whose parent dies is stopped by the kernel (``PR_SET_PDEATHSIG``).
Where there is no ``fork``, or with ``fork=False``, the step simply runs at once.

A child forked after a city's records are loaded counts all the memory it
shares with the parent as its own resident memory (1.8 GB, before it does
anything).  A step that needs only a little of what the parent will load (the
audit trail: which records may be named) can be forked early instead: ``ahead`` forks while the parent is still small, the
child waits, and ``Ahead.send`` hands it its input (pickled through a second
pipe) once the parent has it, or ``Ahead.send_made`` forks a second child that
works that input out and sends it on itself, while the parent goes on.

A child shares the parent's memory only until either writes to it, and adds
its own: ``room_for_a_child()`` says whether the machine has that much to
spare (the memory available at least half as much again as this process
holds), for callers to run the step at once when it has not.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import BinaryIO, Generic, TypeVar

A = TypeVar("A")
T = TypeVar("T")
_PR_SET_PDEATHSIG = 1


class ChildDied(RuntimeError):
    """The child ended without handing back a result (killed, out of memory)."""


class Forked(Generic[T]):
    def __init__(self, pid: int | None, read: int | None, done: tuple[bool, object] | None) -> None:
        self.pid = pid
        self.read = read
        self.done = done  # (ok, value): run at once, or already collected

    def result(self) -> T:
        """The step's result (waiting for the child); its exception, raised again here."""
        if self.done is None:
            self.done = self._collect()
        ok, value = self.done
        if not ok:
            assert isinstance(value, BaseException)
            raise value
        return value  # type: ignore[return-value]

    def _collect(self) -> tuple[bool, object]:
        assert self.pid is not None and self.read is not None
        with os.fdopen(self.read, "rb") as pipe:
            self.read = None
            data = pipe.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not data:
            return False, ChildDied(f"child ended without a result (wait status {status})")
        ok, value = pickle.loads(data)
        return bool(ok), value

    def cancel(self) -> None:
        """Stop the child if it is still running (the parent gave up on the command)."""
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = None
        if self.read is not None:
            os.close(self.read)
            self.read = None


def room_for_a_child() -> bool:
    """Whether the memory available is at least 1.5 times what this process holds (Linux;
    elsewhere, yes)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            available = next(
                int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:")
            )
        with open("/proc/self/status", encoding="ascii") as status:
            held = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return True
    return available * 2 >= held * 3


class Ahead(Generic[A, T]):
    """A child forked before its input is known, waiting for ``send``."""

    def __init__(self, step: Callable[[A], T], job: Forked[T] | None, feed: int | None) -> None:
        self.step = step
        self.job = job  # None: no fork here, the step runs when sent its input
        self.feed = feed

    def send(self, value: A, *, fork: bool = True) -> Forked[T]:
        """Hand the child its input: ``.result()`` gives what the step returns.  With
        ``fork=False`` the child is stopped and the step runs here, at once."""
        job, feed = self.job, self.feed
        self.job = self.feed = None
        if job is None or feed is None or not fork:
            if job is not None:
                job.cancel()
            if feed is not None:
                os.close(feed)
            return start(functools.partial(self.step, value), fork=False)
        _feed(feed, value)
        return job

    def send_made(self, make: Callable[[], A], *, fork: bool = True) -> Forked[T]:
        """Hand the child what ``make`` gives, worked out meanwhile by another child
        forked now, which sends it on itself: this process goes on at once.  (With
        ``fork=False``, ``make`` runs here, then ``send``.)  The result raises what
        ``make`` raised, if it did."""
        job, feed = self.job, self.feed
        if job is None or feed is None or not fork or not hasattr(os, "fork"):
            return self.send(make(), fork=fork)
        self.job = self.feed = None
        feeder = start(lambda: _feed(feed, make()))
        os.close(feed)
        return _Fed(feeder, job)

    def cancel(self) -> None:
        """Stop the child (the parent gave up before sending it anything)."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
        if self.feed is not None:
            os.close(self.feed)
            self.feed = None


def _feed(feed: int, value: object) -> None:
    """Write ``value`` to the pipe of a child forked ``ahead``, length first, and close it."""
    data = pickle.dumps(value)
    try:
        with os.fdopen(feed, "wb") as pipe:
            pipe.write(len(data).to_bytes(8, "big"))
            pipe.write(data)
    except BrokenPipeError:
        pass  # the child is gone: its ``result()`` says so


class _Fed(Forked[T]):
    """A child forked ahead, and the one working out its input (``Ahead.send_made``)."""

    def __init__(self, feeder: Forked[None], job: Forked[T]) -> None:
        super().__init__(None, None, None)
        self.feeder, self.job = feeder, job

    def result(self) -> T:
        self.feeder.result()  # the input could not be made: that is what went wrong
        return self.job.result()

    def cancel(self) -> None:
        self.feeder.cancel()
        self.job.cancel()


def ahead(step: Callable[[A], T], *, fork: bool = True) -> Ahead[A, T]:
    """Fork now a child that runs ``step`` on the value ``send`` gives it later (with
    ``fork=False``, or without ``fork``, the step runs in ``send``, here)."""
    if not fork or not hasattr(os, "fork"):
        return Ahead(step, None, None)
    feed, fed = os.pipe()

    def wait_then_run() -> T:
        os.close(fed)
        with os.fdopen(feed, "rb") as pipe:
            size = int.from_bytes(_exactly(pipe, 8), "big")
            value: A = pickle.loads(_exactly(pipe, size))
        return step(value)

    job = start(wait_then_run)
    os.close(feed)
    return Ahead(step, job, fed)


def _exactly(pipe: BinaryIO, size: int) -> bytes:
    """``size`` bytes read from the pipe (a length-prefixed message: processes forked
    meanwhile may hold the writing end open, so the end of the file is not waited for)."""
    data = pipe.read(size)
    if len(data) != size:
        raise ChildDied("parent closed the pipe before sending the input")
    return data


def start(step: Callable[[], T], *, fork: bool = True) -> Forked[T]:
    """Run ``step`` in a forked child (at once, with ``fork=False``); ``.result()`` gives
    what it returned."""
    if not fork or not hasattr(os, "fork"):
        try:
            return Forked(None, None, (True, step()))
        except Exception as err:
            return Forked(None, None, (False, err))
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the step, hand back its outcome, never return
        code = 0
        try:
            os.close(read)
            _die_with_parent()
            if os.getppid() != parent:  # the parent died before the kernel was asked
                raise ChildDied("parent gone")
            try:
                outcome: tuple[bool, object] = (True, step())
            except BaseException as err:
                outcome = (False, err)
            try:
                data = pickle.dumps(outcome)
            except Exception as err:  # an exception or result that does not pickle
                data = pickle.dumps((False, RuntimeError(f"{type(err).__name__}: {err}")))
            with os.fdopen(write, "wb") as pipe:
                pipe.write(data)
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    return Forked(pid, read, None)


def _die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

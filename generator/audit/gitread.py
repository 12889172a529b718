"""The audit's only door to Git: ``git`` run as a subprocess, three kinds of call.

- ``stream_log`` — ONE ``git log --raw`` pass over ``epoch..ref``, parsed as git
  writes it: every commit's sha, parents, author and committer, and the files it
  changed against its first parent (merges included,
  ``--diff-merges=first-parent``) with the blob ids of both sides.  No rename
  detection (``--no-renames``): a record's id is its file name, so a move is a
  delete and an add of the same id, joined again by ``timeline``.  No commit
  message: a message could hold anything, so messages come from…
- ``ObjectReader`` — ONE ``git cat-file --batch`` process, asked while the log
  streams in: the commit objects whose messages matter (review verdicts) and
  the blobs the audit needs, framed by their length.
- ``check_signatures`` — ``git log --no-walk --stdin`` with an
  ``allowed_signers`` file, only for the commits that must be signed.

Paths are relative to the anjian repository (``--relative``), which may sit in
a sub-folder of the git work tree.
"""

from __future__ import annotations

import codecs
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ZERO = "0" * 40
_HEADER = "\x1e"
_FIELD = "\x1f"
_FILE_MODES = ("100644", "100755")


class GitError(Exception):
    """git is missing, the folder is no git work tree, or a revision does not exist."""


@dataclass(frozen=True)
class Delta:
    """One file changed by a commit against its first parent (A, M, D or T)."""

    status: str
    path: str
    old: str | None  # blob id before, None when added
    new: str | None  # blob id after, None when deleted


@dataclass(frozen=True)
class Ident:
    name: str
    email: str
    time: int  # seconds since the epoch
    tz: str  # +0800


@dataclass(frozen=True)
class LogCommit:
    sha: str
    parents: tuple[str, ...]
    deltas: tuple[Delta, ...]
    # None when a name or e-mail holds a separator: then read the commit object instead
    author: Ident | None = None
    committer: Ident | None = None


def _run(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotePath=false", *args],
            input=stdin,
            capture_output=True,
            check=False,
        )
    except OSError as err:
        raise GitError(f"无法运行 git：{err.strerror}") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {args[0]} 失败：{message}")
    return done.stdout


def resolve(root: Path, ref: str) -> str:
    """The commit a name points to (branch, tag, sha)."""
    try:
        out = _run(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
    except GitError as err:
        raise GitError(f"找不到提交“{ref}”（分支、标签或提交编号）") from err
    return out.decode().strip()


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    try:
        _run(root, "merge-base", "--is-ancestor", ancestor, descendant)
    except GitError:
        return False
    return True


def exists(root: Path, sha: str) -> bool:
    """Whether the object is still in the repository (a rewritten commit may linger)."""
    try:
        _run(root, "cat-file", "-e", f"{sha}^{{commit}}")
    except GitError:
        return False
    return True


def git_dir(root: Path) -> Path:
    out = _run(root, "rev-parse", "--absolute-git-dir").decode().strip()
    return Path(out)


def _mode_ok(mode: str) -> bool:
    return mode in _FILE_MODES or mode == "000000"


def _ident(name: str, email: str, date: str) -> Ident | None:
    stamp, _, tz = date.partition(" ")
    try:
        return Ident(name, email, int(stamp), tz or "+0000")
    except ValueError:
        return None


class LogParser:
    """Incremental parser of ``log_command`` output: a header token per commit, then
    (meta, path) token pairs of its raw diff, tokens separated by NUL."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self._tail = ""
        self._head: tuple[str, tuple[str, ...], Ident | None, Ident | None] | None = None
        self._deltas: list[Delta] = []
        self._meta: list[str] | None = None  # a meta token waiting for its path

    def _emit(self) -> LogCommit | None:
        if self._head is None:
            return None
        sha, parents, author, committer = self._head
        return LogCommit(sha, parents, tuple(self._deltas), author, committer)

    def _header(self, token: str) -> None:
        fields = token[1:].split(_FIELD)
        shas = fields[0].split(" ")
        author = committer = None
        if len(fields) == 7:  # else a name or e-mail held a separator: read the object
            author = _ident(fields[1], fields[2], fields[3])
            committer = _ident(fields[4], fields[5], fields[6])
        self._head = (shas[0], tuple(p for p in shas[1:] if p), author, committer)
        self._deltas = []

    def _path(self, meta: list[str], path: str) -> None:
        # ":old_mode new_mode old_sha new_sha status" then the path (no renames)
        if len(meta) < 5 or not (_mode_ok(meta[0]) and _mode_ok(meta[1])):
            return  # submodules, symlinks: never records
        old, new = meta[2], meta[3]
        self._deltas.append(
            Delta(meta[4][0], path, None if old == ZERO else old, None if new == ZERO else new)
        )

    def feed(self, data: bytes, *, final: bool = False) -> list[LogCommit]:
        tokens = (self._tail + self._decoder.decode(data, final)).split("\0")
        self._tail = "" if final else tokens.pop()
        done: list[LogCommit] = []
        for raw in tokens:
            if self._meta is not None:
                self._path(self._meta, raw)
                self._meta = None
                continue
            token = raw.lstrip("\n")
            if token.startswith(_HEADER):
                finished = self._emit()
                if finished is not None:
                    done.append(finished)
                self._header(token)
            elif token.startswith(":"):
                self._meta = token[1:].split(" ")
        if final:
            last = self._emit()
            if last is not None:
                done.append(last)
            self._head = None
        return done


def parse_log(out: bytes) -> list[LogCommit]:
    """Parse the whole output of ``log_command`` at once."""
    return LogParser().feed(out, final=True)


def log_command(since: str | None, ref: str) -> list[str]:
    rev = f"{since}..{ref}" if since else ref
    idents = _FIELD.join(("%an", "%ae", "%ad", "%cn", "%ce", "%cd"))
    return [
        "log",
        "--reverse",
        "--topo-order",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--relative",
        "--diff-merges=first-parent",
        "--date=raw",
        f"--format={_HEADER}%H %P{_FIELD}{idents}",
        rev,
        "--",
    ]


def stream_log(root: Path, ref: str, since: str | None = None) -> Iterator[LogCommit]:
    """Every commit of ``since..ref`` (all of ``ref`` without ``since``), oldest first,
    parsed while git is still writing (git computes the diffs as it prints them)."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                ["git", "-C", str(root), "-c", "core.quotePath=false", *log_command(since, ref)],
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as err:
            raise GitError(f"无法运行 git：{err.strerror}") from err
        assert proc.stdout is not None
        parser = LogParser()
        with proc.stdout:
            while chunk := os.read(proc.stdout.fileno(), 1 << 16):
                yield from parser.feed(chunk)
        yield from parser.feed(b"", final=True)
        if proc.wait() != 0:
            errors.seek(0)
            message = errors.read().decode("utf-8", "replace").strip()
            raise GitError(f"git log 失败：{message}")


def list_tree(root: Path, commit: str, *prefixes: str) -> dict[str, str]:
    """Path → blob id of the files under ``prefixes`` at ``commit``."""
    out = _run(root, "ls-tree", "-r", "-z", commit, "--", *prefixes)
    found: dict[str, str] = {}
    for entry in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split(" ")
        if len(parts) == 3 and parts[1] == "blob" and parts[0] in _FILE_MODES:
            found[path] = parts[2]
    return found


class ObjectReader:
    """One ``git cat-file --batch`` process: ask as you go, collect the answers at the end.

    Requests are written as they become known (while ``git log`` is still
    running); a thread reads the answers, framed by their length, so neither
    side waits on a full pipe.  A missing object is answered with None.
    """

    def __init__(self, root: Path) -> None:
        try:
            self._proc = subprocess.Popen(
                ["git", "-C", str(root), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as err:
            raise GitError(f"无法运行 git：{err.strerror}") from err
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._stdin = self._proc.stdin
        self._asked: set[str] = set()
        self._pending: list[str] = []
        self._order: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.found: dict[str, bytes | None] = {}
        self._failed = False
        self._thread = threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stdout: IO[bytes]) -> None:
        while (sha := self._order.get()) is not None:
            line = stdout.readline()
            if not line:
                self._failed = True
                return
            header = line.decode("utf-8", "replace").rstrip("\n").split(" ")
            if len(header) != 3 or header[1] == "missing":
                self.found[sha] = None
                continue
            size = int(header[2])
            self.found[sha] = stdout.read(size)
            stdout.read(1)  # the newline after the content

    def ask(self, sha: str) -> None:
        if sha in self._asked:
            return
        self._asked.add(sha)
        self._pending.append(sha)
        if len(self._pending) >= 256:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        for sha in self._pending:
            self._order.put(sha)
        self._stdin.write("".join(f"{s}\n" for s in self._pending).encode())
        self._stdin.flush()
        self._pending = []

    def close(self) -> dict[str, bytes | None]:
        """Wait for every answer; sha → content."""
        self._flush()
        self._order.put(None)
        self._stdin.close()
        self._thread.join()
        self._proc.wait()
        if self._failed:
            raise GitError("git cat-file 提前结束")
        return self.found


def check_signatures(
    root: Path, shas: Iterable[str], allowed_signers: Path
) -> dict[str, tuple[str, str]]:
    """sha → (``%G?`` status, ``%GK`` key fingerprint), verified against ``allowed_signers``.

    G: good signature by a key in the file; U: good but the key is not in the
    file; N: no signature; B: bad; E: cannot be checked.
    """
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    out = _run(
        root,
        "-c",
        f"gpg.ssh.allowedSignersFile={allowed_signers}",
        "log",
        "--no-walk=unsorted",
        "--stdin",
        f"--format=%H{_FIELD}%G?{_FIELD}%GK",
        stdin="".join(f"{s}\n" for s in wanted).encode(),
    )
    found: dict[str, tuple[str, str]] = {}
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split(_FIELD)
        if len(parts) == 3:
            found[parts[0]] = (parts[1], parts[2])
    return found

"""The audit's only door to Git: ``git`` run as a subprocess, three kinds of call.

- ``stream_log`` — ONE ``git log --raw`` pass over ``epoch..ref``, parsed as git
  writes it: every commit's sha, parents, author, committer and message, and
  the files it changed against its first parent (merges included,
  ``--diff-merges=first-parent``) with the blob ids of both sides.  No rename
  detection (``--no-renames``): a record's id is its file name, so a move is a
  delete and an add of the same id, joined again by ``timeline``.  A message
  could hold anything, so each commit is framed by markers carrying a nonce
  drawn for the run (``LogParser``).  No signature status: checking one costs
  a process per signed commit, so only the commits that must be signed are
  checked (``check_signatures``).
- ``ObjectReader`` — ONE ``git cat-file --batch`` process, asked while the log
  streams in: the blobs the audit needs (and the rare commit whose names the
  log could not frame), framed by their length.
- ``check_signatures`` — ``git log --no-walk --stdin`` with an
  ``allowed_signers`` file, only for the commits that must be signed.

Paths are relative to the anjian repository (``--relative``), which may sit in
a sub-folder of the git work tree.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import queue
import re
import secrets
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from generator.review.gitio import Person

ZERO = "0" * 40
_COMMIT = "\x1e"  # + the nonce: a commit's header begins and ends
_BODY = "\x1d"  # + the nonce: its message begins
_FIELD = "\x1f"
_FILE_MODES = ("100644", "100755")
_MODES = frozenset({*_FILE_MODES, "000000"})
# record versions are read in history order, not pack order: a larger cache of
# delta bases than git's 96 MiB default spares rebuilding the same chains (-40% CPU)
DELTA_CACHE = "256m"


class GitError(Exception):
    """git is missing, the folder is no git work tree, or a revision does not exist."""


class Delta(NamedTuple):
    """One file changed by a commit against its first parent (A, M, D or T)."""

    status: str
    path: str
    old: str | None  # blob id before, None when added
    new: str | None  # blob id after, None when deleted


Ident = Person  # name, e-mail, seconds since the epoch, +0800


class LogCommit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    deltas: tuple[Delta, ...]
    # None when a name or e-mail holds a separator: then read the commit object instead
    author: Ident | None = None
    committer: Ident | None = None
    message: str | None = None


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


def has_commits(root: Path) -> bool:
    """Whether ``root`` lies in a git work tree whose HEAD names a commit."""
    try:
        _run(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitError:
        return False
    return True


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


def _ident(name: str, email: str, date: str) -> Ident | None:
    stamp, _, tz = date.partition(" ")
    try:
        return Person(name, email, int(stamp), tz or "+0000")
    except ValueError:
        return None


# one raw diff entry of ``-z`` output: ``:old_mode new_mode old new status`` NUL path,
# at the start of the text or after a NUL (a path, NUL-free, is never taken for one)
_RAW = re.compile(r"(?:\A|\0)\n*:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])[0-9]*\0([^\0]*)")


# a named tuple made from its fields without its Python-level ``__new__`` (which only
# packs them): a history holds hundreds of thousands
_tuple = tuple.__new__


def _deltas(text: str, ignore: tuple[str, ...] = ()) -> tuple[Delta, ...]:
    """The raw diff after a commit's header: ``:old_mode new_mode old new status`` and
    the path, NUL-separated (no renames); submodules and symlinks are never records,
    and paths under ``ignore`` (folder prefixes) are left out."""
    if ":" not in text:
        return ()
    return tuple(
        _tuple(Delta, (status, path, None if old == ZERO else old, None if new == ZERO else new))
        for a, b, old, new, status, path in _RAW.findall(text)
        if a in _MODES and b in _MODES and not (ignore and path.startswith(ignore))
    )


class LogParser:
    """Incremental parser of ``log_command`` output.

    Each commit is framed by a marker that carries a random *nonce* chosen for
    this run: ``<mark>sha parents<F>author…<F>committer date<body mark>message<mark>``
    and then its raw diff.  Nothing in a commit (a message, a name) can hold a
    marker it could not know, so no commit can pass itself off as another, or
    add files to one.
    """

    def __init__(self, nonce: str, ignore: tuple[str, ...] = ()) -> None:
        self._ignore = ignore
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        self._mark = _COMMIT + nonce
        self._body = _BODY + nonce
        self._buffer = ""

    def _commit(self, header: str, diff: str) -> LogCommit:
        head, _, message = header.partition(self._body)
        fields = head.split(_FIELD)
        shas = fields[0].split(" ")
        author = committer = None
        if len(fields) == 7:  # else a name or e-mail held a separator: read the object
            author = _ident(fields[1], fields[2], fields[3])
            committer = _ident(fields[4], fields[5], fields[6])
        parents = tuple(p for p in shas[1:] if p)
        return LogCommit(shas[0], parents, _deltas(diff, self._ignore), author, committer, message)

    def feed(self, data: bytes, *, final: bool = False) -> list[LogCommit]:
        self._buffer += self._decoder.decode(data, final)
        pieces = self._buffer.split(self._mark)
        # pieces: [before, header, diff, header, diff, …]; a commit is complete once
        # the next one has begun (or the output ended)
        count, at = len(pieces), 1
        done: list[LogCommit] = []
        while at + 2 < count or (final and at + 1 < count):
            done.append(self._commit(pieces[at], pieces[at + 1]))
            at += 2
        self._buffer = "" if final else self._mark.join(["", *pieces[at:]])
        return done


def parse_log(out: bytes, nonce: str) -> list[LogCommit]:
    """Parse the whole output of ``log_command`` at once."""
    return LogParser(nonce).feed(out, final=True)


def log_command(since: str | None, ref: str, nonce: str, ignore: tuple[str, ...] = ()) -> list[str]:
    """The ``git log`` of ``stream_log``.  Folders to ``ignore`` are left out of the
    diffs by git itself (a city's evidence files are most of its history): every
    commit is still listed, as ``--full-history --sparse`` show all commits walked,
    a commit that changed nothing else with no diff."""
    rev = f"{since}..{ref}" if since else ref
    idents = _FIELD.join(("%an", "%ae", "%ad", "%cn", "%ce", "%cd"))
    mark = _COMMIT + nonce
    limit = ["--full-history", "--sparse"] if ignore else []
    spec = [".", *(f":(exclude,literal){p.rstrip('/')}" for p in ignore)] if ignore else []
    return [
        "log",
        "--topo-order",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--relative",
        "--diff-merges=first-parent",
        "--date=raw",
        *limit,
        f"--format={mark}%H %P{_FIELD}{idents}{_BODY}{nonce}%B{mark}",
        rev,
        "--",
        *spec,
    ]


def stream_log(
    root: Path, ref: str, since: str | None = None, *, ignore: tuple[str, ...] = ()
) -> Iterator[LogCommit]:
    """Every commit of ``since..ref`` (all of ``ref`` without ``since``), newest first
    (children before parents), with its message and its changed files, parsed while
    git is still writing; files under the folders ``ignore`` are left out."""
    nonce = secrets.token_hex(16)
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                [
                    "git",
                    "-C",
                    str(root),
                    "-c",
                    "core.quotePath=false",
                    "-c",
                    "log.showSignature=false",
                    *log_command(since, ref, nonce, ignore),
                ],
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as err:
            raise GitError(f"无法运行 git：{err.strerror}") from err
        assert proc.stdout is not None
        parser = LogParser(nonce, ignore)
        with proc.stdout:
            while chunk := os.read(proc.stdout.fileno(), 1 << 18):
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


def cat_file_batch(root: Path) -> subprocess.Popen[bytes]:
    """A ``git cat-file --batch`` process over ``root``'s objects (stdin and stdout piped)."""
    try:
        return subprocess.Popen(
            [
                "git",
                "-C",
                str(root),
                "-c",
                f"core.deltaBaseCacheLimit={DELTA_CACHE}",
                "cat-file",
                "--batch",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError as err:
        raise GitError(f"无法运行 git：{err.strerror}") from err


class ObjectReader:
    """One ``git cat-file --batch`` process: ask as you go, collect the answers at the end.

    Requests are written as they become known (while ``git log`` is still
    running); a thread reads the answers, framed by their length, so neither
    side waits on a full pipe.  A missing object is answered with None.
    """

    def __init__(self, root: Path) -> None:
        self._proc = cat_file_batch(root)
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


class BlobReader:
    """One long-lived ``git cat-file --batch`` process, asked one object at a time.

    For reading as you go (one record's versions, then the next), where
    ``ObjectReader`` collects everything at the end.  A missing object reads
    as None.  Use as a context manager, or call ``close``.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._proc: subprocess.Popen[bytes] | None = None

    def _start(self) -> subprocess.Popen[bytes]:
        proc = cat_file_batch(self._root)
        self._proc = proc
        return proc

    def read(self, sha: str) -> bytes | None:
        proc = self._proc or self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(f"{sha}\n".encode())
            proc.stdin.flush()
        except OSError as err:
            raise GitError("git cat-file 提前结束") from err
        line = proc.stdout.readline()
        if not line:
            raise GitError("git cat-file 提前结束")
        header = line.decode("utf-8", "replace").rstrip("\n").split(" ")
        if len(header) != 3 or header[1] == "missing":
            return None
        content = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)  # the newline after the content
        return content

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.close()
        proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def blob_id(content: bytes) -> str:
    """The id git gives a file of this content (``git hash-object``, SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def clean_blobs(root: Path, *prefixes: str) -> dict[str, str]:
    """Path → blob id of the files under ``prefixes`` whose working copy is the version in
    the index (neither modified nor deleted; git compares the content of a file whose
    stat has changed), so their content is known without reading them."""
    staged = _run(root, "ls-files", "-s", "-z", "--", *prefixes)
    found: dict[str, str] = {}
    for entry in staged.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split(" ")
        if len(parts) == 3 and parts[2] == "0" and parts[0] in _FILE_MODES:
            found[path] = parts[1]
    dirty = _run(root, "ls-files", "-m", "-d", "-z", "--", *prefixes)
    for path in dirty.decode("utf-8", "surrogateescape").split("\0"):
        found.pop(path, None)
    return found

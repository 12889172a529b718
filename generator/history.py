"""Reading the repository's history with git itself: the only module that runs git.

Everything here returns plain values (paths, bytes, e-mail addresses); what they
mean for the records is decided in ``generator.rules.history``.  Each question
is one git process whose cost grows with the change, not with the corpus:

- ``git merge-base`` — where a pull request branched from its target;
- ``git diff --name-status -M`` — what changed since then.  Two trees are
  compared (the base and HEAD: git skips every folder both share) unless the
  working tree differs from HEAD, which ``git status`` over the record
  folders tells (staged, unstaged and untracked files, one pass); then the
  working tree itself is compared, so a change can be checked before it is
  committed.  Evidence files (``records/evidence/``, most of the files) are
  left out of that look at the working tree: an evidence file changed but not
  yet committed is seen once it is committed, as in CI;
  with ``committed`` (a clean checkout, as in CI) the working tree is not
  looked at: that scan reads every record folder and stats every record
  file, the bulk of a small change's check;
- ``git cat-file --batch`` — the base version of the changed files, in one pass;
- ``git log --name-only`` over the branch's own commits — who touched what;
- ``git log --diff-filter=AD`` limited to the paths a new id could have had —
  whether an id was ever used, so that it is never given out twice.

Paths are relative to the anjian repository (which may sit in a sub-folder of
the git work tree) with POSIX separators.  ``-z`` everywhere, so Chinese or odd
file names arrive unquoted.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

RECORDS = "records/"
EVIDENCE = "records/evidence/"
_COMMIT_MARK = "\x01"
# what the working tree is compared with HEAD for, in one pass (see ``Git.dirty``)
WATCHED = (RECORDS, "schemas/", "policy.yaml")
MAX_PATHSPECS = 2000  # more literal paths than this: read whole folders instead


class GitError(Exception):
    """git is missing, the folder is not a git work tree, or a ref does not exist."""


@dataclass(frozen=True)
class FileChange:
    """One changed path: ``A`` added, ``M`` modified, ``D`` deleted, ``R`` renamed, ``C`` copied."""

    status: str
    old_path: str | None  # None when added
    new_path: str | None  # None when deleted


class Git:
    """A git work tree seen from the anjian repository at ``root``."""

    def __init__(self, root: Path, *, committed: bool = False) -> None:
        self.root = root
        self.committed = committed  # the commits alone: the working tree is taken to be HEAD's
        self._dirty: dict[tuple[str, ...], set[str]] = {}
        self._pending: dict[tuple[str, ...], list[subprocess.Popen[bytes]]] = {}
        self._names: dict[int, str] = {}  # pid → git command, for messages
        try:
            self.prefix = self._run("rev-parse", "--show-prefix").strip()
        except GitError as err:
            raise GitError(f"{root} 不在 git 版本库中，无法与基准分支比较（{err}）") from err

    def _run(self, *args: str, stdin: bytes | None = None) -> str:
        return self._run_bytes(*args, stdin=stdin).decode("utf-8", errors="surrogateescape")

    def _run_bytes(self, *args: str, stdin: bytes | None = None) -> bytes:
        try:
            result = subprocess.run(
                ["git", "-c", "core.quotePath=false", *args],
                cwd=self.root,
                input=stdin,
                capture_output=True,
                check=False,
            )
        except OSError as err:
            raise GitError(f"无法运行 git：{err.strerror}") from err
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", errors="replace").strip()
            raise GitError(f"git {args[0]} 失败：{message}")
        return result.stdout

    def _local(self, path: str) -> str | None:
        """A path from git (relative to the work tree's top) → relative to ``root``."""
        if not path.startswith(self.prefix):
            return None
        return path[len(self.prefix) :]

    def resolve(self, ref: str) -> str:
        """The commit a ref names (a branch, a tag, ``origin/main``, a hash)."""
        try:
            return self._run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
        except GitError as err:
            raise GitError(f"找不到版本“{ref}”（分支、标签或提交）") from err

    def merge_base(self, ref: str) -> str:
        """The commit where HEAD branched from ``ref`` (what ``ref...HEAD`` compares with)."""
        commit = self.resolve(ref)
        try:
            return self._run("merge-base", commit, "HEAD").strip()
        except GitError as err:
            raise GitError(f"当前分支与“{ref}”没有共同的历史") from err

    def changes(self, since: str, *prefixes: str) -> list[FileChange]:
        """Paths under ``prefixes`` (default records/) changed from ``since`` to the working tree.

        When the working tree is HEAD's (as in CI), the trees of ``since`` and
        HEAD are compared: the cost follows the change, not the repository.
        """
        prefixes = prefixes or (RECORDS,)
        if not self.dirty(*prefixes):
            out = self._run("diff", "--name-status", "-M", "-z", since, "HEAD", "--", *prefixes)
            return self._parse_changes(out)
        out = self._run("diff", "--name-status", "-M", "-z", since, "--", *prefixes)
        changes = self._parse_changes(out)
        changes.extend(FileChange("A", None, path) for path in self.untracked(*prefixes))
        return sorted(changes, key=lambda c: (c.new_path or c.old_path or "", c.status))

    def _parse_changes(self, out: str) -> list[FileChange]:
        fields = out.split("\0")
        changes: list[FileChange] = []
        i = 0
        while i < len(fields) and fields[i]:
            status = fields[i][0]
            if status in "RC":
                old, new = self._local(fields[i + 1]), self._local(fields[i + 2])
                i += 3
            else:
                path = self._local(fields[i + 1])
                i += 2
                old = None if status == "A" else path
                new = None if status == "D" else path
            changes.append(FileChange(status, old, new))
        return sorted(changes, key=lambda c: (c.new_path or c.old_path or "", c.status))

    def _worktree_prefixes(self, prefixes: Sequence[str]) -> list[str]:
        """``records/`` → each of its folders but evidence (on disk or in HEAD)."""
        out: list[str] = []
        for prefix in prefixes:
            if prefix != RECORDS:
                out.append(prefix)
                continue
            names: set[str] = set()
            try:
                with os.scandir(self.root / RECORDS) as entries:
                    names.update(e.name for e in entries if e.is_dir(follow_symlinks=False))
            except OSError:
                pass
            try:
                listed = self._run(
                    "ls-tree", "-d", "--name-only", "--full-name", "-z", "HEAD", "--", RECORDS
                )
            except GitError:  # no commit yet
                listed = ""
            names.update(
                p[len(RECORDS) :]
                for f in listed.split("\0")
                if f and (p := self._local(f)) is not None and p.startswith(RECORDS)
            )
            out += [
                f"{RECORDS}{name}/" for name in sorted(names) if f"{RECORDS}{name}/" != EVIDENCE
            ]
        return out

    def dirty(self, *prefixes: str) -> set[str]:
        """Paths under ``prefixes`` (default records/) whose working-tree content is not HEAD's.

        Staged, unstaged and untracked files; under ``records/``, evidence files
        are not looked at (hundreds of thousands of files, no rule about a new one).
        None with ``committed``.
        """
        if self.committed:
            return set()
        asked = prefixes or (RECORDS,)
        key = WATCHED if set(asked) <= set(WATCHED) else asked
        self._scan(key)
        if key not in self._dirty:
            found: set[str] = set()
            for process in self._pending.pop(key):
                found.update(_status_paths(self._finish(process)))
            self._dirty[key] = {p for f in found if (p := self._local(f)) is not None}
        return {p for p in self._dirty[key] if any(_under(p, prefix) for prefix in asked)}

    def prefetch(self) -> None:
        """Start looking at the working tree (see ``dirty``) while the caller does other work."""
        self._scan(WATCHED)

    def settle(self) -> None:
        """Wait for the git processes ``prefetch`` started that nobody asked for."""
        for processes in self._pending.values():
            for process in processes:
                process.communicate()
        self._pending.clear()

    def _scan(self, key: tuple[str, ...]) -> None:
        """Start the git process that ``dirty`` reads (``git status``, not waited for)."""
        if self.committed or key in self._dirty or key in self._pending:
            return
        specs = self._worktree_prefixes(key)
        if not specs:
            self._dirty[key] = set()
            return
        # --no-optional-locks: only look, never write git's index back
        self._pending[key] = [
            self._start(
                "--no-optional-locks",
                "status",
                "--porcelain=v1",
                "-z",
                "--untracked-files=all",
                "--no-renames",
                "--ignore-submodules=all",
                "--",
                *specs,
            )
        ]

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        try:
            process = subprocess.Popen(
                ["git", "-c", "core.quotePath=false", *args],
                cwd=self.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as err:
            raise GitError(f"无法运行 git：{err.strerror}") from err
        self._names[process.pid] = next((a for a in args if not a.startswith("-")), "")
        return process

    def _finish(self, process: subprocess.Popen[bytes]) -> str:
        out, err = process.communicate()
        if process.returncode != 0:
            message = err.decode("utf-8", errors="replace").strip()
            raise GitError(f"git {self._names.get(process.pid, '')} 失败：{message}")
        return out.decode("utf-8", errors="surrogateescape")

    def untracked(self, *prefixes: str) -> list[str]:
        out = self._run(
            "ls-files",
            "--others",
            "--exclude-standard",
            "--full-name",
            "-z",
            "--",
            *(prefixes or (RECORDS,)),
        )
        return [p for f in out.split("\0") if f and (p := self._local(f)) is not None]

    def uncommitted(self, prefix: str = RECORDS) -> set[str]:
        """Paths whose working-tree content differs from HEAD (untracked ones included)."""
        return self.dirty(prefix)

    def list_tree(self, commit: str, prefix: str = RECORDS) -> list[str]:
        out = self._run("ls-tree", "-r", "--name-only", "--full-name", "-z", commit, "--", prefix)
        return [p for f in out.split("\0") if f and (p := self._local(f)) is not None]

    def read_blobs(self, commit: str, paths: Iterable[str]) -> dict[str, bytes]:
        """The content of each path at ``commit``, in one ``git cat-file --batch`` pass.

        A path missing at that commit is left out of the answer.
        """
        wanted = sorted(set(paths))
        if not wanted:
            return {}
        request = "".join(f"{commit}:{self.prefix}{p}\n" for p in wanted).encode("utf-8")
        out = self._run_bytes("cat-file", "--batch", stdin=request)
        blobs: dict[str, bytes] = {}
        pos = 0
        for path in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].split(b" ")
            pos = end + 1
            if len(header) < 3 or header[-1] == b"missing":
                continue
            size = int(header[2])
            blobs[path] = out[pos : pos + size]
            pos += size + 1  # the content is followed by a newline
        return blobs

    def authors(self, since: str, prefix: str = RECORDS) -> dict[str, set[str]]:
        """Author e-mails of the commits ``since..HEAD`` (merges excluded), per path touched."""
        out = self._run(
            "log",
            "--no-merges",
            "--no-renames",
            f"--format={_COMMIT_MARK}%ae",
            "--name-only",
            "-z",
            f"{since}..HEAD",
            "--",
            prefix,
        )
        touched: dict[str, set[str]] = {}
        email = ""
        for field in out.split("\0"):
            field = field.lstrip("\n")
            if field.startswith(_COMMIT_MARK):
                email = field[1:].strip().lower()
            elif field and (path := self._local(field)) is not None:
                touched.setdefault(path, set()).add(email)
        return touched

    def identity(self) -> str | None:
        """The author e-mail the next commit would carry (``git var GIT_AUTHOR_IDENT``)."""
        try:
            ident = self._run("var", "GIT_AUTHOR_IDENT")
        except GitError:
            return None
        start, end = ident.find("<"), ident.find(">")
        return ident[start + 1 : end].strip().lower() if 0 <= start < end else None

    def ever_deleted(
        self, ref: str, prefix: str = RECORDS, since: dt.date | None = None
    ) -> set[str]:
        """Every path under ``prefix`` deleted at some point in the history of ``ref``.

        Renames count as a deletion of the old path (``--no-renames``).  With
        ``since``, only commits dated from that day on are read (``--since``).
        """
        limit = [f"--since={since.isoformat()}"] if since is not None else []
        out = self._run(
            "log",
            "--no-renames",
            "--diff-filter=D",
            "--format=",
            "--name-only",
            "-z",
            *limit,
            ref,
            "--",
            prefix,
        )
        names = (f.strip("\n") for f in out.split("\0"))
        return {p for f in names if f and (p := self._local(f))}

    def folders(self, ref: str, prefix: str) -> list[str]:
        """``prefix`` (a folder, ending in /) and every folder below it at ``ref``."""
        out = self._run(
            "ls-tree", "-r", "-d", "--name-only", "--full-name", "-z", ref, "--", prefix
        )
        below = [p for f in out.split("\0") if f and (p := self._local(f)) is not None]
        return [prefix.rstrip("/"), *(p for p in below if p.startswith(prefix))]

    def ever_present(
        self, ref: str, paths: Sequence[str], since: dt.date | None = None
    ) -> set[str]:
        """Those of ``paths`` that exist at ``ref`` or were added or deleted in its history.

        Literal paths (``--literal-pathspecs``), so git skips every other file of
        a folder by name; merges are compared with each parent (``-m``), the
        first commit with nothing (``--root``).  With ``since``, only commits
        dated from that day on are read.
        """
        if not paths:
            return set()
        limit = [f"--since={since.isoformat()}"] if since is not None else []
        specs = list(paths)  # relative to the anjian repository, like git's own cwd here
        now = self._run(
            "--literal-pathspecs",
            "ls-tree",
            "-r",
            "--name-only",
            "--full-name",
            "-z",
            ref,
            "--",
            *specs,
        )
        then = self._run(
            "--literal-pathspecs",
            "log",
            "-m",
            "--root",
            "--no-renames",
            "--diff-filter=AD",
            "--format=",
            "--name-only",
            "-z",
            *limit,
            ref,
            "--",
            *specs,
        )
        names = (f.strip("\n") for f in (now + "\0" + then).split("\0"))
        return {p for f in names if f and (p := self._local(f))}


def _status_paths(out: str) -> list[str]:
    """The paths of ``git status --porcelain=v1 -z`` (relative to the work tree's top):
    ``XY path``, and for a rename or copy ``XY new`` followed by the old path."""
    fields = out.split("\0")
    paths: list[str] = []
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if "R" in entry[:2] or "C" in entry[:2]:
            if i < len(fields) and fields[i]:
                paths.append(fields[i])
            i += 1
    return paths


def _under(path: str, prefix: str) -> bool:
    """Whether git's pathspec ``prefix`` (a folder ending in /, or a file) covers ``path``."""
    return path.startswith(prefix) if prefix.endswith("/") else path == prefix


def stems(paths: Sequence[str]) -> set[str]:
    """``records/hazard/2025/HAZ-20250314-001.yaml`` → ``HAZ-20250314-001``."""
    return {p.rsplit("/", 1)[-1].rsplit(".", 1)[0] for p in paths}

"""Reading the repository's history with git itself: the only module that runs git.

Everything here returns plain values (paths, bytes, e-mail addresses); what they
mean for the records is decided in ``generator.rules.history``.  Each question
is one git process whose cost grows with the change, not with the corpus:

- ``git merge-base`` — where a pull request branched from its target;
- ``git diff --name-status -M`` — what changed since then (working tree
  included, so a change can be checked before it is committed), plus
  ``git ls-files --others`` for new files not yet added;
- ``git cat-file --batch`` — the base version of the changed files, in one pass;
- ``git log --name-only`` over the branch's own commits — who touched what;
- ``git log --diff-filter=D`` over the history of the kinds a change adds to —
  every path that existed and was deleted, so an id is never given out twice.

Paths are relative to the anjian repository (which may sit in a sub-folder of
the git work tree) with POSIX separators.  ``-z`` everywhere, so Chinese or odd
file names arrive unquoted.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

RECORDS = "records/"
_COMMIT_MARK = "\x01"


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

    def __init__(self, root: Path) -> None:
        self.root = root
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
        """Paths under ``prefixes`` (default records/) changed from ``since`` to the working tree."""
        prefixes = prefixes or (RECORDS,)
        out = self._run("diff", "--name-status", "-M", "-z", since, "--", *prefixes)
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
        changes.extend(FileChange("A", None, path) for path in self.untracked(*prefixes))
        return sorted(changes, key=lambda c: (c.new_path or c.old_path or "", c.status))

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
        out = self._run("diff", "--name-only", "--no-renames", "-z", "HEAD", "--", prefix)
        dirty = {p for f in out.split("\0") if f and (p := self._local(f)) is not None}
        return dirty | set(self.untracked(prefix))

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


def stems(paths: Sequence[str]) -> set[str]:
    """``records/hazard/2025/HAZ-20250314-001.yaml`` → ``HAZ-20250314-001``."""
    return {p.rsplit("/", 1)[-1].rsplit(".", 1)[0] for p in paths}

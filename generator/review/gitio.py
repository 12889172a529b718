"""The review package's only door to Git: ``git`` run as a subprocess.

Everything here returns plain values (shas, paths, bytes, parsed commits); no
other module of the package runs git.  Reads are batched — one ``rev-list``,
one ``cat-file --batch`` — so a pull request costs what it touches.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

RECORDS_PREFIX = "records/"
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.*)$")
# the same, for a paragraph of printable ASCII lines (where splitlines and strip
# break and trim at nothing but newlines, spaces and tabs): each line in one go
_PLAIN = re.compile(r"[\x20-\x7e\t\n]*")
_TRAILER_LINE = re.compile(r"^[ \t]*([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*?)[ \t]*$", re.M)
_PERSON = re.compile(r"^(?P<name>.*?) <(?P<email>[^>]*)> (?P<time>-?\d+) (?P<tz>[+-]\d{4})$")


class GitError(Exception):
    """A git command failed (not a repository, unknown revision, signing failed …)."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    time: int  # seconds since the epoch
    tz: str


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str
    signed: bool  # carries a signature (gpgsig header); not verified here
    trailers: tuple[tuple[str, str], ...] = field(default=())

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    def trailer_values(self, key: str) -> list[str]:
        wanted = key.lower()
        return [value for name, value in self.trailers if name.lower() == wanted]


@dataclass(frozen=True)
class Change:
    """One changed file between two commits: status A (added), M (modified), D (deleted)."""

    status: str
    path: str


def run(
    root: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
) -> bytes:
    full_env = {**os.environ, **(env or {})}
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            input=input,
            capture_output=True,
            check=False,
            env=full_env,
        )
    except FileNotFoundError as err:
        raise GitError("没有找到 git 命令；请先安装 git") from err
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args[:2])} 失败：{message}")
    return done.stdout


def text(root: Path, *args: str) -> str:
    return run(root, *args).decode("utf-8", "replace")


def resolve(root: Path, ref: str) -> str | None:
    """The commit a name points to, or None."""
    try:
        out = text(
            root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"
        )
    except GitError:
        return None
    return out.strip() or None


def resolve_branch(root: Path, name: str) -> str:
    """A branch by name, falling back to its ``origin/`` copy (as in a CI checkout)."""
    for candidate in (name, f"origin/{name}"):
        sha = resolve(root, candidate)
        if sha:
            return sha
    raise GitError(f"找不到分支或提交“{name}”（也没有 origin/{name}）；请先 git fetch")


def head(root: Path) -> str:
    sha = resolve(root, "HEAD")
    if sha is None:
        raise GitError("当前分支还没有任何提交")
    return sha


def merge_base(root: Path, a: str, b: str) -> str:
    return text(root, "merge-base", a, b).strip()


def changed_paths(
    root: Path, base: str, head_sha: str, prefix: str = RECORDS_PREFIX
) -> list[Change]:
    """Files under ``prefix`` that differ between two commits (renames as delete + add).

    Paths (and ``prefix``) are relative to ``root``, like every path in this module.
    """
    out = run(
        root,
        "diff",
        "--relative",
        "--name-status",
        "--no-renames",
        "-z",
        base,
        head_sha,
        "--",
        prefix,
    )
    parts = out.decode("utf-8", "surrogateescape").split("\0")
    changes = []
    for status, path in zip(parts[0::2], parts[1::2], strict=False):
        if status and path:
            changes.append(Change(status[0], path))
    return sorted(changes, key=lambda c: c.path)


def list_tree(root: Path, commit: str, prefix: str) -> list[str]:
    out = run(root, "ls-tree", "-r", "--name-only", "-z", commit, "--", prefix)
    return sorted(p for p in out.decode("utf-8", "surrogateescape").split("\0") if p)


def read_objects(root: Path, specs: Iterable[str]) -> dict[str, bytes | None]:
    """Contents of many objects in one ``cat-file --batch`` (``commit:path`` or a sha)."""
    wanted = list(dict.fromkeys(specs))
    if not wanted:
        return {}
    out = run(root, "cat-file", "--batch", input="".join(f"{s}\n" for s in wanted).encode())
    result: dict[str, bytes | None] = {}
    pos = 0
    for spec in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode("utf-8", "replace")
        pos = end + 1
        if header.endswith(" missing") or header.endswith(" ambiguous"):
            result[spec] = None
            continue
        size = int(header.rsplit(" ", 1)[1])
        result[spec] = out[pos : pos + size]
        pos += size + 1
    return result


def subdir(root: Path) -> str:
    """Where the anjian repository sits inside the git work tree ("" at the top)."""
    return text(root, "rev-parse", "--show-prefix").strip()


def read_files(root: Path, commit: str, paths: Iterable[str]) -> dict[str, bytes | None]:
    """Files at a commit, by paths relative to ``root``."""
    wanted = list(paths)
    if not wanted:
        return {}
    top = subdir(root)
    found = read_objects(root, (f"{commit}:{top}{p}" for p in wanted))
    return {p: found.get(f"{commit}:{top}{p}") for p in wanted}


def _person(value: str) -> Person:
    match = _PERSON.match(value)
    if not match:
        return Person(value, "", 0, "+0000")
    return Person(match["name"], match["email"], int(match["time"]), match["tz"])


def parse_trailers(message: str) -> tuple[tuple[str, str], ...]:
    """``Key: value`` lines of the message's last paragraph (all lines must be trailers)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return ()
    last = paragraphs[-1]
    if _PLAIN.fullmatch(last):  # printable ASCII lines: one pass over the paragraph
        found = _TRAILER_LINE.findall(last)
        return tuple(found) if len(found) == last.count("\n") + 1 else ()
    pairs = []
    for line in last.splitlines():
        match = _TRAILER.match(line.strip())
        if not match:
            return ()
        pairs.append((match[1], match[2].strip()))
    return tuple(pairs)


def parse_commit(sha: str, raw: bytes) -> Commit:
    head_part, _, body = raw.decode("utf-8", "replace").partition("\n\n")
    parents: list[str] = []
    author = committer = Person("", "", 0, "+0000")
    signed = False
    for line in head_part.split("\n"):
        if line.startswith(" "):
            continue  # continuation of a multi-line header (the signature)
        key, _, value = line.partition(" ")
        if key == "parent":
            parents.append(value)
        elif key == "author":
            author = _person(value)
        elif key == "committer":
            committer = _person(value)
        elif key in ("gpgsig", "gpgsig-sha256"):
            signed = True
    return Commit(sha, tuple(parents), author, committer, body, signed, parse_trailers(body))


def commits_between(root: Path, base: str, head_sha: str) -> list[Commit]:
    """Commits reachable from ``head`` but not from ``base``, oldest first (topological)."""
    shas = text(root, "rev-list", "--topo-order", "--reverse", f"{base}..{head_sha}").split()
    raws = read_objects(root, shas)
    return [parse_commit(sha, raws[sha] or b"") for sha in shas]


def commits_touching(
    root: Path, base: str, head_sha: str, prefix: str = RECORDS_PREFIX
) -> list[str]:
    """Shas of the commits in ``base..head`` that change ``prefix``, newest first."""
    out = text(root, "log", "--topo-order", "--format=%H", f"{base}..{head_sha}", "--", prefix)
    return out.split()


def first_parent_times(root: Path, ref: str) -> list[tuple[str, int]]:
    """(sha, committer time) along the first-parent line of ``ref``, oldest first."""
    out = text(root, "log", "--first-parent", "--reverse", "--format=%H %ct", ref)
    pairs = []
    for line in out.splitlines():
        sha, _, stamp = line.partition(" ")
        pairs.append((sha, int(stamp)))
    return pairs


def identity(root: Path) -> tuple[Person, Person]:
    """Who the next commit will be by: (author, committer), from config and environment."""
    found = []
    for variable in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"):
        try:
            found.append(_person(text(root, "var", variable).strip()))
        except GitError:
            found.append(Person("", "", 0, "+0000"))
    return found[0], found[1]


def config(root: Path, key: str) -> str | None:
    try:
        value = text(root, "config", "--get", key).strip()
    except GitError:
        return None
    return value or None


def commit_empty(root: Path, message: str, *, sign: bool) -> str:
    """An empty commit on the current branch with ``message`` verbatim; its sha."""
    args = ["commit", "--allow-empty", "--cleanup=whitespace", "-F", "-"]
    if sign:
        args.insert(1, "-S")
    run(root, *args, input=message.encode("utf-8"))
    return head(root)


def toplevel(root: Path) -> Path:
    return Path(text(root, "rev-parse", "--show-toplevel").strip())

"""``anjian audit verify``: re-check the whole history since the epoch.

1. the published chain is a prefix of the chain rebuilt now;
2. every commit that changed records was made by a staff identity within its
   role (``roles``), and every merge by a staff identity;
3. where policy required it then, every such commit and every review commit is
   signed with a key registered to its author (``allowed_signers`` from all
   staff records of the history, then the key checked against the author);
4. every landed change carries the approvals its tier required (``approvals``).

Each problem names the commit it is about.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.audit import gitread
from generator.audit.approvals import followers_of, judge
from generator.audit.blobcache import BlobCache
from generator.audit.chain import Entry, Published, build_chain, parse_log
from generator.audit.findings import (
    APPROVAL_MISSING,
    APPROVAL_NOT_COUNTED,
    BAD_SIGNATURE,
    CHAIN_DIVERGED,
    CHAIN_TRUNCATED,
    LOG_CORRUPT,
    NOT_PERMITTED,
    UNKNOWN_AUTHOR,
    UNSIGNED,
    Finding,
    finding,
)
from generator.audit.people import allowed_signers
from generator.audit.roles import DEPARTMENT_SCOPED, objection
from generator.audit.timeline import (
    AuditError,
    History,
    Landing,
    RecordChange,
    Want,
    epoch_of,
    read_history,
)
from generator.load import Document, parse_document
from generator.policy import POLICY_FILE, Policy
from generator.records import kind_of
from generator.review.gitio import Commit
from generator.review.plan import TRIGGER_KINDS
from generator.review.tiers import TIER_TITLE

LOG_PATH = "site/audit/log.jsonl"
MAJOR = "重大".encode()


def minor_hazard(path: str, raw: bytes | None) -> bool:
    """Whether a version surely is no major hazard, without parsing it.

    Of a hazard verify needs one thing: whether it is major (tier 2).  Its class
    can only be 重大 if those characters appear in the file — or are spelled
    with escapes, which need a backslash — so a version with neither is not
    major, and its content does not matter.  Everything else is parsed in full.
    """
    return raw is not None and kind_of(path) == "hazard" and MAJOR not in raw and b"\\" not in raw


# record versions verify reads: those whose content decides a tier or a department
_TIER_KINDS = frozenset(k for kinds in TRIGGER_KINDS.values() for k in kinds) - {"inspection"}
VERIFY_WANT = Want(
    landed_kinds=_TIER_KINDS | DEPARTMENT_SCOPED,
    edit_kinds=DEPARTMENT_SCOPED,
    skip=minor_hazard,
)
SIGNED_OK = "G"


def current_policy(root: Path) -> Policy:
    """The policy in the working tree: it names the epoch the audit starts from."""
    file = root / POLICY_FILE
    if not file.is_file():
        return Policy({})
    parsed = parse_document(file.read_bytes(), POLICY_FILE)
    return Policy(parsed.data) if isinstance(parsed, Document) else Policy({})


def read_published(source: str) -> str:
    """A published ``log.jsonl`` from a path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        import urllib.error
        import urllib.request

        try:
            with urllib.request.urlopen(source, timeout=60) as answer:
                body: bytes = answer.read()
        except (urllib.error.URLError, OSError, ValueError) as err:
            raise AuditError(f"无法下载 {source}：{err}") from err
        return body.decode("utf-8", "replace")
    path = Path(source)
    path = path if path.is_absolute() else Path.cwd() / path
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise AuditError(f"无法读取 {source}：{err.strerror}") from err


@dataclass
class VerifyResult:
    history: History
    entries: list[Entry]
    findings: list[Finding] = field(default_factory=list)
    compared: int | None = None  # published entries compared (None: no published log)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors


# -- 1. the chain ---------------------------------------------------------------


def _gone(root: Path, history: History, sha: str) -> tuple[str, str]:
    if not gitread.exists(root, sha):
        return "该提交已不在本库中（历史被改写或强制推送）", "that commit no longer exists here"
    if not gitread.is_ancestor(root, sha, history.head):
        return (
            "该提交已不在被审计分支的历史中（历史被改写或强制推送）",
            "that commit is no longer in the audited history",
        )
    return "该提交仍在历史中，但条目内容不同", "that commit is still in the history"


def check_chain(
    published: Sequence[Published],
    bad_lines: Sequence[tuple[int, str]],
    entries: Sequence[Entry],
    history: History,
) -> Iterator[Finding]:
    for number, why in bad_lines[:1]:
        yield finding(LOG_CORRUPT, "", f"第 {number} 行：{why}", f"line {number}: {why}")
    previous: str | None = None
    for n, pub in enumerate(published):
        if pub.recomputed() != pub.entry_hash or (
            previous is not None and pub.body.get("parent_entry_hash") != previous
        ):
            yield finding(
                LOG_CORRUPT,
                pub.commit,
                f"已发布的第 {pub.seq} 条（第 {pub.line} 行）哈希与内容不符或未接上一条：日志文件被改动过",
                f"published entry {pub.seq} (line {pub.line}) does not hash to its entry_hash "
                "or does not follow the previous one",
                seq=pub.seq,
            )
            return
        previous = pub.entry_hash
        if n >= len(entries):
            yield finding(
                CHAIN_TRUNCATED,
                pub.commit,
                f"已发布的第 {pub.seq} 条（提交 {pub.commit[:12]}）在重建的审计链中不存在"
                f"（现在只有 {len(entries)} 条）：历史被截断或回退",
                f"published entry {pub.seq} (commit {pub.commit[:12]}) is missing from the "
                f"rebuilt chain ({len(entries)} entries)",
                seq=pub.seq,
            )
            return
        rebuilt = entries[n]
        if rebuilt.entry_hash != pub.entry_hash:
            zh, en = _gone(history.root, history, pub.commit)
            yield finding(
                CHAIN_DIVERGED,
                pub.commit,
                f"审计链从第 {pub.seq} 条起与已发布的不一致：已发布的是提交 {pub.commit[:12]}，"
                f"重建的是提交 {rebuilt.commit[:12]}；{zh}",
                f"the chain diverges at entry {pub.seq}: published commit {pub.commit[:12]}, "
                f"rebuilt commit {rebuilt.commit[:12]}; {en}",
                seq=pub.seq,
            )
            return
        yield from _check_details(pub, rebuilt)


def _check_details(pub: Published, rebuilt: Entry) -> Iterator[Finding]:
    items = dict(rebuilt.items)
    for detail in pub.details:
        change = items.get(str(detail.get("digest")))
        if change is None:
            continue
        named = (detail.get("id"), detail.get("kind"), detail.get("change"))
        if named != (change.id, change.kind, change.status):
            yield finding(
                LOG_CORRUPT,
                pub.commit,
                f"已发布的第 {pub.seq} 条所列记录与摘要不符（写的是 {named[0]}）：日志文件被改动过",
                f"published entry {pub.seq} names {named[0]!r}, which its digest does not match",
                seq=pub.seq,
            )


# -- 2. identities and roles ----------------------------------------------------


def _ids(changes: Sequence[RecordChange]) -> str:
    return "、".join(sorted({c.id for c in changes}))


def check_identities(history: History) -> Iterator[Finding]:
    for landing in history.landings:
        people = history.people(landing.state)
        for edit in landing.edits:
            commit = edit.commit
            email = commit.author.email
            member = people.member(email)
            if member is None:
                ids = _ids(edit.changes)
                yield finding(
                    UNKNOWN_AUTHOR,
                    commit.sha,
                    f"提交 {commit.sha[:12]} 修改了 {ids}，提交人 {email or '（无邮箱）'} 不是登记的工作人员",
                    f"commit {commit.sha[:12]} changed {ids}; its author {email or '(none)'} "
                    "is not in the staff records",
                    record_id=edit.changes[0].id if edit.changes else None,
                )
                continue
            for change in edit.changes:
                data = history.data(change.new_blob) or history.data(change.old_blob)
                problem = objection(member, change.kind, change.id, data)
                if problem is not None:
                    yield finding(
                        NOT_PERMITTED,
                        commit.sha,
                        f"提交 {commit.sha[:12]} 修改了 {change.id}：{problem[0]}",
                        f"commit {commit.sha[:12]} changed {change.id}: {problem[1]}",
                        record_id=change.id,
                    )
        if landing.is_merge and landing.changes:
            email = landing.commit.author.email
            if people.member(email) is None:
                yield finding(
                    UNKNOWN_AUTHOR,
                    landing.sha,
                    f"合并提交 {landing.sha[:12]} 的提交人 {email or '（无邮箱）'} 不是登记的工作人员",
                    f"merge {landing.sha[:12]} was made by {email or '(none)'}, "
                    "who is not in the staff records",
                )


# -- 3. signatures --------------------------------------------------------------


def _must_sign(history: History) -> list[tuple[Landing, Commit]]:
    out: list[tuple[Landing, Commit]] = []
    for landing in history.landings:
        if history.policy(landing.state).get("audit", "require_signatures") is not True:
            continue
        commits = {e.commit.sha: e.commit for e in landing.edits}
        for verdict in landing.verdicts:
            commits.setdefault(verdict.commit.sha, verdict.commit)
        out.extend((landing, c) for c in commits.values())
    return out


def check_signatures(history: History) -> Iterator[Finding]:
    wanted = _must_sign(history)
    if not wanted:
        return
    text = allowed_signers(history.people(s) for s in history.states())
    with tempfile.TemporaryDirectory(prefix="anjian-audit-") as folder:
        file = Path(folder) / "allowed_signers"
        file.write_text(text or "# no keys\n", encoding="utf-8")
        try:
            status = gitread.check_signatures(history.root, (c.sha for _, c in wanted), file)
        except gitread.GitError as err:
            raise AuditError(str(err)) from err
    for landing, commit in wanted:
        people = history.people(landing.state)
        code, key = status.get(commit.sha, ("N", ""))
        member = people.member(commit.author.email)
        if code == "N":
            yield finding(
                UNSIGNED,
                commit.sha,
                f"提交 {commit.sha[:12]}（{commit.author.email}）没有签名，而策略要求签名",
                f"commit {commit.sha[:12]} ({commit.author.email}) is not signed",
            )
        elif code != SIGNED_OK:
            yield finding(
                BAD_SIGNATURE,
                commit.sha,
                f"提交 {commit.sha[:12]} 的签名无效或密钥未在人员记录中登记（git 状态 {code}）",
                f"commit {commit.sha[:12]} has a bad or unregistered signature (status {code})",
            )
        elif member is None or key not in people.fingerprints(member.id):
            who = member.id if member else commit.author.email
            yield finding(
                BAD_SIGNATURE,
                commit.sha,
                f"提交 {commit.sha[:12]} 所用签名密钥 {key} 不是提交人 {who} 登记的密钥",
                f"commit {commit.sha[:12]} is signed with {key}, not a key of {who}",
            )


# -- 4. approvals ---------------------------------------------------------------


def check_approvals(history: History) -> Iterator[Finding]:
    landings = history.landings
    for index, landing in enumerate(landings):
        if not landing.changes:
            continue
        result = judge(history, landing, followers_of(landings, index))
        people = history.people(landing.state)
        for verdict, zh, en in result.not_counted:
            who = people.staff_id(verdict.commit.author.email)
            yield finding(
                APPROVAL_NOT_COUNTED,
                verdict.commit.sha,
                f"提交 {verdict.commit.sha[:12]} 中 {who} 的{TIER_TITLE[verdict.tier]}不算数：{zh}",
                f"the tier-{verdict.tier} review in {verdict.commit.sha[:12]} by {who} "
                f"does not count: {en}",
            )
        for need in result.missing:
            yield finding(
                APPROVAL_MISSING,
                landing.sha,
                f"提交 {landing.sha[:12]} 合入了 {need.record_id}（{need.why()}），"
                f"没有有效的{TIER_TITLE[need.tier]}批准",
                f"commit {landing.sha[:12]} landed {need.record_id} without a valid "
                f"tier-{need.tier} approval",
                record_id=need.record_id,
            )


def verify(
    root: Path,
    *,
    ref: str = "HEAD",
    published: str | None = None,
    jobs: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> VerifyResult:
    """Re-check the history of ``ref``; ``published`` is the text of a published ``log.jsonl``."""
    policy = current_policy(root)
    history = read_history(
        root,
        ref,
        epoch=epoch_of(policy),
        want=VERIFY_WANT,
        jobs=jobs,
        progress=progress,
        cache=BlobCache.open(root),
    )
    with _beside(history, parallel=jobs != 1) as checked:
        entries = build_chain(history)
        result = VerifyResult(history, entries)
        if published is not None:
            rows, bad = parse_log(published)
            result.compared = len(rows)
            result.findings.extend(check_chain(rows, bad, entries, history))
        result.findings.extend(check_identities(history))
        result.findings.extend(checked())
    return result


def check_history(history: History) -> list[Finding]:
    """Checks 3 and 4: signatures, approvals."""
    return [*check_signatures(history), *check_approvals(history)]


# the history a forked process checks: set just before forking, read by ``_check_forked``
_FORKED: History | None = None


def _check_forked() -> list[Finding]:
    assert _FORKED is not None
    return check_history(_FORKED)


@contextmanager
def _beside(history: History, *, parallel: bool) -> Iterator[Callable[[], list[Finding]]]:
    """Checks 3 and 4 of ``history`` in a process forked from this one (it has the
    history already: only the findings come back), while this one builds the chain
    and checks identities;
    in this process, when the system cannot fork or one core is asked for."""
    cores = os.cpu_count() or 1
    if not parallel or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: check_history(history)
        return
    global _FORKED
    _FORKED = history
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            future = pool.submit(_check_forked)  # the process is forked here
            _FORKED = None
            yield future.result
    finally:
        _FORKED = None

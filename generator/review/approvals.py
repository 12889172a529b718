"""Approvals recorded in Git, and the check that a pull request has the ones it needs.

A reviewer approves (or requests changes) with an empty commit on the pull
request branch whose last paragraph carries trailers::

    Review-Tier: 2
    Review-Decision: approve            (or request-changes)
    Reviewed-Commit: <the latest commit that changed records/>
    Reviewed-Record: HAZ-20261120-001   (one line per record)
    Review-Signed: yes                  (no: made without a signing key)

The check passes when, for every tier the plan needs, each record of that tier
is approved by an eligible reviewer — a staff member with that tier's role,
active, whose ``git.emails`` hold the approval commit's author and committer
email, and who authored none of the pull request's record changes — after the
last change to the records (an approval naming an older commit is stale), with
no request for changes of that tier after it.  Staff come from the base branch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.problems import Code, Severity, register
from generator.review import gitio
from generator.review.plan import Plan, build_plan
from generator.review.roster import Roster
from generator.review.snapshot import Snapshot
from generator.review.tiers import TIER_ROLE, TIER_TITLE, TIERS, TRIGGERS

TIER_KEY = "Review-Tier"
DECISION_KEY = "Review-Decision"
COMMIT_KEY = "Reviewed-Commit"
RECORD_KEY = "Reviewed-Record"
SIGNED_KEY = "Review-Signed"
APPROVE = "approve"
REQUEST_CHANGES = "request-changes"
DECISION_TITLE = {APPROVE: "批准", REQUEST_CHANGES: "要求修改"}

REVIEW_MISSING = register(
    "review-missing",
    "缺少复核批准",
    "review approval missing",
    "请该级复核员核对记录后在本分支上运行 `anjian review approve --tier N` 并推送。",
)
REVIEW_CHANGES_REQUESTED = register(
    "review-changes-requested",
    "复核要求修改",
    "changes requested by a reviewer",
    "按复核意见修改记录并推送，再请该级复核员重新批准。",
)
REVIEW_STALE = register(
    "review-stale",
    "复核批准已过期",
    "stale approval",
    "批准之后记录又有修改；请复核员看过新的修改后重新运行 `anjian review approve`。",
    "warning",
)
REVIEW_SELF = register(
    "review-self-approval",
    "复核了自己的修改",
    "self-approval",
    "复核人不能复核自己提交的记录修改；请由没有参与本次修改的复核员批准。",
    "warning",
)
REVIEW_NOT_ELIGIBLE = register(
    "review-not-eligible",
    "批准人不是该级复核员",
    "approver not eligible",
    "批准须由人员记录中在岗、具有该级复核员角色、提交邮箱已登记（git.emails）的人员作出。",
    "warning",
)
REVIEW_BAD_TRAILER = register(
    "review-bad-trailer",
    "复核提交格式有误",
    "malformed review commit",
    "请用 `anjian review approve` 生成复核提交，不要手工编写。",
    "warning",
)


class ReviewError(Exception):
    """The review command cannot go on (nothing to review, not eligible …)."""


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    tier: int | None = None
    record_id: str | None = None
    path: str | None = None
    commit: str | None = None


def finding(
    code: Code,
    message: str,
    *,
    tier: int | None = None,
    record_id: str | None = None,
    path: str | None = None,
    commit: str | None = None,
) -> Finding:
    return Finding(code.code, code.severity, message, tier, record_id, path, commit)


@dataclass(frozen=True)
class Verdict:
    commit: gitio.Commit
    tier: int
    decision: str
    reviewed_commit: str
    records: tuple[str, ...]

    @property
    def signed(self) -> bool:
        return self.commit.signed


def parse_verdict(commit: gitio.Commit) -> Verdict | str | None:
    """The review a commit records; None when it records none; a message when malformed."""
    tiers = commit.trailer_values(TIER_KEY)
    if not tiers:
        return None
    decisions = commit.trailer_values(DECISION_KEY)
    reviewed = commit.trailer_values(COMMIT_KEY)
    if len(tiers) != 1 or tiers[0] not in {str(t) for t in TIERS}:
        return f"{TIER_KEY} 应为 1、2 或 3 中的一个，实为 {', '.join(tiers)}"
    if decisions not in ([APPROVE], [REQUEST_CHANGES]):
        return f"{DECISION_KEY} 应为 {APPROVE} 或 {REQUEST_CHANGES}"
    if len(reviewed) != 1 or len(reviewed[0]) < 7:
        return f"缺少 {COMMIT_KEY}（被复核的记录提交）"
    return Verdict(
        commit, int(tiers[0]), decisions[0], reviewed[0], tuple(commit.trailer_values(RECORD_KEY))
    )


def verdict_message(
    *,
    tier: int,
    decision: str,
    reviewed_commit: str,
    records: Sequence[str],
    comment: str,
    signed: bool,
) -> str:
    subject = f"复核：{TIER_TITLE[tier]}{DECISION_TITLE[decision]}（{len(records)} 条记录）"
    trailers = [
        f"{TIER_KEY}: {tier}",
        f"{DECISION_KEY}: {decision}",
        f"{COMMIT_KEY}: {reviewed_commit}",
        *(f"{RECORD_KEY}: {r}" for r in records),
        f"{SIGNED_KEY}: {'yes' if signed else 'no'}",
    ]
    body = comment.strip()
    return "\n\n".join(part for part in (subject, body, "\n".join(trailers)) if part) + "\n"


def record_verdict(
    root: Path,
    *,
    tier: int,
    decision: str,
    reviewed_commit: str,
    records: Sequence[str],
    comment: str = "",
    sign: bool = False,
) -> str:
    """Make the empty review commit on the current branch; its sha."""
    message = verdict_message(
        tier=tier,
        decision=decision,
        reviewed_commit=reviewed_commit,
        records=records,
        comment=comment,
        signed=sign,
    )
    return gitio.commit_empty(root, message, sign=sign)


@dataclass(frozen=True)
class Authors:
    """Who made the pull request's record changes: staff ids and raw emails."""

    ids: frozenset[str]
    emails: frozenset[str]

    @classmethod
    def of(cls, commits: Iterable[gitio.Commit], roster: Roster) -> Authors:
        emails = {e.lower() for c in commits for e in (c.author.email, c.committer.email) if e}
        ids = {m.id for m in (roster.by_email(e) for e in emails) if m}
        return cls(frozenset(ids), frozenset(emails))


def objection(
    tier: int, commit: gitio.Commit, roster: Roster, authors: Authors
) -> tuple[Code, str] | None:
    """Why this commit's author may not review this tier here, or None."""
    member = roster.by_email(commit.author.email)
    if member is None:
        return REVIEW_NOT_ELIGIBLE, f"提交邮箱 {commit.author.email} 不属于任何人员记录"
    if commit.committer.email.lower() not in member.emails:
        return (
            REVIEW_NOT_ELIGIBLE,
            f"提交者邮箱 {commit.committer.email} 不是 {member.id} 登记的邮箱",
        )
    if not member.reviews(tier):
        return REVIEW_NOT_ELIGIBLE, f"{member.id} 不是在岗的{TIER_ROLE[tier]}"
    if member.id in authors.ids or authors.emails.intersection(member.emails):
        return REVIEW_SELF, f"{member.id} 提交了本次的记录修改，不能复核自己的修改"
    return None


def _same_commit(named: str, sha: str | None) -> bool:
    return sha is not None and len(named) >= 7 and sha.startswith(named.lower())


@dataclass
class TierStatus:
    tier: int
    needed: list[str]
    approved: dict[str, Verdict] = field(default_factory=dict)
    blocked: dict[str, Verdict] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.blocked and set(self.needed) <= set(self.approved)


@dataclass
class CheckResult:
    plan: Plan
    tiers: list[TierStatus]
    findings: list[Finding]
    roster: Roster

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


@dataclass
class _Context:
    plan: Plan
    roster: Roster
    commits: list[gitio.Commit]
    authors: Authors


def _context(root: Path, plan: Plan) -> _Context:
    roster = Snapshot(root, plan.base_tip).roster()
    commits = gitio.commits_between(root, plan.base, plan.head)
    changed = set(gitio.commits_touching(root, plan.base, plan.head))
    authors = Authors.of((c for c in commits if c.sha in changed), roster)
    return _Context(plan, roster, commits, authors)


def _member_id(roster: Roster, commit: gitio.Commit) -> str:
    member = roster.by_email(commit.author.email)
    return member.id if member else commit.author.email


def _judge_tier(
    ctx: _Context, tier: int, verdicts: list[Verdict], findings: list[Finding]
) -> TierStatus:
    plan = ctx.plan
    order = {c.sha: n for n, c in enumerate(ctx.commits)}
    latest = plan.records_commit
    status = TierStatus(tier, plan.records_for(tier))
    for verdict in (v for v in verdicts if v.tier == tier):
        sha = verdict.commit.sha
        who = _member_id(ctx.roster, verdict.commit)
        problem = objection(tier, verdict.commit, ctx.roster, ctx.authors)
        if problem:
            code, why = problem
            findings.append(
                finding(
                    code,
                    f"提交 {sha[:7]} 的{TIER_TITLE[tier]}{DECISION_TITLE[verdict.decision]}不算数：{why}",
                    tier=tier,
                    commit=sha,
                )
            )
            continue
        targets = [r for r in (verdict.records or status.needed) if r in status.needed]
        if verdict.decision == REQUEST_CHANGES:
            for record_id in targets:
                status.blocked[record_id] = verdict
                status.approved.pop(record_id, None)
            continue
        fresh = (
            _same_commit(verdict.reviewed_commit, latest)
            and latest is not None
            and order[sha] > order.get(latest, -1)
        )
        if not fresh:
            findings.append(
                finding(
                    REVIEW_STALE,
                    f"提交 {sha[:7]}：{who} 的{TIER_TITLE[tier]}批准针对 {verdict.reviewed_commit[:7]}，"
                    f"之后记录又有修改（最新为 {(latest or '')[:7]}），已过期",
                    tier=tier,
                    commit=sha,
                )
            )
            continue
        for record_id in targets:
            status.approved[record_id] = verdict
            status.blocked.pop(record_id, None)
    for record_id in status.needed:
        item = plan.item(record_id)
        path = item.path if item else None
        if record_id in status.blocked:
            blocker = status.blocked[record_id]
            who = _member_id(ctx.roster, blocker.commit)
            findings.append(
                finding(
                    REVIEW_CHANGES_REQUESTED,
                    f"{TIER_TITLE[tier]}：{who} 在提交 {blocker.commit.sha[:7]} 要求修改 {record_id}，尚未重新批准",
                    tier=tier,
                    record_id=record_id,
                    path=path,
                    commit=blocker.commit.sha,
                )
            )
        elif record_id not in status.approved:
            why = "、".join(dict.fromkeys(_trigger_texts(plan, record_id, tier)))
            findings.append(
                finding(
                    REVIEW_MISSING,
                    f"{TIER_TITLE[tier]}：{record_id}（{why}）还没有{TIER_ROLE[tier]}的有效批准",
                    tier=tier,
                    record_id=record_id,
                    path=path,
                )
            )
    return status


def _trigger_texts(plan: Plan, record_id: str, tier: int) -> list[str]:
    item = plan.item(record_id)
    return [
        TRIGGERS.get(r.trigger, r.trigger) for r in (item.reasons if item else ()) if r.tier == tier
    ]


def check_review(
    root: Path, base_ref: str, head_ref: str = "HEAD", *, plan: Plan | None = None
) -> CheckResult:
    plan = plan or build_plan(root, base_ref, head_ref)
    ctx = _context(root, plan)
    findings: list[Finding] = []
    verdicts: list[Verdict] = []
    for commit in ctx.commits:
        parsed = parse_verdict(commit)
        if isinstance(parsed, str):
            findings.append(
                finding(REVIEW_BAD_TRAILER, f"提交 {commit.sha[:7]}：{parsed}", commit=commit.sha)
            )
        elif parsed is not None:
            verdicts.append(parsed)
    statuses = [_judge_tier(ctx, tier, verdicts, findings) for tier in plan.tiers()]
    return CheckResult(plan, statuses, findings, ctx.roster)


@dataclass(frozen=True)
class Recorded:
    sha: str
    tier: int
    decision: str
    reviewed_commit: str
    records: tuple[str, ...]
    signed: bool
    reviewer: str


def signing_configured(root: Path) -> bool:
    return (
        gitio.config(root, "user.signingkey") is not None
        or gitio.config(root, "commit.gpgsign") == "true"
    )


def approve(
    root: Path,
    base_ref: str,
    *,
    tier: int,
    comment: str = "",
    request_changes: bool = False,
    records: Sequence[str] = (),
) -> Recorded:
    """Record the current Git user's review of this branch's record changes."""
    plan = build_plan(root, base_ref)
    if plan.records_commit is None or not plan.items:
        raise ReviewError(f"本分支相对 {base_ref} 没有修改记录，无须复核")
    chosen = list(dict.fromkeys(records)) or plan.records_for(tier)
    unknown = [r for r in chosen if plan.item(r) is None]
    if unknown:
        raise ReviewError(f"本分支没有修改这些记录：{', '.join(unknown)}")
    if not chosen:
        raise ReviewError(
            f"本次修改不需要{TIER_TITLE[tier]}（需要：{'、'.join(TIER_TITLE[t] for t in plan.tiers()) or '无'}）；"
            f"可用 --record 指定要复核的记录"
        )
    ctx = _context(root, plan)
    author, committer = gitio.identity(root)
    email = author.email
    probe = gitio.Commit("", (), author, committer, "", False)
    problem = objection(tier, probe, ctx.roster, ctx.authors)
    if problem:
        raise ReviewError(
            f"不能以 {email or '（未设置 user.email）'} 作出{TIER_TITLE[tier]}：{problem[1]}"
        )
    sign = signing_configured(root)
    decision = REQUEST_CHANGES if request_changes else APPROVE
    sha = record_verdict(
        root,
        tier=tier,
        decision=decision,
        reviewed_commit=plan.records_commit,
        records=chosen,
        comment=comment,
        sign=sign,
    )
    member = ctx.roster.by_email(email)
    return Recorded(
        sha,
        tier,
        decision,
        plan.records_commit,
        tuple(chosen),
        sign,
        member.id if member else email,
    )

"""Approvals recorded in Git: who may review, and the commit that records a review.

A reviewer approves (or requests changes) with an empty commit on the pull
request branch whose last paragraph carries trailers::

    Review-Tier: 2
    Review-Decision: approve            (or request-changes)
    Reviewed-Commit: <the latest commit that changed records/>
    Reviewed-Record: HAZ-20261120-001   (one line per record)
    Review-Signed: yes                  (no: made without a signing key)

It is signed (``git commit -S``) when a signing key is configured.  An eligible
reviewer is a staff member with the tier's role, active, whose ``git.emails``
hold the commit's author and committer email, and who authored none of the
pull request's record changes.  Staff come from the base branch.  Whether the
approvals are complete is ``check``'s question.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.problems import Code, register
from generator.review import gitio
from generator.review.plan import Plan, build_plan
from generator.review.roster import Roster
from generator.review.snapshot import Snapshot
from generator.review.tiers import TIER_ROLE, TIER_TITLE, TIERS

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
class Verdict:
    commit: gitio.Commit
    tier: int
    decision: str
    reviewed_commit: str
    records: tuple[str, ...]

    @property
    def signed(self) -> bool:
        return self.commit.signed

    @property
    def comment(self) -> str:
        """The reviewer's words: the message without its subject and trailer paragraph."""
        paragraphs = [p.strip() for p in self.commit.message.strip().split("\n\n") if p.strip()]
        return "\n\n".join(paragraphs[1:-1])


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


@dataclass
class ReviewContext:
    """What judging approvals needs: the plan, the base's staff, the branch's commits."""

    plan: Plan
    roster: Roster
    commits: list[gitio.Commit]
    authors: Authors


def review_context(root: Path, plan: Plan) -> ReviewContext:
    roster = Snapshot(root, plan.base_tip).roster()
    commits = gitio.commits_between(root, plan.base, plan.head)
    changed = set(gitio.commits_touching(root, plan.base, plan.head))
    authors = Authors.of((c for c in commits if c.sha in changed), roster)
    return ReviewContext(plan, roster, commits, authors)


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
    ctx = review_context(root, plan)
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

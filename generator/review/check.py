"""The required check: does a pull request carry the approvals its plan needs?

For every tier the plan needs, each record of that tier must be approved by an
eligible reviewer (see ``approvals.objection``) after the last change to the
records — an approval naming an older ``Reviewed-Commit`` is stale — with no
request for changes of that tier after it.  Commits are judged in the order
they were made (topological); problems are findings with stable codes: errors
(``review-missing``, ``review-changes-requested``) fail the check, warnings say
why a review commit did not count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.problems import Code, Severity
from generator.review import gitio
from generator.review.approvals import (
    DECISION_TITLE,
    REQUEST_CHANGES,
    REVIEW_BAD_TRAILER,
    REVIEW_CHANGES_REQUESTED,
    REVIEW_MISSING,
    REVIEW_STALE,
    ReviewContext,
    Verdict,
    objection,
    parse_verdict,
    review_context,
)
from generator.review.plan import Plan, build_plan
from generator.review.roster import Roster
from generator.review.tiers import TIER_ROLE, TIER_TITLE, TRIGGERS


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


def _member_id(roster: Roster, commit: gitio.Commit) -> str:
    member = roster.by_email(commit.author.email)
    return member.id if member else commit.author.email


def _judge_tier(
    ctx: ReviewContext, tier: int, verdicts: list[Verdict], findings: list[Finding]
) -> TierStatus:
    plan = ctx.plan
    order = {c.sha: n for n, c in enumerate(ctx.commits)}
    latest = plan.records_commit
    status = TierStatus(tier, plan.records_for(tier))
    stale: list[tuple[list[str], Finding]] = []  # reported only if not approved again since
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
            stale.append(
                (
                    targets,
                    finding(
                        REVIEW_STALE,
                        f"提交 {sha[:7]}：{who} 的{TIER_TITLE[tier]}批准针对 {verdict.reviewed_commit[:7]}，"
                        f"之后记录又有修改（最新为 {(latest or '')[:7]}），已过期",
                        tier=tier,
                        commit=sha,
                    ),
                )
            )
            continue
        for record_id in targets:
            status.approved[record_id] = verdict
            status.blocked.pop(record_id, None)
    findings.extend(f for targets, f in stale if not set(targets) <= set(status.approved))
    for record_id in status.needed:
        item = plan.item(record_id)
        path = item.path if item else None
        if record_id in status.blocked:
            blocker = status.blocked[record_id]
            who = _member_id(ctx.roster, blocker.commit)
            findings.append(
                finding(
                    REVIEW_CHANGES_REQUESTED,
                    f"{TIER_TITLE[tier]}：{who} 在提交 {blocker.commit.sha[:7]} 要求修改 {record_id}，尚未重新批准"
                    + (f"（意见：{blocker.comment}）" if blocker.comment else ""),
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
    ctx = review_context(root, plan)
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

"""Did each landed change carry the approvals its review tier required?

The tiers come from the review package, as it computes them for a pull request
(``generator.review.plan.classify`` with ``review.tiers`` of the policy in
force when the change landed); the approvals are its review commits
(``Review-Tier`` / ``Review-Decision`` / ``Reviewed-Commit`` /
``Reviewed-Record`` trailers, read by ``generator.review.approvals``):

- for a merge, the review commits of its branch made after the branch's last
  record commit and naming it;
- for a commit made directly on the main line, the review commits that follow
  it on the main line before the next change of records.

An approval counts when its author is an active reviewer of that tier (staff
as they stood before the landing), committed with their own registered e-mail
and made none of the record changes (nobody approves their own change), and it
names the latest record commit.  A later request for changes of the same tier
blocks the records it names.  The random draws (spot checks, look-backs) are
not re-drawn here; ``anjian review check`` applies them before the merge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from generator.audit.timeline import History, Landing
from generator.review.approvals import (
    APPROVE,
    REQUEST_CHANGES,
    Authors,
    Verdict,
    objection,
)
from generator.review.plan import reasons_of, reviewed_kinds
from generator.review.tiers import TIER_TITLE, TRIGGERS


@dataclass(frozen=True)
class Need:
    tier: int
    record_id: str
    triggers: tuple[str, ...]

    def why(self) -> str:
        return "、".join(TRIGGERS.get(t, t) for t in self.triggers)


@dataclass
class Judgement:
    needs: list[Need] = field(default_factory=list)
    approved: dict[tuple[int, str], Verdict] = field(default_factory=dict)
    blocked: dict[tuple[int, str], Verdict] = field(default_factory=dict)
    not_counted: list[tuple[Verdict, str, str]] = field(default_factory=list)  # verdict, zh, en

    @property
    def missing(self) -> list[Need]:
        return [
            n
            for n in self.needs
            if (n.tier, n.record_id) not in self.approved or (n.tier, n.record_id) in self.blocked
        ]


def required(history: History, landing: Landing) -> list[Need]:
    """The (tier, record) approvals a landing needed, by policy as it stood then."""
    rules = history.tier_rules(landing.state)
    kinds = reviewed_kinds(rules)
    needs: dict[tuple[int, str], list[str]] = {}
    for change in landing.changes:  # the reasons alone: no summary, no enterprises
        if change.kind not in kinds:
            continue
        old, new = history.data(change.old_blob), history.data(change.new_blob)
        for reason in reasons_of(change.kind, old, new, rules):
            needs.setdefault((reason.tier, change.id), []).append(reason.trigger)
    return [Need(tier, rid, tuple(dict.fromkeys(t))) for (tier, rid), t in sorted(needs.items())]


def _fresh(verdict: Verdict, latest: str | None) -> bool:
    named = verdict.reviewed_commit.lower()
    return latest is not None and len(named) >= 7 and latest.startswith(named)


def judge(history: History, landing: Landing, followers: Sequence[Landing] = ()) -> Judgement:
    """Match a landing's needs with the verdicts that came with it (or right after it)."""
    result = Judgement(needs=required(history, landing))
    if not result.needs:
        return result
    roster = history.people(landing.state).roster
    authors = Authors.of((e.commit for e in landing.edits), roster)
    latest = landing.last_edit()
    latest_sha = latest.sha if latest else None
    if landing.is_merge:
        order = {c.sha: n for n, c in enumerate(landing.branch)}
        after = order.get(latest_sha or "", -1)
        verdicts = [v for v in landing.verdicts if order.get(v.commit.sha, -1) > after]
        early = [v for v in landing.verdicts if order.get(v.commit.sha, -1) <= after]
    else:
        verdicts = [v for f in followers for v in f.verdicts]
        early = []
    for verdict in early:
        result.not_counted.append(
            (
                verdict,
                f"{TIER_TITLE[verdict.tier]}作出之后记录又有修改，已过期",
                "made before the last change of the records (stale)",
            )
        )
    needed = {(n.tier, n.record_id) for n in result.needs}
    for verdict in verdicts:
        problem = objection(verdict.tier, verdict.commit, roster, authors)
        if problem is not None:
            result.not_counted.append((verdict, problem[1], problem[0].title_en))
            continue
        if not _fresh(verdict, latest_sha):
            result.not_counted.append(
                (
                    verdict,
                    f"批准针对 {verdict.reviewed_commit[:12]}，不是最新的记录提交",
                    f"names {verdict.reviewed_commit[:12]}, not the latest record commit",
                )
            )
            continue
        targets = verdict.records or tuple(r for t, r in sorted(needed) if t == verdict.tier)
        for record_id in targets:
            key = (verdict.tier, record_id)
            if key not in needed:
                continue
            if verdict.decision == REQUEST_CHANGES:
                result.blocked[key] = verdict
                result.approved.pop(key, None)
            elif verdict.decision == APPROVE:
                result.approved[key] = verdict
                result.blocked.pop(key, None)
    return result


def followers_of(landings: Sequence[Landing], index: int) -> list[Landing]:
    """Review-only commits right after a direct landing, before the next change of records."""
    out = []
    for n in range(index + 1, len(landings)):
        landing = landings[n]
        if landing.changes:
            break
        if not landing.is_merge:
            out.append(landing)
    return out

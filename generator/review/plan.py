"""Which review tiers a pull request needs, from what it changes and from policy.

Every changed record is classified into *triggers* (a new or changed
inspection, a major hazard, the closure of a major hazard, a penalty, a
blacklist decision …); ``review.tiers`` in policy maps triggers to tiers.  Two
more triggers come from the published draws (see ``sample``): an inspection
drawn in its day's tier-1 spot check, and any record of an enterprise drawn in
the last closed quarter's tier-2 look-back.  Policy and draws are read from the
base branch, never from the pull request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.derive.lifecycle import replay
from generator.policy import Policy
from generator.records import kind_of
from generator.review import gitio, sample
from generator.review.snapshot import Snapshot, stem
from generator.review.tiers import (
    BLACKLIST,
    HAZARD,
    INSPECTION,
    LISTING,
    LOOK_BACK,
    MAJOR_CLOSURE,
    MAJOR_HAZARD,
    PENALTY,
    SPOT_CHECK,
    tier_rules,
)

STATUS_TITLE = {"A": "新增", "M": "修改", "D": "删除"}
KIND_TITLE = {
    "inspection": "检查",
    "hazard": "隐患",
    "penalty": "行政处罚",
    "decision": "决定",
    "enterprise": "企业",
    "staff": "人员",
    "department": "部门",
    "self-report": "月度自查报告",
    "complaint": "投诉举报",
}
BLACKLIST_TYPES = frozenset({"列入严重失信名单", "移出严重失信名单", "信用修复", "撤销信用修复"})
LISTING_TYPE = "挂牌督办"
MAJOR = "重大"
CLOSE = "销号"


@dataclass(frozen=True)
class Reason:
    tier: int
    trigger: str
    note: str = ""


@dataclass(frozen=True)
class Item:
    """One changed record and the tiers it needs."""

    id: str
    kind: str
    path: str
    status: str  # A, M or D
    summary: str
    enterprises: tuple[str, ...]
    reasons: tuple[Reason, ...] = ()

    @property
    def tiers(self) -> list[int]:
        return sorted({r.tier for r in self.reasons})


@dataclass(frozen=True)
class Plan:
    base_ref: str
    base_tip: str  # the base branch now: policy, staff and draws are read here
    base: str  # the merge base: what the pull request started from
    head: str
    records_commit: str | None  # the latest commit that changed records/
    items: tuple[Item, ...]
    notes: tuple[str, ...] = ()
    enterprise_names: dict[str, str] = field(default_factory=dict)

    def tiers(self) -> list[int]:
        return sorted({t for item in self.items for t in item.tiers})

    def records_for(self, tier: int) -> list[str]:
        return [item.id for item in self.items if tier in item.tiers]

    def item(self, record_id: str) -> Item | None:
        return next((i for i in self.items if i.id == record_id), None)


# the record kinds each trigger can come from (look-back: any kind naming an enterprise)
TRIGGER_KINDS: dict[str, tuple[str, ...]] = {
    INSPECTION: ("inspection",),
    HAZARD: ("hazard",),
    MAJOR_HAZARD: ("hazard",),
    MAJOR_CLOSURE: ("hazard",),
    PENALTY: ("penalty",),
    BLACKLIST: ("decision",),
    LISTING: ("decision",),
    SPOT_CHECK: ("inspection",),
    LOOK_BACK: (),
}


def _closures(data: dict[str, Any] | None) -> int:
    events = (data or {}).get("events") or []
    return sum(1 for e in events if isinstance(e, dict) and e.get("type") == CLOSE)


def _is_major(data: dict[str, Any] | None) -> bool:
    return bool(data) and (data or {}).get("class") == MAJOR


def reviewed_kinds(rules: dict[str, tuple[int, ...]]) -> frozenset[str]:
    """The kinds whose changes may need a review tier under ``rules`` (no other kind's
    change has a reason: ``triggers_of`` gives a trigger only to its kinds)."""
    return frozenset(k for t, tiers in rules.items() if tiers for k in TRIGGER_KINDS.get(t, ()))


def triggers_of(kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """What a change of one record is, as triggers (pure: old and new data in)."""
    if kind == "inspection":
        return [INSPECTION]
    if kind == "hazard":
        found = [HAZARD]
        if _is_major(old) or _is_major(new):
            found.append(MAJOR_HAZARD)
            if _closures(new) > _closures(old):
                found.append(MAJOR_CLOSURE)
        return found
    if kind == "penalty":
        return [PENALTY]
    if kind == "decision":
        kinds = {str((d or {}).get("type")) for d in (old, new) if d}
        found = []
        if kinds & BLACKLIST_TYPES:
            found.append(BLACKLIST)
        if LISTING_TYPE in kinds:
            found.append(LISTING)
        return found
    return []


def summary_of(kind: str, data: dict[str, Any]) -> str:
    """A short line from public, non-personal fields."""
    parts: list[Any]
    if kind == "inspection":
        parts = [data.get("kind"), data.get("date"), f"{len(data.get('enterprises') or [])} 家企业"]
    elif kind == "hazard":
        events = [e for e in data.get("events") or [] if isinstance(e, dict)]
        state = replay(events)[0]
        parts = [f"{data.get('class', '')}隐患", data.get("level"), data.get("category"), state]
    elif kind == "penalty":
        fine = data.get("fine")
        parts = [data.get("document_no"), f"罚款 {fine} 元" if fine else ""]
    elif kind == "decision":
        parts = [data.get("type"), data.get("document_no")]
    else:
        parts = [data.get("name")]
    return " ".join(str(p) for p in parts if p)


def enterprises_of(kind: str, record_id: str, data: dict[str, Any]) -> tuple[str, ...]:
    if kind == "enterprise":
        return (record_id,)
    found: list[Any] = list(data.get("enterprises") or [])
    if data.get("enterprise"):
        found.append(data["enterprise"])
    return tuple(sorted({str(e) for e in found if isinstance(e, str)}))


def reasons_of(
    kind: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    rules: dict[str, tuple[int, ...]],
) -> list[Reason]:
    """The review tiers a change to a record needs, and why (the policy's ``rules``)."""
    return [
        Reason(tier, trigger)
        for trigger in triggers_of(kind, old, new)
        for tier in rules.get(trigger, ())
    ]


def classify(
    changes: Iterable[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None]],
    rules: dict[str, tuple[int, ...]],
) -> list[Item]:
    """(status, path, old, new) per changed record → items with their rule-based reasons."""
    items = []
    for status, path, old, new in changes:
        kind = kind_of(path) or ""
        data = new or old or {}
        record_id = stem(path)
        reasons = reasons_of(kind, old, new, rules)
        items.append(
            Item(
                id=record_id,
                kind=kind,
                path=path,
                status=status,
                summary=summary_of(kind, data),
                enterprises=enterprises_of(kind, record_id, data),
                reasons=tuple(reasons),
            )
        )
    return items


def _with(item: Item, reasons: Iterable[Reason]) -> Item:
    extra = tuple(r for r in reasons if r not in item.reasons)
    if not extra:
        return item
    return Item(
        item.id,
        item.kind,
        item.path,
        item.status,
        item.summary,
        item.enterprises,
        item.reasons + extra,
    )


@dataclass
class _Sampler:
    root: Path
    base: str  # the base branch tip: draws are published there
    policy: Policy
    rules: dict[str, tuple[int, ...]]
    notes: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def spot_checks(self, items: list[Item], new: dict[str, dict[str, Any] | None]) -> list[Item]:
        tiers = self.rules.get(SPOT_CHECK, ())
        if not tiers:
            return items
        by_day: dict[dt.date, list[Item]] = {}
        for item in items:
            data = new.get(item.path) or {}
            if item.kind != "inspection" or data.get("kind") == sample.SELF_INSPECTION:
                continue
            try:
                when = dt.date.fromisoformat(str(data.get("date")))
            except ValueError:
                continue
            by_day.setdefault(when, []).append(item)
        drawn_ids: dict[str, str] = {}
        for when, group in sorted(by_day.items()):
            try:
                result = sample.draw_sample(
                    self.root, tier=1, period=sample.day(when), ref=self.base
                )
            except sample.SeedNotYetAvailable:
                self.notes.append(
                    f"{when} 的一级复核文书抽查尚未抽签（该日结束后主分支上的第一个提交即为种子），"
                    f"本次 {len(group)} 份检查记录届时参加抽签。"
                )
                continue
            late = [i.id for i in group if i.id not in result.candidates]
            if late:
                self.notes.append(
                    f"{when} 的抽签已完成（种子 {result.seed[:12]}），补录的 {', '.join(late)} 未参加抽签。"
                )
            for record_id in result.drawn:
                drawn_ids[record_id] = f"{when} 抽签（种子 {result.seed[:12]}）"
        return [
            _with(i, [Reason(t, SPOT_CHECK, drawn_ids[i.id]) for t in tiers])
            if i.id in drawn_ids
            else i
            for i in items
        ]

    def look_backs(self, items: list[Item], as_of: dt.date) -> list[Item]:
        tiers = self.rules.get(LOOK_BACK, ())
        if not tiers or not any(i.enterprises for i in items):
            return items
        period = sample.previous_quarter(as_of)
        try:
            result = sample.draw_sample(self.root, tier=2, period=period, ref=self.base)
        except sample.SeedNotYetAvailable:
            return items
        chosen = set(result.drawn)
        self.names.update(result.labels)
        out = []
        for item in items:
            hits = sorted(chosen.intersection(item.enterprises))
            note = f"{period.label} 回头看抽中 {', '.join(hits)}"
            out.append(_with(item, [Reason(t, LOOK_BACK, note) for t in tiers]) if hits else item)
        return out


def build_plan(
    root: Path, base_ref: str, head_ref: str = "HEAD", *, as_of: dt.date | None = None
) -> Plan:
    base_tip = gitio.resolve_branch(root, base_ref)
    head = gitio.resolve(root, head_ref)
    if head is None:
        raise gitio.GitError(f"找不到提交“{head_ref}”")
    start = gitio.merge_base(root, base_tip, head)
    changes = [
        c
        for c in gitio.changed_paths(root, start, head)
        if c.path.endswith(".yaml") and kind_of(c.path) not in (None, "evidence")
    ]
    old = Snapshot(root, start).read(c.path for c in changes if c.status != "A")
    new = Snapshot(root, head).read(c.path for c in changes if c.status != "D")
    policy = Snapshot(root, base_tip).policy()
    rules = tier_rules(policy)
    items = classify(((c.status, c.path, old.get(c.path), new.get(c.path)) for c in changes), rules)
    sampler = _Sampler(root, base_tip, policy, rules)
    items = sampler.spot_checks(items, new)
    items = sampler.look_backs(items, as_of or policy.today())
    touching = gitio.commits_touching(root, start, head)
    return Plan(
        base_ref=base_ref,
        base_tip=base_tip,
        base=start,
        head=head,
        records_commit=touching[0] if touching else None,
        items=tuple(items),
        notes=tuple(sampler.notes),
        enterprise_names=sampler.names,
    )

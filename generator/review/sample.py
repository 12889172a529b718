"""Sampling anyone can re-draw (双随机): deterministic draws from a published seed.

The algorithm, in full (so it can be re-implemented in a spreadsheet or any
language): for every candidate id compute ``sha256(seed + ":" + id)`` as lower-case
hex; sort the candidates by that hex string, ascending; take the first ``k``.

- tier 1 — one day's inspection documents: ``k = ceil(tier1_sample_rate × n)``;
- tier 2 — enterprises inspected in a quarter, for the look-back (回头看):
  ``k = min(tier2_quarterly_enterprises, n)``;
- tier 3 — unannounced: the inspections, penalties and decisions of a period,
  ``k = ceil(tier3_sample_rate × n)``.

The seed is, by default, the id of the first commit on the main branch's
first-parent line made after the period closed (midnight in the policy's
timezone): nobody can choose it in advance and everybody can see it afterwards.
The candidates are the records as they stood in that commit (late filings are
reviewed in their own pull request), so a past draw never changes.  ``--seed``
overrides the seed (then the records are read from ``--ref``); a discipline body
drawing unannounced can publish ``sha256`` of its secret seed beforehand and the
seed itself afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.review import gitio
from generator.review.snapshot import Rows, Snapshot
from generator.review.tiers import sample_size, tier1_rate, tier2_count, tier3_rate

SELF_INSPECTION = "企业自查"  # the enterprise's own check is no enforcement document
_ID_DATE = re.compile(r"^[A-Z]+-(\d{8})-\d{3}$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")


class SeedNotYetAvailable(Exception):
    """The period has not closed on the main branch yet: no commit after it."""


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # exclusive

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end

    def closes_at(self, timezone: str) -> int:
        """Epoch seconds of the period's end (midnight, policy timezone)."""
        moment = dt.datetime.combine(self.end, dt.time(), tzinfo=ZoneInfo(timezone))
        return int(moment.timestamp())


def day(date: dt.date) -> Period:
    return Period(date.isoformat(), date, date + dt.timedelta(days=1))


def quarter(year: int, number: int) -> Period:
    start = dt.date(year, 3 * number - 2, 1)
    end = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return Period(f"{year}Q{number}", start, end)


def parse_quarter(text: str) -> Period:
    match = _QUARTER.match(text.strip())
    if not match:
        raise ValueError(f"“{text}”不是季度（格式如 2026Q1）")
    return quarter(int(match[1]), int(match[2]))


def quarter_of(date: dt.date) -> Period:
    return quarter(date.year, (date.month - 1) // 3 + 1)


def previous_quarter(date: dt.date) -> Period:
    return quarter_of(quarter_of(date).start - dt.timedelta(days=1))


def id_date(record_id: str) -> dt.date | None:
    """The date an id carries (INS-/HAZ-/PEN-/DEC-YYYYMMDD-NNN), or None."""
    match = _ID_DATE.match(record_id)
    if not match:
        return None
    try:
        return dt.datetime.strptime(match[1], "%Y%m%d").date()
    except ValueError:
        return None


def ticket(seed: str, record_id: str) -> str:
    return hashlib.sha256(f"{seed}:{record_id}".encode()).hexdigest()


def rank(seed: str, ids: Iterable[str]) -> list[str]:
    """Candidates in draw order: by sha256(seed + ":" + id), ascending."""
    return sorted(set(ids), key=lambda i: (ticket(seed, i), i))


def draw(seed: str, ids: Iterable[str], k: int) -> list[str]:
    return rank(seed, ids)[:k]


def seed_commit(root: Path, ref: str, period: Period, timezone: str) -> str | None:
    """First commit on ``ref``'s first-parent line committed after the period closed."""
    closes = period.closes_at(timezone)
    for sha, stamp in gitio.first_parent_times(root, ref):
        if stamp >= closes:
            return sha
    return None


@dataclass(frozen=True)
class Draw:
    tier: int
    period: Period
    seed: str
    seed_from_commit: bool
    snapshot: str
    candidates: tuple[str, ...]  # sorted by id
    size: int
    rule: str  # how k was computed, in words
    drawn: tuple[str, ...]  # in draw order
    unit: str  # what a candidate is, counted: "份检查记录"
    labels: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "period": self.period.label,
            "seed": self.seed,
            "seed_source": "commit" if self.seed_from_commit else "given",
            "snapshot": self.snapshot,
            "algorithm": 'sort by sha256(seed + ":" + id) ascending, take the first k',
            "rule": self.rule,
            "candidates": len(self.candidates),
            "unit": self.unit,
            "size": self.size,
            "drawn": [
                {"id": i, "ticket": ticket(self.seed, i), "label": self.labels.get(i, "")}
                for i in self.drawn
            ],
        }


def _in_period(rows: Rows, period: Period, date_field: str) -> list[tuple[str, dict[str, Any]]]:
    kept = []
    for path, data in rows:
        try:
            when = dt.date.fromisoformat(str(data.get(date_field)))
        except ValueError:
            continue
        if when in period:
            kept.append((path, data))
    return kept


def _dated(snapshot: Snapshot, kind: str, period: Period, date_field: str) -> Rows:
    def keep(record_id: str) -> bool:
        return id_date(record_id) in period

    return _in_period(snapshot.records(kind, keep), period, date_field)


def inspections(snapshot: Snapshot, period: Period) -> Rows:
    rows = _dated(snapshot, "inspection", period, "date")
    return [(p, d) for p, d in rows if d.get("kind") != SELF_INSPECTION]


def _inspection_label(data: dict[str, Any]) -> str:
    return f"{data.get('kind', '')} {data.get('date', '')}".strip()


def _candidates(snapshot: Snapshot, tier: int, period: Period) -> tuple[dict[str, str], str]:
    """Candidate id → label, and the noun for them."""
    if tier == 1:
        rows = inspections(snapshot, period)
        return {str(d["id"]): _inspection_label(d) for _, d in rows if "id" in d}, "份检查记录"
    if tier == 2:
        ids = {
            str(e)
            for _, d in inspections(snapshot, period)
            for e in d.get("enterprises") or []
            if isinstance(e, str)
        }
        names = {
            str(d["id"]): str(d.get("name", ""))
            for _, d in snapshot.records("enterprise", lambda i: i in ids)
            if "id" in d
        }
        return {i: names.get(i, "") for i in ids}, "家已检查企业"
    labels = {str(d["id"]): _inspection_label(d) for _, d in inspections(snapshot, period)}
    for kind, date_field, title in (
        ("penalty", "decided_on", "行政处罚"),
        ("decision", "decided_on", "决定"),
    ):
        for _, d in _dated(snapshot, kind, period, date_field):
            if "id" in d:
                labels[str(d["id"])] = (
                    f"{title} {d.get('type', '')} {d.get(date_field, '')}".strip()
                )
    return labels, "条检查、处罚和决定记录"


def _size(snapshot: Snapshot, tier: int, population: int) -> tuple[int, str]:
    policy = snapshot.policy()
    if tier == 2:
        wanted = tier2_count(policy)
        return min(wanted, population), f"min({wanted}, {population})"
    rate = tier1_rate(policy) if tier == 1 else tier3_rate(policy)
    return sample_size(rate, population), f"ceil({_percent(rate)} × {population})"


def _percent(rate: Fraction) -> str:
    return f"{float(rate) * 100:g}%"


def draw_sample(
    root: Path, *, tier: int, period: Period, ref: str, seed: str | None = None
) -> Draw:
    """The draw of one tier for one period."""
    tip = gitio.resolve_branch(root, ref)
    if seed is None:
        timezone = Snapshot(root, tip).policy().timezone
        found = seed_commit(root, tip, period, timezone)
        if found is None:
            raise SeedNotYetAvailable(
                f"{period.label} 还没有结束，或结束后 {ref} 上还没有新的提交，抽签种子尚未产生；"
                f"请在该期结束后的第一个提交之后再抽，或用 --seed 指定种子"
            )
        snapshot = Snapshot(root, found)
        seed_text, from_commit = found, True
    else:
        snapshot = Snapshot(root, tip)
        seed_text, from_commit = seed, False
    labels, noun = _candidates(snapshot, tier, period)
    k, rule = _size(snapshot, tier, len(labels))
    drawn = draw(seed_text, labels, k)
    return Draw(
        tier=tier,
        period=period,
        seed=seed_text,
        seed_from_commit=from_commit,
        snapshot=snapshot.commit,
        candidates=tuple(sorted(labels)),
        size=k,
        rule=rule,
        drawn=tuple(drawn),
        unit=noun,
        labels={i: labels[i] for i in drawn},
    )

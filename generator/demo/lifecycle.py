"""A hazard's rectification history: events along the spec's state machine.

待整改 →开始整改→ 整改中 →整改完成→ 待验收 →复查通过→ 已复查 →销号→ 已销号, with
复查不通过 back to 整改中, 重新打开 from 已销号, monthly 进展报告 while a
listed hazard is being fixed, and 评估 / 验收 by named bodies for major ones.

A scenario fixes the story (on time, late, stuck, failed re-check …); the
events are planned in full and then cut at the as-of date, so whatever state a
hazard is in on that day is a prefix of a valid history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from generator.demo import texts
from generator.demo.dates import days, next_workday, previous_workday
from generator.demo.model import DocNo, Event, EvidenceSpec, Hazard, Staff

ON_TIME = "on_time"
LATE = "late"
STUCK = "stuck"  # started, never finished
NOT_STARTED = "not_started"
FAILED = "failed"  # one failed re-check, then passed
FAILED_TWICE = "failed_twice"
AWAITING = "awaiting"  # finished and assessed just before as-of, re-check pending
RECHECKED = "rechecked"  # re-checked just before as-of, acceptance and closure pending


# the evaluation's "general hazards closed within 7 days" (policy on_time_days.一般)
GENERAL_DAYS = 7


@dataclass(frozen=True)
class Crew:
    """Who acts on a hazard on a given day, and the numbers of their documents."""

    recheck: Callable[[dt.date], Staff]
    close: Callable[[dt.date], Staff]
    expert: Callable[[dt.date], Staff | None]
    docno: Callable[[dt.date], DocNo]
    accept_body: str
    assess_body: str
    as_of: dt.date


def _evidence(hazard: Hazard, round_: int) -> list[EvidenceSpec]:
    suffix = "" if round_ == 1 else f"-{round_}"
    return [
        EvidenceSpec("before.png", f"整改前照片：{hazard.location}"),
        EvidenceSpec(f"after{suffix}.png", f"整改后照片：{hazard.location}"),
        EvidenceSpec(f"table{suffix}.csv", "隐患整改责任表"),
    ]


def _completion(
    rng: random.Random, hazard: Hazard, scenario: str, start: dt.date, as_of: dt.date
) -> dt.date | None:
    found, deadline = hazard.found_on, hazard.deadline
    span = (deadline - found).days
    if scenario in (STUCK, NOT_STARTED):
        return None
    if scenario == AWAITING:
        return max(start + days(20), as_of - days(rng.randint(6, 10)))
    if scenario == RECHECKED:
        return max(start, as_of - days(6))
    if scenario == LATE:
        return deadline + days(rng.randint(3, 30) if hazard.major else rng.randint(1, 20))
    if hazard.level == "一级":
        low, high = (30, 45) if scenario in (FAILED, FAILED_TWICE) else (45, 70)
        return found + days(rng.randint(span * low // 100, span * high // 100))
    if hazard.major:
        return found + days(rng.randint(4, max(4, min(span, 15) - 6)))
    cap = min(span, GENERAL_DAYS)
    return max(start, found + days(rng.randint(1, max(1, cap - 2))))


def plan_events(
    rng: random.Random, hazard: Hazard, scenario: str, as_of: dt.date, crew: Crew
) -> list[Event]:
    """The hazard's events from its discovery on, cut at ``as_of``."""
    if scenario == NOT_STARTED:
        return []
    found = hazard.found_on
    start = found + days(rng.choice((0, 1)) if hazard.major else rng.choice((0, 0, 1, 1, 2)))
    notes = texts.MAJOR_START_NOTES if hazard.major else texts.START_NOTES
    events = [Event(start, "开始整改", note=rng.choice(notes))]
    done = _completion(rng, hazard, scenario, start, as_of)
    if hazard.listing is not None:
        k, day = 1, hazard.listing.date + days(30)
        while day <= as_of and (done is None or day < done):
            note = texts.PROGRESS_NOTES[min(k - 1, len(texts.PROGRESS_NOTES) - 1)]
            events.append(Event(day, "进展报告", note=f"第{k}次月度整改进展：{note}"))
            k, day = k + 1, day + days(30)
    if done is None:
        return _cut(events, as_of)
    events += finish(rng, hazard, scenario, done, crew)
    return _cut(events, as_of)


def finish(
    rng: random.Random, hazard: Hazard, scenario: str, done: dt.date, crew: Crew, round_: int = 1
) -> list[Event]:
    """From 整改完成 on: failed re-checks if any, assessment, re-check, acceptance, closure."""
    events = [
        Event(
            done,
            "整改完成",
            note=rng.choice(texts.RECTIFIED_NOTES),
            evidence_specs=_evidence(hazard, round_),
        )
    ]
    # an on-time story closes by the deadline; staff act on working days
    limit = None
    if scenario == ON_TIME and round_ == 1:
        limit = hazard.deadline
        if not hazard.major:  # the evaluation counts general hazards closed within 7 days
            limit = min(limit, hazard.found_on + days(GENERAL_DAYS))
    if scenario == RECHECKED:
        limit = crew.as_of - days(1)

    def staff_day(candidate: dt.date, previous: dt.date) -> dt.date:
        day = next_workday(candidate)
        if limit is not None and day > limit:
            day = max(previous, previous_workday(limit))
        return day

    fails = {FAILED: 1, FAILED_TWICE: 2}.get(scenario, 0)
    day = done
    for _ in range(fails):
        day = next_workday(day + days(rng.randint(1, 3)))
        reason = rng.choice(texts.RECHECK_FAIL_REASONS).format(location=hazard.location)
        events.append(
            Event(
                day, "复查不通过", by=crew.recheck(day), reason=reason, document_no=crew.docno(day)
            )
        )
        round_ += 1
        day = day + days(rng.randint(3, 8))
        events.append(
            Event(
                day,
                "整改完成",
                note=rng.choice(texts.RECTIFIED_NOTES),
                evidence_specs=_evidence(hazard, round_),
            )
        )
    if hazard.major:
        gap = rng.randint(3, 7) if hazard.level == "一级" else rng.randint(1, 2)
        day = (
            min(day + days(gap), limit)
            if limit is not None and day + days(gap) > limit >= day
            else day + days(gap)
        )
        events.append(
            Event(day, "评估", body=crew.assess_body, note=rng.choice(texts.ASSESS_NOTES))
        )
    if scenario == AWAITING:
        return events  # re-check not yet done
    gap = rng.randint(1, 3) if hazard.major else rng.choice((0, 1, 1, 2, 2, 3, 4, 5))
    day = staff_day(day + days(gap), day)
    doc = crew.docno(day) if (hazard.level != "三级" or rng.random() < 0.2) else None
    events.append(
        Event(
            day,
            "复查通过",
            by=crew.recheck(day),
            note=rng.choice(texts.RECHECK_PASS_NOTES),
            document_no=doc,
        )
    )
    if scenario == RECHECKED:
        return events
    if hazard.major:
        day = staff_day(day + days(rng.randint(0, 2)), day)
        note = hazard.template.acceptance or "经现场验收，整改符合要求"
        events.append(Event(day, "验收", by=crew.expert(day), body=crew.accept_body, note=note))
    day = staff_day(day + days(0 if rng.random() < 0.6 else rng.randint(1, 3)), day)
    if hazard.listing is not None:
        note = "经验收合格，予以销号，解除挂牌督办，同意恢复生产"
    elif hazard.major:
        note = "经验收合格，予以销号"
    else:
        note = "复查合格，予以销号"
    events.append(Event(day, "销号", by=crew.close(day), note=note))
    return events


def reopen(
    rng: random.Random,
    hazard: Hazard,
    day: dt.date,
    by: Staff,
    scenario: str,
    as_of: dt.date,
    crew: Crew,
) -> None:
    """Reopen a closed hazard on ``day`` (a look-back found it back) and plan the new round."""
    reason = rng.choice(texts.REOPEN_REASONS).format(location=hazard.location)
    events = [Event(day, "重新打开", by=by, reason=reason)]
    rounds = 1 + sum(1 for e in hazard.events if e.type == "整改完成")
    if scenario != STUCK:
        done = day + days(rng.randint(4, 12))
        events += finish(rng, hazard, scenario, done, crew, round_=rounds)
    hazard.events += _cut(events, as_of)


def _cut(events: list[Event], as_of: dt.date) -> list[Event]:
    out: list[Event] = []
    for event in events:
        if event.date > as_of:
            break
        if out and event.date < out[-1].date:
            raise AssertionError(f"events out of order: {event.type} {event.date}")
        out.append(event)
    return out

"""Removal, credit repair and its revocation act on a listing of the same enterprise.

A 移出严重失信名单, 信用修复 or 撤销信用修复 decision names in ``target`` the
列入严重失信名单 decision it acts on, for the same enterprise.  Credit repair
(early removal) is possible only once the enterprise has been listed for
``repair_after_months`` (应急管理部令第11号: 12 months); an earlier repair has no
effect.  Revoking a repair (the application was fraudulent) restores the
listing, so it needs an earlier repair of that listing to revoke.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.derive.blacklist.dates import add_months, parse_date
from generator.derive.blacklist.listing import FOLLOW_UPS, LIST, REPAIR, REVOKE_REPAIR
from generator.derive.blacklist.policy_rules import repair_after_months
from generator.problems import Problem, register
from generator.records import Record
from generator.rules.context import Context

BAD_DECISION_TARGET = register(
    "bad-decision-target",
    "移出、修复决定没有对应的列入决定",
    "removal or repair does not target a listing of the same enterprise",
    "在 target 中填写同一企业的“列入严重失信名单”决定编号（DEC-…）。",
)
REPAIR_TOO_EARLY = register(
    "repair-too-early",
    "列入未满规定期限即信用修复",
    "credit repair before the minimum listing period",
    "信用修复须在列入满 policy.yaml 中 blacklist.repair_after_months 个月（应急管理部令第11号：12 个月）后作出；核对决定日期。",
)
REVOCATION_WITHOUT_REPAIR = register(
    "revocation-without-repair",
    "撤销信用修复但此前没有信用修复",
    "revocation without an earlier repair",
    "撤销信用修复的 target 应是已作出信用修复的列入决定，且决定日期不早于信用修复决定。",
)


def _decisions(ctx: Context) -> Iterator[Record]:
    for record_id, paths in sorted(ctx.index.paths_by_id.items()):
        if any(p.startswith("records/decision/") for p in paths):
            record = ctx.get(record_id)
            if record is not None and record.kind == "decision":
                yield record


def _target(ctx: Context, record: Record) -> Iterator[Problem | dict[str, Any]]:
    target_id = record.data.get("target")
    target = ctx.get(target_id)
    if not isinstance(target_id, str):
        yield ctx.problem(
            BAD_DECISION_TARGET,
            record,
            ("type",),
            f"“{record.data.get('type')}”决定须在 target 中写明原列入决定",
            "a removal, repair or revocation names its listing in target",
        )
    elif target is None or target.kind != "decision":
        return  # a dangling reference is reported by the references rule
    elif target.data.get("type") != LIST:
        yield ctx.problem(
            BAD_DECISION_TARGET,
            record,
            ("target",),
            f"target “{target_id}”是“{target.data.get('type')}”决定，应为“{LIST}”决定",
            f"target {target_id!r} is not a listing decision",
        )
    elif target.data.get("enterprise") != record.data.get("enterprise"):
        yield ctx.problem(
            BAD_DECISION_TARGET,
            record,
            ("target",),
            f"target “{target_id}”是另一企业（{target.data.get('enterprise')}）的列入决定",
            f"target {target_id!r} lists another enterprise",
        )
    else:
        yield target.data


def _repair_too_early(ctx: Context, record: Record, listing: dict[str, Any]) -> Iterator[Problem]:
    listed_from = parse_date(listing.get("listed_from"))
    decided = parse_date(record.data.get("decided_on"))
    if listed_from is None or decided is None:
        return
    months = repair_after_months(ctx.policy)
    earliest = add_months(listed_from, months)
    if decided < earliest:
        yield ctx.problem(
            REPAIR_TOO_EARLY,
            record,
            ("decided_on",),
            f"列入日期为 {listed_from}，须满 {months} 个月（{earliest} 起）才能信用修复，此处为 {decided}",
            f"listed on {listed_from}: repair possible from {earliest}, not {decided}",
        )


def _revocation_without_repair(
    ctx: Context, record: Record, listing: dict[str, Any]
) -> Iterator[Problem]:
    decided = parse_date(record.data.get("decided_on"))
    for other in _decisions(ctx):
        when = parse_date(other.data.get("decided_on"))
        if (
            other.data.get("type") == REPAIR
            and other.data.get("target") == listing.get("id")
            and when is not None
            and (decided is None or when <= decided)
        ):
            return
    yield ctx.problem(
        REVOCATION_WITHOUT_REPAIR,
        record,
        ("target",),
        f"列入决定 {listing.get('id')} 此前没有信用修复决定，无可撤销",
        f"listing {listing.get('id')} has no earlier credit repair to revoke",
    )


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("decision"):
        kind = record.data.get("type")
        if kind not in FOLLOW_UPS:
            continue
        for item in _target(ctx, record):
            if isinstance(item, Problem):
                yield item
            elif kind == REPAIR:
                yield from _repair_too_early(ctx, record, item)
            elif kind == REVOKE_REPAIR:
                yield from _revocation_without_repair(ctx, record, item)

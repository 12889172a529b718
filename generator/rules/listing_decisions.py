"""A listing on the serious-dishonesty list follows due process: notice, objection, then listing.

A 列入严重失信名单 decision records the notice to the enterprise (告知: date
and the last day for an objection — 应急管理部令第11号 requires the party to be
told the reasons and allowed to state a defence before the written decision),
the listing date and the term (a pending listing may leave the dates out
while the objection period runs; after it, their absence is a warning and the
listing stays pending).  It may not take effect before the objection
period has ended, before an objection has been decided, or before the decision
itself (OSHA's severe-violator list is criticised for listing employers before
the final order).  The term may not exceed the policy's ``term_years`` (3 years
by 第11号令).  The rule it cites must be a rule of the policy, and the public
list needs its facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.derive.blacklist.dates import add_years, parse_date
from generator.derive.blacklist.listing import LIST, OBJECTION_DISMISSED, OBJECTION_UPHELD
from generator.derive.blacklist.policy_rules import rules_by_id, term_years
from generator.problems import Problem, register
from generator.records import Record
from generator.rules.context import Context

LISTING_WITHOUT_NOTICE = register(
    "listing-without-notice",
    "列入失信名单未记录告知",
    "listing without notice",
    "填写 notice：告知日期 date 和异议截止日期 objection_until；当事人提出异议的，写明 objection。",
)
LISTING_WITHOUT_TERM = register(
    "listing-without-term",
    "列入失信名单未写明列入期限",
    "listing without a term",
    "异议期满（或异议处理维持）后填写 listed_from（列入起始日期）；listed_until 不填时按 policy.yaml 的 term_years 计算。",
    "warning",
)
LISTING_TERM_TOO_LONG = register(
    "listing-term-too-long",
    "列入期限超过规定年限",
    "listing term longer than the policy allows",
    "列入期限不得超过 policy.yaml 中 blacklist.term_years（应急管理部令第11号：3 年）；核对 listed_until。",
)
LISTING_BEFORE_OBJECTION_END = register(
    "listing-before-objection-end",
    "异议期未满或异议未处理即列入",
    "listed before the objection period ended",
    "listed_from 应晚于异议截止日期，并不早于异议处理日期和决定日期；先告知、听取陈述申辩，再列入。",
)
LISTING_INCOMPLETE = register(
    "listing-incomplete",
    "列入决定缺少认定规则或事实",
    "listing decision without its rule or facts",
    "填写 rule（policy.yaml 中认定规则的 id）和 facts（对外公开的认定事实，不写个人身份信息）。",
)
UNKNOWN_LISTING_RULE = register(
    "unknown-listing-rule",
    "决定引用的认定规则不存在",
    "decision cites a rule the policy does not have",
    "rule 须是 policy.yaml 中 blacklist.rules 的某个 id（停用的规则也可以引用）。",
)


def _objection_problems(
    ctx: Context, record: Record, notice: dict[str, Any], listed_from: dt.date
) -> Iterator[Problem]:
    until = parse_date(notice.get("objection_until"))
    if until is not None and listed_from <= until:
        yield ctx.problem(
            LISTING_BEFORE_OBJECTION_END,
            record,
            ("listed_from",),
            f"列入日期 {listed_from} 不晚于异议截止日期 {until}，异议期未满不能列入",
            f"listed_from {listed_from} is not after objection_until {until}",
        )
    objection = notice.get("objection")
    if not isinstance(objection, dict) or objection.get("outcome") == OBJECTION_UPHELD:
        return
    decided = parse_date(objection.get("decided_on"))
    if objection.get("outcome") is None or decided is None:
        yield ctx.problem(
            LISTING_BEFORE_OBJECTION_END,
            record,
            ("notice", "objection"),
            "当事人提出了异议，但没有记录处理结果和处理日期（outcome、decided_on）；异议处理前一直为“待定”",
            "an objection was filed without an outcome and its date",
            severity="warning",
        )
    elif listed_from < decided:
        yield ctx.problem(
            LISTING_BEFORE_OBJECTION_END,
            record,
            ("listed_from",),
            f"列入日期 {listed_from} 早于异议处理日期 {decided}",
            f"listed_from {listed_from} is before the objection was decided on {decided}",
        )


def _term_problems(ctx: Context, record: Record, listed_from: dt.date) -> Iterator[Problem]:
    decided = parse_date(record.data.get("decided_on"))
    if decided is not None and listed_from < decided:
        yield ctx.problem(
            LISTING_BEFORE_OBJECTION_END,
            record,
            ("listed_from",),
            f"列入日期 {listed_from} 早于决定日期 {decided}",
            f"listed_from {listed_from} is before the decision date {decided}",
        )
    years = term_years(ctx.policy)
    until = parse_date(record.data.get("listed_until"))
    # the term ends the day before the anniversary (2025-06-01 → 2028-05-31); ending on the
    # anniversary itself, as some documents write it, is tolerated
    latest = add_years(listed_from, years)
    if until is not None and until > latest:
        yield ctx.problem(
            LISTING_TERM_TOO_LONG,
            record,
            ("listed_until",),
            f"列入期限最长 {years} 年（最迟至 {latest}），此处为 {until}",
            f"the term is at most {years} years (until {latest}), not {until}",
        )


def _due_process_over(notice: dict[str, Any], as_of: dt.date) -> bool:
    """The objection period has ended and no objection is left open or upheld."""
    until = parse_date(notice.get("objection_until"))
    objection = notice.get("objection")
    if isinstance(objection, dict):
        return objection.get("outcome") == OBJECTION_DISMISSED
    return until is None or as_of > until


def _listing_problems(ctx: Context, record: Record) -> Iterator[Problem]:
    data = record.data
    notice = data.get("notice")
    if not isinstance(notice, dict):
        yield ctx.problem(
            LISTING_WITHOUT_NOTICE,
            record,
            ("type",),
            "列入严重失信名单前须告知当事人并给予异议期（notice）",
            "a listing needs its notice (notice.date, notice.objection_until)",
        )
        notice = {}
    listed_from = parse_date(data.get("listed_from"))
    if listed_from is None:
        if _due_process_over(notice, ctx.as_of):
            yield ctx.problem(
                LISTING_WITHOUT_TERM,
                record,
                ("type",),
                "异议期已满，列入决定须写明列入起始日期（listed_from），"
                "异议成立的写明异议处理结果；补齐前一直为“待定”",
                "the objection period is over: give listed_from (or the objection's outcome)",
                severity="warning",
            )
    else:
        yield from _objection_problems(ctx, record, notice, listed_from)
        yield from _term_problems(ctx, record, listed_from)
    missing = [f for f in ("rule", "facts") if not data.get(f)]
    if missing:
        yield ctx.problem(
            LISTING_INCOMPLETE,
            record,
            ("type",),
            f"列入决定须写明 {'、'.join(missing)}",
            f"a listing needs {', '.join(missing)}",
        )


def check(ctx: Context) -> Iterator[Problem]:
    rules = rules_by_id(ctx.policy)
    for record in ctx.targets_of("decision"):
        if record.data.get("type") == LIST:
            yield from _listing_problems(ctx, record)
        rule = record.data.get("rule")
        if isinstance(rule, str) and rules and rule not in rules:
            yield ctx.problem(
                UNKNOWN_LISTING_RULE,
                record,
                ("rule",),
                f"认定规则“{rule}”不在 policy.yaml 的 blacklist.rules 中",
                f"rule {rule!r} is not a blacklist rule of the policy",
            )

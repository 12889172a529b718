"""Every blacklist rule in the policy names a criterion the system knows, once.

``policy.yaml`` → ``blacklist.rules``: each rule's ``criterion`` (its ``id``
when not given) must be one the generator implements — major-hazard-overdue,
refused-rectification, false-documents, obstruction, recurrence,
accident-responsibility, stop-order-refused, or manual (decided by staff, never
proposed).  A county adds a rule by giving it a new id and an existing
criterion with its own numbers, and disables one with ``enabled: false``; a
misspelt id would otherwise silently propose nothing.  Rule ids are unique:
decisions cite them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from generator.derive.blacklist.criteria import CRITERIA
from generator.load import Document, Pointer, parse_document, pointer_text
from generator.policy import POLICY_FILE
from generator.problems import Code, Problem, make, register
from generator.rules.context import Context

UNKNOWN_BLACKLIST_RULE = register(
    "unknown-blacklist-rule",
    "黑名单规则的判定逻辑不存在",
    "blacklist rule names an unknown criterion",
    "把规则的 id（或 criterion）改成系统已有的判定逻辑之一："
    + "、".join(sorted(CRITERIA))
    + "；新增规则请另起 id 并用 criterion 指定已有逻辑。",
)
DUPLICATE_BLACKLIST_RULE = register(
    "duplicate-blacklist-rule",
    "黑名单规则编号重复",
    "blacklist rule id used twice",
    "每条认定规则的 id 只能出现一次；另立规则请换一个新的 id。",
)


def _problem(
    code: Code, doc: Document | None, pointer: Pointer, zh: str, en: str, hint: str = ""
) -> Problem:
    where = doc.locate(pointer) if doc is not None else None
    return make(
        code,
        POLICY_FILE,
        zh,
        en,
        line=where[0] if where else None,
        column=where[1] if where else None,
        pointer=pointer_text(pointer),
        hint_zh=hint,
    )


def check(ctx: Context) -> Iterator[Problem]:
    rules = ctx.policy.get("blacklist", "rules", default=[]) or []
    if not isinstance(rules, list) or not rules:
        return
    file = ctx.root / POLICY_FILE
    parsed = parse_document(file.read_bytes(), POLICY_FILE) if file.is_file() else None
    doc = parsed if isinstance(parsed, Document) else None
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            continue
        rule_id = rule["id"]
        if rule_id in seen:
            yield _problem(
                DUPLICATE_BLACKLIST_RULE,
                doc,
                ("blacklist", "rules", i, "id"),
                f"认定规则编号“{rule_id}”出现了不止一次",
                f"blacklist rule id {rule_id!r} appears more than once",
            )
        seen.add(rule_id)
        field = "criterion" if isinstance(rule.get("criterion"), str) else "id"
        criterion = str(rule.get(field))
        if criterion not in CRITERIA:
            close = difflib.get_close_matches(criterion, list(CRITERIA), n=1)
            yield _problem(
                UNKNOWN_BLACKLIST_RULE,
                doc,
                ("blacklist", "rules", i, field),
                f"认定规则“{rule_id}”的判定逻辑“{criterion}”不存在",
                f"blacklist rule {rule_id!r}: no criterion {criterion!r}",
                f"是不是 {close[0]}？" if close else "",
            )

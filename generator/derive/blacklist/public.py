"""The public blacklist: only entries listed on the as-of date, only public fields.

Whatever is pending, withdrawn, expired, removed or repaired is absent — not
marked, absent — so a list built after every term has ended is empty.  The
rows are what ``site/data/blacklist.json`` and ``.csv`` hold; the site renders
its page from the same rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from generator.derive.blacklist.facts import Facts
from generator.derive.blacklist.listing import LISTED, Listing, listing_state
from generator.derive.blacklist.policy_rules import (
    default_measures,
    repair_after_months,
    rules_by_id,
    term_years,
)
from generator.policy import Policy
from generator.records import Record
from generator.schemas import Registry, project_public

if TYPE_CHECKING:
    from generator.validate import Loaded


@dataclass(frozen=True)
class BlacklistEntry:
    decision: str
    enterprise: str  # unified social credit code
    enterprise_name: str
    rule: str
    rule_title: str
    basis: str
    facts: str
    document_no: str
    department: str
    department_name: str
    decided_on: dt.date | None
    listed_from: dt.date
    listed_until: dt.date
    measures: tuple[str, ...]
    evidence_records: tuple[str, ...]


# (field, Chinese title, Frictionless type) — the open-data table's schema
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("enterprise_name", "企业名称", "string"),
    ("enterprise", "统一社会信用代码", "string"),
    ("rule", "认定规则编号", "string"),
    ("rule_title", "认定规则", "string"),
    ("basis", "依据", "string"),
    ("facts", "失信事实", "string"),
    ("document_no", "决定文号", "string"),
    ("decision", "决定编号", "string"),
    ("department", "决定部门编号", "string"),
    ("department_name", "决定部门", "string"),
    ("decided_on", "决定日期", "date"),
    ("listed_from", "列入日期", "date"),
    ("listed_until", "期满日期", "date"),
    ("measures", "惩戒措施", "array"),
    ("evidence_records", "依据记录", "array"),
)
LIST_SEPARATOR = "；"


def _public(data: dict[str, Any], registry: Registry | None, kind: str) -> dict[str, Any]:
    if registry is None or kind not in registry:
        return data
    projected = project_public(registry[kind], data)
    return projected if isinstance(projected, dict) else {}


def entries_from_facts(
    facts: Facts, policy: Policy, as_of: dt.date, registry: Registry | None = None
) -> list[BlacklistEntry]:
    listings = listing_state(
        facts.decisions,
        as_of,
        term_years=term_years(policy),
        repair_after_months=repair_after_months(policy),
    )
    by_id = {str(d.get("id")): d for d in facts.decisions}
    rules = rules_by_id(policy)
    out = []
    for listing in listings:
        if listing.status != LISTED:
            continue
        out.append(_entry(listing, by_id[listing.decision], facts, policy, rules, registry))
    return sorted(out, key=lambda e: (e.listed_from, e.enterprise, e.decision))


def _entry(
    listing: Listing,
    decision: dict[str, Any],
    facts: Facts,
    policy: Policy,
    rules: dict[str, Any],
    registry: Registry | None,
) -> BlacklistEntry:
    data = _public(decision, registry, "decision")
    enterprise = _public(facts.enterprises.get(listing.enterprise, {}), registry, "enterprise")
    department = _public(facts.departments.get(listing.department, {}), registry, "department")
    rule = rules.get(listing.rule)
    measures = tuple(str(m) for m in data.get("measures") or ()) or default_measures(policy)
    assert listing.listed_from is not None and listing.listed_until is not None
    return BlacklistEntry(
        decision=listing.decision,
        enterprise=listing.enterprise,
        enterprise_name=str(enterprise.get("name") or ""),
        rule=listing.rule,
        rule_title=rule.title if rule else listing.rule,
        basis=str(data.get("basis") or (rule.basis if rule else "")),
        facts=str(data.get("facts") or ""),
        document_no=str(data.get("document_no") or ""),
        department=listing.department,
        department_name=str(department.get("name") or ""),
        decided_on=listing.decided_on,
        listed_from=listing.listed_from,
        listed_until=listing.listed_until,
        measures=measures,
        evidence_records=tuple(sorted(str(r) for r in data.get("evidence_records") or ())),
    )


def public_blacklist(
    records: Iterable[Record], policy: Policy, as_of: dt.date, registry: Registry | None = None
) -> list[BlacklistEntry]:
    """Entries listed on ``as_of``, sorted by listing date, credit code and decision.

    With a registry, every value comes from fields the schemas mark public.
    """
    return entries_from_facts(Facts.from_records(records), policy, as_of, registry)


def entry_row(entry: BlacklistEntry) -> dict[str, Any]:
    """One JSON-ready row (dates as ISO strings, lists as lists), fields in ``FIELDS`` order."""
    values: dict[str, Any] = {
        "enterprise_name": entry.enterprise_name,
        "enterprise": entry.enterprise,
        "rule": entry.rule,
        "rule_title": entry.rule_title,
        "basis": entry.basis,
        "facts": entry.facts,
        "document_no": entry.document_no,
        "decision": entry.decision,
        "department": entry.department,
        "department_name": entry.department_name,
        "decided_on": entry.decided_on.isoformat() if entry.decided_on else "",
        "listed_from": entry.listed_from.isoformat(),
        "listed_until": entry.listed_until.isoformat(),
        "measures": list(entry.measures),
        "evidence_records": list(entry.evidence_records),
    }
    return {name: values[name] for name, _, _ in FIELDS}


def blacklist_tables(loaded: Loaded, as_of: dt.date) -> list[dict[str, Any]]:
    """Rows for ``site/data/blacklist.json`` and ``.csv``: public, currently listed entries only.

    Reads only ``loaded.valid`` (a listing decision with a problem of its own is
    not published) and only schema-public fields.
    """
    entries = public_blacklist(loaded.valid, loaded.policy, as_of, loaded.registry)
    return [entry_row(e) for e in entries]


def blacklist_json(rows: Sequence[dict[str, Any]]) -> str:
    """UTF-8 JSON text (an array of row objects), stable byte for byte.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes (the same values), so the
    file stays inert even when a browser is tricked into reading it as HTML.
    """
    text = json.dumps(list(rows), ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def blacklist_csv(rows: Sequence[dict[str, Any]]) -> str:
    """CSV text with a header of field names; lists joined with "；"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [name for name, _, _ in FIELDS]
    writer.writerow(names)
    for row in rows:
        writer.writerow(
            [
                LIST_SEPARATOR.join(row[n]) if isinstance(row.get(n), list) else row.get(n, "")
                for n in names
            ]
        )
    return buffer.getvalue()

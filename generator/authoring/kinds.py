"""How each record kind is named and filed: its id scheme, its date field, its folder.

Read from the schemas where they say it (``x-id-pattern``, the ``<年>/`` folder in
the kind's description); the one thing a schema cannot say — which date an id
carries — is the small table below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from generator.schemas import KindSchema

IdStyle = Literal["dated", "counter", "self-report", "entered"]

# the field whose date an id carries (INS-<date>-NNN …) and that picks the year folder
DATE_FIELDS = {
    "inspection": "date",
    "hazard": "found_on",
    "penalty": "decided_on",
    "decision": "decided_on",
    "complaint": "received_on",
    "self-report": "submitted_on",
}
# kinds whose records are filed in a year folder (the demo layout)
YEARLY = {"inspection", "hazard", "penalty", "self-report"}

_DATED = re.compile(r"^\^([A-Z]+)-\[0-9\]\{8\}-\[0-9\]\{3\}\$$")
_COUNTER = re.compile(r"^\^([A-Z]+)-\[0-9\]\{(\d)\}\$$")


@dataclass(frozen=True)
class KindInfo:
    kind: str
    title: str
    id_style: IdStyle
    prefix: str  # INS, HAZ, STAFF …; "" when the id is entered
    digits: int  # width of the counter (STAFF-0001 → 4; INS-…-001 → 3)
    date_field: str | None
    yearly: bool
    id_pattern: str

    def matches(self, record_id: str) -> bool:
        return bool(self.id_pattern) and re.fullmatch(self.id_pattern, record_id) is not None


def kind_info(spec: KindSchema) -> KindInfo:
    pattern = str(spec.schema.get("x-id-pattern") or "")
    description = str(spec.schema.get("description") or "")
    style: IdStyle = "entered"
    prefix, digits = "", 0
    if dated := _DATED.match(pattern):
        style, prefix, digits = "dated", dated.group(1), 3
    elif counter := _COUNTER.match(pattern):
        style, prefix, digits = "counter", counter.group(1), int(counter.group(2))
    elif pattern.startswith("^SR-"):
        style, prefix = "self-report", "SR"
    return KindInfo(
        kind=spec.kind,
        title=spec.title,
        id_style=style,
        prefix=prefix,
        digits=digits,
        date_field=DATE_FIELDS.get(spec.kind),
        yearly=spec.kind in YEARLY or "<年>/" in description,
        id_pattern=pattern,
    )


def record_path(info: KindInfo, record_id: str, year: int | None) -> str:
    """``records/<kind>/[<year>/]<id>.yaml`` (relative to the repository)."""
    folder = f"records/{info.kind}/"
    if info.yearly and year is not None:
        folder += f"{year}/"
    return f"{folder}{record_id}.yaml"

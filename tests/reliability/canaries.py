"""Privacy canaries: personal data planted in every internal text field of a scratch county.

The fields come from the schemas (``FieldSpec``), never from a list kept here:
every property that is not public, in every kind, whose value is text (a string
or a list of strings, not a reference, an enum or a date).  Each field gets its
own canary — an ID number with a valid GB 11643 check character, a mobile
number, an e-mail address, a (whistle-blower's) name and an ASCII token — so a
leak names the field it came from.  A value is shaped to pass the field's own
pattern and length, so the county still validates and builds.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stdnum.cn import ric

from generator.schemas import STAR, FieldSpec, Registry, load_registry
from tests.factory import ENTERPRISE, PROJECT
from tests.portal_factory import portal_records

Records = dict[str, dict[str, Any]]

SURNAMES = ["欧阳", "司徒", "上官", "诸葛", "皇甫", "尉迟", "公孙", "慕容", "令狐", "端木"]
GIVEN = "翠霞凤鸾琼瑶璇玑瑛琦"
SSH_BODY = "AAAAC3NzaC1lZDI1NTE5AAAAIE0b3Ikw7pQk1cX0mB9d3E0fJ2w8K9nQeZ5yWcXr1mTq"


@dataclass(frozen=True)
class Canary:
    index: int
    field: str  # kind:pattern, e.g. "enterprise:contact/phone"
    id_number: str
    phone: str
    email: str
    name: str
    token: str

    def values(self) -> list[str]:
        """What must never appear on the site (each checked on its own)."""
        return [self.id_number, self.phone, self.email, self.name, self.token]

    def text(self, limit: int) -> str:
        """As many of the canaries as fit in ``limit`` characters, in free text."""
        out = ""
        for piece in (
            self.name,
            f" 身份证{self.id_number}",
            f" 电话{self.phone}",
            f" {self.email}",
            f" {self.token}",
        ):
            if len(out) + len(piece) <= limit:
                out += piece
        return out


def make_canary(index: int, field: str) -> Canary:
    body = f"110101199003{index % 28 + 1:02d}{index % 1000:03d}"  # region, 1990-03-DD, sequence
    name = SURNAMES[index % 10] + GIVEN[(index // 10) % 10] + GIVEN[(index // 100 + index) % 10]
    return Canary(
        index=index,
        field=field,
        id_number=body + ric.calc_check_digit(body + "0"),
        phone=f"1376{index:07d}",
        email=f"canary{index}@leak.example.org",
        name=name,
        token=f"cnry{index:04d}tok",
    )


def _value_schema(spec: FieldSpec) -> dict[str, Any] | None:
    """The schema of the text a field holds (its items, for a list), or None if not text."""
    schema = spec.schema
    types = schema.get("type")
    if types == "array" and isinstance(schema.get("items"), dict):
        schema = schema["items"]
        types = schema.get("type")
    if not (types == "string" or (isinstance(types, list) and "string" in types)):
        return None
    if spec.ref or "enum" in schema or "const" in schema or schema.get("format") == "date":
        return None
    return schema


def internal_text_fields(registry: Registry) -> list[tuple[str, FieldSpec]]:
    """Every (kind, field) that is internal and holds text, in schema order."""
    return [
        (kind, spec)
        for kind, schema in sorted(registry.kinds.items())
        for spec in schema.fields.values()
        if not spec.public and _value_schema(spec) is not None
    ]


def value_for(spec: FieldSpec, canary: Canary) -> str | None:
    """A value of the field's own shape carrying the canary, or None if none can."""
    schema = _value_schema(spec)
    assert schema is not None
    limit = int(schema.get("maxLength", 5000))
    if spec.pii == "id-number":
        return canary.id_number
    if spec.pii == "phone":
        return canary.phone
    if spec.pii == "email" or schema.get("format") == "email":
        return canary.email
    pattern = schema.get("pattern")
    if pattern is None:
        return canary.text(limit)
    candidates = [
        canary.token,
        f"records/evidence/canary/{canary.name}-{canary.id_number}-{canary.phone}-{canary.email}.jpg",
        f"ssh-ed25519 {SSH_BODY} {canary.text(limit - 100)}",
    ]
    for candidate in candidates:
        if len(candidate) <= limit and re.search(pattern, candidate):
            return candidate
    return None  # e.g. a sha256: no text fits


def scratch_records() -> Records:
    """The portal county, with every internal object filled in, so each field occurs."""
    records = copy.deepcopy(portal_records())
    ins = records["records/inspection/2025/INS-20251010-001.yaml"]
    ins["checklist"] = [{"item": "安全出口是否畅通", "result": "不符合", "note": "堆放杂物"}]
    ins["signature"] = {**ins["signature"], "note": "当场签收"}
    ins["evidence"] = [{"path": "records/evidence/x.jpg", "sha256": "0" * 64, "caption": "现场"}]
    hazard = records["records/hazard/2025/HAZ-20251010-001.yaml"]
    hazard["five_fixed"] = {
        "responsible_person": "陈建国",
        "measures": "清理杂物",
        "interim_measures": "设置警示",
        "funds": 1000,
        "deadline": "2025-10-17",
        "emergency_plan": "按预案疏散",
        "acceptance_standard": "通道畅通",
        "acceptor": "王军",
    }
    for event in hazard["events"]:
        for evidence in event.get("evidence", []):
            evidence["caption"] = "整改照片"
    staff = records["records/staff/STAFF-0003.yaml"]
    staff["git"] = {
        "emails": ["zhaogang@qc.example.gov.cn"],
        "signing_keys": [f"ssh-ed25519 {SSH_BODY} zhaogang@qc"],
        "username": "zhaogang-qc",
    }
    for record in records.values():
        if str(record.get("id", "")).startswith("PEN-"):
            record["case_no"] = "青应急立〔2026〕1号"
    records[f"records/self-report/SR-{ENTERPRISE}-202610.yaml"] = {
        "id": f"SR-{ENTERPRISE}-202610",
        "enterprise": ENTERPRISE,
        "month": "2026-10",
        "submitted_on": "2026-11-03",
        "signed_by": "陈建国",
        "hazards_found": 0,
        "hazards_fixed": 0,
        "note": "本月无新增隐患",
    }
    return records


def _slots(data: Any, pattern: tuple[str, ...]) -> Iterator[tuple[Any, str | int]]:
    """(container, key) of every value at ``pattern`` in one record."""
    head, rest = pattern[0], pattern[1:]
    if head == STAR:
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from ((data, i),) if not rest else _slots(item, rest)
        return
    if isinstance(data, dict) and head in data:
        yield from ((data, head),) if not rest else _slots(data[head], rest)


@dataclass
class Planted:
    records: Records
    raw: dict[str, bytes]  # evidence files whose paths carry canaries
    canaries: list[Canary]
    unplanted: list[str]  # internal text fields no record of the county holds
    untextable: list[str]  # internal text fields whose pattern admits no canary


def plant(registry: Registry | None = None) -> Planted:
    registry = registry or load_registry(PROJECT)
    records = scratch_records()
    canaries: list[Canary] = []
    unplanted: list[str] = []
    untextable: list[str] = []
    for index, (kind, spec) in enumerate(internal_text_fields(registry), start=1):
        name = f"{kind}:{'/'.join(spec.pattern)}"
        canary = make_canary(index, name)
        value = value_for(spec, canary)
        if value is None:
            untextable.append(name)
            continue
        hits = 0
        for rel, record in records.items():
            if not rel.startswith(f"records/{kind}/"):
                continue
            for container, key in _slots(record, spec.pattern):
                is_list = spec.schema.get("type") == "array"
                container[key] = [value] if is_list else value  # type: ignore[index]
                hits += 1
        if hits:
            canaries.append(canary)
        else:
            unplanted.append(name)
    raw = _evidence_files(records)
    return Planted(records, raw, canaries, unplanted, untextable)


def _evidence_files(records: Records) -> dict[str, bytes]:
    """Write a file for every evidence reference and make its hash match."""
    raw: dict[str, bytes] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            path = value.get("path")
            if isinstance(path, str) and path.startswith("records/evidence/") and "sha256" in value:
                content = f"evidence file {path}".encode()
                raw[path] = content
                value["sha256"] = hashlib.sha256(content).hexdigest()
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for record in records.values():
        walk(record)
    return raw


def site_texts(site: Path) -> dict[str, str]:
    """Every file under ``site`` as text: gzip (Pagefind fragments, sitemap.xml.gz) unpacked."""
    import gzip

    out: dict[str, str] = {}
    for file in sorted(site.rglob("*")):
        if not file.is_file():
            continue
        raw = file.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8", errors="replace")
        out[file.relative_to(site).as_posix()] = text.replace("\u200b", "")
    return out

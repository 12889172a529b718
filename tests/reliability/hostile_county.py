"""A scratch county with one hostile payload per slot, in every public text field it fits.

Slot *i* is a department, an enterprise, an inspection, a hazard, a penalty and
a complaint, each carrying payload *i* in every public free-text field whose
``maxLength`` admits it (the fields come from the schemas; a payload longer
than a field is refused there by the schema, which is counted).  The first
``TOWNS`` short payloads of a batch also become towns (the policy lists them).
Values the validation still refuses (a rule, not the length) are put back to a
plain value and counted as refused.
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from stdnum.cn import uscc

from generator.schemas import Registry, load_registry
from generator.validate import validate_repository
from tests.factory import PROJECT, base_records, make_repo
from tests.portal_factory import AS_OF
from tests.reliability.payloads import Payload

Records = dict[str, dict[str, Any]]
TOWNS = 40  # hostile town names per batch (each is a directory page, listed on every one)
FIRST_DAY = dt.date(2026, 1, 5)

# public free-text fields each slot fills: (kind, pointer inside the record)
TEXT_FIELDS: list[tuple[str, tuple[str | int, ...]]] = [
    ("department", ("name",)),
    ("department", ("short_name",)),
    ("enterprise", ("name",)),
    ("enterprise", ("address",)),
    ("enterprise", ("legal_representative",)),  # masked: 张** style
    ("enterprise", ("licences", 0, "name")),
    ("enterprise", ("licences", 0, "number")),
    ("inspection", ("summary",)),
    ("inspection", ("documents", 0, "number")),
    ("hazard", ("description",)),
    ("hazard", ("location",)),
    ("hazard", ("basis",)),
    ("hazard", ("measures",)),
    ("hazard", ("events", 0, "note")),
    ("penalty", ("document_no",)),
    ("penalty", ("violation",)),
    ("penalty", ("basis",)),
    ("complaint", ("subject",)),
    ("complaint", ("result_note",)),
]


@dataclass
class Slot:
    index: int
    payload: Payload
    enterprise: str
    paths: dict[str, str] = field(default_factory=dict)  # kind → record path
    placed: list[str] = field(default_factory=list)  # "kind:field" holding the payload
    too_long: list[str] = field(default_factory=list)  # refused by maxLength
    refused: list[str] = field(default_factory=list)  # refused by another check
    town: bool = False

    def holds(self, kind: str, name: str) -> bool:
        return f"{kind}:{name}" in self.placed


@dataclass
class County:
    root: Path
    slots: list[Slot]
    towns: list[str]


def credit_code(index: int) -> str:
    body = f"91330100MB{index:07d}"
    return body + uscc.calc_check_digit(body)


def _limit(registry: Registry, kind: str, pointer: tuple[str | int, ...]) -> int:
    pattern = tuple("*" if isinstance(p, int) else p for p in pointer)
    spec = registry[kind].field_at(pattern)
    assert spec is not None and spec.public, (kind, pointer)
    return int(spec.schema.get("maxLength", 10_000))


def _set(record: dict[str, Any], pointer: tuple[str | int, ...], value: str) -> None:
    node: Any = record
    for part in pointer[:-1]:
        node = node[part]
    node[pointer[-1]] = value


def _slot_records(slot: Slot, day: dt.date, seq: int) -> Records:
    i, ent = slot.index, slot.enterprise
    stamp, date = day.strftime("%Y%m%d"), day.isoformat()
    later = (day + dt.timedelta(days=20)).isoformat()
    dept = f"DEPT-P{i:05d}"
    records: Records = {
        f"records/department/{dept}.yaml": {
            "id": dept,
            "name": f"第{i}号部门",
            "short_name": f"部门{i}",
            "kind": "参与部门",
        },
        f"records/enterprise/{ent}.yaml": {
            "id": ent,
            "name": f"载荷{i}号企业",
            "town": "城关镇",
            "address": "城关镇工业园区",
            "industry": "工贸",
            "scale": "小型",
            "legal_representative": "陈建国",
            "contact": {"name": "陈建国", "phone": "13900001234"},
            "licences": [{"name": "许可证", "number": f"许可{i}", "valid_until": "2028-01-01"}],
            "risk_color": "蓝",
            "supervision_class": "C",
            "status": "在营",
            "supervising_department": dept,
        },
        f"records/inspection/{day.year}/INS-{stamp}-{seq:03d}.yaml": {
            "id": f"INS-{stamp}-{seq:03d}",
            "kind": "部门专项检查",
            "date": date,
            "enterprises": [ent],
            "lead_department": dept,
            "inspectors": ["STAFF-0001", "STAFF-0002"],
            "summary": "例行检查。",
            "documents": [{"type": "现场检查记录", "number": f"记录{i}", "date": date}],
            "signature": {"signed_by": "陈建国", "refused": False},
        },
        f"records/hazard/{day.year}/HAZ-{stamp}-{seq:03d}.yaml": {
            "id": f"HAZ-{stamp}-{seq:03d}",
            "enterprise": ent,
            "inspection": f"INS-{stamp}-{seq:03d}",
            "source": "监督检查",
            "found_on": date,
            "class": "一般",
            "level": "三级",
            "category": "消防安全",
            "description": "安全出口堵塞。",
            "location": "仓库",
            "basis": "消防法",
            "measures": "清理通道",
            "department": dept,
            "deadline": (day + dt.timedelta(days=7)).isoformat(),
            "events": [
                {"date": (day + dt.timedelta(days=1)).isoformat(), "type": "开始整改", "note": "-"}
            ],
        },
        f"records/penalty/{day.year}/PEN-{stamp}-{seq:03d}.yaml": {
            "id": f"PEN-{stamp}-{seq:03d}",
            "enterprise": ent,
            "inspection": f"INS-{stamp}-{seq:03d}",
            "document_no": f"青应急罚〔2026〕{i}号",
            "decided_on": later,
            "violation": "未及时消除事故隐患。",
            "basis": "《中华人民共和国安全生产法》第一百零二条",
            "measures": ["罚款"],
            "fine": 10000,
            "department": dept,
            "publish": {"from": later, "until": "2027-12-31"},
        },
        f"records/complaint/CMP-{stamp}-{seq:03d}.yaml": {
            "id": f"CMP-{stamp}-{seq:03d}",
            "kind": "隐患举报",
            "received_on": date,
            "channel": "网络",
            "subject": "反映安全出口堵塞",
            "enterprise": ent,
            "department": dept,
            "checked_on": date,
            "answered_on": (day + dt.timedelta(days=5)).isoformat(),
            "outcome": "属实",
            "result_note": "已责令整改。",
        },
    }
    slot.paths = {rel.split("/")[1]: rel for rel in records}
    return records


def _place(slot: Slot, records: Records, registry: Registry) -> None:
    text = slot.payload.text
    for kind, pointer in TEXT_FIELDS:
        name = "/".join(str(p) for p in pointer)
        if len(text) > _limit(registry, kind, pointer):
            slot.too_long.append(f"{kind}:{name}")
            continue
        _set(records[slot.paths[kind]], pointer, text)
        slot.placed.append(f"{kind}:{name}")


def make_county(root: Path, payloads: list[Payload], start: int = 0) -> County:
    """Write and validate the county of ``payloads`` (slots numbered from ``start``)."""
    registry = load_registry(PROJECT)
    records: Records = copy.deepcopy(base_records())
    defaults: Records = {}
    slots: list[Slot] = []
    towns: list[str] = []
    for offset, payload in enumerate(payloads):
        index = start + offset
        slot = Slot(index, payload, credit_code(index))
        mine = _slot_records(slot, FIRST_DAY + dt.timedelta(days=index // 900), index % 900 + 1)
        defaults.update(copy.deepcopy(mine))
        _place(slot, mine, registry)
        text = payload.text
        if len(towns) < TOWNS and len(text) <= 50 and text.strip() == text and text not in towns:
            towns.append(text)
            mine[slot.paths["enterprise"]]["town"] = text
            slot.town = True
            slot.placed.append("enterprise:town")
        records.update(mine)
        slots.append(slot)
    make_repo(root, records)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    policy = yaml.safe_load((root / "policy.yaml").read_text(encoding="utf-8"))
    policy["towns"] = [*policy["towns"], *towns]
    (root / "policy.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), "utf-8")
    _settle(root, slots, defaults)
    return County(root, slots, towns)


def _names(placed: str, kind: str, pointer: str) -> bool:
    """Whether a problem at ``pointer`` of a ``kind`` record is about the placed field."""
    where, name = placed.split(":", 1)
    if where != kind:
        return False
    if kind == "enterprise" and name == "town":
        return pointer == "town"
    return pointer == name or pointer.startswith(name + "/") or name.startswith(pointer + "/")


def _settle(root: Path, slots: list[Slot], defaults: Records) -> None:
    """Put back the plain value wherever validation refuses a placed payload."""
    from generator.dump import dump_record
    from generator.load import Document, parse_document

    by_path = {rel: slot for slot in slots for rel in slot.paths.values()}
    for _ in range(3):
        report = validate_repository(root, as_of=AS_OF, jobs=2).report
        errors = [p for p in report.errors if p.path in by_path]
        other = [p for p in report.errors if p.path not in by_path]
        assert other == [], [(p.path, p.code, p.message_zh) for p in other[:5]]
        if not errors:
            return
        for problem in errors:
            slot, rel = by_path[problem.path], problem.path
            kind = rel.split("/")[1]
            parsed = parse_document((root / rel).read_bytes(), rel)
            record = parsed.data if isinstance(parsed, Document) else copy.deepcopy(defaults[rel])
            wrong = [n for n in slot.placed if _names(n, kind, problem.pointer)]
            assert wrong, (rel, problem.code, problem.pointer, problem.message_zh)
            for name in wrong:
                pointer = tuple(
                    int(p) if p.isdigit() else p for p in name.split(":", 1)[1].split("/")
                )
                plain: Any = defaults[rel]
                for part in pointer:
                    plain = plain[part]
                _set(record, pointer, plain)
                slot.placed.remove(name)
                slot.refused.append(f"{name} ({problem.code})")
            (root / rel).write_text(dump_record(record), encoding="utf-8")
    raise AssertionError("validation still refuses the county after three rounds")

"""Open data: every public table as CSV and JSON, described by a Frictionless Data Package.

Columns come from the schemas (the top-level public properties, with their
Chinese titles and descriptions), plus a few derived columns marked as such.
Nested values (lists, objects) are JSON text in CSV cells (Table Schema types
``array`` and ``object``).  Written by hand per the Data Package v1 spec.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.render.model import Portal, Row
from generator.schemas import FieldSpec, KindSchema

DATA_DIR = "data"


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    description: str
    type: str
    enum: tuple[str, ...] = ()
    required: bool = False
    derived: bool = False


@dataclass
class Table:
    name: str
    kind: str
    title: str
    description: str
    columns: list[Column]
    rows: list[Row]
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)
    csv_bytes: int = 0
    json_bytes: int = 0


def _type_of(spec: FieldSpec) -> str:
    kind = spec.schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "string" and spec.schema.get("format") == "date":
        return "date"
    return {
        "integer": "integer",
        "number": "number",
        "boolean": "boolean",
        "array": "array",
        "object": "object",
    }.get(str(kind), "string")


def schema_columns(kind: KindSchema) -> list[Column]:
    required = set(kind.schema.get("required") or [])
    return [
        Column(
            name=spec.pattern[0],
            title=spec.title,
            description=spec.description,
            type=_type_of(spec),
            enum=tuple(str(v) for v in spec.schema.get("enum") or ()),
            required=spec.pattern[0] in required,
        )
        for pattern, spec in kind.fields.items()
        if len(pattern) == 1 and spec.public
    ]


HAZARD_DERIVED = [
    Column(
        "state",
        "整改状态",
        "按整改过程事件推算的当前状态（截至数据日期）。",
        "string",
        derived=True,
    ),
    Column("closed_on", "销号日期", "最近一次有效销号的日期；未销号为空。", "date", derived=True),
    Column("overdue", "是否逾期", "截至数据日期已过整改期限仍未销号。", "boolean", derived=True),
]


def _tables(portal: Portal) -> list[Table]:
    reg = portal.registry
    specs: list[tuple[str, str, list[Row], list[Column], Callable[[Row], Row]]] = []

    def plain(row: Row) -> Row:
        return row

    def hazard_extra(row: Row) -> Row:
        fact = portal.facts[str(row["id"])]
        closed = fact.closed_on.isoformat() if fact.closed_on else None
        return {**row, "state": fact.state, "closed_on": closed, "overdue": fact.overdue}

    specs.append(("enterprises", "enterprise", portal.enterprises, [], plain))
    specs.append(
        (
            "departments",
            "department",
            sorted(portal.departments.values(), key=lambda r: str(r["id"])),
            [],
            plain,
        )
    )
    specs.append(
        ("staff", "staff", sorted(portal.staff.values(), key=lambda r: str(r["id"])), [], plain)
    )
    specs.append(("inspections", "inspection", portal.inspections, [], plain))
    specs.append(("hazards", "hazard", portal.hazards, HAZARD_DERIVED, hazard_extra))
    specs.append(("penalties", "penalty", portal.penalties, [], plain))
    specs.append(("self-reports", "self-report", portal.self_reports, [], plain))
    specs.append(("complaints", "complaint", portal.complaints, [], plain))
    names = {kind: name for name, kind, *_ in specs}
    tables = []
    for name, kind, rows, derived, extend in specs:
        if kind not in reg:
            continue
        schema = reg[kind]
        columns = schema_columns(schema) + derived
        fks = [
            (spec.pattern[0], names[spec.ref])
            for spec in schema.fields.values()
            if len(spec.pattern) == 1
            and spec.public
            and spec.ref in names
            and _type_of(spec) == "string"
        ]
        tables.append(
            Table(
                name,
                kind,
                schema.title,
                schema.schema.get("description", ""),
                columns,
                [extend(r) for r in rows],
                fks,
            )
        )
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=False)
    return str(value)


def json_text(value: Any, *, indent: int | None = 1) -> str:
    """JSON with ``<``, ``>`` and ``&`` escaped, inert even if served as HTML."""
    text = json.dumps(
        value, ensure_ascii=False, indent=indent, separators=(",", ":") if indent is None else None
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_rows(rows: list[Row]) -> str:
    """A JSON array with one compact record per line: small, and diffs line by line."""
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(json_text(row, indent=None) for row in rows) + "\n]"


def write_table(table: Table, folder: Path) -> None:
    names = [c.name for c in table.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in table.rows:
        writer.writerow([_cell(row.get(n)) for n in names])
    csv_data = buffer.getvalue().encode("utf-8")
    (folder / f"{table.name}.csv").write_bytes(csv_data)
    rows = [{n: row[n] for n in names if row.get(n) is not None} for row in table.rows]
    json_data = (json_rows(rows) + "\n").encode("utf-8")
    (folder / f"{table.name}.json").write_bytes(json_data)
    table.csv_bytes, table.json_bytes = len(csv_data), len(json_data)


def _field(column: Column) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": column.name,
        "title": column.title,
        "description": column.description,
        "type": column.type,
    }
    if column.type == "date":
        out["format"] = "default"
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.enum:
        constraints["enum"] = list(column.enum)
    if constraints:
        out["constraints"] = constraints
    return out


def datapackage(portal: Portal, tables: list[Table]) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []
    for t in tables:
        schema: dict[str, Any] = {
            "fields": [_field(c) for c in t.columns],
            "missingValues": [""],
            "primaryKey": ["id"],
        }
        if t.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": f, "reference": {"resource": r, "fields": "id"}}
                for f, r in t.foreign_keys
            ]
        resources.append(
            {
                "name": t.name,
                "path": f"{t.name}.csv",
                "profile": "tabular-data-resource",
                "title": t.title,
                "description": t.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": t.csv_bytes,
                "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                "schema": schema,
            }
        )
        resources.append(
            {
                "name": f"{t.name}-json",
                "path": f"{t.name}.json",
                "profile": "data-resource",
                "title": f"{t.title}（JSON）",
                "description": f"{t.title}：与 {t.name}.csv 相同的记录，嵌套字段保持原结构。",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "bytes": t.json_bytes,
            }
        )
    county = portal.county
    return {
        "profile": "data-package",
        "name": "anjian-public-records",
        "title": f"{county}安全生产监管公开数据" if county else "安全生产监管公开数据",
        "description": (
            "安全生产监督检查、隐患排查治理、行政处罚等公开信息。只包含模式中标注为公开的字段，"
            f"人员姓名已打码；数据截至 {portal.as_of.isoformat()}。"
        ),
        "created": f"{portal.as_of.isoformat()}T00:00:00Z",
        "keywords": ["安全生产", "监督检查", "隐患", "行政处罚"],
        "resources": resources,
    }


def write_open_data(portal: Portal, folder: Path) -> list[Table]:
    """Write CSV, JSON and datapackage.json into ``folder``; return the tables."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = _tables(portal)
    for table in tables:
        write_table(table, folder)
    package = datapackage(portal, tables)
    (folder / "datapackage.json").write_text(json_text(package) + "\n", encoding="utf-8")
    return tables

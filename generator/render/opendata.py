"""Open data: every public table as CSV and JSON, described by a Frictionless Data Package.

Columns come from the schemas (the top-level public properties, with their
Chinese titles and descriptions), plus a few derived columns marked as such.
Nested values (lists, objects) are JSON text in CSV cells (Table Schema types
``array`` and ``object``).  Written by hand per the Data Package v1 spec.
"""

from __future__ import annotations

import copy
import csv
import functools
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, overload

from generator import forked
from generator.derive.blacklist import FIELDS as BLACKLIST_FIELDS
from generator.derive.blacklist import write_blacklist_data
from generator.derive.blacklist.opendata import CSV_ENCODING as BLACKLIST_ENCODING
from generator.derive.blacklist.public import LIST_SEPARATOR, entry_row
from generator.render.model import Portal, Row, ledger_row
from generator.render.rowsplice import Frame, RowIndex, Written, row_digest, write_rows
from generator.schemas import FieldSpec, KindSchema

if TYPE_CHECKING:
    from generator.render.cache import SiteCache

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


class MappedRows(Sequence[Row]):
    """``[extend(r) for r in rows]``, made one row at a time when read (no second copy of a ledger)."""

    def __init__(self, rows: Sequence[Row], extend: Callable[[Row], Row]) -> None:
        self._rows, self._extend = rows, extend

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self._extend(r) for r in self._rows[index]]
        return self._extend(self._rows[index])

    def __iter__(self) -> Iterator[Row]:
        return map(self._extend, self._rows)


@dataclass
class Table:
    name: str
    kind: str
    title: str
    description: str
    columns: list[Column]
    rows: Sequence[Row]
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)
    csv_bytes: int = 0
    json_bytes: int = 0
    primary_key: str = "id"
    encoding: str = "utf-8"
    total: int = field(init=False)  # rows: still known once they are let go (``without_rows``)

    def __post_init__(self) -> None:
        self.total = len(self.rows)

    def without_rows(self) -> Table:
        """The table as the pages need it once its files are written: all but its rows."""
        bare = copy.copy(self)
        bare.rows = ()
        return bare


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


BLACKLIST = "blacklist"
BLACKLIST_NOTES = {
    "rule": "认定规则在策略文件中的编号，规则及其依据见方法说明。",
    "decision": "列入决定的记录编号。",
    "evidence_records": "认定所依据的检查、隐患、处罚等记录的编号。",
}


def blacklist_table(portal: Portal) -> Table:
    """严重失信主体名单: entries listed on the as-of date only, written by ``write_blacklist_data``.

    Lists are joined with "；" in the CSV (arrays in the JSON), so the CSV
    declares them as strings; the CSV starts with a byte-order mark (Excel).
    """
    columns = []
    for name, title, kind in BLACKLIST_FIELDS:
        note = BLACKLIST_NOTES.get(name, "")
        if kind == "array":
            kind = "string"
            note = f"{note}多项以“{LIST_SEPARATOR}”分隔（JSON 文件中为数组）。"
        columns.append(
            Column(
                name, title, note or f"{title}。", kind, required=name in {"enterprise", "decision"}
            )
        )
    return Table(
        BLACKLIST,
        "decision",
        "安全生产严重失信主体名单",
        f"截至 {portal.as_of.isoformat()} 处于公示期的严重失信主体：待定（告知后陈述申辩期内）、"
        "已撤销、已到期、已移出和已信用修复的均不在此表。",
        columns,
        [entry_row(e) for e in portal.blacklist],
        [("enterprise", "enterprises")],
        primary_key="decision",
        encoding=BLACKLIST_ENCODING,
    )


def _tables(portal: Portal) -> list[Table]:
    reg = portal.registry
    specs: list[tuple[str, str, list[Row], list[Column], Callable[[Row], Row]]] = []

    def plain(row: Row) -> Row:
        return row

    def hazard_extra(row: Row) -> Row:
        return ledger_row("hazard", row, portal.facts[str(row["id"])])

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
                rows if extend is plain else MappedRows(rows, extend),
                fks,
            )
        )
    if "enterprise" in reg:
        tables.append(blacklist_table(portal))
    return tables


# the encoders ``json.dumps`` would make anew for every cell and row of a city's tables
_CELL = json.JSONEncoder(ensure_ascii=False)
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return _CELL.encode(value)
    return str(value)


def json_text(value: Any, *, indent: int | None = 1) -> str:
    """JSON with ``<``, ``>`` and ``&`` escaped, inert even if served as HTML."""
    text = (
        _COMPACT.encode(value)
        if indent is None
        else json.dumps(value, ensure_ascii=False, indent=indent)
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def json_rows(rows: list[Row]) -> str:
    """A JSON array with one compact record per line: small, and diffs line by line."""
    if not rows:
        return "[]"
    return "[\n" + ",\n".join(json_text(row, indent=None) for row in rows) + "\n]"


@functools.cache
def _code() -> bytes:
    """This module and the splicing one: the code a row's bytes come from."""
    here = Path(__file__).resolve().parent
    return b"".join((here / name).read_bytes() for name in ("opendata.py", "rowsplice.py"))


def row_context(table: Table, suffix: str) -> str:
    """What a row's text in ``<name>.<suffix>`` depends on, besides its values."""
    digest = hashlib.sha256(_code())
    digest.update("\0".join([suffix, *(c.name for c in table.columns)]).encode("utf-8"))
    return digest.hexdigest()


def _csv_line(names: list[str]) -> Callable[[Row], bytes]:
    lines: list[str] = []
    writer = csv.writer(SimpleNamespace(write=lines.append), lineterminator="\r\n")

    def encode(row: Row) -> bytes:
        writer.writerow([_cell(row.get(n)) for n in names])
        return lines.pop().encode("utf-8")

    return encode


def _json_line(names: list[str]) -> Callable[[Row], bytes]:
    def encode(row: Row) -> bytes:
        values = {n: row[n] for n in names if row.get(n) is not None}
        return json_text(values, indent=None).encode("utf-8")

    return encode


def write_csv(
    table: Table,
    folder: Path,
    digests: bytes | None = None,
    previous: tuple[Path, RowIndex] | None = None,
) -> Written:
    """``<name>.csv``: a header line, then one line a row (the rows ``previous`` holds
    copied from it)."""
    names = [c.name for c in table.columns]
    head = _csv_line(names)({n: n for n in names})
    frame = Frame(head, b"", b"", head)
    encode = _csv_line(names)
    context = row_context(table, "csv")
    return write_rows(
        folder / f"{table.name}.csv", table.rows, digests, encode, frame, context, previous
    )


JSON_FRAME = Frame(b"[\n", b",\n", b"\n]\n", b"[]\n")


def write_json(
    table: Table,
    folder: Path,
    digests: bytes | None = None,
    previous: tuple[Path, RowIndex] | None = None,
) -> Written:
    """``<name>.json``: one compact record a line (the rows ``previous`` holds copied
    from it)."""
    encode = _json_line([c.name for c in table.columns])
    context = row_context(table, "json")
    return write_rows(
        folder / f"{table.name}.json", table.rows, digests, encode, JSON_FRAME, context, previous
    )


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
            "primaryKey": [t.primary_key],
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
                "encoding": t.encoding,
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
        "keywords": ["安全生产", "监督检查", "隐患", "行政处罚", "严重失信主体名单"],
        "resources": resources,
    }


def row_count(portal: Portal) -> int:
    """About how many rows the open data files have (the records they come from)."""
    kinds = (portal.enterprises, portal.inspections, portal.hazards, portal.penalties)
    return sum(map(len, kinds)) + len(portal.self_reports) + len(portal.complaints)


# from this many rows on, a forked child writes the CSV files while the build writes the
# JSON ones (a city's tables are half a million rows: about 7 s each on one core)
FORK_ROWS = 20_000


def _row_digests(table: Table, known: dict[str, bytes]) -> bytes | None:
    """The digests of the table's rows, one after the other: those the portal worked out
    (``known``, by id: a rebuild's, kept from the last build) as they are; None when a
    row has no stable form."""
    rows = table.rows
    plain = rows._rows if isinstance(rows, MappedRows) else rows
    try:
        return b"".join(
            known.get(str(row.get("id"))) or row_digest(rows[n]) for n, row in enumerate(plain)
        )
    except ValueError:
        return None


def write_open_data(portal: Portal, folder: Path, cache: SiteCache | None = None) -> list[Table]:
    """Write CSV, JSON and datapackage.json into ``folder``; return the tables.  With the
    ``cache`` of the last build, a file whose rows are all unchanged is taken from the
    published site, and one with rows changed copies the others from it."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = _tables(portal)
    ledgers = [t for t in tables if t.name != BLACKLIST]
    # per format, the files to write: (table, its rows' digests, the file's cache key)
    todo: dict[str, list[tuple[Table, bytes | None, str | None]]] = {"csv": [], "json": []}
    for table in ledgers:
        digests = _row_digests(table, portal.digests.get(table.kind, {}))
        for suffix, files in todo.items():
            rel, target = f"{DATA_DIR}/{table.name}.{suffix}", folder / f"{table.name}.{suffix}"
            key = _file_key(table, suffix, digests)
            if cache is not None and key is not None and cache.reuse_page(rel, key, target):
                continue
            files.append((table, digests, key))

    def write(suffix: str, writer: Callable[..., Written]) -> list[Written]:
        def previous(table: Table) -> tuple[Path, RowIndex] | None:
            return cache.previous_rows(f"{DATA_DIR}/{table.name}.{suffix}") if cache else None

        return [writer(t, folder, d, previous(t)) for t, d, _ in todo[suffix]]

    rows = sum(len(t.rows) for t, _, _ in todo["csv"])
    fork = rows >= FORK_ROWS and forked.room_for_a_child()
    csvs = forked.start(lambda: write("csv", write_csv), fork=fork)
    try:
        jsons = write("json", write_json)
        written = {"csv": csvs.result(), "json": jsons}
    finally:
        csvs.cancel()
    for suffix, files in todo.items():
        for (table, _, key), done in zip(files, written[suffix], strict=True):
            if cache is not None and key is not None:
                cache.record_rows(f"{DATA_DIR}/{table.name}.{suffix}", key, done)
    for table in ledgers:
        table.csv_bytes = (folder / f"{table.name}.csv").stat().st_size
        table.json_bytes = (folder / f"{table.name}.json").stat().st_size
    for table in tables:
        if table.name == BLACKLIST:
            json_file, csv_file = write_blacklist_data(table.rows, folder)
            table.csv_bytes, table.json_bytes = csv_file.stat().st_size, json_file.stat().st_size
    package = datapackage(portal, tables)
    (folder / "datapackage.json").write_text(json_text(package) + "\n", encoding="utf-8")
    return tables


def _file_key(table: Table, suffix: str, digests: bytes | None) -> str | None:
    """The cache key of ``<name>.<suffix>``: its rows' digests under their context."""
    if digests is None:
        return None
    return hashlib.sha256(row_context(table, suffix).encode("ascii") + digests).hexdigest()

"""Schema validation of records, with located Chinese messages.

Valid records (nearly all of them) take the fast path through jsonschema-rs;
only a record that fails is validated again with python-jsonschema, whose
structured errors become problems pointing at the right line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import jsonschema_rs

from generator.load import pointer_text
from generator.problems import Code, Problem, make, register
from generator.records import Record
from generator.schemas import KindSchema, Registry

UNKNOWN_KIND = register(
    "unknown-kind",
    "未知的记录类别",
    "unknown record kind",
    "记录必须放在 records/<类别>/ 下，类别是 schemas/ 中某个模式的名字，例如 records/hazard/。",
)
MISSING_FIELD = register(
    "missing-field", "缺少必填字段", "required field missing", "补上该字段；字段含义见数据字典。"
)
UNKNOWN_FIELD = register(
    "unknown-field",
    "未知字段",
    "unknown field",
    "删除该字段，或改成模式中已有的字段名（注意拼写）。",
)
BAD_ENUM = register(
    "bad-enum", "取值不在可选范围内", "value not allowed", "从提示列出的可选值中选一个，原样填写。"
)
WRONG_TYPE = register(
    "wrong-type",
    "类型不对",
    "wrong type",
    "按字段说明填写文字、数字、列表或映射；YAML 会把 no、yes、on、010、1:20 这类文字读成别的类型，请加引号。",
)
BAD_DATE = register(
    "bad-date",
    "日期无效",
    "invalid date",
    "日期写成 YYYY-MM-DD，且必须是日历上存在的日子，例如 2026-02-28。",
)
BAD_FORMAT = register("bad-format", "格式不对", "wrong format", "按字段说明的格式填写。")
OUT_OF_RANGE = register(
    "out-of-range",
    "长度或数值超出范围",
    "length or value out of range",
    "按字段说明调整长度、数量或数值。",
)
SCHEMA_VIOLATION = register(
    "schema-violation", "不符合模式", "does not match the schema", "按字段说明修改。"
)

_TYPE_ZH = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否（true/false）",
    "array": "列表",
    "object": "映射（字段: 值）",
    "null": "空值",
}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


@dataclass
class SchemaChecker:
    """Compiled validators for every kind, built once per run."""

    registry: Registry
    _fast: dict[str, Any] = field(default_factory=dict)
    _slow: dict[str, jsonschema.Draft202012Validator] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind, spec in self.registry.kinds.items():
            self._fast[kind] = jsonschema_rs.validator_for(spec.schema, validate_formats=True)

    def _slow_validator(self, kind: str) -> jsonschema.Draft202012Validator:
        if kind not in self._slow:
            self._slow[kind] = jsonschema.Draft202012Validator(
                self.registry[kind].schema, format_checker=jsonschema.FormatChecker()
            )
        return self._slow[kind]

    def check(self, record: Record) -> list[Problem]:
        if record.kind not in self.registry:
            known = "、".join(sorted(self.registry.kinds))
            return [
                make(
                    UNKNOWN_KIND,
                    record.path,
                    f"“{record.kind}”不是记录类别；可用的类别：{known}",
                    f"{record.kind!r} is not a record kind; known kinds: {', '.join(sorted(self.registry.kinds))}",
                    record_id=record.id,
                )
            ]
        if self._fast[record.kind].is_valid(record.data):
            return []
        spec = self.registry[record.kind]
        errors = self._slow_validator(record.kind).iter_errors(record.data)
        problems = [p for error in errors for p in _problems_from_error(record, spec, error)]
        if not problems:  # the two validators disagree: never accept silently
            problems.append(
                make(
                    SCHEMA_VIOLATION,
                    record.path,
                    "记录不符合模式",
                    "record does not match the schema",
                    record_id=record.id,
                )
            )
        return problems


def _leaf_errors(error: jsonschema.ValidationError) -> Iterator[jsonschema.ValidationError]:
    if error.context and error.validator in ("anyOf", "oneOf"):
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None:
            yield from _leaf_errors(best)
            return
    yield error


def _problems_from_error(
    record: Record, spec: KindSchema, top: jsonschema.ValidationError
) -> Iterator[Problem]:
    for error in _leaf_errors(top):
        yield _problem(record, spec, error)


def _problem(record: Record, spec: KindSchema, error: jsonschema.ValidationError) -> Problem:
    pointer = tuple(error.absolute_path)
    validator = str(error.validator)
    value: Any = error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    title = spec.title_of(pointer) if pointer else spec.title
    code: Code = SCHEMA_VIOLATION
    zh = f"“{title}”不符合要求：{error.message}"
    en = error.message
    hint_zh = hint_en = ""
    at_key = False

    if validator == "required":
        missing = [name for name in expected if name not in (value or {})]
        name = missing[0] if missing else str(expected)
        field_pointer = (*pointer, name)
        code = MISSING_FIELD
        zh = f"缺少必填字段“{spec.title_of(field_pointer)}”（{name}）"
        en = f"required field {name!r} is missing"
        pointer_for_text = field_pointer
    elif validator in ("additionalProperties", "unevaluatedProperties"):
        allowed = sorted((schema.get("properties") or {}).keys())
        extras = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        name = extras[0] if extras else "?"
        code = UNKNOWN_FIELD
        guess = difflib.get_close_matches(name, allowed, n=1)
        zh = f"未知字段“{name}”"
        en = f"unknown field {name!r}"
        if guess:
            hint_zh, hint_en = f"是不是想写 `{guess[0]}`？", f"did you mean {guess[0]!r}?"
        pointer = (*pointer, name)
        pointer_for_text = pointer
        at_key = True
    else:
        pointer_for_text = pointer
        raw = record.doc.raw_scalars.get(pointer)
        if validator == "enum":
            code = BAD_ENUM
            options = "、".join(str(v) for v in expected)
            shown = raw if raw is not None else value
            zh = f"“{title}”的取值“{shown}”不在可选范围内；可选：{options}"
            en = f"{shown!r} is not one of {expected!r}"
            if isinstance(value, str):
                guess = difflib.get_close_matches(value, [str(v) for v in expected], n=1)
                if guess:
                    hint_zh, hint_en = f"是不是“{guess[0]}”？", f"did you mean {guess[0]!r}?"
            elif raw is not None:
                hint_zh, hint_en = (
                    f"YAML 把 {raw} 读成了{_TYPE_ZH[_type_name(value)]}，请加引号",
                    "quote it",
                )
        elif validator == "type":
            code = WRONG_TYPE
            expected = expected
            names = expected if isinstance(expected, list) else [expected]
            want = "或".join(_TYPE_ZH.get(str(n), str(n)) for n in names)
            got = _TYPE_ZH[_type_name(value)]
            zh = f"“{title}”应为{want}，实际是{got}"
            en = f"{title}: expected {expected}, got {_type_name(value)}"
            if raw is not None and "string" in names:
                hint_zh = f'YAML 把 {raw} 读成了{got}；如果是文字，请写成 "{raw}"'
                hint_en = f'YAML read {raw} as {_type_name(value)}; quote it: "{raw}"'
        elif validator == "format":
            fmt = str(expected)
            if fmt == "date":
                code = BAD_DATE
                zh = f"“{title}”的日期“{value}”无效（应为存在的日期，格式 YYYY-MM-DD）"
                en = f"{value!r} is not a valid date (YYYY-MM-DD)"
            else:
                code = BAD_FORMAT
                zh = f"“{title}”的格式不是 {fmt}：{value}"
                en = f"{value!r} is not a valid {fmt}"
        elif validator == "pattern":
            code = BAD_FORMAT
            shown = str(value)[:60]
            zh = f"“{title}”的值“{shown}”格式不对"
            en = f"{shown!r} does not match the expected format"
            if pointer == ("id",):
                hint_zh = f"编号格式见模式：{spec.schema.get('x-id-pattern', expected)}"
                hint_en = f"expected pattern {expected}"
        elif validator in (
            "minLength",
            "maxLength",
            "minItems",
            "maxItems",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "uniqueItems",
            "minProperties",
        ):
            code = OUT_OF_RANGE
            limits = {
                "minLength": ("字数至少为", "length at least"),
                "maxLength": ("字数至多为", "length at most"),
                "minItems": ("至少要有几项：", "at least items:"),
                "maxItems": ("至多几项：", "at most items:"),
                "minimum": ("不能小于", "minimum"),
                "maximum": ("不能大于", "maximum"),
                "exclusiveMinimum": ("必须大于", "greater than"),
                "exclusiveMaximum": ("必须小于", "less than"),
                "uniqueItems": ("各项不能重复", "items must be unique"),
                "minProperties": ("不能为空", "must not be empty"),
            }[validator]
            limit = "" if validator == "uniqueItems" else f" {expected}"
            zh = f"“{title}”{limits[0]}{limit}"
            en = f"{title}: {limits[1]}{limit}"
        elif validator == "const":
            code = BAD_ENUM
            zh = f"“{title}”必须是“{expected}”"
            en = f"{title} must be {expected!r}"

    where = record.locate(pointer, key=at_key)
    return make(
        code,
        record.path,
        zh,
        en,
        line=where[0] if where else None,
        column=where[1] if where else None,
        record_id=record.id,
        pointer=pointer_text(pointer_for_text),
        hint_zh=hint_zh,
        hint_en=hint_en,
    )

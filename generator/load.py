"""Strict YAML loading: one mapping per file, with a position for every value.

libyaml (``CSafeLoader``) composes the node graph; this module turns nodes into
plain values itself so that it can refuse what records never need and PyYAML
would quietly accept: duplicate keys, anchors and aliases (an alias bomb costs
nothing here because a repeated node is refused on first sight), tags outside
the plain core schema, several documents, a top level that is not a mapping.
Timestamps stay strings so that ``format: date`` decides what a date is.
Nesting depth is bounded *before* the text reaches libyaml, which crashes the
process on very deep input.  When positions are not wanted, a file in plain
block YAML (as records are written) is read faster by ``generator.blockyaml``,
to the same data; libyaml reads whatever that reader declines.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.blockyaml import SCALAR_BUILDERS, parse_block
from generator.problems import Problem, make, register

Pointer = tuple[str | int, ...]
Position = tuple[int, int]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40

FILE_TOO_LARGE = register(
    "file-too-large",
    "文件过大",
    "file too large",
    "一条记录不应超过 1 MB。照片、扫描件等证据请放在 records/evidence/ 下并按哈希引用。",
)
EMPTY_FILE = register(
    "empty-file", "空文件", "empty file", "文件中需要有一条记录（一个 YAML 映射）。"
)
INVALID_UTF8 = register(
    "invalid-utf8",
    "不是 UTF-8 编码",
    "not UTF-8",
    "请用 UTF-8 编码保存文件（编辑器“另存为”时选择 UTF-8），不要用 GBK。",
)
TAB_INDENT = register(
    "tab-indent",
    "用了制表符缩进",
    "tab indentation",
    "YAML 只能用空格缩进，请把 Tab 换成两个空格。",
)
TOO_DEEP = register(
    "too-deep", "嵌套过深", "nesting too deep", "记录的层级不应超过 40 层，请检查括号或缩进。"
)
YAML_SYNTAX = register(
    "yaml-syntax",
    "YAML 语法错误",
    "YAML syntax error",
    "按提示的行列检查冒号、缩进和引号；含冒号、井号的文字请加引号。",
)
MULTIPLE_DOCUMENTS = register(
    "multiple-documents",
    "一个文件有多条记录",
    "several documents in one file",
    "每个文件只放一条记录；删除多余的 `---` 分隔行，把其他记录放到各自的文件中。",
)
NOT_A_MAPPING = register(
    "not-a-mapping",
    "顶层不是映射",
    "top level is not a mapping",
    "记录应以 `id: …` 这样的“字段: 值”开头，而不是列表或单个值。",
)
DUPLICATE_KEY = register(
    "duplicate-key",
    "字段重复",
    "duplicate key",
    "同一层级的字段只能出现一次，请删除或合并重复的字段。",
)
ALIAS = register(
    "alias-not-allowed",
    "使用了锚点或别名",
    "anchor or alias used",
    "记录中不使用 `&锚点` 和 `*别名`，请把内容直接写出来。",
)
BAD_TAG = register(
    "tag-not-allowed",
    "使用了不允许的标签",
    "tag not allowed",
    "删除 `!标签`；记录只使用普通的文字、数字、日期、列表和映射。",
)
BAD_KEY = register(
    "bad-key", "字段名不是文字", "key is not text", "字段名必须是普通文字，例如 `found_on:`。"
)

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_STR = "tag:yaml.org,2002:str"


@dataclass(slots=True)
class Document:
    """A parsed YAML mapping with the position of every value and key."""

    data: dict[str, Any]
    positions: dict[Pointer, Position] = field(default_factory=dict)
    key_positions: dict[Pointer, Position] = field(default_factory=dict)
    # raw text of non-string scalars, for hints such as "quote `no`"
    raw_scalars: dict[Pointer, str] = field(default_factory=dict)

    def locate(self, pointer: Pointer, *, key: bool = False) -> Position | None:
        """Position of a value (or its key); falls back to the nearest ancestor."""
        table = self.key_positions if key else self.positions
        if pointer in table:
            return table[pointer]
        for cut in range(len(pointer) - 1, -1, -1):
            head = pointer[:cut]
            if head in self.key_positions and head:
                return self.key_positions[head]
            if head in self.positions:
                return self.positions[head]
        return None


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message_en)
        self.problem = problem


def pointer_text(pointer: Pointer) -> str:
    return "/".join(str(p) for p in pointer)


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


# a line led by more indentation and "- " / "? " / ": " markers than MAX_DEPTH allows: the
# first line, or one after a newline (a literal the engine finds at C speed; "^" with
# re.MULTILINE would be tried at every character)
_DEEP_FIRST = re.compile(rf"[ \t?:-]{{{MAX_DEPTH * 4 + 1}}}")
_DEEP_LEAD = re.compile(rf"\n[ \t?:-]{{{MAX_DEPTH * 4 + 1}}}")


def _prescan(text: str, path: str) -> Problem | None:
    """Refuse tab indentation and excessive nesting before libyaml sees the text."""
    # without tabs and brackets, all the loop below can find is a long indentation
    plain = "\t" not in text and "[" not in text and "{" not in text
    if plain and _DEEP_FIRST.match(text) is None and _DEEP_LEAD.search(text) is None:
        return None
    flow = 0
    max_flow = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" \t-?:")
        lead = line[: len(line) - len(stripped)]
        if "\t" in lead and stripped and not stripped.startswith("#"):
            column = lead.index("\t") + 1
            return make(
                TAB_INDENT,
                path,
                f"第 {number} 行用 Tab 缩进",
                f"line {number} is indented with a tab",
                line=number,
                column=column,
            )
        # block nesting: indentation and "- " / "? " / ": " markers at the line start
        if len(lead) > MAX_DEPTH * 4:
            return make(
                TOO_DEEP,
                path,
                f"第 {number} 行缩进或嵌套过深",
                f"line {number} is nested too deeply",
                line=number,
                column=1,
            )
        if "[" in line or "{" in line:
            for char in line:
                if char in "[{":
                    flow += 1
                    max_flow = max(max_flow, flow)
                    if max_flow > MAX_DEPTH:
                        return make(
                            TOO_DEEP,
                            path,
                            f"第 {number} 行括号嵌套超过 {MAX_DEPTH} 层",
                            f"brackets nested deeper than {MAX_DEPTH} at line {number}",
                            line=number,
                            column=1,
                        )
                elif char in "]}" and flow:
                    flow -= 1
    return None


_NO_PATHS: dict[Any, Any] = {}


class _Loader(yaml.CSafeLoader):
    """libyaml's loader with the tag of a plain scalar remembered: the same resolution, faster.

    Resolving a plain scalar's tag (YAML 1.1: ``no`` is a bool, ``010`` an int)
    tries regular expressions in Python for every scalar of every file; records
    repeat the same values (states, levels, dates) thousands of times.  A quoted
    or block scalar is always a string.  Safe because ``SafeLoader`` has no path
    resolvers: the tag depends on the value and its style alone — and so the
    resolver's descend/ascend hooks, called around every node, have nothing to
    do: they are replaced by C built-ins that do nothing, not Python calls.
    """

    _plain: ClassVar[dict[str, str]] = {}
    descend_resolver = _NO_PATHS.get  # type: ignore[assignment]  # (parent, index) → nothing
    ascend_resolver = tuple  # type: ignore[assignment]  # () → nothing

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        if not implicit[0]:
            return _STR
        tag = self._plain.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(self._plain) > 200_000:
                self._plain.clear()
            self._plain[value] = tag
        return tag


assert not yaml.CSafeLoader.yaml_path_resolvers  # what makes the memo in _Loader safe


def _mark(node: Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, path: str, *, positions: bool = True) -> None:
        self.path = path
        self.seen: set[int] = set()
        self.doc = Document(data={})
        self.positions = positions

    def refuse(self, code: Any, node: Node, zh: str, en: str) -> _Refused:
        line, column = _mark(node)
        return _Refused(make(code, self.path, zh, en, line=line, column=column))

    def build(self, node: Node, pointer: Pointer, depth: int) -> Any:
        if id(node) in self.seen:
            raise self.refuse(
                ALIAS, node, "这里引用了别名（*别名）", "an alias refers to an earlier node"
            )
        self.seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self.refuse(
                TOO_DEEP, node, f"嵌套超过 {MAX_DEPTH} 层", f"nested deeper than {MAX_DEPTH}"
            )
        if node.tag not in _CORE_TAGS:
            raise self.refuse(
                BAD_TAG,
                node,
                f"不允许的标签 {node.tag}",
                f"tag {node.tag} is not allowed",
            )
        if self.positions:
            self.doc.positions[pointer] = _mark(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node, pointer)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*pointer, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, MappingNode)
        return self.mapping(node, pointer, depth)

    def scalar(self, node: ScalarNode, pointer: Pointer) -> Any:
        builder = SCALAR_BUILDERS.get(node.tag)
        if builder is None:  # str, and timestamps kept as text
            return node.value
        if self.positions:
            self.doc.raw_scalars[pointer] = node.value
        return builder(node)

    def mapping(self, node: MappingNode, pointer: Pointer, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.refuse(
                    ALIAS, key_node, "不允许使用合并键 <<", "merge keys (<<) are not allowed"
                )
            if not isinstance(key_node, ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
                if isinstance(key_node, ScalarNode) and key_node.tag in _CORE_TAGS:
                    raise self.refuse(
                        BAD_KEY,
                        key_node,
                        f"字段名 {key_node.value!r} 不是文字",
                        f"key {key_node.value!r} is not text",
                    )
                raise self.refuse(BAD_KEY, key_node, "字段名必须是文字", "keys must be plain text")
            key = key_node.value
            if key in result:
                first = self.doc.key_positions.get((*pointer, key))
                where = f"（第一次出现在第 {first[0]} 行）" if first else ""
                raise self.refuse(
                    DUPLICATE_KEY,
                    key_node,
                    f"字段“{key}”重复出现{where}",
                    f"key {key!r} appears twice",
                )
            if self.positions:
                self.doc.key_positions[(*pointer, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*pointer, key), depth + 1)
        return result


class _Slow(Exception):
    """Something to refuse: ``_Builder`` finds it again and says what and where."""


_SHARED: dict[str, str] = {}
SHARED_UP_TO = 32  # characters: states, levels, dates, ids repeat; long texts rarely do


def _share(text: str) -> str:
    """One object for each short text: a city's records repeat the same few thousand.

    Held by every record of a build, and cached and sent between processes
    with the sharing kept (marshal and pickle write a shared object once).
    """
    if len(text) > SHARED_UP_TO:
        return text
    shared = _SHARED.setdefault(text, text)
    if len(_SHARED) > 200_000:
        _SHARED.clear()
    return shared


def _data(node: Node, depth: int) -> Any:
    """A node's plain value, for a graph known to hold no alias (``_find_anchor``).

    What ``_Builder`` does without positions, in the same order, in less time;
    anything it would refuse raises ``_Slow`` instead.
    """
    tag = node.tag
    if depth > MAX_DEPTH or tag not in _CORE_TAGS:
        raise _Slow
    cls = node.__class__
    if cls is ScalarNode:
        builder = SCALAR_BUILDERS.get(tag)
        if builder is not None:
            return builder(node)  # type: ignore[arg-type]
        return _share(node.value)
    if cls is SequenceNode:
        return [_data(item, depth + 1) for item in node.value]
    if cls is not MappingNode:
        raise _Slow
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.__class__ is not ScalarNode or key_node.tag != _STR:
            raise _Slow
        key = sys.intern(key_node.value)
        if key in result:
            raise _Slow
        result[key] = _data(value_node, depth + 1)
    return result


def _unreadable(path: str, err: Exception) -> Problem:
    return make(YAML_SYNTAX, path, f"无法读取的值：{err}", f"value cannot be read: {err}")


def _find_anchor(text: str) -> Position | None:
    """Anchors and aliases are never needed in a record: find the first, cheaply.

    Runs on the event stream before any node is built, so an alias bomb or a
    huge anchored structure is refused at its first anchor.
    """
    if "&" not in text and "*" not in text:
        return None
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        mark = event.start_mark
        if mark is not None and (
            isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None)
        ):
            return mark.line + 1, mark.column + 1
    return None


def parse_document(
    raw: bytes, path: str, *, max_bytes: int = MAX_BYTES, positions: bool = True
) -> Document | Problem:
    """Parse one record file's bytes, or return the first problem that stops it.

    ``positions=False`` leaves the document's positions empty (a third faster:
    for the many valid records whose positions nobody asks for); every check is
    the same, and a refused file is parsed again with positions so that its
    problem reads exactly as it would.
    """
    if len(raw) > max_bytes:
        return make(
            FILE_TOO_LARGE,
            path,
            f"文件有 {len(raw):,} 字节，超过上限 {max_bytes:,} 字节",
            f"file has {len(raw):,} bytes, over the limit of {max_bytes:,}",
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        bad_line, bad_column = _line_of_offset(raw, err.start)
        return make(
            INVALID_UTF8,
            path,
            f"第 {bad_line} 行有无法按 UTF-8 读取的字节",
            f"invalid UTF-8 at line {bad_line}",
            line=bad_line,
            column=bad_column,
        )
    problem = _prescan(text, path)
    if problem is not None:
        return problem
    if not positions:
        fast = parse_block(text)
        if fast is not None:
            return Document(data=fast)
    try:
        anchored = _find_anchor(text)
        if anchored is not None:
            return make(
                ALIAS,
                path,
                "这里使用了锚点或别名（&锚点、*别名）",
                "an anchor or alias is used here",
                line=anchored[0],
                column=anchored[1],
            )
        nodes = yaml.compose_all(text, Loader=_Loader)
        first = next(nodes, None)
        if first is not None and next(nodes, None) is not None:
            return make(
                MULTIPLE_DOCUMENTS,
                path,
                "文件中有不止一条记录（多个 YAML 文档）",
                "the file holds more than one YAML document",
            )
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line: int | None = mark.line + 1 if mark else None
        column: int | None = mark.column + 1 if mark else None
        detail = err.problem or err.context or "syntax error"
        return make(
            YAML_SYNTAX,
            path,
            f"YAML 语法错误：{detail}",
            f"YAML syntax error: {detail}",
            line=line,
            column=column,
        )
    except yaml.YAMLError as err:
        return make(YAML_SYNTAX, path, f"YAML 语法错误：{err}", f"YAML syntax error: {err}")
    if first is None or (isinstance(first, ScalarNode) and first.tag.endswith(":null")):
        return make(EMPTY_FILE, path, "文件中没有记录", "the file holds no record")
    if not isinstance(first, MappingNode):
        line, column = _mark(first)
        what = "列表" if isinstance(first, SequenceNode) else "单个值"
        return make(
            NOT_A_MAPPING,
            path,
            f"顶层是{what}，应为“字段: 值”的映射",
            "the top level must be a mapping of fields",
            line=line,
            column=column,
        )
    if not positions:  # no alias can be left: _find_anchor read every event
        try:
            return Document(data=_data(first, 0))
        except _Slow:
            pass  # the builder below refuses it, as it would have
        except (ValueError, OverflowError) as err:  # e.g. an int too long for Python
            return _unreadable(path, err)
    builder = _Builder(path, positions=positions)
    try:
        builder.doc.data = builder.build(first, (), 0)
    except _Refused as refused:
        if not positions:
            return parse_document(raw, path, max_bytes=max_bytes)
        return refused.problem
    except (ValueError, OverflowError) as err:
        return _unreadable(path, err)
    return builder.doc


def iter_record_files(records_dir: Path) -> Iterator[Path]:
    """Every ``*.yaml`` file below records/, evidence excluded, in sorted order."""
    if not records_dir.is_dir():
        return
    for path in sorted(records_dir.rglob("*")):
        if path.suffix in {".yaml", ".yml"} and path.is_file():
            if path.relative_to(records_dir).parts[0] == "evidence":
                continue
            yield path

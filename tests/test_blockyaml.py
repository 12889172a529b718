"""The fast reader of plain block YAML: libyaml's data for a record, or nothing at all.

``parse_block`` may decline any text — libyaml then reads it as before.  What
it must never do is return data that differs from what the libyaml path makes
of the same text: a ``no`` that stays text, an ``010`` that is ten, a
duplicate key or an anchor that slips through.  Every comparison here is
type-exact, because ``True == 1`` and ``1 == 1.0`` in Python, and keeps the
order of keys.  The libyaml path is ``parse_document`` with positions, which
never takes the fast path.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.resolver import Resolver

from generator.blockyaml import parse_block
from generator.load import Document, iter_record_files, parse_document
from generator.problems import Problem

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"
HAZARD = "records/hazard/2026/HAZ-20260330-011.yaml"

RECORD = """\
# 隐患 — 青川县安全生产监管记录
id: HAZ-20260330-011
found_on: 2026-03-30
found_by:
- STAFF-0309
events:
- date: 2026-03-31
  type: 开始整改
  note: 企业已制定整改方案
  evidence:
  - path: records/evidence/2026/03/HAZ-20260330-011/before.png
    sha256: b5357e5d5d343571d99cbd14a765163bcb5e290e7e38b2f6a652a6673b8fbd20
signature:
  signed_by: 徐琳
  refused: false
"""


def _libyaml(text: str) -> dict[str, Any] | Problem:
    result = parse_document(text.encode("utf-8", "surrogatepass"), HAZARD, positions=True)
    return result.data if isinstance(result, Document) else result


def _difference(fast: Any, slow: Any, where: str = "") -> str | None:
    """The first place where two values differ in type, order or value; None if none."""
    if type(fast) is not type(slow):
        return (
            f"{where or '/'}: {fast!r} ({type(fast).__name__}) vs {slow!r} ({type(slow).__name__})"
        )
    if isinstance(fast, dict):
        if list(fast) != list(slow):
            return f"{where or '/'}: keys {list(fast)} vs {list(slow)}"
        for key in fast:
            found = _difference(fast[key], slow[key], f"{where}/{key}")
            if found:
                return found
        return None
    if isinstance(fast, list):
        if len(fast) != len(slow):
            return f"{where or '/'}: {len(fast)} items vs {len(slow)}"
        for index, (a, b) in enumerate(zip(fast, slow, strict=True)):
            found = _difference(a, b, f"{where}/{index}")
            if found:
                return found
        return None
    if isinstance(fast, float):  # nan, -0.0 and inf compared as written
        return None if repr(fast) == repr(slow) else f"{where or '/'}: {fast!r} vs {slow!r}"
    return None if fast == slow else f"{where or '/'}: {fast!r} vs {slow!r}"


def _taken(text: str) -> bool:
    """Whether the fast path reads ``text``; fails if it reads it differently from libyaml."""
    fast = parse_block(text)
    if fast is None:
        return False
    slow = _libyaml(text)
    assert not isinstance(slow, Problem), f"read what libyaml refuses ({slow.code}): {text!r}"
    difference = _difference(fast, slow)
    assert difference is None, f"{difference} in {text!r}"
    return True


def _texts(paths: list[Path]) -> list[tuple[str, str]]:
    """Each file's text as parse_document hands it on (byte order mark dropped, UTF-8 only)."""
    texts = []
    for path in paths:
        raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
        try:
            texts.append((path.name, raw.decode("utf-8")))
        except UnicodeDecodeError:
            continue
    return texts


# --- the county's records --------------------------------------------------------------------


def test_the_demo_county_records_take_the_fast_path_with_the_same_data() -> None:
    paths = list(iter_record_files(ROOT / "records"))
    assert len(paths) > 1000
    taken = 0
    for path in paths:
        raw = path.read_bytes()
        rel = path.relative_to(ROOT).as_posix()
        taken += _taken(raw.decode("utf-8"))
        quick = parse_document(raw, rel, positions=False)
        located = parse_document(raw, rel, positions=True)
        assert isinstance(quick, Document) and isinstance(located, Document), rel
        assert _difference(quick.data, located.data) is None, rel
    assert taken >= 0.95 * len(paths)


def test_a_typical_hazard_record_reads_as_written() -> None:
    assert parse_block(RECORD) == {
        "id": "HAZ-20260330-011",
        "found_on": "2026-03-30",
        "found_by": ["STAFF-0309"],
        "events": [
            {
                "date": "2026-03-31",
                "type": "开始整改",
                "note": "企业已制定整改方案",
                "evidence": [
                    {
                        "path": "records/evidence/2026/03/HAZ-20260330-011/before.png",
                        "sha256": "b5357e5d5d343571d99cbd14a765163bcb5e290e7e38b2f6a652a6673b8fbd20",
                    }
                ],
            }
        ],
        "signature": {"signed_by": "徐琳", "refused": False},
    }
    assert _taken(RECORD)


def test_editing_a_loaded_record_does_not_change_the_next_load() -> None:
    first = parse_block(RECORD)
    assert first is not None
    first["events"][0]["evidence"].clear()
    first["signature"]["refused"] = True
    again = parse_block(RECORD)
    assert again is not None
    assert again["events"][0]["evidence"] and again["signature"]["refused"] is False


def test_scalars_are_typed_with_the_resolvers_the_libyaml_path_uses() -> None:
    assert yaml.CSafeLoader.yaml_implicit_resolvers is Resolver.yaml_implicit_resolvers
    assert not yaml.CSafeLoader.yaml_path_resolvers


# --- YAML 1.1 pitfalls -----------------------------------------------------------------------

PITFALLS = [
    ("no", False),
    ("No", False),
    ("yes", True),
    ("on", True),
    ("off", False),
    ("true", True),
    ("TRUE", True),
    ("tRUE", "tRUE"),
    ("y", "y"),
    ("~", None),
    ("null", None),
    ("NULL", None),
    ("", None),
    ("010", 8),
    ("09", "09"),
    ("0o10", "0o10"),
    ("0x1F", 31),
    ("0b101", 5),
    ("1_000", 1000),
    ("1:20", 80),
    ("1:60", "1:60"),
    ("-1:20", -80),
    (".inf", math.inf),
    ("-.inf", -math.inf),
    (".NaN", math.nan),
    ("+1", 1),
    ("-0", 0),
    ("-0.0", -0.0),
    ("0.", 0.0),
    ("1e3", "1e3"),
    ("1.5e3", "1.5e3"),
    ("1.5e+3", 1500.0),
    ("-.5", "-.5"),
    ("12345678901234567890", 12345678901234567890),
    ("2026-03-30", "2026-03-30"),
    ("2026-03-30 10:00:00", "2026-03-30 10:00:00"),
    ("'no'", "no"),
    ("'010'", "010"),
    ("'it''s'", "it's"),
    ("''", ""),
    ("'  padded  '", "  padded  "),
    ('"a\\tb"', "a\tb"),
    ('"\\x41\\u00e9\\U0001F600"', "Aé😀"),
    ('"\\N\\_\\L\\P\\/\\ \\"\\\\"', '\x85\xa0\u2028\u2029/ "\\'),
    ('"\\0"', "\x00"),
    ("x#y", "x#y"),
    ("http://example.cn/a?b=c", "http://example.cn/a?b=c"),
    ("-x", "-x"),
    ("a, b]", "a, b]"),
    ("值  两个空格", "值  两个空格"),
    ("值   ", "值"),
    ("\u3000全角\u3000", "\u3000全角\u3000"),
]


@pytest.mark.parametrize(("written", "value"), PITFALLS, ids=[w or "empty" for w, _ in PITFALLS])
def test_a_scalar_is_what_yaml_1_1_makes_of_it(written: str, value: Any) -> None:
    for text in (f"level: {written}\n", f"found_by:\n- {written}\n", f"e:\n  - k: {written}\n"):
        fast = parse_block(text)
        assert fast is not None, text
        inner = fast[next(iter(fast))]
        while not isinstance(inner, (str, int, float, type(None))):  # down to the scalar
            inner = inner[0] if isinstance(inner, list) else inner["k"]
        assert _difference(inner, value) is None, text
        assert _taken(text)


# --- structures ------------------------------------------------------------------------------

STRUCTURES = {
    "comments and blank lines": (
        "# 记录\n\nid: A   \n  # indented comment\nlevel: 一级\n\n# end\n",
        {"id": "A", "level": "一级"},
    ),
    "sequence at the key's indentation": (
        "found_by:\n- STAFF-1\n- STAFF-2\nlevel: 2\n",
        {"found_by": ["STAFF-1", "STAFF-2"], "level": 2},
    ),
    "indented sequence": (
        "found_by:\n    - STAFF-1\n    - STAFF-2\nlevel: 2\n",
        {"found_by": ["STAFF-1", "STAFF-2"], "level": 2},
    ),
    "sequence of mappings": (
        "events:\n- date: 2026-03-31\n  type: 开始整改\n- date: 2026-04-04\n  type: 销号\n",
        {
            "events": [
                {"date": "2026-03-31", "type": "开始整改"},
                {"date": "2026-04-04", "type": "销号"},
            ]
        },
    ),
    "sequence inside a mapping inside a sequence": (
        "events:\n- type: 整改完成\n  evidence:\n  - path: a.png\n    caption: 前\n  - path: b.png\nnext: 1\n",
        {
            "events": [
                {
                    "type": "整改完成",
                    "evidence": [{"path": "a.png", "caption": "前"}, {"path": "b.png"}],
                }
            ],
            "next": 1,
        },
    ),
    "empty values": (
        "a:\nb:\n- \n-\n- c:\nd:\n",
        {"a": None, "b": [None, None, {"c": None}], "d": None},
    ),
    "item on the lines below its dash": (
        "a:\n  -\n    k: v\n    l: m\n  - x\n",
        {"a": [{"k": "v", "l": "m"}, "x"]},
    ),
    "wide dash": ("a:\n-   k: v\n    l: m\n", {"a": [{"k": "v", "l": "m"}]}),
    "sequences of sequences": ("a:\n- - x\n  - y\n- - z\n", {"a": [["x", "y"], ["z"]]}),
    "indented top level": ("  a: 1\n  b: 2\n", {"a": 1, "b": 2}),
    "quoted keys are text": (
        "'no': 1\n\"010\": 2\n'a: b': 3\n'': 4\n",
        {"no": 1, "010": 2, "a: b": 3, "": 4},
    ),
    "keys with odd characters": ("a#b: 1\n键 名: 2\n", {"a#b": 1, "键 名": 2}),
}


@pytest.mark.parametrize(("text", "data"), STRUCTURES.values(), ids=STRUCTURES.keys())
def test_a_block_structure_reads_as_libyaml_reads_it(text: str, data: dict[str, Any]) -> None:
    assert _difference(parse_block(text), data) is None
    assert _taken(text)


# --- declined --------------------------------------------------------------------------------

DECLINED = {
    "duplicate key": "id: A\nlevel: 1\nid: B\n",
    "duplicate key, one quoted": "id: A\n'id': B\n",
    "duplicate key in an event": "events:\n- type: a\n  type: b\n",
    "anchor": "a: &x 1\nb: 2\n",
    "anchor on a mapping": "a: &x\n  b: 1\n",
    "alias": "a: *x\n",
    "tag": "a: !!str 1\n",
    "local tag": "a: !t x\n",
    "merge key": "a: 1\n<<: {}\n",
    "merge key in block": "<<:\n  a: 1\n",
    "merge value": "a: <<\n",
    "value key": "=: 1\n",
    "flow sequence": "a: [1, 2]\n",
    "flow mapping": "a: {b: 1}\n",
    "empty flow": "a: []\n",
    "literal block scalar": "a: |\n  x\n",
    "folded block scalar": "a: >\n  x\n",
    "document start": "---\na: 1\n",
    "document end": "a: 1\n...\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "integer key": "1: x\n",
    "bool key": "true: x\n",
    "no key": "no: x\n",
    "null key": "null: x\n",
    "tilde key": "~: x\n",
    "date key": "2026-03-30: x\n",
    "complex key": "? a\n: b\n",
    "tab indentation": "a:\n\t- x\n",
    "tab after colon": "a:\tx\n",
    "carriage returns": "a: 1\r\nb: 2\r\n",
    "odd indentation": "a:\n   b: 1\n  c: 2\n",
    "orphan line": "a:\n  b: 1\n c: 2\n",
    "less indented than the top": "  a: 1\nb: 2\n",
    "continuation line": "a: x\n  y\n",
    "continuation after a dash": "a:\n- x\n  y\n",
    "key after an indented sequence": "a:\n  - x\n  b: 1\n",
    "scalar on the next line": "a:\n  x\n",
    "comment after a value": "a: x # note\n",
    "comment after a quoted value": "a: 'x' # note\n",
    "comment as a value": "a: # note\n",
    "colon in a value": "a: b: c\n",
    "value ending in a colon": "a: b:\n",
    "space before the colon": "a : 1\n",
    "dash as a value": "a: -\n",
    "multi-line single quotes": "a: 'x\n  y'\n",
    "multi-line double quotes": 'a: "x\n  y"\n',
    "unknown escape": 'a: "\\q"\n',
    "escaped single quote": 'a: "\\\'"\n',
    "escaped surrogate": 'a: "\\ud800"\n',
    "text after quotes": "a: 'x' y\n",
    "reserved indicator": "a: @x\n",
    "backquote": "a: `x\n",
    "percent": "a: %x\n",
    "sequence at the top": "- a: 1\n",
    "scalar at the top": "just text\n",
    "empty": "",
    "only comments": "# nothing\n\n",
    "next line character": "a: x\x85y\n",
    "line separator": "a: x\u2028y\n",
    "byte order mark inside": "a: \ufeffx\n",
    "control character": "a: x\x01\n",
    "delete character": "a: x\x7f\n",
    "integer too long": "a: 1" + "0" * 5000 + "\n",
    "too deep": "".join(" " * (2 * i) + f"k{i}:\n" for i in range(45)) + " " * 90 + "v: 1\n",
}


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_a_construct_outside_the_subset_is_left_to_libyaml(text: str) -> None:
    assert parse_block(text) is None
    quick = parse_document(text.encode(), HAZARD, positions=False)
    located = parse_document(text.encode(), HAZARD, positions=True)
    if isinstance(located, Problem):
        assert isinstance(quick, Problem) and quick.code == located.code
        assert (quick.line, quick.column) == (located.line, located.column)
    else:
        assert isinstance(quick, Document) and _difference(quick.data, located.data) is None


# --- hostile corpora -------------------------------------------------------------------------

CORPORA = {
    "yaml-test-suite valid": sorted((DATA / "yaml-test-suite" / "valid").glob("*.yaml")),
    "yaml-test-suite error": sorted((DATA / "yaml-test-suite" / "error").glob("*.yaml")),
    "yaml attacks": sorted(p for p in (DATA / "yaml-attacks" / "cases").iterdir() if p.is_file()),
}


@pytest.mark.parametrize("paths", CORPORA.values(), ids=CORPORA.keys())
def test_hostile_yaml_is_declined_or_read_as_libyaml_reads_it(paths: list[Path]) -> None:
    texts = _texts(paths)
    assert len(texts) > 50
    for _name, text in texts:
        _taken(text)


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _double(text: str) -> str:  # JSON's escapes mean the same in YAML's double quotes
    return json.dumps(text, ensure_ascii=False)


@pytest.mark.parametrize(
    ("style", "share"),
    [(str, 0.7), (_single, 0.95), (_double, 0.95)],
    ids=["plain", "single", "double"],
)
def test_naughty_strings_as_record_values(style: Any, share: float) -> None:
    strings = json.loads((DATA / "naughty-strings" / "blns.json").read_text(encoding="utf-8"))
    assert len(strings) > 500
    taken = 0
    for naughty in strings:
        value = style(naughty)
        text = f"id: HAZ-1\nnote: {value}\nevents:\n- note: {value}\n  by: STAFF-0001\n- {value}\n"
        taken += _taken(text)
    assert taken >= share * len(strings)


# --- generated records -----------------------------------------------------------------------

SPECIAL = [
    *("no", "yes", "on", "off", "~", "null", "", "010", "0o10", "0x1F", "1_000", "1:20"),
    *(".inf", ".NaN", "+1", "-0", "1e3", "2026-03-30", "- x", "a: b", "#c", "x #c", "'", '"'),
    *("&a", "*a", "!t", "|", ">", "@", "%", "---", "...", "<<", "=", "? x", ": x", "[a]"),
    *("{a: 1}", "a,b", " lead", "trail ", "tab\there", "两行\n文本", "\u3000", "\x85", "\u2028"),
    *("\ufeff", "é", "😀", "整改完成", "STAFF-0309", "a" * 90, "词 " * 40),
]
FIELDS = ["id", "found_on", "events", "date", "type", "note", "path", "signed_by", "名称", "a b"]
_keys = st.sampled_from(FIELDS * 4 + SPECIAL)
_leaves = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.sampled_from(SPECIAL)
    | st.text(max_size=12)
)
_values = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, min_size=1, max_size=4)
        | st.dictionaries(_keys, inner, min_size=1, max_size=4)
    ),
    max_leaves=12,
)
_records = st.dictionaries(_keys, _values, min_size=1, max_size=6)


class _IndentedSequences(yaml.SafeDumper):
    """PyYAML's other block style: sequences indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def test_records_written_by_pyyaml_read_the_same() -> None:
    taken: list[bool] = []

    @settings(
        max_examples=250,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        data=_records,
        dumper=st.sampled_from([yaml.SafeDumper, _IndentedSequences]),
        width=st.sampled_from([80, 10_000]),
    )
    def written(data: dict[str, Any], dumper: type[yaml.SafeDumper], width: int) -> None:
        text = yaml.dump(
            data,
            Dumper=dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=width,
        )
        taken.append(_taken(text))

    written()
    assert sum(taken) >= 0.5 * len(taken)


_KEY_SOUP = ["a", "b", "c", "'a'", '"b"', "''", "no", "1", "a#b", "x:y", "-k", "...", "<<", "~"]
_VALUE_SOUP = [
    *("x", "y", "1", "no", "", "", "", "'s'", "'it''s'", '"d\\tq"', '"\\q"', "x # c", "# c"),
    *("x#c", "- y", "-", "-1", "[1]", "{}", "&a x", "*a", "!t x", "|", ">", "a: b", "a:"),
    *("1:20", "0x1F", ".5", "010", "  x", "'x' y", "\u3000", "--- x", "...", "?x", ":x"),
]
_line = st.builds(
    lambda indent, dashes, key, value, after: (
        " " * indent
        + "- " * dashes
        + (value if key is None else key + ":" + (" " + value if value else ""))
        + after
    ),
    st.sampled_from([0, 0, 0, 2, 2, 4, 1, 3]),
    st.sampled_from([0, 0, 0, 1, 1, 2]),
    st.none() | st.sampled_from(_KEY_SOUP),
    st.sampled_from(_VALUE_SOUP),
    st.sampled_from(["", "", "", "\n", "\n# c", "\n  # c", "\n   ", "\t", "\r"]),
)


@settings(max_examples=400, deadline=None, database=None)
@given(text=st.lists(_line, min_size=1, max_size=8).map("\n".join))
def test_lines_of_yaml_soup_are_declined_or_read_as_libyaml_reads_them(text: str) -> None:
    _taken(text)


@settings(max_examples=200, deadline=None, database=None)
@given(text=st.text(max_size=200))
def test_any_text_is_declined_or_read_never_an_exception(text: str) -> None:
    result = parse_block(text)
    assert result is None or _taken(text)

"""A fast reader for the plain block YAML that record files are written in.

Records are block mappings of keys, one-line scalars and sequences of more of
the same.  :func:`parse_block` reads that subset and returns exactly the data
the libyaml path of :mod:`generator.load` returns — or ``None`` for anything
else, however valid or harmless, and for every error, so that libyaml reads
the file as before and says what is wrong and where.

Each line is read once into a token — its indentation, what it is (``key:
value``, ``key:``, ``- value``, ``-``, or ``- `` before a collection that
starts on the same line) and the key and value it holds — and the tokens are
then put together by indentation.  Records repeat most of their lines
(``  type: 开始整改``, ``  refused: false``), so tokens are remembered by the
line's text.  A plain scalar is typed by PyYAML's own YAML 1.1 resolver and
built by PyYAML's own ``SafeConstructor`` (``no`` is ``False``, ``010`` is 8,
timestamps stay text), so types agree by construction.

Quoted keys are read (they are always text); declined are flow collections,
block scalars, anchors, aliases, tags, directives, document markers, complex
keys, comments after a value, multi-line scalars, tabs, carriage returns,
characters libyaml refuses or reads as line breaks, plain keys that are not
text (``1:``, ``no:``, ``<<:``), duplicate keys, inconsistent indentation and
nesting deeper than :data:`MAX_NESTING`.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

MAX_NESTING = 30  # collections; the libyaml path allows 40 levels of nodes
MAX_INDENT = 120  # columns; load's prescan refuses deeper leads before this runs
MAX_KEY = 200  # characters; libyaml wants a simple key within 1024 bytes of its ':'

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCT = SafeConstructor()
# the non-text scalars of YAML 1.1 and PyYAML's builders for them; generator.load's
# libyaml path builds with these too (timestamps stay text in both)
SCALAR_BUILDERS = {
    "tag:yaml.org,2002:int": _CONSTRUCT.construct_yaml_int,
    "tag:yaml.org,2002:float": _CONSTRUCT.construct_yaml_float,
    "tag:yaml.org,2002:bool": _CONSTRUCT.construct_yaml_bool,
    "tag:yaml.org,2002:null": _CONSTRUCT.construct_yaml_null,
}
_RESOLVER = Resolver()
_PLAIN = (True, False)  # the `implicit` that libyaml reports for a plain scalar
# Resolver.resolve tries only the expressions filed under a scalar's first
# character (and none are filed under None, "any character"): a scalar
# starting with another character is a string without asking.
_RESOLVED_FIRST = frozenset(Resolver.yaml_implicit_resolvers)
assert None not in _RESOLVED_FIRST

# Characters libyaml refuses, reads as a line break (NEL, LS, PS) or that this
# reader leaves to it: tab, carriage return, byte order mark.
_FORBIDDEN = re.compile(
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# Characters that start something other than a plain scalar (or, for "-", "?"
# and ":", a plain scalar only in cases not worth reading here).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"((?:[^"\\]|\\.)*)"')
# a quoted key, ":" and the value if on the same line
_QUOTED_KEY = re.compile(r"""('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"):(?: +(.*))?""")
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))")
_ESCAPES = {  # libyaml 0.2.5's: no \' (and \<tab>, but tabs are declined)
    "0": "\x00",
    "a": "\x07",
    "b": "\x08",
    "t": "\x09",
    "n": "\x0a",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\x0d",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}

# What a line is: a token (indentation, kind, key, value)
_KEY = 0  # "key: value"
_OPEN = 1  # "key:", its value on the lines below (or null)
_ITEM = 2  # "- value"
_DASH = 3  # "-", the item on the lines below (or null)
_NEST = 4  # "- key: …" or "- - …": the value is the token of the rest of the line
# Outside the subset.  Less indented than any line, it ends every collection
# before it, so it is never read and parse_block finds a line left over.
_BAD = (-1, 5, None, None)
_SKIP = (-1, 6, None, None)  # blank line or comment

_MEMO_LIMIT = 16_384  # lines repeat within a few hundred records; more costs memory, not time
_lines: dict[str, tuple[int, int, Any, Any]] = {}  # line → token
_values: dict[str, Any] = {}  # scalar as written → its (immutable) value, or _DECLINED
_keys: dict[str, bool] = {}  # plain key as written → whether it is text
_DECLINED: Any = object()
_MISSING: Any = object()


class _Decline(Exception):
    """Outside the subset: the libyaml path decides."""


def _remember(memo: dict[str, Any], text: str, value: Any) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[text] = value


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2) or match.group(3)
    if code is not None:
        point = int(code, 16)
        if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
            raise _Decline
        return chr(point)
    char = _ESCAPES.get(match.group(4))
    if char is None:
        raise _Decline
    return char


def _read_scalar(text: str) -> Any:
    """The value of a one-line scalar as libyaml and PyYAML's resolver make it."""
    first = text[0]
    if first == "'":
        match = _SINGLE.fullmatch(text)
        return _DECLINED if match is None else match.group(1).replace("''", "'")
    if first == '"':
        match = _DOUBLE.fullmatch(text)
        if match is None:
            return _DECLINED
        try:
            return _ESCAPE.sub(_unescape, match.group(1))
        except _Decline:
            return _DECLINED
    if first in _INDICATORS and (first != "-" or len(text) == 1 or text[1] == " "):
        return _DECLINED
    if ": " in text or text[-1] == ":" or " #" in text:
        return _DECLINED
    if first not in _RESOLVED_FIRST:
        return text
    tag = _RESOLVER.resolve(ScalarNode, text, _PLAIN)  # type: ignore[no-untyped-call]
    if tag in (_STR, _TIMESTAMP):  # timestamps stay text, as in generator.load
        return text
    builder = SCALAR_BUILDERS.get(tag)
    if builder is None:  # "<<" (merge) or "=" (value): refused by the libyaml path
        return _DECLINED
    try:
        return builder(ScalarNode(tag, text))
    except Exception:  # e.g. an int too long for Python: the libyaml path says so
        return _DECLINED


def _is_text_key(key: str) -> bool:
    if not key or len(key) > MAX_KEY or key[0] in _INDICATORS or key[-1] == " ":
        return False
    if ":" in key or " #" in key or key.startswith("..."):  # "... " ends a document
        return False
    if key[0] not in _RESOLVED_FIRST:
        return True
    return _RESOLVER.resolve(ScalarNode, key, _PLAIN) == _STR  # type: ignore[no-untyped-call,no-any-return]


def _value(text: str) -> Any:
    value = _values.get(text, _MISSING)
    if value is _MISSING:
        value = _read_scalar(text)
        _remember(_values, text, value)
    return value


def _opens_collection(rest: str) -> bool:
    """Whether the text after ``- `` starts a sequence or a mapping rather than being a scalar."""
    first = rest[0]
    if first == "-" and (len(rest) == 1 or rest[1] == " "):
        return True
    if first == "'" or first == '"':
        return _QUOTED_KEY.fullmatch(rest) is not None
    return ": " in rest or rest[-1] == ":"


def _token(indent: int, content: str) -> tuple[int, int, Any, Any]:
    """What a line holds, from its indentation and its text (no spaces around)."""
    if indent > MAX_INDENT:
        return _BAD
    first = content[0]
    if first == "-" and (len(content) == 1 or content[1] == " "):
        rest = content[1:].lstrip(" ")
        if not rest:
            return (indent, _DASH, None, None)
        if _opens_collection(rest):
            inner = _token(indent + len(content) - len(rest), rest)
            return _BAD if inner is _BAD else (indent, _NEST, None, inner)
        kind = _ITEM
        key = None
    elif first == "'" or first == '"':  # a quoted key: always text
        match = _QUOTED_KEY.fullmatch(content)
        if match is None or len(match.group(1)) > MAX_KEY:
            return _BAD
        key = _value(match.group(1))
        if key is _DECLINED:
            return _BAD
        rest = match.group(2)
        if rest is None:
            return (indent, _OPEN, key, None)
        kind = _KEY
    else:
        colon = content.find(": ")
        if colon < 0:
            if content[-1] != ":":
                return _BAD
            colon = len(content) - 1
        key = sys.intern(content[:colon])  # one copy of each field name, in memory and in the cache
        known = _keys.get(key)
        if known is None:
            known = _is_text_key(key)
            _remember(_keys, key, known)
        if known is False:
            return _BAD
        rest = content[colon + 1 :].lstrip(" ")
        if not rest:
            return (indent, _OPEN, key, None)
        kind = _KEY
    value = _values.get(rest, _MISSING)
    if value is _MISSING:
        value = _read_scalar(rest)
        _remember(_values, rest, value)
    return _BAD if value is _DECLINED else (indent, kind, key, value)


def _learn(line: str) -> tuple[int, int, Any, Any]:
    # printable for Python (no Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs but " ") is fine for libyaml
    if not line.isprintable() and _FORBIDDEN.search(line) is not None:
        token = _BAD
    else:
        content = line.lstrip(" ")
        if not content or content[0] == "#":
            token = _SKIP
        else:
            token = _token(len(line) - len(content), content.rstrip(" "))
    if len(_lines) >= _MEMO_LIMIT:
        _lines.clear()
    _lines[line] = token
    return token


Tokens = list[tuple[int, int, Any, Any]]


def _node(tokens: Tokens, pos: int, depth: int) -> tuple[Any, int]:
    """The collection whose first line is ``pos``, and the position after it."""
    if depth > MAX_NESTING:
        raise _Decline
    indent, kind, _, _ = tokens[pos]
    if kind <= _OPEN:
        return _mapping(tokens, pos, indent, depth)
    return _sequence(tokens, pos, indent, depth, indentless=False)


def _mapping(tokens: Tokens, pos: int, indent: int, depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    count = len(tokens)
    while pos < count:
        here, kind, key, value = tokens[pos]
        if here != indent:
            if here < indent:  # the end of this mapping (or a line outside the subset)
                break
            raise _Decline  # deeper than a key: a continuation line, or an error
        if kind > _OPEN or key in result:
            raise _Decline
        pos += 1
        if kind == _OPEN and pos < count:
            below, what, _, _ = tokens[pos]
            if below > indent:
                value, pos = _node(tokens, pos, depth + 1)
            elif below == indent and _ITEM <= what <= _NEST:  # "key:" then "- …" under it
                if depth >= MAX_NESTING:
                    raise _Decline
                value, pos = _sequence(tokens, pos, indent, depth + 1, indentless=True)
        result[key] = value
    return result, pos


def _sequence(
    tokens: Tokens, pos: int, indent: int, depth: int, *, indentless: bool
) -> tuple[list[Any], int]:
    result: list[Any] = []
    count = len(tokens)
    while pos < count:
        here, kind, _, value = tokens[pos]
        if here != indent:
            if here < indent:
                break
            raise _Decline
        if kind == _ITEM:
            pos += 1
        elif kind == _NEST:
            tokens[pos] = value  # the rest of the line opens the item
            value, pos = _node(tokens, pos, depth + 1)
        elif kind == _DASH:
            pos += 1
            if pos < count and tokens[pos][0] > indent:
                value, pos = _node(tokens, pos, depth + 1)
        elif indentless:  # the next key of the mapping this sequence is a value in
            break
        else:
            raise _Decline
        result.append(value)
    return result, pos


def parse_block(text: str) -> dict[str, Any] | None:
    """The mapping a plain block-style record holds, or ``None`` to leave it to libyaml."""
    try:
        known = _lines.get
        tokens = [
            token
            for line in text.split("\n")
            if (token := known(line) or _learn(line)) is not _SKIP
        ]
        if not tokens or tokens[0][1] > _OPEN:
            return None  # empty, or not a mapping at the top
        data, pos = _mapping(tokens, 0, tokens[0][0], 0)
        return data if pos == len(tokens) else None  # else a line outside the subset
    except Exception:  # _Decline, or anything unforeseen: libyaml decides
        return None

"""Composing a new record: walk the kind's fields, take what was given, derive, ask the rest.

One walk serves the terminal (prompts), ``--yes`` runs and the web form (every
value given at once): only the :class:`~generator.authoring.asker.Asker`
differs.  Kind-specific knowledge (deadline from level, signature or witnessed
refusal, …) lives in :mod:`generator.authoring.hooks`.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.authoring.asker import Asker
from generator.authoring.kinds import KindInfo, kind_info, record_path
from generator.authoring.search import Match, RefFinder
from generator.authoring.tree import Node, build_tree, find_node
from generator.authoring.values import BadValue, parse_value, split_list
from generator.authoring.writer import Notes
from generator.policy import Policy
from generator.schemas import Registry

Path_ = tuple[str, ...]
REF_HINT = "（输入编号或名称的一部分）"


@dataclass
class Session:
    """What composing needs from the repository, and who answers."""

    root: Path
    registry: Registry
    policy: Policy
    asker: Asker
    today: dt.date
    finder: RefFinder = field(init=False)

    def __post_init__(self) -> None:
        self.finder = RefFinder(self.root)


@dataclass
class Draft:
    """A composed record, not yet written: its data in schema order, id, path and notes."""

    kind: str
    id: str
    path: str
    data: dict[str, Any]
    notes: Notes
    tree: Node


class Incomplete(Exception):
    """Values are missing or wrong (non-interactive runs); the list says which, in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


def label(node: Node) -> str:
    return f"{node.title}（{'.'.join(p for p in node.path if p != '*')}）"


def flatten_given(values: dict[str, Any], tree: Node) -> dict[Path_, Any]:
    """``{"five_fixed.funds": "1000"}`` → ``{("five_fixed", "funds"): "1000"}``; unknown keys refused."""
    out: dict[Path_, Any] = {}
    problems = []
    for key, value in values.items():
        path = tuple(key.split("."))
        if find_node(tree, path) is None:
            names = [".".join(n.path) for n in _walk(tree)]
            guess = difflib.get_close_matches(key, names, n=1)
            hint = f"，是不是“{guess[0]}”？" if guess else ""
            problems.append(f"没有“{key}”这个字段{hint}")
            continue
        out[path] = value
    if problems:
        raise Incomplete(problems)
    return out


def _walk(node: Node) -> list[Node]:
    found: list[Node] = []
    for child in node.children:
        found.append(child)
        found += _walk(child)
    return found


class Composer:
    def __init__(
        self,
        session: Session,
        kind: str,
        given: dict[Path_, Any],
        forbidden: Sequence[str] = (),
    ) -> None:
        from generator.authoring.hooks import hooks_for

        self.session = session
        self.asker = session.asker
        spec = session.registry[kind]
        self.kind = kind
        self.tree = build_tree(spec)
        self.info: KindInfo = kind_info(spec)
        self.given = given
        self.forbidden = [f for f in forbidden if f]  # never in a public field (identities)
        self.data: dict[str, Any] = {}
        self.notes: Notes = {}
        self.errors: list[str] = []
        self.hooks = hooks_for(kind)(self)

    # --- reading the draft -------------------------------------------------
    def value(self, *path: str) -> Any:
        node: Any = self.data
        for part in path:
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def text(self, *path: str) -> str | None:
        value = self.value(*path)
        return value if isinstance(value, str) else None

    def given_under(self, path: Path_) -> bool:
        return any(p[: len(path)] == path for p in self.given)

    def record(self, kind: str, record_id: Any) -> dict[str, Any] | None:
        if not isinstance(record_id, str):
            return None
        found = self.session.finder.get(kind, record_id)
        return found.data if found else None

    # --- the walk ------------------------------------------------------------
    def compose(self) -> Draft:
        self.hooks.start()
        self.fill(self.tree, self.data, top=True)
        problems = self.errors + [f"缺少{m}" for m in getattr(self.asker, "missing", [])]
        if problems:
            raise Incomplete(problems)
        record_id = self.hooks.make_id()
        ordered = {"id": record_id}
        ordered.update(
            {c.name: self.data[c.name] for c in self.tree.children if c.name in self.data}
        )
        path = record_path(self.info, record_id, self.hooks.year())
        return Draft(self.kind, record_id, path, ordered, self.notes, self.tree)

    def fill(self, node: Node, target: dict[str, Any], *, top: bool = False) -> None:
        children = node.children
        if top and self.hooks.order:
            rank = {name: i for i, name in enumerate(self.hooks.order)}
            children = sorted(children, key=lambda c: rank.get(c.name, len(rank)))
        for child in children:
            if top and child.name == "id":
                continue
            value = self.field(child)
            if value is not None:
                target[child.name] = value

    def field(self, node: Node) -> Any:
        path = node.path
        if self.hooks.skip(path):
            return None
        if path in self.given:
            value = self.take_given(node, self.given[path])
            if value is not None:
                self.hooks.after(path, value)
                return value
            if not self.asker.interactive:
                return None
        custom = self.hooks.custom(path)
        if custom is not NotImplemented:
            return custom
        required = node.required or self.hooks.needed(path)
        value = self.ask(node, required)
        if value is not None:
            self.hooks.after(path, value)
        return value

    def checked(self, node: Node, value: Any) -> Any:
        message = self.hooks.check(node.path, value)
        if message:
            raise BadValue(message)
        return value

    def take_given(self, node: Node, raw: Any) -> Any:
        try:
            value = self.parse(node, raw) if isinstance(raw, str) else raw
            value = self.checked(node, value)
        except BadValue as err:
            if self.asker.interactive:
                self.asker.say(f"{label(node)}：{err}，请重新填写")
            else:
                self.errors.append(f"{label(node)}：{err}")
            return None
        self.asker.say(f"{node.title}：{self.show(value)}")
        return value

    def parse(self, node: Node, text: str) -> Any:
        if node.ref:
            return self.resolve(node.ref, text)
        if node.shape == "array" and node.item is not None and node.item.ref:
            ids = [self.resolve(node.item.ref, part) for part in split_list(text, spaces=True)]
            return list(dict.fromkeys(ids))
        return parse_value(node, text)

    def show(self, value: Any) -> str:
        if isinstance(value, list):
            return "、".join(self.show(v) for v in value)
        if isinstance(value, dict):
            return "、".join(f"{k}={self.show(v)}" for k, v in value.items())
        return str(value)

    # --- asking --------------------------------------------------------------
    def ask(self, node: Node, required: bool) -> Any:
        parse: Callable[[str], Any] = lambda text: self.checked(node, self.parse(node, text))  # noqa: E731
        default = self.hooks.default(node.path)
        if node.shape == "object":
            return self.ask_object(node, required)
        if node.shape == "array" and node.item is not None and node.item.shape == "object":
            return self.ask_items(node, required)
        choices = node.enum or (node.item.enum if node.shape == "array" and node.item else [])
        if choices and not (node.shape == "array" and node.item and node.item.ref):
            return self.ask_choice(node, choices, required, default)
        hint = node.description
        if node.ref or (node.item is not None and node.item.ref):
            hint = f"{hint}{REF_HINT}" if hint else REF_HINT
            if default:
                hint += f"\n建议：{self.describe_ids(node, default)}"
        if node.shape == "array":
            hint += "（多项用逗号分隔）"
        return self.asker.ask(
            label(node), parse, default=default, required=required, help_text=hint
        )

    def ask_object(self, node: Node, required: bool) -> dict[str, Any] | None:
        wanted = required or self.given_under(node.path)
        if not wanted:
            if not self.asker.interactive:
                return None
            if not self.asker.confirm(f"是否填写“{node.title}”？", False):
                return None
        self.asker.say(f"—— {node.title} ——")
        sub: dict[str, Any] = {}
        self.fill(node, sub)
        return sub or None

    def ask_items(self, node: Node, required: bool) -> list[dict[str, Any]] | None:
        if not self.asker.interactive or node.item is None:
            return None
        items: list[dict[str, Any]] = []
        while self.asker.confirm(
            f"添加{'一' if not items else '下一'}项“{node.title}”？", required and not items
        ):
            sub: dict[str, Any] = {}
            self.fill(node.item, sub)
            if sub:
                items.append(sub)
        return items or None

    def ask_choice(
        self, node: Node, choices: list[Any], required: bool, default: str | None
    ) -> Any:
        options = [str(c) for c in choices]
        start = options.index(default) if default in options else None
        many = node.shape == "array"
        picked = self.asker.choose(
            label(node),
            options,
            default=start,
            required=required,
            many=many,
            help_text=node.description,
        )
        if not picked:
            return None
        values = [choices[i] for i in picked]
        try:
            return self.checked(node, values if many else values[0])
        except BadValue as err:
            self.asker.say(str(err))
            return self.ask_choice(node, choices, required, default)

    def describe_ids(self, node: Node, text: str) -> str:
        kind = node.ref or (node.item.ref if node.item else None) or ""
        parts = []
        for record_id in split_list(text, spaces=True):
            found = self.record(kind, record_id)
            name = found.get("name") if found and kind != "staff" else None
            parts.append(f"{record_id} {name}" if name else record_id)
        return "、".join(parts)

    # --- references ----------------------------------------------------------
    def resolve(self, kind: str, text: str) -> str:
        """An id of ``kind`` from an id or part of a name; ambiguity is asked or refused."""
        matches = self.session.finder.find(kind, text)
        if not matches:
            raise BadValue(f"没有找到“{text}”（{self.kind_title(kind)}的编号或名称）")
        if len(matches) > 1 and matches[0].id != text.strip():
            if not self.asker.interactive:
                shown = "；".join(m.show() for m in matches[:5])
                raise BadValue(f"“{text}”对应多条记录：{shown}，请写完整编号")
            picked = self.asker.choose(
                f"“{text}”对应多条记录", [m.show() for m in matches], required=True
            )
            match = matches[picked[0]]
        else:
            match = matches[0]
        self.confirm_match(kind, match)
        return match.id

    def confirm_match(self, kind: str, match: Match) -> None:
        detail = self.hooks.describe(kind, match)
        if detail:
            self.asker.say(f"  → {detail}")
            if (
                self.asker.interactive
                and kind == "enterprise"
                and not self.asker.confirm("是这家企业吗？", True)
            ):
                raise BadValue("请重新输入企业名称或代码")
        else:
            self.asker.say(f"  → {match.id}")

    def kind_title(self, kind: str) -> str:
        registry = self.session.registry
        return registry[kind].title if kind in registry else kind


def write_draft(root: Path, text: str, draft: Draft) -> Path:
    target = root / draft.path
    if target.exists():
        raise FileExistsError(f"{draft.path} 已存在")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def compose_record(
    session: Session,
    kind: str,
    values: dict[str, Any] | None = None,
    *,
    forbidden: Sequence[str] = (),
) -> tuple[Draft, Composer]:
    """Compose a record of ``kind`` from given values (dotted keys) and the asker's answers."""
    if kind not in session.registry:
        raise Incomplete(
            [f"没有“{kind}”这类记录；可用：{'、'.join(sorted(session.registry.kinds))}"]
        )
    tree = build_tree(session.registry[kind])
    given = flatten_given(values or {}, tree)
    composer = Composer(session, kind, given, forbidden)
    return composer.compose(), composer

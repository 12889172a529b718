"""Appending a lifecycle event to a hazard: checked against the state machine, written as text.

The event is added at the end of the ``events:`` list of the file as it stands —
nothing else in the file changes, so the diff of a rectification or a closure is
a few added lines and history stays append-only.  A step the state machine does
not allow is refused with a Chinese message saying what is possible instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from generator.authoring.writer import comment
from generator.derive import lifecycle as lc
from generator.dump import RecordDumper
from generator.load import Document, parse_document
from generator.problems import Problem
from generator.rules.lifecycle import MIN_EVIDENCE, NEEDS

# which command records each event type (shown when a step is refused)
COMMANDS = {
    lc.START: "anjian rectify 编号",
    lc.PROGRESS: "anjian rectify 编号 --progress --note …",
    lc.RECTIFIED: "anjian rectify 编号 --evidence 整改前照片 --evidence 整改后照片 --evidence 责任表",
    lc.ASSESSED: "anjian rectify 编号 --assessed-by 评估机构",
    lc.RECHECK_PASSED: "anjian recheck 编号 --pass --by 人员",
    lc.RECHECK_FAILED: "anjian recheck 编号 --fail --reason …",
    lc.ACCEPTED: "anjian close 编号 --by 人员 --body 验收机构",
    lc.CLOSE: "anjian close 编号 --by 人员",
    lc.REOPEN: "（重新打开须单独提交，并写明原因）",
}
EVENTS_COMMENT = (
    "整改过程【公开】：按时间先后追加的事件，不修改、不删除已有事件；"
    "用 anjian rectify / recheck / close 追加。"
)


class StepRefused(Exception):
    """The hazard's state does not allow the step; the message says why, in Chinese."""


@dataclass(frozen=True)
class Hazard:
    path: str
    text: str
    doc: Document

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    @property
    def id(self) -> str:
        return str(self.data.get("id", ""))

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for e in self.data.get("events") or [] if isinstance(e, dict)]

    @property
    def state(self) -> str:
        return lc.state_of(self.data)

    def accepted(self) -> bool:
        """An acceptance (验收) stands: made since the last reopen."""
        for event in reversed(self.events):
            if event.get("type") == lc.REOPEN:
                return False
            if event.get("type") == lc.ACCEPTED:
                return True
        return False


def read_hazard(text: str, path: str) -> Hazard:
    parsed = parse_document(text.encode("utf-8"), path)
    if isinstance(parsed, Problem):
        raise StepRefused(f"{path} 无法读取：{parsed.message_zh}；请先修正该文件")
    return Hazard(path, text, parsed)


def allowed_now(state: str) -> list[str]:
    return [kind for kind, moves in lc.TRANSITIONS.items() if state in moves]


def check_steps(hazard: Hazard, new: Sequence[dict[str, Any]], today: dt.date) -> None:
    """Refuse events the state machine, the dates or the rules would reject."""
    state = hazard.state
    last = hazard.events[-1].get("date") if hazard.events else hazard.data.get("found_on")
    for event in new:
        kind = str(event["type"])
        after = lc.TRANSITIONS.get(kind, {}).get(state)
        if after is None:
            options = "；".join(f"{k}（{COMMANDS[k]}）" for k in allowed_now(state))
            raise StepRefused(
                f"隐患 {hazard.id} 当前状态为“{state}”，不能记录“{kind}”。"
                + (f"现在可以：{options}" if options else "")
            )
        when = str(event["date"])
        if isinstance(last, str) and when < last:
            raise StepRefused(
                f"日期 {when} 早于上一个事件或发现日期（{last}），整改过程须按时间先后记录"
            )
        if when > today.isoformat():
            raise StepRefused(f"日期 {when} 晚于今天（{today}），已发生的事不能写将来的日期")
        need = NEEDS.get(kind)
        if need and not event.get(need[0]):
            raise StepRefused(need[1])
        if kind == lc.RECTIFIED and len(event.get("evidence") or []) < MIN_EVIDENCE:
            raise StepRefused(
                "整改完成须附两照一表：整改前照片、整改后照片和隐患整改责任表，"
                f"至少 {MIN_EVIDENCE} 个证据文件（--evidence 文件，可重复）"
            )
        state, last = after, when


def _items_text(events: Sequence[dict[str, Any]], indent: int) -> str:
    pad = " " * indent
    text = yaml.dump(
        list(events), Dumper=RecordDumper, allow_unicode=True, sort_keys=False, width=1000
    )
    return "".join(pad + line + "\n" for line in text.splitlines())


def append_events(hazard: Hazard, new: Sequence[dict[str, Any]]) -> str:
    """The file's text with events added at the end of its ``events:`` list."""
    text = hazard.text if hazard.text.endswith("\n") else hazard.text + "\n"
    lines = text.splitlines(keepends=True)
    top = {p[0]: pos[0] for p, pos in hazard.doc.key_positions.items() if len(p) == 1}
    if "events" not in top:
        block = "\n" + "\n".join(comment(EVENTS_COMMENT)) + "\nevents:\n" + _items_text(new, 0)
        return text + block
    start = top["events"] - 1  # 0-based index of the "events:" line
    following = [line for line in top.values() if line - 1 > start]
    end = min(following) - 1 if following else len(lines)
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    key_line = lines[start]
    if "[" in key_line.split("#", 1)[0]:  # flow style (events: []): rewrite as a block
        every = hazard.events + list(new)
        return "".join(lines[:start]) + "events:\n" + _items_text(every, 0) + "".join(lines[end:])
    indent = 0
    for line in lines[start + 1 : end]:
        stripped = line.lstrip(" ")
        if stripped.startswith("- ") or stripped.rstrip("\n") == "-":
            indent = len(line) - len(stripped)
            break
    return "".join(lines[:end]) + _items_text(new, indent) + "".join(lines[end:])


def with_events(hazard: Hazard, new: Sequence[dict[str, Any]]) -> str:
    """Append and prove it: the result reads back as the same record plus the new events."""
    text = append_events(hazard, new)
    after = parse_document(text.encode("utf-8"), hazard.path)
    expected = {**hazard.data, "events": hazard.events + list(new)}
    if isinstance(after, Problem) or after.data != expected:  # pragma: no cover - a bug here
        raise AssertionError(f"appending events to {hazard.path} changed other content")
    return text


def make_event(kind: str, day: dt.date, **fields: Any) -> dict[str, Any]:
    """An event in the schema's key order, without empty fields."""
    event: dict[str, Any] = {"date": day.isoformat(), "type": kind}
    for key in ("by", "note", "evidence", "body", "reason", "document_no"):
        if fields.get(key):
            event[key] = fields[key]
    return event

"""The deployment's numbers (deadlines, targets, periods, timezone), validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.load import parse_document
from generator.problems import Problem, make, register

POLICY_FILE = "policy.yaml"

BAD_POLICY = register(
    "bad-policy",
    "策略文件有误",
    "invalid policy file",
    "policy.yaml 必须符合 schemas/policy.json；按提示修改对应的数字或名称。",
)


@dataclass(frozen=True)
class Policy:
    raw: dict[str, Any]

    def get(self, *keys: str, default: Any = None) -> Any:
        node: Any = self.raw
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return node

    @property
    def timezone(self) -> str:
        return str(self.get("timezone", default="Asia/Shanghai"))

    @property
    def towns(self) -> list[str]:
        return list(self.get("towns", default=[]))

    def deadline_days(self, level: str) -> int | None:
        value = self.get("deadline_days", level)
        return int(value) if value is not None else None

    @property
    def due_soon_days(self) -> int:
        return int(self.get("due_soon_days", default=3))

    @property
    def recurrence_window_days(self) -> int:
        return int(self.get("recurrence_window_days", default=180))

    @property
    def uscc_exceptions(self) -> set[str]:
        return set(self.get("uscc_exceptions", default=[]) or [])

    @property
    def size_limit_bytes(self) -> int:
        return int(self.get("size_limit_bytes", default=1024 * 1024))

    def today(self) -> dt.date:
        return dt.datetime.now(ZoneInfo(self.timezone)).date()


def load_policy(root: Path, schema: dict[str, Any]) -> tuple[Policy, list[Problem]]:
    """Read policy.yaml; a broken policy yields problems and an empty policy."""
    file = root / POLICY_FILE
    if not file.is_file():
        return Policy({}), [
            make(BAD_POLICY, POLICY_FILE, "缺少 policy.yaml", "policy.yaml is missing")
        ]
    parsed = parse_document(file.read_bytes(), POLICY_FILE)
    if isinstance(parsed, Problem):
        return Policy({}), [parsed]
    problems = []
    if schema:
        import jsonschema  # only to check the policy: most commands only read it

        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker()
        )
        for error in validator.iter_errors(parsed.data):
            pointer = tuple(error.absolute_path)
            where = parsed.locate(pointer)
            problems.append(
                make(
                    BAD_POLICY,
                    POLICY_FILE,
                    f"策略文件不符合模式：{error.message}",
                    f"policy does not match its schema: {error.message}",
                    line=where[0] if where else None,
                    column=where[1] if where else None,
                    pointer="/".join(str(p) for p in pointer),
                )
            )
    return Policy(parsed.data), problems

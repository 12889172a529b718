"""A citizen's report or complaint filed as a GitHub issue → the values of a complaint record.

The issue is public; the record keeps who filed it only in internal fields
(``reporter``, ``details``).  The public summary (``subject``) is never copied
from the issue: staff write it, and it may not contain the reporter's name,
account or contact data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HAZARD_REPORT = "隐患举报"
ENFORCEMENT_COMPLAINT = "执法投诉"
# the issue forms' field labels (.github/ISSUE_TEMPLATE/*.yml); the importer reads these
ENTERPRISE_LABEL = "涉及单位名称"
WHEN_LABEL = "发生或发现时间"
PLACE_LABEL = "地点"
WHAT_LABEL = "具体情况"
AGENCY_LABEL = "被投诉的执法单位"
NO_RESPONSE = "_No response_"
DETAILS_MAX = 5000
FIELDS = "number,title,body,author,createdAt,labels,url"
_HEADING = re.compile(r"^###\s+(.+?)\s*$")


class BadIssue(ValueError):
    """The file is not a GitHub issue as ``gh issue view --json`` writes it."""


@dataclass
class Issue:
    number: int
    title: str
    body: str
    url: str
    created_at: str
    login: str
    author_name: str
    labels: list[str] = field(default_factory=list)

    def sections(self) -> dict[str, str]:
        """The issue form's answers: ``### 标题`` → text (empty when not answered)."""
        found: dict[str, list[str]] = {}
        current: str | None = None
        for line in self.body.splitlines():
            heading = _HEADING.match(line)
            if heading:
                current = heading.group(1)
                found[current] = []
            elif current is not None:
                found[current].append(line)
        out = {}
        for name, lines in found.items():
            text = "\n".join(lines).strip()
            out[name] = "" if text == NO_RESPONSE else text
        return out

    @property
    def kind(self) -> str:
        if HAZARD_REPORT in self.labels or HAZARD_REPORT in self.title:
            return HAZARD_REPORT
        if ENFORCEMENT_COMPLAINT in self.labels or ENFORCEMENT_COMPLAINT in self.title:
            return ENFORCEMENT_COMPLAINT
        return ENFORCEMENT_COMPLAINT if AGENCY_LABEL in self.sections() else HAZARD_REPORT

    def received_on(self, timezone: str) -> dt.date:
        try:
            stamp = dt.datetime.fromisoformat(self.created_at.replace("Z", "+00:00"))
        except ValueError:
            raise BadIssue(f"createdAt “{self.created_at}” 不是时间") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(ZoneInfo(timezone)).date()

    def identities(self) -> list[str]:
        """What identifies the reporter: never allowed in public fields."""
        return [s for s in (self.login, f"@{self.login}", self.author_name) if len(s) >= 2]


def read_issue(file: Path) -> Issue:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BadIssue(f"无法读取 {file}：{err}") from None
    if not isinstance(data, dict) or "body" not in data:
        raise BadIssue(f"{file} 不是议题 JSON（请用 gh issue view 编号 --json {FIELDS}）")
    author = data.get("author") or {}
    return Issue(
        number=int(data.get("number") or 0),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),
        url=str(data.get("url") or ""),
        created_at=str(data.get("createdAt") or ""),
        login=str(author.get("login") or ""),
        author_name=str(author.get("name") or ""),
        labels=[
            str(label.get("name")) for label in data.get("labels") or [] if isinstance(label, dict)
        ],
    )


def complaint_values(issue: Issue, timezone: str) -> dict[str, Any]:
    """The complaint's given values: kind, date, channel, reporter and details (internal)."""
    source = f"来源：网络（议题 #{issue.number} {issue.url}），提交账号 @{issue.login}"
    details = f"{source}\n标题：{issue.title}\n\n{issue.body.strip()}"
    if len(details) > DETAILS_MAX:
        details = details[: DETAILS_MAX - 1] + "…"
    reporter: dict[str, Any] = {"name": (issue.author_name or f"@{issue.login}")[:50]}
    if not issue.login and not issue.author_name:
        reporter = {"anonymous": True}
    return {
        "kind": issue.kind,
        "received_on": issue.received_on(timezone).isoformat(),
        "channel": "网络",
        "reporter": reporter,
        "details": details,
        "outcome": "处理中",
    }


def enterprise_hint(issue: Issue) -> str:
    """The enterprise name the reporter gave, to search the records with."""
    text = issue.sections().get(ENTERPRISE_LABEL, "")
    return text.splitlines()[0].strip() if text else ""

"""Temporary git repositories with scripted commits: fixed authors, fixed dates.

``init_county`` writes the small county of ``tests.factory`` (its staff given
git e-mails and an administrator), commits it on ``main`` as the
administrator, and returns a ``Repo`` to script further commits with.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.dump import dump_record
from tests.factory import base_records, make_repo

# staff id → e-mail; STAFF-0001..0003 are inspectors and enforcement officers
EMAILS = {
    "STAFF-0001": "wangjun@qc.example.gov.cn",
    "STAFF-0002": "lina@qc.example.gov.cn",
    "STAFF-0003": "zhaogang@qc.example.gov.cn",
    "STAFF-0004": "admin@qc.example.gov.cn",
}
INSPECTOR = EMAILS["STAFF-0001"]
ADMIN = EMAILS["STAFF-0004"]
STRANGER = "someone@example.com"
HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"

Records = dict[str, dict[str, Any]]


def county_records() -> Records:
    """The factory county, each staff member with a git e-mail, plus an administrator."""
    records = base_records()
    records["records/staff/STAFF-0004.yaml"] = {
        "id": "STAFF-0004",
        "name": "周敏",
        "department": "DEPT-YJJ",
        "roles": ["管理员"],
        "active": True,
    }
    for staff_id, email in EMAILS.items():
        records[f"records/staff/{staff_id}.yaml"]["git"] = {"emails": [email]}
    return records


def git_env(email: str, date: str) -> dict[str, str]:
    name = email.split("@", 1)[0]
    stamp = f"{date}T09:00:00+08:00"
    return {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


@dataclass
class Repo:
    root: Path

    def git(self, *args: str, email: str = ADMIN, date: str = "2026-11-01") -> str:
        result = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=git_env(email, date),
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def write(self, rel: str, record: dict[str, Any]) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_record(record), encoding="utf-8")

    def read(self, rel: str) -> dict[str, Any]:
        from generator.load import Document, parse_document

        doc = parse_document((self.root / rel).read_bytes(), rel)
        assert isinstance(doc, Document)
        return doc.data

    def commit(self, message: str, *, email: str = INSPECTOR, date: str = "2026-11-20") -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, email=email, date=date)

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)


def init_county(root: Path, records: Records | None = None) -> Repo:
    make_repo(root, county_records() if records is None else records)
    repo = Repo(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("青川县记录库", email=ADMIN, date="2026-11-01")
    return repo

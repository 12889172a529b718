"""Scratch histories for the audit: the review county, an epoch, pull requests that land.

``init_audited_county`` commits the review county (``tests.review_factory``) on
``main`` and then, as the administrator, names that first commit as the audit
epoch in ``policy.yaml``.  ``land`` plays one pull request: a branch, a record
commit by its author, one review commit per approval, a merge by the
administrator — each with fixed names, e-mails and dates, optionally signed
with SSH keys made by ``ssh-keygen``.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.audit.publish import AuditSite, named_on, write_audit
from generator.audit.verify import VerifyResult, verify
from generator.review.approvals import APPROVE, verdict_message
from generator.validate import validate_repository
from tests.gitrepo import ADMIN, INSPECTOR, Records, Repo
from tests.review_factory import TIER1, init_review_county, inspection, review_county

AS_OF = dt.date(2026, 11, 23)


def head(repo: Repo, ref: str = "HEAD") -> str:
    return repo.git("rev-parse", ref).strip()


def make_key(folder: Path, email: str) -> Path:
    """A fresh ed25519 key pair (no passphrase); the private key's path."""
    folder.mkdir(parents=True, exist_ok=True)
    key = folder / email.split("@", 1)[0]
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", email, "-f", str(key)], check=True
    )
    return key


def public_key(key: Path) -> str:
    return key.with_suffix(".pub").read_text(encoding="utf-8").strip()


@dataclass
class County:
    """A scratch repository whose audit starts at its first commit."""

    repo: Repo
    epoch: str
    keys: dict[str, Path] = field(default_factory=dict)  # e-mail → private key

    @property
    def root(self) -> Path:
        return self.repo.root

    def _commit(self, email: str, date: str, *args: str) -> str:
        key = self.keys.get(email)
        signing = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"] if key else []
        self.repo.git(
            *signing, "commit", "-q", *(["-S"] if key else []), *args, email=email, date=date
        )
        return head(self.repo)

    def land(
        self,
        files: dict[str, dict[str, Any]],
        *,
        author: str = INSPECTOR,
        approvals: Sequence[tuple[int, str]] = (),
        date: str = "2026-11-20",
        branch: str = "submit",
    ) -> tuple[str, str]:
        """One pull request, merged: (its record commit, the merge)."""
        self.repo.git("checkout", "-q", "-b", branch)
        for rel, record in files.items():
            self.repo.write(rel, record)
        self.repo.git("add", "-A")
        change = self._commit(author, date, "-m", f"提交 {', '.join(sorted(files))}")
        ids = [str(r["id"]) for r in files.values()]
        for tier, reviewer in approvals:
            message = verdict_message(
                tier=tier,
                decision=APPROVE,
                reviewed_commit=change,
                records=ids,
                comment="",
                signed=reviewer in self.keys,
            )
            self._commit(reviewer, date, "--allow-empty", "-m", message)
        self.repo.git("checkout", "-q", "main")
        self.repo.git(
            "merge", "-q", "--no-ff", branch, "-m", f"合并 {branch}", email=ADMIN, date=date
        )
        self.repo.git("branch", "-q", "-D", branch)
        return change, head(self.repo)

    def land_inspections(self, count: int) -> list[str]:
        """``count`` new inspections in one pull request, approved at tier 1: their ids."""
        ids = [f"INS-20261120-{n:03d}" for n in range(1, count + 1)]
        self.land(
            {f"records/inspection/2026/{i}.yaml": inspection(i, "2026-11-20") for i in ids},
            approvals=[(1, TIER1)],
        )
        return ids

    def verify(self, published: str | None = None) -> VerifyResult:
        return verify(self.root, published=published, jobs=1)

    def publish(
        self, out: Path, as_of: dt.date = AS_OF, previous: Path | None = None, jobs: int = 1
    ) -> AuditSite:
        """The public audit pages into ``out``; ``previous``: the folder published last time."""
        loaded = validate_repository(self.root, as_of=as_of, jobs=1)
        return write_audit(
            self.root,
            out,
            named=named_on(loaded.valid, loaded.registry, loaded.policy, as_of),
            registry=loaded.registry,
            policy=loaded.policy,
            records=loaded.valid,
            jobs=jobs,
            previous=previous,
        )


def init_audited_county(
    root: Path,
    records: Records | None = None,
    *,
    keys: dict[str, Path] | None = None,
    require_signatures: bool = False,
) -> County:
    """The review county committed on main, then the epoch (and signing rule) set in policy."""
    records = review_county() if records is None else records
    if keys:
        for record in records.values():
            emails = (record.get("git") or {}).get("emails") or []
            found = [public_key(keys[e]) for e in emails if e in keys]
            if found:
                record["git"]["signing_keys"] = found
    repo = init_review_county(root, records)
    epoch = head(repo)
    policy = (root / "policy.yaml").read_text(encoding="utf-8")
    policy = re.sub(r"(?m)^(\s*epoch:).*$", rf"\g<1> {epoch}", policy, count=1)
    if require_signatures:
        policy = policy.replace("require_signatures: false", "require_signatures: true")
    (root / "policy.yaml").write_text(policy, encoding="utf-8")
    repo.commit("审计起点", email=ADMIN, date="2026-11-02")
    return County(repo, epoch, dict(keys or {}))


OTHER_OFFICER = "fengqiang@qc.example.gov.cn"
OTHER_OFFICER_FILE = "records/staff/STAFF-0009.yaml"


def other_department_officer() -> dict[str, Any]:
    """An inspector and law-enforcement officer of another department (劳动监察)."""
    return {
        "id": "STAFF-0009",
        "name": "冯强",
        "department": "DEPT-LDXZ",
        "roles": ["检查员", "执法人员"],
        "active": True,
        "git": {"emails": [OTHER_OFFICER]},
    }

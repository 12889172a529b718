"""Staff as the audit sees them: roles and git identities, plus SSH signing keys.

The roster itself is the review package's (``generator.review.roster``): one
reading of ``git.emails`` and ``roles`` for both.  This module adds the
``git.signing_keys`` and the ``allowed_signers`` file git needs to check SSH
signatures (``gpg.ssh.allowedSignersFile``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from generator.review.roster import Member, Roster

UNKNOWN = "unknown"


def key_lines(data: dict[str, Any]) -> tuple[str, ...]:
    git = data.get("git")
    keys = git.get("signing_keys") if isinstance(git, dict) else None
    return tuple(str(k).strip() for k in keys or () if isinstance(k, str) and k.strip())


def fingerprint(key: str) -> str | None:
    """``ssh-ed25519 AAAA… comment`` → ``SHA256:…`` as ``ssh-keygen -l`` and ``%GK`` print it."""
    parts = key.split()
    if len(parts) < 2:
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


@dataclass(frozen=True)
class People:
    """The staff at one point of the history."""

    roster: Roster
    keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # member id → key lines
    by_email: dict[str, Member] = field(default_factory=dict)  # lower-case e-mail → member

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]]) -> People:
        rows = [r for r in records if isinstance(r.get("id"), str)]
        roster = Roster.of(rows)
        by_email: dict[str, Member] = {}
        for member in roster.members:  # sorted by id: the first holder of an e-mail wins
            for email in member.emails:
                by_email.setdefault(email, member)
        return cls(roster, {str(r["id"]): key_lines(r) for r in rows}, by_email)

    def member(self, email: str) -> Member | None:
        return self.by_email.get(email.strip().lower()) if email else None

    def staff_id(self, email: str) -> str:
        member = self.member(email)
        return member.id if member else UNKNOWN

    def fingerprints(self, member_id: str) -> set[str]:
        return {f for k in self.keys.get(member_id, ()) if (f := fingerprint(k))}


def allowed_signers(people: Iterable[People]) -> str:
    """The ``allowed_signers`` file: each key of each member, for each of their e-mails.

    Given several points of the history, every key ever listed is included (a
    key removed later still checks the commits it signed); whether the key
    belonged to the commit's author *then* is decided by the caller.
    """
    by_member: dict[str, set[str]] = {}
    for group in people:
        for member in group.roster.members:
            principals = ",".join(member.emails)
            if not principals:
                continue
            for key in group.keys.get(member.id, ()):
                parts = key.split()
                if len(parts) >= 2 and fingerprint(key):
                    line = f'{principals} namespaces="git" {parts[0]} {parts[1]}'
                    by_member.setdefault(member.id, set()).add(line)
    out = []
    for member_id in sorted(by_member):
        out.append(f"# {member_id}\n")
        out.extend(f"{line}\n" for line in sorted(by_member[member_id]))
    return "".join(out)

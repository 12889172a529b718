"""Who may review: staff records read as people with roles and Git identities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from generator.review.tiers import TIER_ROLE


@dataclass(frozen=True)
class Member:
    id: str
    department: str
    roles: frozenset[str]
    active: bool
    emails: tuple[str, ...]  # lower-cased
    username: str | None

    def reviews(self, tier: int) -> bool:
        return self.active and TIER_ROLE[tier] in self.roles

    @property
    def handle(self) -> str | None:
        """How the hosting platform names this person (CODEOWNERS): @username, else an email."""
        if self.username:
            return f"@{self.username}"
        return self.emails[0] if self.emails else None


def member_from(data: dict[str, Any]) -> Member | None:
    if not isinstance(data.get("id"), str):
        return None
    raw_git = data.get("git")
    git: dict[str, Any] = raw_git if isinstance(raw_git, dict) else {}
    emails = tuple(str(e).strip().lower() for e in git.get("emails") or [] if isinstance(e, str))
    username = git.get("username")
    raw_roles = data.get("roles")
    roles: list[Any] = raw_roles if isinstance(raw_roles, list) else []
    return Member(
        id=data["id"],
        department=str(data.get("department") or ""),
        roles=frozenset(str(r) for r in roles),
        active=data.get("active") is True,
        emails=emails,
        username=username if isinstance(username, str) and username else None,
    )


@dataclass(frozen=True)
class Roster:
    members: tuple[Member, ...]

    @classmethod
    def of(cls, records: Iterable[dict[str, Any]]) -> Roster:
        found = (member_from(r) for r in records)
        return cls(tuple(sorted((m for m in found if m), key=lambda m: m.id)))

    def by_email(self, email: str) -> Member | None:
        wanted = email.strip().lower()
        for member in self.members:
            if wanted in member.emails:
                return member
        return None

    def reviewers(self, tier: int) -> list[Member]:
        return [m for m in self.members if m.reviews(tier)]

    def with_role(self, role: str) -> list[Member]:
        return [m for m in self.members if m.active and role in m.roles]

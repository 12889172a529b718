"""The blacklist section of the policy read into typed values.

Each rule is data: a stable id, a Chinese title, the legal basis, whether it is
enabled, the criterion that evaluates it (its own id unless ``criterion`` names
another, so a county can add a variant with other numbers) and its parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.policy import Policy

DEFAULT_TERM_YEARS = 3
DEFAULT_REPAIR_AFTER_MONTHS = 12


@dataclass(frozen=True)
class BlacklistRule:
    id: str
    title: str
    basis: str
    enabled: bool
    criterion: str
    window_days: int | None = None
    min_count: int = 1
    grace_days: int = 0
    hazard_classes: tuple[str, ...] = ()
    hazard_levels: tuple[str, ...] = ()
    min_fine: float = 0.0
    basis_contains: tuple[str, ...] = ()

    def hazard_applies(self, hazard: dict[str, Any]) -> bool:
        if self.hazard_classes and hazard.get("class") not in self.hazard_classes:
            return False
        return not self.hazard_levels or hazard.get("level") in self.hazard_levels


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def read_rule(raw: dict[str, Any]) -> BlacklistRule:
    rule_id = str(raw.get("id", ""))
    window = raw.get("window_days")
    return BlacklistRule(
        id=rule_id,
        title=str(raw.get("title") or rule_id),
        basis=str(raw.get("basis") or ""),
        enabled=raw.get("enabled") is True,
        criterion=str(raw.get("criterion") or rule_id),
        window_days=int(window) if isinstance(window, int) else None,
        min_count=int(raw.get("min_count") or 1),
        grace_days=int(raw.get("grace_days") or 0),
        hazard_classes=_strings(raw.get("hazard_classes")),
        hazard_levels=_strings(raw.get("hazard_levels")),
        min_fine=float(raw.get("min_fine") or 0),
        basis_contains=_strings(raw.get("basis_contains")),
    )


def blacklist_rules(policy: Policy) -> list[BlacklistRule]:
    """Every rule of the policy, in policy order (enabled or not)."""
    raw = policy.get("blacklist", "rules", default=[]) or []
    return [read_rule(r) for r in raw if isinstance(r, dict)]


def rules_by_id(policy: Policy) -> dict[str, BlacklistRule]:
    out: dict[str, BlacklistRule] = {}
    for rule in blacklist_rules(policy):
        out.setdefault(rule.id, rule)
    return out


def term_years(policy: Policy) -> int:
    return int(policy.get("blacklist", "term_years", default=DEFAULT_TERM_YEARS))


def repair_after_months(policy: Policy) -> int:
    return int(policy.get("blacklist", "repair_after_months", default=DEFAULT_REPAIR_AFTER_MONTHS))


def default_measures(policy: Policy) -> tuple[str, ...]:
    """The joint-punishment measures published when a decision names none."""
    return _strings(policy.get("blacklist", "measures", default=[]))

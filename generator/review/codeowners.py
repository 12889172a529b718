"""``.github/CODEOWNERS`` generated from staff, departments and the review tiers.

The platform then asks the right reviewers for every pull request and, with
"require review from Code Owners" on, refuses to merge without one of them;
``anjian review check`` adds what the platform cannot see (which tier, which
record, stale approvals, self-approval).  In CODEOWNERS the last matching line
wins, so the lines go from general to specific:

- ``*`` — administrators (管理员): code, schemas, policy, workflows;
- ``/records/`` — any tier-1 or tier-2 reviewer (enterprises, self-reports,
  complaints, evidence …);
- ``/records/<kind>/`` — the reviewers of every tier a change of that kind can
  need under ``review.tiers``;
- ``/records/staff/``, ``/records/department/`` — administrators again: who may
  review is not decided by the reviewers.

A person is named by ``git.username`` (the platform handle, ``@name``), else by
the first of ``git.emails``.  Tier-3 reviewers (discipline inspection) are not
code owners: their checks are unannounced.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.policy import load_policy
from generator.records import RECORDS_DIR, load_files
from generator.review.plan import KIND_TITLE, TRIGGER_KINDS
from generator.review.roster import Member, Roster
from generator.review.tiers import TIER_ROLE, TIER_TITLE, tier_rules
from generator.schemas import POLICY_SCHEMA, SCHEMAS_DIR

PATH = ".github/CODEOWNERS"
ADMIN = "管理员"
OWNED_TIERS = (1, 2)  # tier 3 stays unannounced
ADMIN_PATHS = ("/records/staff/", "/records/department/")
HEADER = """\
# 代码所有者（CODEOWNERS）。由 `anjian review codeowners --write` 根据人员记录（records/staff/）、
# 部门记录（records/department/）和 policy.yaml 中的 review.tiers 生成，请勿手工修改。
# 平台据此请相应的复核员审核；`anjian review check` 再逐条核对复核层级（见 docs/review.md）。
# 同一路径只适用最后一条匹配的规则，所以从一般到具体排列。
"""


@dataclass(frozen=True)
class Line:
    pattern: str
    owners: tuple[str, ...]
    comment: str


def kind_tiers(rules: dict[str, tuple[int, ...]], kinds: Iterable[str]) -> dict[str, list[int]]:
    """Record kind → the tiers a change of that kind can need."""
    found: dict[str, set[int]] = {kind: set() for kind in kinds}
    for trigger, tiers in rules.items():
        for kind in TRIGGER_KINDS.get(trigger, ()):
            if kind in found:
                found[kind].update(tiers)
    return {kind: sorted(tiers) for kind, tiers in sorted(found.items()) if tiers}


def _handles(members: Iterable[Member]) -> tuple[str, ...]:
    return tuple(sorted({h for m in members if (h := m.handle)}))


def _departments(members: Iterable[Member], names: dict[str, str]) -> str:
    ids = sorted({m.department for m in members})
    return "、".join(f"{names.get(d, d)}" for d in ids)


def build_lines(
    roster: Roster,
    departments: Iterable[dict[str, Any]],
    rules: dict[str, tuple[int, ...]],
    kinds: Iterable[str],
) -> list[Line]:
    names = {str(d["id"]): str(d.get("name", d["id"])) for d in departments if "id" in d}
    admins = roster.with_role(ADMIN)
    admin_note = f"管理员（{_departments(admins, names)}）" if admins else "管理员"
    by_tier = {tier: roster.reviewers(tier) for tier in TIER_ROLE}
    lines = [Line("*", _handles(admins), f"默认：{admin_note}——程序、模式、政策参数、工作流")]
    general = [m for t in OWNED_TIERS for m in by_tier[t]]
    lines.append(
        Line(
            "/records/",
            _handles(general),
            "其他记录（企业、月度自查、投诉举报、证据文件等）：一级或二级复核员",
        )
    )
    for kind, tiers in kind_tiers(rules, kinds).items():
        owned = [t for t in tiers if t in OWNED_TIERS] or list(tiers)
        members = [m for t in owned for m in by_tier[t]]
        who = "；".join(
            f"{TIER_ROLE[t]}（{_departments(by_tier[t], names) or '暂无'}）" for t in owned
        )
        title = "、".join(TIER_TITLE[t] for t in tiers)
        lines.append(
            Line(
                f"/records/{kind}/",
                _handles(members),
                f"{KIND_TITLE.get(kind, kind)}：需要{title}——{who}",
            )
        )
    for pattern in ADMIN_PATHS:
        lines.append(Line(pattern, _handles(admins), f"谁能复核由管理员决定：{admin_note}"))
    return lines


def render(lines: Iterable[Line]) -> str:
    out = [HEADER]
    for line in lines:
        out.append(f"# {line.comment}")
        if line.owners:
            out.append(f"{line.pattern} {' '.join(line.owners)}")
        else:
            out.append(f"# {line.pattern}（没有在岗的人员可指定，沿用上一条规则）")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _records(root: Path, kind: str) -> list[dict[str, Any]]:
    folder = root / RECORDS_DIR / kind
    records, _ = load_files(root, sorted(folder.rglob("*.yaml")) if folder.is_dir() else [], jobs=1)
    return [r.data for r in records]


def generate(root: Path) -> str:
    """CODEOWNERS for the repository's work tree."""
    policy, _ = load_policy(root, {})
    kinds = sorted(p.stem for p in (root / SCHEMAS_DIR).glob("*.json") if p.stem != POLICY_SCHEMA)
    lines = build_lines(
        Roster.of(_records(root, "staff")), _records(root, "department"), tier_rules(policy), kinds
    )
    return render(lines)

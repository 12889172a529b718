"""A Git history for a synthetic county, written with ``git fast-import``.

The history is what the workflow would have left behind, in date order:

1. the deployment by the administrator: schemas, policy, portal configuration,
   departments, staff and the enterprise register (the audit epoch);
2. the administrator setting ``audit.epoch`` in the policy to that commit;
3. the dated records (inspections, hazards with their evidence, penalties,
   self-reports, decisions, complaints) in the order of their dates, in
   commits by the staff who may make them — an inspector for inspections and
   hazards, an enforcement officer of the deciding department for a penalty
   or a decision — each followed, on the main line, by the empty review
   commits its tiers need (``Review-Tier`` trailers, as ``anjian review
   approve`` writes them) by a reviewer of that tier.

``commits`` is the length of the whole history; the records are spread over
as many record commits as fit, and empty maintenance commits make up the
rest.  One fast-import process, the files' contents made in memory and
streamed inline, then one ``git checkout`` writes the working tree and its
index: nothing is written twice or read back.  Records go in their final
state (a hazard's whole lifecycle arrives with the hazard).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from generator.demo.emit import dump
from generator.demo.evidence import evidence_content
from generator.demo.model import County, Decision, Hazard, Inspection, Penalty, Staff
from generator.demo.records import KIND_TITLES, Convert, sources
from generator.demo.write import COUNTY_LABEL
from generator.permissions import INSPECTING, MAY_CHANGE
from generator.review.approvals import APPROVE, verdict_message
from generator.review.plan import triggers_of
from generator.review.tiers import TIER_ROLE

SHANGHAI = "+0800"
TZ = dt.timezone(dt.timedelta(hours=8))
BASE_KINDS = ("department", "staff", "enterprise")
KIND_ORDER = ("inspection", "hazard", "penalty", "decision", "self-report", "complaint")
SCOPED = frozenset({"penalty", "decision"})  # changed only within the owning department
EPOCH_LINE = re.compile(r"(?m)^(\s*epoch:).*$")


class HistoryError(Exception):
    """git is missing or fast-import failed."""


@dataclass
class Item:
    """One record to commit: where it goes, when it happened, who may commit it."""

    kind: str
    path: str  # relative to the repository root
    convert: Convert
    obj: Any
    record_id: str
    day: dt.date
    department: str | None  # owning department of a penalty or decision
    named: tuple[str, ...]  # staff ids the record names, preferred as its author
    evidence: tuple[str, ...]  # evidence paths committed with it
    tiers: tuple[int, ...]


@dataclass
class Commit:
    author: Staff
    items: list[Item] = field(default_factory=list)


def _evidence_of(obj: Any) -> tuple[str, ...]:
    if isinstance(obj, Hazard):
        return tuple(ref.path for event in obj.events for ref in event.evidence)
    if isinstance(obj, Inspection):
        return tuple(ref.path for ref in obj.evidence)
    return ()


def _named(obj: Any) -> tuple[str, ...]:
    if isinstance(obj, Inspection):
        return tuple(s.id for s in obj.inspectors)
    if isinstance(obj, Hazard):
        team = obj.found_by or (obj.inspection.inspectors if obj.inspection else [])
        return tuple(s.id for s in team)
    if isinstance(obj, Penalty):
        return tuple(s.id for s in obj.handled_by)
    if isinstance(obj, Decision):
        return tuple(s.id for s in obj.decided_by)
    return ()


def _day(kind: str, obj: Any) -> dt.date:
    day: dt.date = {
        "inspection": lambda o: o.date,
        "hazard": lambda o: o.found_on,
        "penalty": lambda o: o.decided_on,
        "decision": lambda o: o.decided_on,
        "self-report": lambda o: o.submitted_on,
        "complaint": lambda o: o.received_on,
    }[kind](obj)
    return day


def _tiers(kind: str, data: dict[str, Any], rules: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    found = {tier for trigger in triggers_of(kind, None, data) for tier in rules.get(trigger, ())}
    return tuple(sorted(found))


def plan_items(
    county: County, *, monthly: bool, rules: dict[str, tuple[int, ...]]
) -> tuple[list[tuple[str, Convert, Any]], list[Item]]:
    """The base records (path, converter, object) and the dated ones as items, in commit order."""
    base: list[tuple[str, Convert, Any]] = []
    items: list[Item] = []
    for kind, folder, convert, obj in sources(county, monthly=monthly):
        path = f"records/{kind}/{folder + '/' if folder else ''}{obj.id}.yaml"
        if kind in BASE_KINDS:
            base.append((path, convert, obj))
            continue
        needs_data = kind in ("hazard", "decision")
        data: dict[str, Any] = _data(convert, obj) if needs_data else {}
        items.append(
            Item(
                kind=kind,
                path=path,
                convert=convert,
                obj=obj,
                record_id=obj.id,
                day=_day(kind, obj),
                department=getattr(obj, "department", None) if kind in SCOPED else None,
                named=_named(obj),
                evidence=_evidence_of(obj),
                tiers=_tiers(kind, data, rules) if needs_data else _tiers(kind, {}, rules),
            )
        )
    items.sort(key=lambda i: (i.day, KIND_ORDER.index(i.kind), i.record_id))
    return base, items


def _data(convert: Convert, obj: Any) -> dict[str, Any]:
    return dict(convert(obj))


class Authors:
    """Who commits what: active staff allowed the kind (and department), round robin."""

    def __init__(self, staff: list[Staff]) -> None:
        self.active = [s for s in staff if s.active]
        self.by_id = {s.id: s for s in self.active}
        self.admin = next(s for s in self.active if "管理员" in s.roles)
        self._turn = 0
        self._general = [s for s in self.active if INSPECTING & set(s.roles)]
        self._scoped: dict[tuple[str, str], list[Staff]] = {}

    def _next(self, pool: list[Staff]) -> Staff:
        self._turn += 1
        return pool[self._turn % len(pool)]

    def scoped(self, kind: str, department: str) -> list[Staff]:
        key = (kind, department)
        if key not in self._scoped:
            self._scoped[key] = [
                s
                for s in self.active
                if s.department == department
                and MAY_CHANGE[kind] & set(s.roles)
                # a commit may also carry the group's other records
                and INSPECTING & set(s.roles)
            ]
        return self._scoped[key]

    def for_group(self, items: list[Item]) -> Staff:
        scoped = [i for i in items if i.kind in SCOPED and i.department]
        if scoped:
            pool = self.scoped(scoped[0].kind, str(scoped[0].department))
            if "penalty" in {i.kind for i in scoped}:
                pool = self.scoped("penalty", str(scoped[0].department))
            named = [self.by_id[n] for i in scoped for n in i.named if n in self.by_id]
            chosen = [s for s in named if s in pool]
            return chosen[0] if chosen else self._next(pool or self._general)
        for item in items:
            for staff_id in item.named:
                person = self.by_id.get(staff_id)
                if person is not None and INSPECTING & set(person.roles):
                    return person
        return self._next(self._general)

    def reviewer(self, tier: int, author: Staff) -> Staff | None:
        pool = [s for s in self.active if TIER_ROLE[tier] in s.roles and s is not author]
        return self._next(pool) if pool else None


def _groups(chunk: list[Item], authors: Authors) -> list[Commit]:
    """A chunk of records as commits: one per department of scoped records, the rest together."""
    scoped: dict[str, list[Item]] = {}
    general: list[Item] = []
    for item in chunk:
        if item.kind in SCOPED and item.department and authors.scoped(item.kind, item.department):
            scoped.setdefault(item.department, []).append(item)
        else:
            general.append(item)
    groups = list(scoped.values())
    if groups:
        groups[0] = general + groups[0]
    elif general:
        groups = [general]
    return [Commit(authors.for_group(g), sorted(g, key=_position(chunk))) for g in groups]


def _position(chunk: list[Item]) -> Callable[[Item], int]:
    where = {id(item): n for n, item in enumerate(chunk)}
    return lambda item: where[id(item)]


def plan_commits(items: list[Item], chunks: int, authors: Authors) -> list[Commit]:
    out: list[Commit] = []
    for n in range(chunks):
        chunk = items[len(items) * n // chunks : len(items) * (n + 1) // chunks]
        if chunk:
            out.extend(_groups(chunk, authors))
    return out


def _reviews(commit: Commit) -> list[int]:
    return sorted({t for item in commit.items for t in item.tiers})


def _count(commits: list[Commit]) -> int:
    return sum(1 + len(_reviews(c)) for c in commits)


def fit(items: list[Item], budget: int, authors: Authors) -> list[Commit]:
    """As many record chunks as fit in ``budget`` commits (reviews included)."""
    if budget <= 0 or not items:
        return []
    low, high = 1, min(len(items), budget)
    best = plan_commits(items, 1, authors)
    while low <= high:
        mid = (low + high) // 2
        plan = plan_commits(items, mid, authors)
        if _count(plan) <= budget:
            best, low = plan, mid + 1
        else:
            high = mid - 1
    return best


class FastImport:
    """A ``git fast-import`` process: commits streamed with inline file contents."""

    def __init__(self, repo: Path) -> None:
        env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
        try:
            self.proc = subprocess.Popen(
                ["git", "-c", "pack.compression=1", "fast-import", "--quiet", "--cat-blob-fd=1"],
                cwd=repo,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError as err:
            raise HistoryError(f"无法运行 git：{err.strerror}") from err
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.out: IO[bytes] = self.proc.stdin
        self.answers: IO[bytes] = self.proc.stdout
        self.mark = 0
        self.commits = 0

    def commit(
        self,
        who: Staff,
        when: int,
        message: str,
        files: Iterable[tuple[str, bytes]] = (),
    ) -> int:
        self.mark += 1
        body = message.encode("utf-8")
        ident = f"{who.name} <{who.emails[0]}> {when} {SHANGHAI}".encode()
        self.out.write(
            b"commit refs/heads/main\nmark :%d\nauthor %s\ncommitter %s\ndata %d\n%s\n"
            % (self.mark, ident, ident, len(body), body)
        )
        for path, content in files:
            self.out.write(
                b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode("utf-8"), len(content), content)
            )
        self.out.write(b"\n")
        self.commits += 1
        return self.mark

    def sha(self, mark: int) -> str:
        self.out.write(b"get-mark :%d\n" % mark)
        self.out.flush()
        return self.answers.readline().decode().strip()

    def close(self) -> None:
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise HistoryError("git fast-import 失败")


def _stamp(day: dt.date, minutes: int) -> int:
    start = dt.datetime(day.year, day.month, day.day, 9, tzinfo=TZ)
    return int(start.timestamp()) + 60 * minutes


def _record(path: str, kind: str, convert: Convert, obj: Any) -> tuple[str, bytes]:
    text = dump(convert(obj), f"{KIND_TITLES[kind]} — {COUNTY_LABEL}")
    return path, text.encode("utf-8")


def _setup_files(
    root: Path, county: County, base: list[tuple[str, Convert, Any]]
) -> Iterator[tuple[str, bytes]]:
    config = ["policy.yaml", "mkdocs.yml", ".gitignore"]
    schemas = sorted(f"schemas/{p.name}" for p in (root / "schemas").glob("*.json"))
    for rel in [*config, *schemas]:
        if (root / rel).is_file():
            yield rel, (root / rel).read_bytes()
    for path, convert, obj in base:
        yield _record(path, path.split("/")[1], convert, obj)


def _files(county: County, commit: Commit) -> Iterator[tuple[str, bytes]]:
    for item in commit.items:
        yield _record(item.path, item.kind, item.convert, item.obj)
        for rel in item.evidence:
            yield rel, evidence_content(county, rel)


def write_history(
    root: Path,
    county: County,
    commits: int,
    *,
    monthly: bool,
    rules: dict[str, tuple[int, ...]],
    start: dt.date,
) -> dict[str, int]:
    """Make ``root`` a git repository of ``commits`` commits, and check the county out.

    ``root`` holds the project's files already (schemas, policy, mkdocs.yml,
    .gitignore); the records and evidence come from ``county``.  ``policy.yaml``
    gets ``audit.epoch`` set to the deployment commit in the history's second
    commit.  Returns how many commits and records.
    """
    base, items = plan_items(county, monthly=monthly, rules=rules)
    authors = Authors(county.staff)
    plan = fit(items, commits - 2, authors)
    _git(root, "init", "-q", "-b", "main")
    imp = FastImport(root)
    admin = authors.admin
    setup = _setup_files(root, county, base)
    policy = (root / "policy.yaml").read_text(encoding="utf-8")
    stamp = _stamp(start, -60 * 24 * 7)
    epoch_mark = imp.commit(
        admin, stamp, "部署：模式、策略、门户配置，导入部门、人员和企业名录", setup
    )
    epoch = imp.sha(epoch_mark)
    policy = EPOCH_LINE.sub(rf"\g<1> {epoch}", policy, count=1)
    stamp += 600
    imp.commit(admin, stamp, "审计起点：导入记录的提交", [("policy.yaml", policy.encode("utf-8"))])
    records = len(base)
    for commit in plan:
        day = commit.items[0].day
        stamp = max(stamp + 60, _stamp(day, (imp.commits * 7) % 480))
        ids = [i.record_id for i in commit.items]
        title = f"新增 {ids[0]}" + (f" 等 {len(ids)} 条记录" if len(ids) > 1 else "")
        mark = imp.commit(commit.author, stamp, title, _files(county, commit))
        records += len(ids)
        reviews = _reviews(commit)
        reviewed = imp.sha(mark) if reviews else ""
        for tier in reviews:
            reviewer = authors.reviewer(tier, commit.author)
            if reviewer is None:
                continue
            stamp += 60
            wanted = [i.record_id for i in commit.items if tier in i.tiers]
            message = verdict_message(
                tier=tier,
                decision=APPROVE,
                reviewed_commit=reviewed,
                records=wanted,
                comment="",
                signed=False,
            )
            imp.commit(reviewer, stamp, message)
    while imp.commits < commits:
        stamp += 60
        imp.commit(admin, stamp, f"维护：例行检查（{imp.commits + 1}）")
    imp.close()
    # the working tree and its index in one pass, as a clone would (no file hashed again)
    _git(root, "-c", "checkout.workers=0", "checkout", "-q", "-f", "main")
    return {"commits": imp.commits, "record_commits": len(plan), "records": records}


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, env=env, check=False)
    except OSError as err:
        raise HistoryError(f"无法运行 git：{err.strerror}") from err
    if done.returncode != 0:
        raise HistoryError(f"git {args[0]} 失败：{done.stderr.decode(errors='replace').strip()}")

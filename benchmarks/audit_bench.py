"""Audit benchmark: ``anjian audit verify`` against plain ``git log --name-status``, one run.

Makes a synthetic history with ``git fast-import`` (seconds, not hours) from the
demo county's records, the way the workflow lands them: a pull request per
change — one record commit by a staff member allowed to make it, one review
commit per tier the change needs (trailers as ``anjian review approve`` writes
them), and a merge by the administrator.

    python benchmarks/audit_bench.py --scale demo     # one pull request per demo record
    python benchmarks/audit_bench.py --scale 20k      # 20,000 commits: the demo, then edits

Rows (median of ``--runs``, each a fresh process, via ``run.measure``):

- ``git log --name-status`` over the whole history — the target's yardstick;
- ``anjian audit verify`` with no published log (rebuilds the chain, checks
  identities, roles and approvals);
- ``anjian audit verify --against log.jsonl`` after ``anjian audit publish``
  (the same, plus the prefix check against the published chain).

Results go to ``benchmarks/out/audit-<scale>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(HERE))

from run import PYTHON  # noqa: E402

from generator.demo.commits import FastImport  # noqa: E402
from generator.dump import dump_record  # noqa: E402
from generator.load import Document, parse_document  # noqa: E402
from generator.permissions import MAY_CHANGE  # noqa: E402
from generator.policy import Policy  # noqa: E402
from generator.review.approvals import APPROVE, verdict_message  # noqa: E402
from generator.review.plan import classify  # noqa: E402
from generator.review.tiers import TIER_ROLE, tier_rules  # noqa: E402

AS_OF = "2026-11-23"
BASE_KINDS = ("department", "staff", "enterprise")
DATE_FIELD = {
    "inspection": "date",
    "hazard": "found_on",
    "penalty": "decided_on",
    "decision": "decided_on",
    "self-report": "submitted_on",
    "complaint": "received_on",
}
EDITABLE = {"hazard": "description", "inspection": "summary"}
START = int(dt.datetime(2024, 1, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp())


@dataclass
class Measurement:
    name: str
    command: list[str]
    wall: list[float]
    cpu: list[float]  # user + system seconds of the command and its children
    code: int

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


WRAPPER = (
    "import resource, subprocess, sys, time, json;"
    "t = time.perf_counter();"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
    "w = time.perf_counter() - t;"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN);"
    "print(json.dumps([w, r.ru_utime + r.ru_stime, p.returncode]))"
)


def measure(name: str, command: list[str], cwd: Path, runs: int) -> Measurement:
    """Wall and CPU seconds of a whole command, each run in a fresh process."""
    m = Measurement(name, command, [], [], 0)
    for _ in range(runs):
        out = subprocess.run(
            [PYTHON, "-c", WRAPPER, *command], cwd=cwd, capture_output=True, text=True, check=True
        )
        wall, cpu, code = json.loads(out.stdout)
        m.wall.append(wall)
        m.cpu.append(cpu)
        m.code = code
    print(
        f"  {name:<44} {m.median:6.2f} s wall  {m.cpu_median:6.2f} s cpu  exit {m.code}", flush=True
    )
    return m


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    email: str
    department: str
    roles: frozenset[str]


class Importer:
    """Commits on several branches, with merges, streamed to the demo's ``git fast-import``
    process (blobs by mark, so a file's content is sent once)."""

    def __init__(self, repo: Path) -> None:
        self.stream = FastImport(repo)
        self.out = self.stream.out
        self.clock = START
        self.commits = 0

    def _next(self) -> int:
        self.stream.mark += 1
        return self.stream.mark

    def blob(self, content: bytes) -> int:
        mark = self._next()
        self.out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(content)) + content + b"\n")
        return mark

    def commit(
        self,
        ref: str,
        who: Person,
        message: str,
        *,
        parent: int | None,
        merge: int | None = None,
        files: dict[str, int] | None = None,
    ) -> int:
        mark = self._next()
        self.clock += 600
        body = message.encode()
        ident = f"{who.name} <{who.email}> {self.clock} +0800".encode()
        lines = [
            f"commit {ref}".encode(),
            b"mark :%d" % mark,
            b"author " + ident,
            b"committer " + ident,
            b"data %d" % len(body),
        ]
        self.out.write(b"\n".join(lines) + b"\n" + body + b"\n")
        if parent is not None:
            self.out.write(b"from :%d\n" % parent)
        if merge is not None:
            self.out.write(b"merge :%d\n" % merge)
        for path, blob in sorted((files or {}).items()):
            self.out.write(f"M 100644 :{blob} {path}\n".encode())
        self.out.write(b"\n")
        self.commits += 1
        return mark

    def sha(self, mark: int) -> str:
        return self.stream.sha(mark)

    def close(self) -> None:
        self.stream.close()


def parse(raw: bytes) -> dict[str, Any]:
    doc = parse_document(raw, "")
    assert isinstance(doc, Document)
    return doc.data


def staff_of(records: dict[str, bytes]) -> list[Person]:
    people = []
    for path, raw in records.items():
        if not path.startswith("records/staff/"):
            continue
        data = parse(raw)
        emails = (data.get("git") or {}).get("emails") or []
        if emails and data.get("active") is True:
            people.append(
                Person(
                    data["id"],
                    data["name"],
                    emails[0],
                    data.get("department", ""),
                    frozenset(data.get("roles") or ()),
                )
            )
    return sorted(people, key=lambda p: p.id)


class Cast:
    """Who makes, reviews and merges each change (round robin among those allowed)."""

    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self.turn = 0
        admins = [p for p in people if "管理员" in p.roles]
        self.admin = admins[0] if admins else people[0]

    def _pick(self, candidates: list[Person]) -> Person:
        self.turn += 1
        return candidates[self.turn % len(candidates)]

    def author(self, kind: str, data: dict[str, Any]) -> Person:
        allowed = MAY_CHANGE.get(kind, frozenset())
        able = [p for p in self.people if p.roles & allowed]
        if kind == "inspection":
            named = [p for p in able if p.id in (data.get("inspectors") or [])]
            able = named or able
        elif kind in ("penalty", "decision"):
            able = [p for p in able if p.department == data.get("department")] or able
        return self._pick(able or self.people)

    def reviewer(self, tier: int, author: Person) -> Person | None:
        able = [p for p in self.people if TIER_ROLE[tier] in p.roles and p.id != author.id]
        return self._pick(able) if able else None


def demo_records(cache: Path) -> dict[str, bytes]:
    if not (cache / "records").is_dir():
        subprocess.run(
            [PYTHON, "-m", "generator", "--repo", str(PROJECT), "demo", "--out", str(cache)],
            check=True,
            cwd=PROJECT,
        )
    return {
        p.relative_to(cache).as_posix(): p.read_bytes()
        for p in sorted((cache / "records").rglob("*.yaml"))
        if "evidence" not in p.relative_to(cache).parts
    }


def _order(item: tuple[str, bytes]) -> tuple[str, str]:
    path, raw = item
    kind = path.split("/")[1]
    data = parse(raw)
    return (str(data.get(DATE_FIELD.get(kind, "")) or ""), path)


def make_history(repo: Path, cache: Path, target_commits: int | None) -> dict[str, Any]:
    records = demo_records(cache)
    repo.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    policy_raw = (PROJECT / "policy.yaml").read_bytes()
    policy = Policy(parse(policy_raw))
    rules = tier_rules(policy)
    cast = Cast(staff_of(records))
    imp = Importer(repo)

    setup = {
        f"schemas/{f.name}": imp.blob(f.read_bytes())
        for f in sorted((PROJECT / "schemas").glob("*.json"))
    }
    setup["policy.yaml"] = imp.blob(policy_raw)
    main = imp.commit("refs/heads/main", cast.admin, "部署：模式和策略", parent=None, files=setup)
    base = {p: imp.blob(r) for p, r in records.items() if p.split("/")[1] in BASE_KINDS}
    main = imp.commit("refs/heads/main", cast.admin, "导入初始记录", parent=main, files=base)
    epoch = imp.sha(main)

    pool = sorted(
        ((p, r) for p, r in records.items() if p.split("/")[1] not in BASE_KINDS), key=_order
    )
    current: dict[str, bytes] = {}
    editable = [p for p in pool if p[0].split("/")[1] in EDITABLE]
    prs = 0
    edits = 0
    for n in itertools.count():
        if target_commits is None and n >= len(pool):
            break
        if target_commits is not None and imp.commits >= target_commits:
            break
        prs += 1
        if n < len(pool):
            path, raw = pool[n]
            old = None
        else:
            path = editable[(n * 7919) % len(editable)][0]
            old = current[path]
            data = parse(old)
            field = EDITABLE[path.split("/")[1]]
            data[field] = f"{data.get(field, '')}（补充 {n}）"
            raw = dump_record(data).encode()
            edits += 1
        kind = path.split("/")[1]
        data = parse(raw)
        author = cast.author(kind, data)
        blob = imp.blob(raw)
        branch = f"refs/heads/pr-{n % 2}"
        tip = imp.commit(
            branch, author, f"提交 {path.rsplit('/', 1)[-1]}", parent=main, files={path: blob}
        )
        reviewed = imp.sha(tip)
        status = "A" if old is None else "M"
        items = classify([(status, path, parse(old) if old else None, data)], rules)
        for tier in sorted({r.tier for item in items for r in item.reasons}):
            reviewer = cast.reviewer(tier, author)
            if reviewer is None:
                continue
            message = verdict_message(
                tier=tier,
                decision=APPROVE,
                reviewed_commit=reviewed,
                records=[data["id"]],
                comment="",
                signed=False,
            )
            tip = imp.commit(branch, reviewer, message, parent=tip)
        main = imp.commit(
            "refs/heads/main",
            cast.admin,
            f"合并 {data['id']}",
            parent=main,
            merge=tip,
            files={path: blob},
        )
        current[path] = raw
    imp.close()
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)
    policy_file = repo / "policy.yaml"
    policy_file.write_text(
        re.sub(
            r"(?m)^(\s*epoch:).*$",
            rf"\g<1> {epoch}",
            policy_file.read_text(encoding="utf-8"),
            count=1,
        ),
        encoding="utf-8",
    )
    return {"commits": imp.commits, "pull_requests": prs, "edits": edits, "epoch": epoch}


def run(scale: str, runs: int, keep: Path | None) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix=f"anjian-audit-{scale}-")) if keep is None else keep
    work.mkdir(parents=True, exist_ok=True)
    repo = work / f"history-{scale}"
    info_file = work / f"history-{scale}.json"
    if not repo.exists():
        started = time.perf_counter()
        info = make_history(repo, work / "demo", None if scale == "demo" else 20_000)
        info["made_in_seconds"] = round(time.perf_counter() - started, 1)
        info_file.write_text(json.dumps(info))
        print(f"made {info['commits']:,} commits in {info['made_in_seconds']} s", flush=True)
    info = json.loads(info_file.read_text())
    anjian = [PYTHON, "-m", "generator"]
    results: list[Measurement] = [
        measure(
            "git log --name-status (whole history)", ["git", "log", "--name-status"], repo, runs
        ),
        measure(
            "anjian audit verify (no published log)",
            [*anjian, "audit", "verify"],
            repo,
            runs,
        ),
    ]
    subprocess.run(
        [*anjian, "audit", "publish", "--as-of", AS_OF], cwd=repo, check=True, capture_output=True
    )
    log = repo / "site" / "audit" / "log.jsonl"
    results.append(
        measure(
            "anjian audit verify --against log.jsonl",
            [*anjian, "audit", "verify", "--against", str(log)],
            repo,
            runs,
        )
    )
    floor, floor_cpu = results[0].median, results[0].cpu_median
    summary = {
        "scale": scale,
        "history": info,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "measurements": [
            asdict(m) | {"median": m.median, "cpu_median": m.cpu_median} for m in results
        ],
        "ratios_wall": {m.name: round(m.median / floor, 2) for m in results[1:]},
        "ratios_cpu": {m.name: round(m.cpu_median / floor_cpu, 2) for m in results[1:]},
        "load_average": os.getloadavg(),
        "when": time.strftime("%Y-%m-%d"),
        "work": str(work),
    }
    print(json.dumps([summary["ratios_wall"], summary["ratios_cpu"]], ensure_ascii=False, indent=2))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["demo", "20k"], default="20k")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="reuse/keep the histories in this folder")
    args = parser.parse_args()
    summary = run(args.scale, args.runs, args.keep)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / f"audit-{args.scale}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.keep is None:
        shutil.rmtree(Path(summary["work"]), ignore_errors=True)


if __name__ == "__main__":
    main()

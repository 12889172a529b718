"""Benchmark harness: anjian side by side with the floor and the peers, in one run.

Each measurement is a whole command run in a fresh process, ``--runs`` times
(once when a run takes a minute or more); the harness reports the median wall
time, the median CPU time (user + system, the command and its children), the
peak resident memory of the largest process, and ratios against the floor and
the peers.  Results go to ``benchmarks/out/results-<scale>.json`` and replace
the ``<scale>`` section of ``benchmarks/RESULTS.md``.

    python benchmarks/run.py --scale county            # a few minutes (plus making the corpus)
    python benchmarks/run.py --scale city --keep ../bench-city   # under an hour

See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
PYTHON = sys.executable
AS_OF = "2026-11-23"
ANJIAN = [PYTHON, "-m", "generator"]
ONCE_IF_LONGER = 60.0  # seconds: a run this long is not repeated
HISTORY = {"demo": 2000, "county": 20000, "city": 20000}
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


@dataclass
class Measurement:
    name: str
    command: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    note: str = ""
    ok: bool = True
    load: list[float] = field(default_factory=list)  # 1-minute load average before each run

    @property
    def median(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")


WRAPPER = (
    "import resource, subprocess, sys, time, json;"
    "t = time.perf_counter();"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
    "w = time.perf_counter() - t;"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN);"
    "print(json.dumps([w, r.ru_utime + r.ru_stime, r.ru_maxrss / 1024, p.returncode]))"
)


def run_once(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float, int]:
    """Wall seconds, CPU seconds, peak MB of the largest process, exit code."""
    out = subprocess.run(
        [PYTHON, "-c", WRAPPER, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    wall, cpu, peak, code = json.loads(out.stdout)
    return float(wall), float(cpu), float(peak), int(code)


RESULTS: list[Measurement] = []


def measure(
    name: str,
    command: list[str],
    cwd: Path,
    runs: int,
    *,
    expect: int | None = 0,
    before: Callable[[], None] | None = None,
    note: str = "",
    env: dict[str, str] | None = None,
) -> Measurement:
    m = Measurement(name, command, note=note)
    for n in range(runs):
        if before:
            before()
        # what earlier steps wrote (a city's site is 3 GB) is flushed to disk first,
        # not during the run being measured
        os.sync()
        m.load.append(os.getloadavg()[0])
        wall, cpu, peak, code = run_once(command, cwd, env)
        if expect is not None and code != expect:
            m.ok = False
            m.note += f" (exit {code}, expected {expect})"
        m.wall.append(wall)
        m.cpu.append(cpu)
        m.peak_mb = max(m.peak_mb, peak)
        if n == 0 and wall >= ONCE_IF_LONGER:
            break
    flag = "" if m.ok else "  FAILED"
    print(
        f"  {name:<58} {m.median:9.2f} s  cpu {m.cpu_median:9.2f} s  {m.peak_mb:7.0f} MB"
        f"  ×{len(m.wall)}{flag}",
        flush=True,
    )
    RESULTS.append(m)
    return m


# ---- the corpus ----------------------------------------------------------------------


def make_corpus(scale: str, repo: Path, seed: int, history: int) -> dict[str, Any]:
    started = time.perf_counter()
    command = [*ANJIAN, "demo", "--scale", scale, "--seed", str(seed), "--out", str(repo)]
    if history:
        command += ["--history", str(history)]
    _, cpu, peak, code = run_once(command, PROJECT)
    if code != 0:
        raise SystemExit(f"making the corpus failed: {' '.join(command)}")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(peak),
        "history": history,
    }


def record_files(repo: Path) -> list[str]:
    out: list[str] = []
    for folder, dirs, names in os.walk(repo / "records"):
        rel = Path(folder).relative_to(repo).as_posix()
        if rel == "records":
            dirs[:] = [d for d in dirs if d != "evidence"]
        out.extend(f"{rel}/{n}" for n in names if n.endswith(".yaml"))
    return sorted(out)


def evidence_count(repo: Path) -> int:
    return sum(len(names) for _, _, names in os.walk(repo / "records" / "evidence"))


def kind_of(path: str) -> str:
    return path.split("/")[1]


FLOOR = """
import sys, yaml
from pathlib import Path
for line in Path(sys.argv[1]).read_text().splitlines():
    yaml.load(Path(line).read_bytes(), Loader=yaml.CSafeLoader)
"""


def open_hazards(repo: Path, files: list[str], count: int, seed: int) -> list[str]:
    """Hazards not closed (last state-changing event is not 销号), chosen at random."""
    rng = random.Random(seed)
    hazards = [f for f in files if kind_of(f) == "hazard"]
    rng.shuffle(hazards)
    chosen: list[str] = []
    for rel in hazards:
        text = (repo / rel).read_text(encoding="utf-8")
        last = re.findall(r"type: (\S+)", text)
        if last and last[-1] not in ("销号",):
            chosen.append(rel)
            if len(chosen) == count:
                break
    return chosen


def touch(repo: Path, paths: list[str], n: int) -> None:
    """Change records the way a pull request would: a sentence added to the description."""
    for rel in paths:
        file = repo / rel
        text = file.read_text(encoding="utf-8")
        file.write_text(
            text.replace("description: ", f"description: 复核补充{n}：", 1), encoding="utf-8"
        )


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    return done.stdout


def an_inspector(repo: Path) -> tuple[str, str]:
    for file in sorted((repo / "records" / "staff").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        emails = (data.get("git") or {}).get("emails") or []
        if data.get("active") and "检查员" in (data.get("roles") or []) and emails:
            return str(data["name"]), str(emails[0])
    raise SystemExit("no active inspector with a git e-mail")


# ---- the site --------------------------------------------------------------------------


def site_facts(site: Path) -> dict[str, Any]:
    pages = [p for p in site.rglob("*.html")]
    sizes = sorted(((p.stat().st_size, p) for p in pages), reverse=True)
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    search = site / "pagefind"
    lunr = site / "search" / "search_index.json"
    return {
        "html_pages": len(pages),
        "largest_page_kb": round(sizes[0][0] / 1024, 1) if sizes else 0,
        "largest_page": sizes[0][1].relative_to(site).as_posix() if sizes else "",
        "pages_over_100kb": sum(1 for s, _ in sizes if s > 100 * 1024),
        "site_mb": round(total / 2**20, 1),
        "pagefind_mb": round(
            sum(p.stat().st_size for p in search.rglob("*") if p.is_file()) / 2**20, 1
        )
        if search.is_dir()
        else None,
        "lunr_index_mb": round(lunr.stat().st_size / 2**20, 1) if lunr.is_file() else None,
    }


NAIVE_CONFIG = """site_name: naive
theme:
  name: material
  language: zh
plugins:
  - search
markdown_extensions:
  - tables
  - toc
"""


def naive_page(data: dict[str, Any]) -> str:
    lines = [f"# {data.get('id', '')}", "", "| 字段 | 值 |", "|---|---|"]
    nested: list[str] = []
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            nested.append(f"## {key}\n\n```yaml\n{yaml.safe_dump(value, allow_unicode=True)}```\n")
        else:
            lines.append(f"| {key} | {str(value).replace('|', '/')} |")
    return "\n".join(lines) + "\n\n" + "\n".join(nested)


def naive_site(repo: Path, files: list[str], count: int, work: Path, seed: int) -> Path:
    """``count`` records as one Markdown page each, all in mkdocs' navigation (no ``nav:``)."""
    project = work / f"naive-{count}"
    if project.exists():
        shutil.rmtree(project)
    docs = project / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# 记录\n", encoding="utf-8")
    for rel in random.Random(seed).sample(files, min(count, len(files))):
        data = yaml.safe_load((repo / rel).read_text(encoding="utf-8"))
        page = docs / Path(rel).relative_to("records").with_suffix(".md")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(naive_page(data), encoding="utf-8")
    (project / "mkdocs.yml").write_text(NAIVE_CONFIG, encoding="utf-8")
    return project


def fit_quadratic(points: list[tuple[int, float]], n: int) -> float:
    """t = b·K + c·K² through two (K, t) points, evaluated at n."""
    (k1, t1), (k2, t2) = points
    c = (t2 / k2 - t1 / k1) / (k2 - k1)
    b = t1 / k1 - c * k1
    return b * n + max(c, 0.0) * n * n


# ---- the run ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    versions: dict[str, str] = {}
    for package in (
        "PyYAML",
        "jsonschema-rs",
        "jsonschema",
        "mkdocs",
        "mkdocs-material",
        "pagefind",
        "check-jsonschema",
        "ruamel.yaml",
        "ruamel.yaml.clib",
    ):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "—"
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "git": git_version.strip(),
        "libyaml": yaml.__with_libyaml__,
        "versions": versions,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    scale: str = args.scale
    runs: int = args.runs
    work = (
        Path(tempfile.mkdtemp(prefix=f"anjian-bench-{scale}-")) if args.keep is None else args.keep
    )
    work.mkdir(parents=True, exist_ok=True)
    repo = work / "repo"
    history = HISTORY[scale] if args.history is None else args.history
    corpus_file = work / "corpus.json"
    if not (repo / "records").is_dir():
        print(f"making the {scale} corpus in {repo} …", flush=True)
        corpus = make_corpus(scale, repo, args.seed, history)
        corpus_file.write_text(json.dumps(corpus))
    corpus = json.loads(corpus_file.read_text()) if corpus_file.is_file() else {}
    files = record_files(repo)
    kinds: dict[str, int] = {}
    for f in files:
        kinds[kind_of(f)] = kinds.get(kind_of(f), 0) + 1
    corpus.update(records=len(files), kinds=kinds, evidence=evidence_count(repo))
    corpus["commits"] = (
        int(git(repo, "rev-list", "--count", "HEAD")) if (repo / ".git").exists() else 0
    )
    list_file = work / "files.txt"
    list_file.write_text("\n".join(str(repo / f) for f in files), encoding="utf-8")
    print(
        f"{len(files):,} records, {corpus['evidence']:,} evidence files, "
        f"{corpus['commits']:,} commits",
        flush=True,
    )
    validate = [*ANJIAN, "validate", "--as-of", AS_OF]

    def no_cache() -> None:
        shutil.rmtree(repo / ".anjian-cache", ignore_errors=True)

    print("validation", flush=True)
    floor = measure(
        "floor: libyaml CSafeLoader parse, 1 process",
        [PYTHON, "-c", FLOOR, str(list_file)],
        repo,
        runs,
    )
    cold = measure("anjian validate, cold (no cache)", validate, repo, runs, before=no_cache)
    warm = measure("anjian validate, warm (nothing changed)", validate, repo, runs)

    peer_estimate: float | None = None
    peer = shutil.which("check-jsonschema", path=str(Path(PYTHON).parent))
    if peer and args.peer_sample:
        rng = random.Random(args.seed)
        by_kind: dict[str, list[str]] = {}
        for f in files:
            by_kind.setdefault(kind_of(f), []).append(f)
        sample: dict[str, list[str]] = {}
        for kind, paths in sorted(by_kind.items()):
            share = max(1, round(args.peer_sample * len(paths) / len(files)))
            sample[kind] = rng.sample(paths, min(share, len(paths)))
        sampled = sum(len(v) for v in sample.values())
        lists = work / "peer"
        lists.mkdir(exist_ok=True)
        script = []
        for kind, paths in sample.items():
            (lists / f"{kind}.txt").write_text("\n".join(paths))
            script.append(
                f"xargs -a {lists / kind}.txt {peer} --schemafile schemas/{kind}.json >/dev/null 2>&1"
            )
        m = measure(
            f"peer: check-jsonschema, {sampled:,}-record sample",
            ["sh", "-c", "; ".join(script)],
            repo,
            runs,  # the sample's time varies by a fifth from run to run: take the median
            expect=None,
        )
        peer_estimate = m.median * len(files) / sampled
        m.note = f"{sampled:,} records sampled per kind; extrapolated linearly to all: {peer_estimate:,.0f} s"
    else:
        print("  (check-jsonschema not installed: pip install check-jsonschema)", flush=True)

    print("pull requests", flush=True)
    inspector = an_inspector(repo)
    pr: dict[int, list[str]] = {}
    for count in (1, 10):
        pr[count] = open_hazards(repo, files, count, args.seed + count)
        touch(repo, pr[count], count)
        measure(
            f"pull request, {count} record(s): anjian validate PATHS",
            [*validate, *pr[count]],
            repo,
            runs,
        )
    measure(
        "pull request, 10 record(s): anjian validate PATHS, fresh checkout (no cache)",
        [*validate, *pr[10]],
        repo,
        runs,
        before=no_cache,
    )
    has_git = (repo / ".git").exists()
    if has_git:
        git(repo, "checkout", "-q", "-f", "main")
        for count in (1, 10):
            branch = f"bench-pr-{count}"
            git(repo, "checkout", "-q", "-B", branch, "main")
            touch(repo, pr[count], count)
            name, email = inspector
            who = {
                "GIT_AUTHOR_NAME": name,
                "GIT_AUTHOR_EMAIL": email,
                "GIT_COMMITTER_NAME": name,
                "GIT_COMMITTER_EMAIL": email,
            }
            git(repo, "commit", "-q", "-am", f"复核补充 {count} 条隐患", env=who)
            measure(
                f"pull request, {count} record(s): anjian validate --base main",
                [*validate, "--base", "main"],
                repo,
                runs,
                env=GIT_ENV,
            )
            measure(
                f"pull request, {count} record(s): anjian validate --base main --committed (CI)",
                [*validate, "--base", "main", "--committed"],
                repo,
                runs,
                env=GIT_ENV,
            )
            git(repo, "checkout", "-q", "-f", "main")
            git(repo, "branch", "-q", "-D", branch)

    site_info: dict[str, Any] = {}
    naive: dict[str, Any] = {}
    if not args.skip_build:
        print("site", flush=True)
        site = work / "site"

        def clean() -> None:
            no_cache()
            shutil.rmtree(site, ignore_errors=True)

        build = [*ANJIAN, "build", "--as-of", AS_OF, "--out", str(site)]
        full = measure("anjian build, full (no site, no cache)", build, repo, 1, before=clean)
        if site.is_dir():
            site_info = site_facts(site)
        one = open_hazards(repo, files, 1, args.seed + 99)
        touch(repo, one, 99)
        measure("anjian build, after a one-record change", build, repo, 1)
        if has_git:
            git(repo, "checkout", "-q", "-f", "main")
        full.note = json.dumps(site_info, ensure_ascii=False)
        points: list[tuple[int, float]] = []
        for count in args.naive:
            project = naive_site(repo, files, count, work, args.seed)
            m = measure(
                f"naive mkdocs, {count:,} record pages in the nav (sample)",
                [PYTHON, "-m", "mkdocs", "build", "-q", "-f", str(project / "mkdocs.yml")],
                project,
                1,
                env={"NO_MKDOCS_2_WARNING": "1"},
                expect=None,
            )
            points.append((count + 1, m.median))
            page = project / "site" / "index.html"
            naive[str(count)] = {
                "seconds": m.median,
                "index_page_kb": round(page.stat().st_size / 1024, 1) if page.is_file() else None,
            }
            shutil.rmtree(project, ignore_errors=True)
        if len(points) == 2:
            naive["extrapolated_seconds"] = fit_quadratic(points, len(files) + 1)
            naive["note"] = (
                f"t = b·K + c·K² fitted through the {points[0][0] - 1} and "
                f"{points[1][0] - 1}-page samples, evaluated at {len(files):,} pages"
            )

    audit: dict[str, Any] = {}
    if has_git and not args.skip_audit:
        print("audit trail", flush=True)
        log = measure(
            "floor: git log --name-status (whole history)",
            ["git", "log", "--name-status"],
            repo,
            runs,
            env=GIT_ENV,
        )
        help_out = subprocess.run(
            [*ANJIAN, "audit", "--help"], cwd=repo, capture_output=True, text=True
        )
        if help_out.returncode == 0 and "verify" in help_out.stdout:
            verify = measure(
                "anjian audit verify (whole history)",
                [*ANJIAN, "audit", "verify"],
                repo,
                runs,
                expect=None,
            )
            audit = {
                "ratio": verify.median / log.median,
                "cpu_ratio": verify.cpu_median / log.cpu_median,
            }
        else:
            audit = {"note": "not available: no `anjian audit verify` in this version"}

    def get(name: str) -> Measurement | None:
        return next((m for m in RESULTS if m.name.startswith(name)), None)

    pr10 = get("pull request, 10 record(s): anjian validate PATHS")
    pr10_base = get("pull request, 10 record(s): anjian validate --base main")
    pr10_ci = get("pull request, 10 record(s): anjian validate --base main --committed")
    full_build = get("anjian build, full")
    rebuild = get("anjian build, after")
    summary: dict[str, Any] = {
        "scale": scale,
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "corpus": corpus,
        "measurements": [
            asdict(m) | {"median": m.median, "cpu_median": m.cpu_median} for m in RESULTS
        ],
        "site": site_info,
        "naive_mkdocs": naive,
        "audit": audit,
        "targets": {
            "cold_vs_floor": cold.median / floor.median,
            "cold_vs_floor_cpu": cold.cpu_median / floor.cpu_median,
            "check_jsonschema_vs_cold": (peer_estimate / cold.median) if peer_estimate else None,
            "warm_speedup": cold.median / warm.median,
            "pr10_seconds": pr10.median if pr10 else None,
            "pr10_base_seconds": pr10_base.median if pr10_base else None,
            "pr10_ci_seconds": pr10_ci.median if pr10_ci else None,
            "build_seconds": full_build.median if full_build else None,
            "rebuild_seconds": rebuild.median if rebuild else None,
            "largest_page_kb": site_info.get("largest_page_kb"),
            "audit_vs_git_log": audit.get("ratio"),
            "peak_mb": max(m.peak_mb for m in RESULTS if not m.name.startswith(("peer", "naive"))),
        },
        "work": str(work),
    }
    print(json.dumps(summary["targets"], indent=2, ensure_ascii=False))
    return summary


# ---- RESULTS.md ---------------------------------------------------------------------------


def _s(value: float | None, unit: str = " s") -> str:
    if value is None or value != value:
        return "—"
    if value >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:.2f}{unit}"


def markdown(summary: dict[str, Any]) -> str:
    mach = summary["machine"]
    corpus = summary["corpus"]
    t = summary["targets"]
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(corpus.get("kinds", {}).items()))
    loads = [x for m in summary["measurements"] for x in m.get("load", [])]
    lines = [
        f"## {summary['scale']} — measured {summary['when']}",
        "",
        f"Corpus: `anjian demo --scale {summary['scale']}`: {corpus['records']:,} records ({kinds}), "
        f"{corpus.get('evidence', 0):,} evidence files, {corpus.get('commits', 0):,} commits"
        + (
            f"; made in {corpus['seconds']:,.0f} s"
            + (f", peak {corpus['peak_mb']:,} MB" if "peak_mb" in corpus else "")
            if "seconds" in corpus
            else ""
        )
        + ".",
        "",
        f"Machine: {mach['cpus']} cores ({mach['cpu_model']}), {mach['memory_gb']} GB, "
        f"Python {mach['python']}, {mach['git']}, libyaml {'yes' if mach['libyaml'] else 'no'}; "
        + ", ".join(f"{k} {v}" for k, v in mach["versions"].items())
        + ".",
        f"1-minute load average during the runs: {min(loads):.1f}–{max(loads):.1f} "
        f"(other jobs shared the machine: compare CPU seconds as well as wall time)."
        if loads
        else "",
        "",
        "| measurement | wall (median) | CPU (median) | peak memory | runs | note |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for m in summary["measurements"]:
        note = m["note"].strip()
        if m["name"].startswith("anjian build, full") and note.startswith("{"):
            note = "see the site facts below"
        lines.append(
            f"| {m['name']} | {_s(m['median'])} | {_s(m['cpu_median'])} | {m['peak_mb']:,.0f} MB "
            f"| {len(m['wall'])} | {note} |"
        )
    lines += [
        "",
        "| target (DESIGN §5, issue 8) | measured | |",
        "|---|---:|---|",
        f"| cold validation within 2× of the libyaml floor | {t['cold_vs_floor']:.2f}× wall, "
        f"{t['cold_vs_floor_cpu']:.2f}× CPU | {'met' if t['cold_vs_floor'] <= 2 else 'NOT met'} |",
    ]
    peer = t.get("check_jsonschema_vs_cold")
    lines.append(
        f"| cold validation ≥ 50× faster than check-jsonschema | {peer:.0f}× (extrapolated from a sample) "
        f"| {'met' if peer >= 50 else 'NOT met'} |"
        if peer
        else "| ≥ 50× faster than check-jsonschema | not measured | |"
    )
    lines.append(
        f"| warm validation (nothing changed) vs cold | {t['warm_speedup']:.1f}× faster | |"
    )
    for key, label in (
        ("pr10_seconds", "anjian validate PATHS"),
        ("pr10_base_seconds", "anjian validate --base main"),
        ("pr10_ci_seconds", "anjian validate --base main --committed, as CI runs it"),
    ):
        v = t.get(key)
        if v is not None:
            lines.append(
                f"| ≤10-record pull request under 3 s ({label}) | {v:.2f} s | {'met' if v < 3 else 'NOT met'} |"
            )
    # (summary key, target, how the figure reads, whether it meets the target)
    limits: list[tuple[str, str, Callable[[float], str], Callable[[float], bool]]] = [
        ("build_seconds", "full site build under 10 min", _s, lambda v: v < 600),
        ("rebuild_seconds", "one-record rebuild under 30 s", _s, lambda v: v < 30),
        (
            "largest_page_kb",
            "no HTML page over 100 KB",
            lambda v: f"largest {v} KB",
            lambda v: v <= 100,
        ),
    ]
    for key, target, shown, met in limits:
        if t.get(key) is not None:
            lines.append(f"| {target} | {shown(t[key])} | {'met' if met(t[key]) else 'NOT met'} |")
    if t.get("audit_vs_git_log") is not None:
        lines.append(
            f"| audit extraction within 3× of git log --name-status | {t['audit_vs_git_log']:.1f}× | "
            f"{'met' if t['audit_vs_git_log'] <= 3 else 'NOT met'} |"
        )
    elif summary["audit"].get("note"):
        lines.append(
            f"| audit extraction within 3× of git log --name-status | {summary['audit']['note']} | |"
        )
    lines.append(
        f"| peak memory under 2 GB | {t['peak_mb']:,.0f} MB | {'met' if t['peak_mb'] < 2048 else 'NOT met'} |"
    )
    if summary["site"]:
        s = summary["site"]
        lines += [
            "",
            f"Site: {s['html_pages']:,} HTML pages, {s['site_mb']} MB; largest page {s['largest_page_kb']} KB "
            f"(`{s['largest_page']}`), {s['pages_over_100kb']} over 100 KB; search index: pagefind "
            f"{s['pagefind_mb']} MB, lunr (mkdocs' own) "
            f"{s['lunr_index_mb'] if s['lunr_index_mb'] is not None else 'none'}"
            f"{' MB' if s['lunr_index_mb'] is not None else ''}.",
        ]
    naive = summary["naive_mkdocs"]
    if naive.get("extrapolated_seconds"):
        hours = naive["extrapolated_seconds"] / 3600
        lines += [
            "",
            "Naive mkdocs (one page per record, all in the navigation): "
            + ", ".join(
                f"{k} pages {v['seconds']:.1f} s (home page {v['index_page_kb']} KB)"
                for k, v in naive.items()
                if isinstance(v, dict)
            )
            + f"; {naive['note']}: about {hours:,.1f} hours — extrapolated, not run.",
        ]
    return "\n".join(line for line in lines if line is not None) + "\n"


def write_results(summary: dict[str, Any]) -> None:
    file = HERE / "RESULTS.md"
    text = (
        file.read_text(encoding="utf-8")
        if file.is_file()
        else (
            "# Benchmark results\n\nWritten by `benchmarks/run.py` (one section per scale, replaced by each run). "
            "See README.md for what the rows mean.\n"
        )
    )
    scale = summary["scale"]
    start, end = f"<!-- results:{scale} -->", f"<!-- /results:{scale} -->"
    section = f"{start}\n{markdown(summary)}{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + section + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    file.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=["demo", "county", "city"], default="demo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the corpus in this folder")
    parser.add_argument("--history", type=int, default=None, help="commits of the corpus' history")
    parser.add_argument(
        "--peer-sample", type=int, default=2000, help="records given to check-jsonschema"
    )
    parser.add_argument(
        "--naive",
        type=int,
        nargs=2,
        default=[200, 400],
        metavar="K",
        help="pages of the two naive mkdocs samples",
    )
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-audit", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="do not touch RESULTS.md")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    summary = run(args)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / f"results-{args.scale}.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2)
    )
    if not args.no_results:
        write_results(summary)
    if args.keep is None:
        shutil.rmtree(Path(summary["work"]), ignore_errors=True)


if __name__ == "__main__":
    main()

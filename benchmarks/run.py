"""Benchmark harness: anjian side by side with the floor and the peers, in one run.

Each measurement is a whole command run several times in a fresh process;
the harness reports the median wall time, the peak resident memory of the
largest process (getrusage of the waited-for children), and ratios against the
floor and the peers.  Results go to ``benchmarks/out/results-<scale>.json`` and,
with ``--write-results``, to ``benchmarks/RESULTS.md``.

    python benchmarks/run.py --scale county            # a few minutes
    python benchmarks/run.py --scale city --runs 1     # under an hour

See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
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

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
PYTHON = sys.executable
AS_OF = "2026-11-23"


@dataclass
class Measurement:
    name: str
    command: list[str]
    runs: list[float] = field(default_factory=list)
    peak_mb: float = 0.0
    note: str = ""
    ok: bool = True

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")


def run_once(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak MB of the largest child, exit code — measured in a wrapper process."""
    wrapper = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "w = time.perf_counter() - t;"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024;"
        "print(json.dumps([w, r, p.returncode]))"
    )
    out = subprocess.run(
        [PYTHON, "-c", wrapper, *command], cwd=cwd, capture_output=True, text=True, check=True,
        env={**os.environ, **(env or {})},
    )
    wall, peak, code = json.loads(out.stdout)
    return float(wall), float(peak), int(code)


def measure(name: str, command: list[str], cwd: Path, runs: int, *, expect: int | None = 0,
            before: Callable[[], None] | None = None, note: str = "") -> Measurement:
    m = Measurement(name, command, note=note)
    for _ in range(runs):
        if before:
            before()
        wall, peak, code = run_once(command, cwd)
        if expect is not None and code != expect:
            m.ok = False
            m.note += f" (exit {code}, expected {expect})"
        m.runs.append(wall)
        m.peak_mb = max(m.peak_mb, peak)
    print(f"  {name:<48} {m.median:8.2f} s  {m.peak_mb:7.0f} MB  {'' if m.ok else 'FAILED'}", flush=True)
    return m


def record_files(repo: Path) -> list[str]:
    return sorted(
        p.relative_to(repo).as_posix()
        for p in (repo / "records").rglob("*.yaml")
        if p.relative_to(repo / "records").parts[0] != "evidence"
    )


FLOOR = """
import sys, yaml
from pathlib import Path
for line in Path(sys.argv[1]).read_text().splitlines():
    yaml.load(Path(line).read_bytes(), Loader=yaml.CSafeLoader)
"""


def make_corpus(scale: str, target: Path, seed: int) -> Path:
    if scale == "demo":
        shutil.copytree(PROJECT / "records", target / "records")
        shutil.copytree(PROJECT / "schemas", target / "schemas")
        shutil.copy(PROJECT / "policy.yaml", target / "policy.yaml")
    else:
        subprocess.run(
            [PYTHON, "-m", "generator", "demo", "--scale", scale, "--seed", str(seed), "--out", str(target)],
            check=True,
        )
    return target


def touch_records(repo: Path, files: list[str], count: int, seed: int) -> list[str]:
    """Change `count` hazard records the way a pull request would (append a note to the description)."""
    chosen = random.Random(seed).sample([f for f in files if "/hazard/" in f], count)
    for rel in chosen:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("description: ", "description: 复核补充：", 1), encoding="utf-8")
    return chosen


def run(scale: str, runs: int, seed: int, keep: Path | None, peer_sample: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix=f"anjian-bench-{scale}-")) if keep is None else keep
    repo = work / "repo"
    if not repo.exists():
        print(f"making the {scale} corpus in {repo} …", flush=True)
        make_corpus(scale, repo, seed)
    files = record_files(repo)
    list_file = work / "files.txt"
    list_file.write_text("\n".join(str(repo / f) for f in files), encoding="utf-8")
    anjian = [PYTHON, "-m", "generator"]
    results: list[Measurement] = []
    print(f"{len(files):,} records", flush=True)

    floor = measure("floor: libyaml CSafeLoader parse, 1 process", [PYTHON, "-c", FLOOR, str(list_file)],
                    repo, runs)
    results.append(floor)
    cold = measure("anjian validate (cold, all records)", [*anjian, "validate", "--as-of", AS_OF], repo, runs,
                   expect=None)
    results.append(cold)

    # the peer: check-jsonschema on a sample, per kind with the same schema, extrapolated
    peer = shutil.which("check-jsonschema", path=str(Path(PYTHON).parent))
    peer_estimate = float("nan")
    if peer:
        sample = random.Random(seed).sample(files, min(peer_sample, len(files)))
        by_kind: dict[str, list[str]] = {}
        for f in sample:
            by_kind.setdefault(f.split("/")[1], []).append(f)
        script = " && ".join(
            f"{peer} --schemafile schemas/{kind}.json {' '.join(paths)} >/dev/null 2>&1; true"
            for kind, paths in sorted(by_kind.items())
        )
        m = measure(f"peer: check-jsonschema on {len(sample):,} records", ["sh", "-c", script], repo, 1,
                    expect=None)
        peer_estimate = m.median * len(files) / len(sample)
        m.note = f"extrapolated to all records: {peer_estimate:.0f} s"
        results.append(m)

    # pull requests: 1 and 10 changed records, validated as named files
    for count in (1, 10):
        changed = touch_records(repo, files, count, seed + count)
        results.append(measure(f"pull request: {count} record(s), validate named files",
                               [*anjian, "validate", "--as-of", AS_OF, *changed], repo, runs, expect=None))

    summary = {
        "scale": scale,
        "records": len(files),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        },
        "measurements": [asdict(m) | {"median": m.median} for m in results],
        "ratios": {
            "validate_vs_floor": cold.median / floor.median,
            "check_jsonschema_vs_validate": peer_estimate / cold.median if peer else None,
        },
        "when": time.strftime("%Y-%m-%d"),
    }
    print(json.dumps(summary["ratios"], indent=2))
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["demo", "county", "city"], default="demo")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="reuse/keep the corpus in this folder")
    parser.add_argument("--peer-sample", type=int, default=2000, help="records given to check-jsonschema")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    summary = run(args.scale, args.runs, args.seed, args.keep, args.peer_sample)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / f"results-{args.scale}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

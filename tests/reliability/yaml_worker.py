"""Parse YAML files one by one with ``parse_document`` under a memory limit.

Run as ``python -m tests.reliability.yaml_worker LIST START`` with a file that
lists one case path per line; prints one JSON line per case (outcome, problem
code, seconds, peak RSS so far).  The address space is capped (``RLIMIT_AS``)
before anything is parsed, so a case that needs more memory fails here instead
of taking the machine down; a case that kills the process shows as the line
that never came, and :func:`run_cases` restarts after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

MEMORY_LIMIT = 1 << 30  # 1 GiB of address space for the whole worker
SLOW = 1.0  # seconds: past this, also time libyaml alone on the case (the floor)
PROJECT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    case: str
    outcome: str  # accepted / refused / crashed
    code: str = ""
    seconds: float = 0.0
    floor_seconds: float = 0.0  # libyaml composing the same bytes (timed for slow cases)
    maxrss_kb: int = 0  # peak RSS of the worker after this case
    grew_kb: int = 0  # how much this case raised that peak
    detail: str = ""


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    restarts: int = 0


def limit_memory(limit: int = MEMORY_LIMIT) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def peak_rss_kb() -> int:
    """This process's peak resident memory (``VmHWM``; ``ru_maxrss`` would count the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _floor(raw: bytes) -> float:
    import yaml

    started = time.perf_counter()
    # the floor of a refused case is however far libyaml got
    with contextlib.suppress(Exception):
        list(yaml.compose_all(raw, Loader=yaml.CSafeLoader))
    return time.perf_counter() - started


def _work(listing: Path, start: int) -> None:
    limit_memory()
    from generator.load import Document, parse_document

    cases = listing.read_text(encoding="utf-8").splitlines()
    for index in range(start, len(cases)):
        before = peak_rss_kb()
        path = Path(cases[index])
        started = time.perf_counter()
        row: dict[str, object] = {"i": index}
        try:
            result = parse_document(path.read_bytes(), f"records/hazard/{path.name}")
            if isinstance(result, Document):
                row.update(outcome="accepted")
            else:
                ok = bool(result.code and result.message_zh and result.path)
                row.update(outcome="refused" if ok else "crashed", code=result.code)
        except BaseException as err:  # a traceback is a crash, whatever its type
            row.update(
                outcome="crashed",
                code=type(err).__name__,
                detail="".join(traceback.format_exception_only(err)).strip()[:300],
            )
        row["seconds"] = time.perf_counter() - started
        if row["seconds"] > SLOW:  # how long libyaml alone takes on the same bytes
            row["floor_seconds"] = _floor(path.read_bytes())
        row["maxrss_kb"] = peak_rss_kb()
        row["grew_kb"] = row["maxrss_kb"] - before
        sys.stdout.write(json.dumps(row) + "\n")
        sys.stdout.flush()


def run_cases(cases: list[Path], listing: Path, *, per_case: float = 10.0) -> Run:
    """Parse every case in worker processes; a worker that dies marks its case crashed."""
    listing.write_text("\n".join(str(c) for c in cases) + "\n", encoding="utf-8")
    run = Run()
    start = 0
    while start < len(cases):
        command = [sys.executable, "-m", "tests.reliability.yaml_worker", str(listing), str(start)]
        env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
        try:
            done = subprocess.run(
                command,
                cwd=PROJECT,
                env=env,
                capture_output=True,
                timeout=30 + per_case * (len(cases) - start),
                check=False,
            )
            out, err, code = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as timeout:
            out, err, code = timeout.stdout or b"", timeout.stderr or b"", -9
        for line in out.decode("utf-8", errors="replace").splitlines():
            row = json.loads(line)
            run.outcomes.append(
                Outcome(
                    case=cases[row["i"]].name,
                    outcome=row["outcome"],
                    code=row.get("code", ""),
                    seconds=row["seconds"],
                    floor_seconds=row.get("floor_seconds", 0.0),
                    maxrss_kb=row["maxrss_kb"],
                    grew_kb=row["grew_kb"],
                    detail=row.get("detail", ""),
                )
            )
            start = row["i"] + 1
        if start < len(cases) and (code != 0 or not out):
            detail = err.decode("utf-8", errors="replace").strip()[-300:]
            run.outcomes.append(
                Outcome(cases[start].name, "crashed", f"exit {code}", detail=detail)
            )
            run.restarts += 1
            start += 1
    return run


if __name__ == "__main__":
    _work(Path(sys.argv[1]), int(sys.argv[2]))

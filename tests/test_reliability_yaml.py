"""Hostile YAML under a time and a memory bound, counted per class.

Every case of the YAML test suite, the YAML attack corpus and a set of generated
extremes goes through ``parse_document`` in a worker process whose address
space is capped at 1 GiB (``RLIMIT_AS``): each case is refused with a located
problem or accepted as data, within 2 s, and never kills the worker or raises.
The full set (``--full``) also puts every case into a repository as a record
and runs ``anjian validate`` over it under the same cap.  Figures per class go
to pytest's cache (``python -m tests.reliability.figures``).

What ``test_yaml_corpora.py`` and ``test_hostile_records.py`` already check
(per-case outcomes in-process, located messages, the schema refusing what
libyaml accepts) is not repeated; this file adds the bounds and the counts.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.factory import make_repo
from tests.reliability.figures import record
from tests.reliability.yaml_worker import MEMORY_LIMIT, Outcome, limit_memory, run_cases

DATA = Path(__file__).parent / "data"
MAX_SECONDS = 2.0  # per case; or, for a file near the 1 MB cap, no slower than
FLOOR_FACTOR = 3.0  # this many times libyaml composing the same bytes on its own
CLASSES: dict[str, list[Path]] = {
    "yaml-test-suite/error": sorted((DATA / "yaml-test-suite/error").glob("*.yaml")),
    "yaml-test-suite/valid": sorted((DATA / "yaml-test-suite/valid").glob("*.yaml")),
    "yaml-attacks": sorted(
        p for p in (DATA / "yaml-attacks/cases").iterdir() if p.suffix in {".yaml", ".yml"}
    ),
}


def extremes() -> dict[str, bytes]:
    """Generated inputs at and past every limit the loader sets (1 MB, 40 levels)."""
    mb = 1024 * 1024
    return {
        "deep-flow-100k": b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "deep-flow-unclosed": b"a: " + b"{x: " * 60_000 + b"\n",
        "deep-block-indent": b"".join(b" " * i + b"k:\n" for i in range(0, 2000, 2)),
        "deep-block-dashes": b"a:\n" + b"- " * 20_000 + b"x\n",
        "deep-block-first-line": b"- " * 20_000 + b"x\n",
        "deep-block-41": b"".join(b"  " * i + b"k:\n" for i in range(41)) + b"  " * 41 + b"v\n",
        "flow-at-limit-40": b"a: " + b"[" * 39 + b"]" * 39 + b"\n",
        "scalar-just-under-1mb": b"id: x\ndescription: " + b"x" * (mb - 40) + b"\n",
        "scalar-8mb": b"id: x\ndescription: " + b"x" * (8 * mb) + b"\n",
        "key-512kb": b"k" * (512 * 1024) + b": v\n",
        "int-1m-digits": b"id: " + b"9" * (mb - 100) + b"\n",
        "float-overflow": b"a: 1e999999\nb: -.inf\nc: .nan\n",
        "hex-int-huge": b"a: 0x" + b"f" * 100_000 + b"\n",
        "sexagesimal": b"a: 1:20:30:40:50:60\n",
        "many-keys-50k": b"".join(b"k%d: %d\n" % (i, i) for i in range(50_000)),
        "many-items-100k": b"a:\n" + b"- x\n" * 100_000,
        # as many nodes as fit under the 1 MB cap: seconds, linear in size like libyaml itself
        "keys-at-size-cap": b"".join(b"k%x: 1\n" % i for i in range(100_000)),
        "items-at-size-cap": b"a:\n" + b"- x\n" * 250_000,
        "many-documents": b"a: 1\n" + b"---\na: 1\n" * 50_000,
        "many-anchors": b"".join(b"k%d: &a%d v\n" % (i, i) for i in range(20_000)),
        "alias-late": b"".join(b"k%d: v\n" % i for i in range(20_000)) + b"z: *a\n",
        "unclosed-quote-1mb": b'a: "' + b"x" * (mb - 100) + b"\n",
        "unclosed-single-quote": b"a: '" + b"y\n" * 100_000,
        "long-line-plain": b"a: " + b"word " * 200_000 + b"\n",
        "utf8-4byte-flood": b"a: " + "😀".encode() * 200_000 + b"\n",
        "utf16-bom": "a: 1\n".encode("utf-16"),
        "utf32": "a: 1\n".encode("utf-32"),
        "nul-bytes": b"a: \x00\x00\x00\nb: 1\n",
        "nul-flood": b"\x00" * mb,
        "control-chars": bytes(range(1, 32)) + b": v\n",
        "lone-surrogate-escape": b'a: "\\ud800"\n',
        "bidi-override": "a: \u202egnp.exe\nb: \u2066x\u2069\n".encode(),
        "cr-only-newlines": b"a: 1\rb: 2\rc: 3\r",
        "tab-flood": b"a:\n" + b"\t" * 100_000 + b"b: 1\n",
        "tag-flood": b"".join(b"k%d: !t%d v\n" % (i, i) for i in range(10_000)),
        "directive-flood": b"%TAG !a! tag:x,2000:\n" * 10_000 + b"---\na: 1\n",
        "merge-key": b"a: {x: 1}\nb:\n  <<: {x: 2}\n",
        "complex-key": b"? [a, b]\n: v\n",
        "binary-tag": b"a: !!binary aGVsbG8=\n",
        "set-tag": b"a: !!set {x, y}\n",
        "python-object": b"a: !!python/object/apply:os.system ['true']\n",
        "empty-bytes": b"",
        "only-comment": b"# nothing\n",
        "only-bom": b"\xef\xbb\xbf",
    }


def _figures(outcomes: list[Outcome]) -> dict[str, object]:
    slowest = max(outcomes, key=lambda o: o.seconds)
    hungry = max(outcomes, key=lambda o: o.grew_kb)
    return {
        "tried": len(outcomes),
        "refused": sum(o.outcome == "refused" for o in outcomes),
        "accepted": sum(o.outcome == "accepted" for o in outcomes),
        "crashed": sum(o.outcome == "crashed" for o in outcomes),
        "slowest": {
            "case": slowest.case,
            "seconds": round(slowest.seconds, 4),
            "libyaml_alone_seconds": round(slowest.floor_seconds, 4),
        },
        "most_memory": {"case": hungry.case, "peak_rss_growth_mb": round(hungry.grew_kb / 1024, 1)},
        "codes": dict(Counter(o.code for o in outcomes if o.outcome == "refused").most_common()),
    }


def test_every_hostile_case_is_bounded_in_time_and_memory(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    generated = tmp_path / "extremes"
    generated.mkdir()
    for name, content in extremes().items():
        (generated / f"{name}.yaml").write_bytes(content)
    classes = {**CLASSES, "generated-extremes": sorted(generated.iterdir())}
    cases = [case for files in classes.values() for case in files]
    started = time.perf_counter()
    run = run_cases(cases, tmp_path / "cases.txt")
    elapsed = time.perf_counter() - started
    by_name = {o.case: o for o in run.outcomes}
    assert len(by_name) == len(run.outcomes) == len(cases)  # case names are unique

    figures: dict[str, object] = {
        "seconds": round(elapsed, 1),
        "memory_limit_mb": MEMORY_LIMIT >> 20,
        "worker_peak_rss_mb": round(max(o.maxrss_kb for o in run.outcomes) / 1024, 1),
    }
    for name, files in classes.items():
        figures[name] = _figures([by_name[f.name] for f in files])
    record(request.config, "yaml-parse", figures)

    crashed = [(o.case, o.code, o.detail) for o in run.outcomes if o.outcome == "crashed"]
    assert crashed == []
    slow = [
        (o.case, round(o.seconds, 2), round(o.floor_seconds, 2))
        for o in run.outcomes
        if o.seconds >= MAX_SECONDS and o.seconds > FLOOR_FACTOR * o.floor_seconds
    ]
    assert slow == []
    # the suite's error cases are errors: libyaml (YAML 1.1) lets a few through,
    # which test_yaml_corpora.py shows the schema then refuses
    errors = figures["yaml-test-suite/error"]
    assert isinstance(errors, dict) and errors["refused"] >= 85
    # everything past a limit is refused by the limit, not by luck
    expected = {
        "deep-flow-100k": "too-deep",
        "deep-block-indent": "too-deep",
        "deep-block-41": "too-deep",
        "deep-block-dashes": "too-deep",
        "deep-block-first-line": "too-deep",
        "scalar-8mb": "file-too-large",
        "nul-flood": "yaml-syntax",
        "many-documents": "multiple-documents",
        "many-anchors": "alias-not-allowed",
        "utf16-bom": "invalid-utf8",
        "python-object": "tag-not-allowed",
        "merge-key": "alias-not-allowed",
        "complex-key": "bad-key",
        "tab-flood": "tab-indent",
        "empty-bytes": "empty-file",
    }
    got = {name: by_name[f"{name}.yaml"].code for name in expected}
    assert got == expected


@pytest.mark.slow
def test_validate_over_every_hostile_case_as_a_record_is_bounded(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The whole pipeline (load → schema → rules → report) on every case at once."""
    raw: dict[str, bytes] = {}
    for name, files in CLASSES.items():
        folder = name.replace("/", "-")
        for case in files:
            raw[f"records/hazard/{folder}/{case.stem}.yaml"] = case.read_bytes()
    for name, content in extremes().items():
        raw[f"records/hazard/generated/{name}.yaml"] = content
    root = make_repo(tmp_path / "repo", raw=raw)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--as-of", "2026-11-23", "--jobs", "2"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=limit_memory,
        check=False,
    )
    seconds = time.perf_counter() - started
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stderr[-3000:]
    reported = {line.split(":", 1)[0] for line in done.stdout.splitlines() if ":" in line}
    missing = sorted(set(raw) - reported)
    record(
        request.config,
        "yaml-validate",
        {
            "records": len(raw),
            "refused": len(set(raw) & reported),
            "accepted": len(missing),
            "crashed": 0,
            "seconds": round(seconds, 1),
            "memory_limit_mb": MEMORY_LIMIT >> 20,
        },
    )
    assert missing == []  # not one of them is a valid hazard
    assert seconds < 2.0 * len(raw)

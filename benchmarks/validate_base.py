"""Time ``anjian validate --base main`` for a one-record pull request, on the demo and larger.

Builds a git repository from the demo county (``anjian demo``), optionally
multiplied ``--copies`` times (hazards and inspections copied under new ids, so
a 10× corpus has ~10× the files), with its history spread over ``--commits``
commits written by ``git fast-import`` — including records added and deleted
again, so the "ids ever used" pass has deletions to read; commits are dated
as the records they add.  Then three one-record pull requests, each on its own
branch and committed by an inspector — an event appended to an open hazard, a
new hazard dated today, a new enterprise (an undated id: its folder's whole
history is read) — and the check runs ``--runs`` times for each in a fresh
process.

    python benchmarks/validate_base.py --out ../bench-demo
    python benchmarks/validate_base.py --out ../bench-10x --copies 10 --commits 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
AS_OF = "2026-11-23"
ADMIN = "admin@qingchuan.example"
MULTIPLIED = ("hazard", "inspection")
DATED_ID = re.compile(rb"(HAZ|INS)-(\d{8})-(\d{3})")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
STAMP_START = int(dt.datetime(2025, 1, 1, 9, tzinfo=SHANGHAI).timestamp())


def run(*args: str, cwd: Path, stdin: bytes | None = None) -> str:
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
        "HOME": str(cwd),
    }
    result = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, check=True, env=env)
    return result.stdout.decode()


def make_demo(out: Path) -> None:
    out.mkdir(parents=True)
    for name in ("schemas",):
        run("cp", "-r", str(PROJECT / name), str(out / name), cwd=out)
    run("cp", str(PROJECT / "policy.yaml"), str(out / "policy.yaml"), cwd=out)
    subprocess.run(
        [PYTHON, "-m", "generator", "--repo", str(out), "demo", "--out", str(out)],
        cwd=PROJECT,
        check=True,
        capture_output=True,
    )


def copy_id(match: re.Match[bytes], copy: int) -> bytes:
    """HAZ-20260314-002 → HAZ-20260314-062 for copy 1 (60 numbers a copy)."""
    number = int(match.group(3)) + 60 * copy
    return match.group(1) + b"-" + match.group(2) + b"-" + f"{number:03d}".encode()


def corpus(root: Path, copies: int) -> dict[str, bytes]:
    """Path → content: every file of the demo, plus ``copies − 1`` copies of the bulk kinds."""
    files: dict[str, bytes] = {}
    for path in sorted((root / "records").rglob("*")):
        if path.is_file():
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    for rel in (
        "policy.yaml",
        *(p.relative_to(root).as_posix() for p in (root / "schemas").glob("*")),
    ):
        files[rel] = (root / rel).read_bytes()
    originals = [p for p in files if p.split("/")[1:2] and p.split("/")[1] in MULTIPLIED]
    for copy in range(1, copies):
        for rel in originals:
            own = DATED_ID.search(rel.encode())
            assert own is not None, rel
            new_id = copy_id(own, copy)
            files[rel.replace(own.group(0).decode(), new_id.decode())] = files[rel].replace(
                own.group(0), new_id
            )
    return files


def id_date(path: str) -> int:
    """Unix time of the date in a record's id (noon, +08:00), or 2025-01-01 when undated."""
    match = re.search(r"-(\d{8})-\d{3}\.yaml$|-(\d{6})\.yaml$", path)
    if match is None:
        return STAMP_START
    day = match.group(1) or match.group(2) + "01"
    stamp = dt.datetime(int(day[:4]), int(day[4:6]), int(day[6:8]), 12, tzinfo=SHANGHAI)
    return int(stamp.timestamp())


def fast_import(root: Path, files: dict[str, bytes], commits: int) -> None:
    """The corpus as ``commits`` commits on main, each dated on or after the records it adds.

    Records are committed in the order of the dates in their ids (as staff enter
    them), and every 50th commit adds a scratch record that the next deletes, so
    the history holds deletions to find.
    """
    paths = sorted(files, key=lambda p: (id_date(p), p))
    per = max(1, len(paths) // commits)
    out = bytearray()
    stamp = STAMP_START
    for number, start in enumerate(range(0, len(paths), per)):
        mark = number + 1
        chunk = paths[start : start + per]
        stamp = max(stamp + 60, max(id_date(p) for p in chunk))
        body = [f"commit refs/heads/main\nmark :{mark}\n".encode()]
        body.append(f"author admin <{ADMIN}> {stamp} +0800\n".encode())
        body.append(f"committer admin <{ADMIN}> {stamp} +0800\n".encode())
        message = f"批量录入 {number}".encode()
        body.append(b"data %d\n%s\n" % (len(message), message))
        if number:
            body.append(f"from :{mark - 1}\n".encode())
        for path in chunk:
            content = files[path]
            body.append(f"M 100644 inline {path}\ndata {len(content)}\n".encode() + content + b"\n")
        scratch = f"records/hazard/2024/HAZ-2024{number % 12 + 1:02d}01-{number % 999:03d}.yaml"
        if number % 50 == 1:
            data = b"id: scratch\n"
            body.append(f"M 100644 inline {scratch}\ndata {len(data)}\n".encode() + data + b"\n")
        if number % 50 == 2:
            previous = number - 1
            gone = (
                f"records/hazard/2024/HAZ-2024{previous % 12 + 1:02d}01-{previous % 999:03d}.yaml"
            )
            body.append(f"D {gone}\n".encode())
        out += b"".join(body) + b"\n"
    run("git", "init", "-q", "-b", "main", str(root), cwd=root.parent)
    run("git", "fast-import", "--quiet", cwd=root, stdin=bytes(out))
    run("git", "checkout", "-q", "-f", "main", cwd=root)


def inspector_email(root: Path) -> tuple[str, str]:
    for path in sorted((root / "records/staff").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "检查员" in data.get("roles", []) and data.get("active") and data.get("git"):
            return data["id"], data["git"]["emails"][0]
    raise SystemExit("no inspector with a git e-mail in the staff records")


def open_hazard(root: Path) -> Path:
    for path in sorted((root / "records/hazard").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        events = data.get("events") or []
        if events and events[-1]["type"] == "开始整改" and data.get("class") == "一般":
            return path
    raise SystemExit("no hazard in 整改中")


def new_enterprise(root: Path) -> Path:
    """A copy of the first enterprise under a new, valid credit code."""
    from stdnum.cn import uscc

    source = sorted((root / "records/enterprise").glob("*.yaml"))[0]
    body = "91330100" + "MA2999999"
    code = body + uscc.calc_check_digit(body)
    target = source.with_name(f"{code}.yaml")
    target.write_text(source.read_text(encoding="utf-8").replace(source.stem, code), "utf-8")
    return target


def one_record_change(root: Path, branch: str) -> str:
    """One pull request on its own branch: ``edit`` an open hazard, add a hazard or an enterprise."""
    staff, email = inspector_email(root)
    run("git", "checkout", "-q", "-f", "-b", branch, "main", cwd=root)
    if branch == "add-enterprise":
        path = new_enterprise(root)
    else:
        path = open_hazard(root)
        text = path.read_text(encoding="utf-8")
        if branch == "add-hazard":  # recorded today, under today's date
            own, new_id = path.stem, f"HAZ-{AS_OF.replace('-', '')}-999"
            path = path.with_name(f"{new_id}.yaml")
            text = text.replace(own, new_id)
        else:
            text += f"- date: {AS_OF}\n  type: 进展报告\n  by: {staff}\n  note: 整改进行中\n"
        path.write_text(text, encoding="utf-8")
    run("git", "add", "-A", cwd=root)
    run(
        "git",
        "-c",
        f"user.email={email}",
        "-c",
        "user.name=inspector",
        "commit",
        "-q",
        "-m",
        branch,
        cwd=root,
    )
    return path.relative_to(root).as_posix()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="an empty folder to build in")
    parser.add_argument("--copies", type=int, default=1, help="corpus size, in demo counties")
    parser.add_argument("--commits", type=int, default=200, help="history length")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    demo = args.out / "demo"
    repo = args.out / "repo"
    make_demo(demo)
    files = corpus(demo, args.copies)
    repo.mkdir(parents=True)
    fast_import(repo, files, args.commits)
    records = sum(1 for p in files if p.startswith("records/") and p.endswith(".yaml"))
    commits = run("git", "rev-list", "--count", "main", cwd=repo).strip()
    print(f"repository: {repo} ({records} record files, {commits} commits on main)")
    command = [PYTHON, "-m", "generator", "validate", "--base", "main", "--as-of", AS_OF]
    print(f"command: cd {repo} && python {' '.join(command[1:])}")
    for branch in ("edit", "add-hazard", "add-enterprise"):
        changed = one_record_change(repo, branch)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - start)
            if result.returncode != 0:
                print(result.stdout, result.stderr)
                raise SystemExit("the one-record change did not validate")
        print(
            f"{branch} {changed}: median {statistics.median(times):.2f} s over {args.runs} runs "
            f"(min {min(times):.2f}, max {max(times):.2f})"
        )


if __name__ == "__main__":
    main()

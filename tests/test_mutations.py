"""Property-based hostile input: random mutations of a valid record never crash validation.

Keys deleted, duplicated, reordered; values retyped; control characters and long
strings inserted.  Whatever happens, the result is either a valid record or
problems that each name the file — never an exception.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.dump import dump_record
from generator.validate import validate_repository
from tests.factory import base_records, make_repo

HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"
AS_OF = dt.date(2026, 11, 23)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=10),
    st.just("x" * 5000),
    st.sampled_from(
        ["no", "yes", "010", "1:20", "2026-02-30", "~", "null", ".inf", "<script>alert(1)</script>"]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def mutated_record(draw: st.DrawFn) -> dict[str, Any]:
    record = base_records()[HAZARD]
    keys = list(record)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        action = draw(st.sampled_from(["delete", "retype", "add", "reorder", "event"]))
        if action == "delete" and record:
            record.pop(draw(st.sampled_from(sorted(record))), None)
        elif action == "retype" and record:
            record[draw(st.sampled_from(sorted(record)))] = draw(values)
        elif action == "add":
            record[draw(st.text(min_size=1, max_size=12))] = draw(values)
        elif action == "reorder":
            keys = draw(st.permutations(list(record)))
            record = {k: record[k] for k in keys}
        elif action == "event" and isinstance(record.get("events"), list) and record["events"]:
            event = record["events"][draw(st.integers(0, len(record["events"]) - 1))]
            if isinstance(event, dict):
                event[draw(st.sampled_from(["type", "date", "by", "evidence", "reason"]))] = draw(
                    values
                )
    return record


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(record=mutated_record())
def test_a_mutated_record_never_crashes_validation(
    tmp_path_factory: Any, record: dict[str, Any]
) -> None:
    root = make_repo(tmp_path_factory.mktemp("repo"))
    try:
        text = dump_record(record)
    except Exception:  # a value PyYAML cannot write is not an input staff can produce
        shutil.rmtree(root)
        return
    (root / HAZARD).write_text(text, encoding="utf-8")
    report = validate_repository(root, as_of=AS_OF, jobs=1).report
    for problem in report.problems:
        assert problem.path and problem.code and problem.message_zh
    shutil.rmtree(root)


@settings(max_examples=80, deadline=None)
@given(
    raw=st.binary(max_size=300)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
def test_arbitrary_bytes_are_refused_or_loaded(raw: bytes) -> None:
    from generator.load import Document, parse_document

    result = parse_document(raw, HAZARD)
    assert isinstance(result, Document) or (result.code and result.path == HAZARD)


def test_mutation_helper_leaves_the_base_intact(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    assert validate_repository(root, as_of=AS_OF, jobs=1).report.errors == []

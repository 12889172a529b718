"""The collector and a corpus held in memory: what is made while paused is aged, not walked."""

from __future__ import annotations

import gc

from generator import collect


def _generation_of(obj: object) -> int | None:
    for generation in range(3):
        if any(o is obj for o in gc.get_objects(generation=generation)):
            return generation
    return None


def test_records_made_while_paused_join_the_oldest_generation() -> None:
    with collect.paused():
        record = {"id": "HAZ-20260101-001", "events": [{"type": "开始整改"}]}
    assert _generation_of(record["events"]) == 2
    assert gc.get_freeze_count() == 0  # aged, not frozen: cycles among them are still freed


def test_the_collector_is_on_again_after_a_pause() -> None:
    assert gc.isenabled()
    with collect.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_records_made_while_settled_stay_settled() -> None:
    collect.settle()
    try:
        with collect.paused():
            record = {"events": [{"type": "销号"}]}
        assert _generation_of(record["events"]) is None  # frozen: in no generation
        assert gc.get_freeze_count() > 0
    finally:
        collect.unsettle()
    assert gc.get_freeze_count() == 0
    assert _generation_of(record["events"]) == 2

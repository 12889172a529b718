"""A pack keeps the data of its chunk's files as one marshal, apart from what it says of each
file: a run that needs none of it, or all of it unchanged, never takes it apart."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from generator import cache
from generator.cache import VERSION, Pack, write_stored

OLD = (10, 0, 0, 7)  # size, mtime, ctime, inode: written long before the pack
PROBLEM = ("yaml-syntax", "records/hazard/b.yaml", "坏", "bad")


def filled(file: Path) -> bytes:
    pack = Pack(file)
    pack.store("a.yaml", OLD, b"digest-a", {"id": "HAZ-A", "n": 1}, [])
    pack.store("b.yaml", OLD, b"digest-b", None, [PROBLEM])  # did not load
    pack.store("c.yaml", OLD, b"digest-c", {"id": 12}, [])  # an id that is no string
    sent = pack.chunk_data(["a.yaml", "c.yaml"])
    assert sent is not None
    pack.save(["a.yaml", "c.yaml"])
    return sent


def test_an_unchanged_chunk_sends_the_bytes_it_kept_without_taking_them_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "pack.marshal"
    sent = filled(file)
    assert marshal.loads(sent) == [{"id": "HAZ-A", "n": 1}, {"id": 12}]
    again = Pack(file)
    assert again.fresh("a.yaml", OLD)[2] == (True, [], "HAZ-A")
    assert again.fresh("b.yaml", OLD)[2] == (False, [PROBLEM], None)
    assert again.fresh("c.yaml", OLD)[2] == (True, [], None)

    def refuse(_: bytes) -> object:
        raise AssertionError("taken apart")

    monkeypatch.setattr(cache.marshal, "loads", refuse)
    assert again.chunk_data(["a.yaml", "c.yaml"]) == sent


def test_a_changed_file_is_sent_with_the_others_kept(tmp_path: Path) -> None:
    file = tmp_path / "pack.marshal"
    filled(file)
    again = Pack(file)
    again.fresh("a.yaml", OLD)
    again.store("c.yaml", (11, 5, 5, 7), b"digest-c2", {"id": "HAZ-C", "n": 2}, [])
    assert again.data_of("a.yaml") == {"id": "HAZ-A", "n": 1}
    sent = again.chunk_data(["a.yaml", "c.yaml"])
    assert sent is not None
    assert marshal.loads(sent) == [{"id": "HAZ-A", "n": 1}, {"id": "HAZ-C", "n": 2}]
    again.save(["a.yaml", "c.yaml"])
    assert marshal.loads(Pack(file).chunk_data(["a.yaml", "c.yaml"]) or b"") == marshal.loads(sent)


def test_a_file_said_to_load_whose_data_is_missing_is_read_again(tmp_path: Path) -> None:
    file = tmp_path / "pack.marshal"
    write_stored(
        file,
        {
            "version": VERSION,
            "written": 10**19,
            "files": {"a.yaml": (OLD, b"digest-a", (True, [], "HAZ-A"))},
            "data": ((), marshal.dumps([])),
            "evidence": {},
            "rules": None,
        },
    )
    assert Pack(file).fresh("a.yaml", OLD) is None


def test_a_chunk_where_nothing_loaded_sends_an_empty_list(tmp_path: Path) -> None:
    pack = Pack(tmp_path / "pack.marshal")
    assert marshal.loads(pack.chunk_data([]) or b"x") == []

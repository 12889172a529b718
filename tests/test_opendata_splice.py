"""Open data made again only where rows changed: the same bytes as a full write.

A city's hazard ledger is a quarter of a gigabyte; one record changed should not
mean encoding it all again.  Rows whose values are unchanged are copied from the
published file, and the file must still be byte for byte what a build from
nothing writes — whatever was added, removed, changed or moved.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from generator.render import build, rowsplice
from generator.render.build import build_site
from generator.render.opendata import JSON_FRAME, _json_line
from generator.render.rowsplice import Frame, RowIndex, row_digests, write_rows
from tests.portal_factory import AS_OF, make_portal_repo, portal_records, with_enterprises
from tests.test_reliability_atomic import change_a_record

CSV_FRAME = Frame(b"id,name\r\n", b"", b"", b"id,name\r\n")


def ledger(count: int) -> list[dict[str, Any]]:
    return [{"id": f"H{n:05d}", "name": f"隐患<{n}>", "open": n % 3 == 0} for n in range(count)]


class Counting:
    """An encoder that counts the rows it had to encode."""

    def __init__(self, encode: Any) -> None:
        self.encode, self.calls = encode, 0

    def __call__(self, row: dict[str, Any]) -> bytes:
        self.calls += 1
        return bytes(self.encode(row))


def csv_line(row: dict[str, Any]) -> bytes:
    return f'{row["id"]},"{row["name"]}"\r\n'.encode()


def written(
    file: Path, rows: list[dict[str, Any]], frame: Frame, encode: Any, previous: Any = None
) -> tuple[bytes, Any, Counting]:
    counting = Counting(encode)
    done = write_rows(file, rows, row_digests(rows), counting, frame, "ab" * 32, previous)
    return file.read_bytes(), done, counting


@pytest.mark.parametrize("piece", [None, 7])
def test_a_spliced_file_is_byte_for_byte_a_full_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int | None
) -> None:
    if piece is not None:  # runs copied a few bytes at a time, across many reads
        monkeypatch.setattr(rowsplice, "COPY_PIECE", piece)
    encoders = [(JSON_FRAME, _json_line(["id", "name", "open"])), (CSV_FRAME, csv_line)]
    chance = random.Random(8)
    for frame, encode in encoders:
        rows = ledger(400)
        _, first, _ = written(tmp_path / "old", rows, frame, encode)
        for _ in range(25):
            new = [dict(r) for r in rows]
            for _ in range(chance.randint(1, 6)):
                what, at = chance.choice("acdm"), chance.randrange(len(new))
                if what == "a":
                    new.insert(at, {"id": f"N{chance.random()}", "name": "新增", "open": True})
                elif what == "c":
                    new[at]["name"] += "（已改）"
                elif what == "d" and len(new) > 1:
                    del new[at]
                else:
                    new.insert(chance.randrange(len(new)), new.pop(at))
            full, _, everything = written(tmp_path / "full", new, frame, encode)
            spliced, done, some = written(
                tmp_path / "new", new, frame, encode, (tmp_path / "old", first.index)
            )
            assert spliced == full
            assert everything.calls == len(new)
            assert some.calls <= 12  # only the rows added or changed
            assert (
                done.index.lengths
                == written(tmp_path / "again", new, frame, encode)[1].index.lengths
            )
            (tmp_path / "new").replace(tmp_path / "old")
            rows, first = new, done


def test_nothing_is_copied_from_a_file_that_is_not_the_one_indexed(tmp_path: Path) -> None:
    rows = ledger(50)
    _, first, _ = written(tmp_path / "old", rows, JSON_FRAME, _json_line(["id", "name"]))
    (tmp_path / "old").write_bytes(b"[\n" + b"{}" + b"\n]\n")  # cut short, not the indexed file
    full, _, _ = written(tmp_path / "full", rows, JSON_FRAME, _json_line(["id", "name"]))
    spliced, _, counting = written(
        tmp_path / "new",
        rows,
        JSON_FRAME,
        _json_line(["id", "name"]),
        (tmp_path / "old", first.index),
    )
    assert spliced == full
    assert counting.calls == len(rows)


def test_an_index_reads_back_as_written_and_refuses_anything_else(tmp_path: Path) -> None:
    rows = ledger(30)
    _, done, _ = written(tmp_path / "f", rows, CSV_FRAME, csv_line)
    data = done.index.dump()
    back = RowIndex.load(data)
    assert back == done.index
    assert RowIndex.load(data[:-1]) is None
    assert RowIndex.load(b"not an index" + data) is None
    assert RowIndex.load(b"") is None


def test_rows_without_a_stable_form_are_written_whole_without_an_index(tmp_path: Path) -> None:
    class Name(str):
        pass

    rows = [{"id": "H1", "name": Name("甲")}]
    assert row_digests(rows) is None
    done = write_rows(tmp_path / "f", rows, None, csv_line, CSV_FRAME, "ab" * 32)
    assert done.index is None
    assert (tmp_path / "f").read_bytes() == b'id,name\r\nH1,"\xe7\x94\xb2"\r\n'


@pytest.mark.parametrize("apart", [False, True], ids=["here", "by-a-child"])
def test_a_rebuild_copies_unchanged_tables_and_splices_the_changed_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apart: bool
) -> None:
    if apart:  # as for a city: a forked child writes the open data while the pages are made
        monkeypatch.setattr(build, "FORK_ROWS", 0)
    root = make_portal_repo(tmp_path / "repo", with_enterprises(portal_records(), 30))
    out = tmp_path / "pub" / "site"
    build_site(root, out, as_of=AS_OF, search=False)
    inode = {f.name: f.stat().st_ino for f in (out / "data").iterdir()}

    change_a_record(root)  # an enterprise renamed
    build_site(root, out, as_of=AS_OF, search=False)
    fresh = tmp_path / "fresh"
    build_site(root, fresh, as_of=AS_OF, search=False, incremental=False)

    for file in sorted((fresh / "data").iterdir()):
        assert (out / "data" / file.name).read_bytes() == file.read_bytes(), file.name
    kept = {f.name for f in (out / "data").iterdir() if f.stat().st_ino == inode.get(f.name)}
    assert {"inspections.csv", "inspections.json", "hazards.json"} <= kept
    assert "enterprises.csv" not in kept and "enterprises.json" not in kept
    enterprises = json.loads((out / "data/enterprises.json").read_text(encoding="utf-8"))
    assert "青川县新名称化工有限公司" in {row["name"] for row in enterprises}
    page = (out / "opendata/index.html").read_text(encoding="utf-8")
    assert f"<small>enterprises</small></th><td>{len(enterprises)}</td>" in page

    # what the writer recorded reached the manifest: nothing changed, every file is kept
    inode = {f.name: f.stat().st_ino for f in (out / "data").iterdir()}
    build_site(root, out, as_of=AS_OF, search=False)
    written = {f.name for f in (out / "data").iterdir() if f.stat().st_ino != inode[f.name]}
    assert written == {"datapackage.json", "blacklist.csv", "blacklist.json"}  # always made

"""The portal's rows and statuses kept by chunk: a rebuild takes the unchanged chunks' and
makes the others', and gets the portal a build from scratch would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.render import model, opendata
from generator.render.derived import FOLDER, PortalMemo, salt
from generator.render.model import Portal, build_portal
from generator.render.rowsplice import row_digests
from generator.validate import validate_repository
from tests.portal_factory import AS_OF, make_portal_repo, portal_records, with_enterprises

HAZARD = "records/hazard/2025/HAZ-20251010-001.yaml"


def repo(tmp_path: Path) -> Path:
    return make_portal_repo(tmp_path / "repo", with_enterprises(portal_records(), 40))


def portal(root: Path, *, memo: bool, day: dt.date = AS_OF) -> tuple[Portal, PortalMemo | None]:
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    kept = PortalMemo.open(root, loaded.chunks, day) if memo else None
    made = build_portal(loaded.valid, loaded.registry, loaded.policy, day, memo=kept)
    return made, kept


def edit(root: Path, rel: str, **changes: Any) -> None:
    file = root / rel
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    data.update(changes)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def chunks_kept(memo: PortalMemo | None) -> int:
    assert memo is not None
    return memo.chunks_kept


@pytest.mark.parametrize("fork", [False, True])
def test_a_rebuild_takes_the_unchanged_chunks_and_gives_the_portal_made_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    monkeypatch.setattr(model, "FORK_RECORDS", 0 if fork else 10**9)
    monkeypatch.setattr(model.forked, "room_for_a_child", lambda: True)
    root = repo(tmp_path)
    first, memo = portal(root, memo=True)
    assert chunks_kept(memo) == 0  # nothing kept yet: every chunk made, and kept now
    assert first == portal(root, memo=False)[0]

    edit(root, HAZARD, description="消防通道堆放杂物（复查补充）", deadline="2025-10-12")
    again, memo = portal(root, memo=True)
    afresh, _ = portal(root, memo=False)

    assert again == afresh
    assert memo is not None and chunks_kept(memo) == len(memo.chunks) - 1 > 0
    row = next(h for h in again.hazards if h["id"] == "HAZ-20251010-001")
    assert row["description"] == "消防通道堆放杂物（复查补充）"
    assert again.facts["HAZ-20251010-001"] == afresh.facts["HAZ-20251010-001"]
    assert again.facts["HAZ-20251010-001"].deadline == dt.date(2025, 10, 12)


def test_a_hazard_kept_as_it_stood_before_its_later_events_is_cut_again(tmp_path: Path) -> None:
    day = dt.date(2025, 10, 15)  # the hazard's rectification done, not yet checked
    root = repo(tmp_path)
    portal(root, memo=True, day=day)
    edit(root, "records/inspection/2025/INS-20251010-001.yaml", summary="检查危化品仓库。")
    again, memo = portal(root, memo=True, day=day)

    assert memo is not None and memo.entry(HAZARD) not in (None, True, False)
    assert again == portal(root, memo=False, day=day)[0]
    row = next(h for h in again.hazards if h["id"] == "HAZ-20251010-001")
    assert [e["type"] for e in row["events"]] == ["开始整改", "整改完成"]


def test_a_kept_chunk_whose_rows_cannot_be_read_has_its_records_read_again(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path)
    portal(root, memo=True)
    (folder,) = (root / ".anjian-cache" / FOLDER).iterdir()
    for file in folder.glob("*.rows"):
        file.write_bytes(b"\x00 not marshal")

    again, memo = portal(root, memo=True)

    assert chunks_kept(memo) > 0
    assert again == portal(root, memo=False)[0]
    assert again.hazards and again.enterprises and again.inspections


def test_what_is_kept_is_for_one_day_policy_and_schemas(tmp_path: Path) -> None:
    root = repo(tmp_path)
    before = salt(root, AS_OF)
    assert salt(root, AS_OF + dt.timedelta(days=1)) != before
    policy = root / "policy.yaml"
    policy.write_text(policy.read_text("utf-8") + "\n# 修订\n", encoding="utf-8")
    assert salt(root, AS_OF) != before

    portal(root, memo=True)
    loaded = validate_repository(root, as_of=AS_OF, jobs=1)
    next_day = AS_OF + dt.timedelta(days=1)
    other_day = PortalMemo.open(root, loaded.chunks, next_day)
    assert other_day.kept == {}
    build_portal(loaded.valid, loaded.registry, loaded.policy, next_day, memo=other_day)
    assert [p.name for p in (root / ".anjian-cache" / FOLDER).iterdir()] == [salt(root, next_day)]


def test_the_digests_kept_are_those_of_the_open_data_rows(tmp_path: Path) -> None:
    root = repo(tmp_path)
    portal(root, memo=True)
    edit(root, HAZARD, description="消防通道堆放杂物（复查补充）")
    again, memo = portal(root, memo=True)
    assert chunks_kept(memo) > 0

    ledgers = [t for t in opendata._tables(again) if t.name != opendata.BLACKLIST]
    assert {t.kind for t in ledgers} >= {"enterprise", "inspection", "hazard", "penalty"}
    for table in ledgers:
        known = again.digests[table.kind]
        assert len(known) == len(table.rows)  # every row's digest known: none made again
        assert opendata._row_digests(table, known) == row_digests(table.rows)

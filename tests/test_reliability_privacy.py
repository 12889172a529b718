"""Privacy canaries: personal data in internal fields never reaches ``site/``.

Every internal text field of every kind (from the schemas, see
``tests/reliability/canaries.py``) holds its own canaries — an ID number with a
valid check character, a mobile number, an e-mail address, a name, a token.
After a full build (search index included) none of them appears in any file
under ``site/``: pages, open data, feed, sitemap, directory index, Pagefind's
compressed fragments.  Then each personal-data field is marked public by
mistake, in turn: ID numbers, phones and e-mails make the build's own leak scan
fail, naming the file; names are masked.  The fast subset flips one field of
each sort; ``--full`` flips every one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator.render.build import InvalidRecords, LeakFound, build_site
from generator.render.leakscan import is_id_number
from generator.render.public import mask_name
from generator.schemas import load_registry
from tests.factory import PROJECT, make_repo
from tests.portal_factory import AS_OF
from tests.reliability.canaries import Canary, Planted, make_canary, plant, site_texts
from tests.reliability.figures import record

DETECTED = {"id-number": "id-number", "phone": "phone", "email": "email"}
FAST_FLIPS = {
    "staff:id_number",
    "enterprise:contact/phone",
    "enterprise:contact/email",
    "complaint:reporter/name",
}


def make_scratch(root: Path, planted: Planted) -> Path:
    make_repo(root, planted.records, raw=planted.raw)
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    return root


@pytest.fixture(scope="module")
def planted() -> Planted:
    return plant()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, planted: Planted) -> Path:
    root = make_scratch(tmp_path_factory.mktemp("canaries") / "repo", planted)
    build_site(root, root / "site", as_of=AS_OF)
    return root / "site"


def test_every_internal_text_field_holds_a_canary(planted: Planted) -> None:
    assert planted.unplanted == []  # extend canaries.scratch_records() for a new field
    assert set(planted.untextable) <= {
        "hazard:events/*/evidence/*/sha256",
        "inspection:evidence/*/sha256",
    }
    assert len(planted.canaries) >= 30
    for canary in planted.canaries:
        assert is_id_number(canary.id_number), canary


def test_no_canary_appears_anywhere_under_site(
    built: Path, planted: Planted, request: pytest.FixtureRequest
) -> None:
    texts = site_texts(built)
    kinds = {p.rsplit(".", 1)[-1] for p in texts}
    assert {"html", "json", "csv", "xml", "pf_fragment", "pf_index", "pf_meta", "gz"} <= kinds
    leaks = [
        (canary.field, value, path)
        for canary in planted.canaries
        for value in canary.values()
        for path, text in texts.items()
        if value in text
    ]
    record(
        request.config,
        "privacy-canaries",
        {
            "fields_planted": len(planted.canaries),
            "fields_that_cannot_hold_text": planted.untextable,
            "canary_values": 5 * len(planted.canaries),
            "site_files_searched": len(texts),
            "found": len(leaks),
        },
    )
    assert leaks == []


def _schema_node(schema: dict[str, Any], pattern: tuple[str, ...]) -> list[dict[str, Any]]:
    """The raw schema objects of a property and of each ancestor, outermost first."""
    chain: list[dict[str, Any]] = []
    node = schema
    for part in pattern:
        if part == "*":
            node = node["items"]
            continue
        node = node["properties"][part]
        if "$ref" in node:  # local definitions: mark the definition itself
            target: Any = schema
            for piece in node["$ref"][2:].split("/"):
                target = target[piece]
            chain.append(node)
            node = target
        chain.append(node)
    return chain


def flip_public(root: Path, field: str) -> None:
    """The deployment's mistake: mark one field, and what holds it, ``x-disclosure: public``."""
    kind, path = field.split(":", 1)
    file = root / f"schemas/{kind}.json"
    schema = json.loads(file.read_text(encoding="utf-8"))
    for node in _schema_node(schema, tuple(path.split("/"))):
        node["x-disclosure"] = "public"
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            node["items"]["x-disclosure"] = "public"
    file.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    spec = load_registry(root)[kind].field_at(tuple(path.split("/")))
    assert spec is not None and spec.public, field


def pii_fields(planted: Planted) -> list[tuple[str, str]]:
    registry = load_registry(PROJECT)
    out = []
    for canary in planted.canaries:
        kind, path = canary.field.split(":", 1)
        spec = registry[kind].field_at(tuple(path.split("/")))
        if spec is not None and spec.pii:
            out.append((canary.field, spec.pii))
    return out


ALL_PII = pii_fields(plant())


@pytest.mark.parametrize(
    ("field", "pii"),
    [
        pytest.param(f, p, marks=() if f in FAST_FLIPS else pytest.mark.slow, id=f)
        for f, p in ALL_PII
    ],
)
def test_a_pii_field_marked_public_by_mistake_is_caught(
    tmp_path: Path, planted: Planted, field: str, pii: str, request: pytest.FixtureRequest
) -> None:
    root = make_scratch(tmp_path / "repo", planted)
    flip_public(root, field)
    (root / "site").mkdir()
    (root / "site/index.html").write_text("last good site", encoding="utf-8")
    canary: Canary = next(c for c in planted.canaries if c.field == field)
    if pii in DETECTED:
        # first line: the pull request is refused, naming the record and the field
        with pytest.raises(InvalidRecords) as refused:
            build_site(root, root / "site", as_of=AS_OF, search=False)
        assert "personal-data-in-public-field" in {p.code for p in refused.value.problems}
        assert (root / "site/index.html").read_text(encoding="utf-8") == "last good site"
        # second line: had validation missed it, the build's leak scan stops the site
        request.getfixturevalue("without_public_text_rule")
        with pytest.raises(LeakFound) as caught:
            build_site(root, root / "site", as_of=AS_OF, search=False)
        leaks = caught.value.leaks
        assert {leak.kind for leak in leaks} >= {DETECTED[pii]}, field
        assert any(leak.path.startswith("data/") for leak in leaks), field
        assert all(value not in line for line in caught.value.details for value in canary.values())
        assert (root / "site/index.html").read_text(encoding="utf-8") == "last good site"
        assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []
    else:  # a public name is masked (张** style): the site builds, the name never shows
        assert pii == "person-name"
        # the canary holds numbers too, which validation would refuse: build as if it missed
        request.getfixturevalue("without_public_text_rule")
        build_site(root, root / "site", as_of=AS_OF, search=False)
        texts = site_texts(root / "site")
        assert [p for p, t in texts.items() if canary.name in t] == []
        assert any(mask_name(canary.name) in t for t in texts.values()), "field never published"


def test_every_pii_kind_is_exercised() -> None:
    kinds = {pii for _, pii in ALL_PII}
    assert kinds == {"id-number", "phone", "email", "person-name"}
    assert {f for f, _ in ALL_PII} >= FAST_FLIPS


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        (f"联系人电话 {make_canary(900, 'typed').phone}", "phone"),
        (f"身份证号 {make_canary(901, 'typed').id_number}", "id-number"),
        (f"邮箱 {make_canary(902, 'typed').email}", "email"),
    ],
    ids=["phone", "id-number", "email"],
)
def test_personal_data_typed_into_a_public_field_is_refused(
    tmp_path: Path, typed: str, kind: str, request: pytest.FixtureRequest
) -> None:
    """The careless submitter: personal data written into a public free-text field."""
    planted = plant()  # internal fields full of canaries too: only the typed one may show
    hazard = "records/hazard/2025/HAZ-20251010-001.yaml"
    planted.records[hazard]["location"] = f"仓库（{typed}）"
    root = make_scratch(tmp_path / "repo", planted)
    with pytest.raises(InvalidRecords) as refused:
        build_site(root, root / "site", as_of=AS_OF, search=False)
    [problem] = refused.value.problems
    assert (problem.code, problem.path, problem.pointer) == (
        "personal-data-in-public-field",
        hazard,
        "location",
    )
    assert problem.line is not None and not (root / "site").exists()
    # had validation missed it, the build's leak scan stops the site
    request.getfixturevalue("without_public_text_rule")
    with pytest.raises(LeakFound) as caught:
        build_site(root, root / "site", as_of=AS_OF, search=False)
    assert {leak.kind for leak in caught.value.leaks} == {kind}
    assert any(leak.path.startswith("enterprise/") for leak in caught.value.leaks)
    assert not (root / "site").exists()


def test_the_leak_scan_reads_json_escapes_as_characters(tmp_path: Path) -> None:
    """Open data escapes ``<>&``: ``\\u003e@gmail.com`` (from ``</script>@gmail.com`` in a
    hostile record) is no address, while a number spelled with escapes is still a number."""
    from generator.render.leakscan import scan_site

    phone = make_canary(903, "escaped").phone
    (tmp_path / "data").mkdir()
    (tmp_path / "data/a.json").write_text('["\\u003c/script\\u003e@gmail.com"]', "utf-8")
    assert scan_site(tmp_path) == []
    spelled = "".join(f"\\u{ord(c):04x}" for c in phone)
    (tmp_path / "data/b.json").write_text(f'["电话 {spelled}"]', "utf-8")
    assert [(leak.path, leak.kind) for leak in scan_site(tmp_path)] == [("data/b.json", "phone")]

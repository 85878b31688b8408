"""OpenSanctions FollowTheMoney JSON-lines parser."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from service.imports import ImportFormatError, parse_ftm

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "imports" / "ftm" / "ftm_small.ftm.json"
DATA = Path(os.environ.get("SANCTIONS_DATA_DIR", REPO.parent / "shared" / "data"))
OS_DIR = DATA / "opensanctions"
needs_data = pytest.mark.skipif(
    not (OS_DIR / "yente_zala_entities.ftm.json").exists(),
    reason=f"real FtM files not found in {OS_DIR} (set SANCTIONS_DATA_DIR)",
)


@pytest.fixture(scope="module")
def result():
    return parse_ftm([FIXTURE])


def test_fixture_person_with_sanctions_passport_and_address(result):
    ents = {e.source_key: e for e in result.entities}
    zhao = ents["p-zhao"]
    assert zhao.type == "person" and zhao.name == "Zhao Guangzong"
    assert [(n.kind, n.name) for n in zhao.names] == [
        ("primary", "Zhao Guangzong"),
        ("original_script", "赵光宗"),
        ("aka", "ZHAO, Guangzong"),
    ]
    assert zhao.birth_dates == ["1985-11-12"]
    assert zhao.nationalities == ["CN"]
    assert [(i.scheme, i.value, i.country) for i in zhao.identifiers] == [
        ("national_id", "421003198511121539", None),
        ("passport", "E00000001", "CN"),
    ]
    assert zhao.addresses[0].full == "Hubei Province, China" and zhao.addresses[0].country == "CN"
    # The OFAC Sanction points at a referent id (ofac-47814) of the merged entity.
    assert [(d.authority, d.list_ref, d.programme, d.listed_on) for d in zhao.designations] == [
        ("OFAC", "47814", "CYBER2", date(2024, 3, 25)),
        ("UK", "CYB0045", "Cyber", date(2024, 3, 25)),
    ]
    wuhan = ents["c-wuhan"]
    assert [(n.kind, n.name) for n in wuhan.names][1:] == [
        ("weak_alias", "Wuhan XRZ"),
        ("fka", "Wuhan Old Name Co"),
    ]
    assert wuhan.designations[0].authority == "ch_seco_sanctions"
    (rel,) = result.relationships
    assert (rel.kind, rel.subject, rel.object, rel.properties) == (
        "directorship",
        "p-zhao",
        "c-wuhan",
        {"role": ["employee"]},
    )


def test_fixture_warnings(result):
    assert {(w.row, w.message) for w in result.warnings} == {
        (10, "unparseable birthDate '12/11/1985'"),
        (10, "unknown country 'atlantis'"),
        (6, "unparseable listing date 'not a date'"),
        (
            "-",
            "1 Sanction/Passport/Identification entities point at ids absent from the file and were skipped (first: s-missing)",
        ),
    }
    bad = next(e for e in result.entities if e.source_key == "p-bad")
    assert bad.name == "Bad Dates" and bad.birth_dates == []


def test_truncated_line(tmp_path):
    data = FIXTURE.read_bytes()
    cut = tmp_path / "x.ftm.json"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        ImportFormatError, match=r"^x\.ftm\.json: line \d+ is not valid JSON .*truncated file\?$"
    ):
        parse_ftm([cut])


def test_wrong_format_and_encoding(tmp_path):
    with pytest.raises(ImportFormatError, match=r"^sdn\.csv: line 1 is not valid JSON"):
        parse_ftm([REPO / "tests/fixtures/imports/ofac/sdn.csv"])
    other_json = tmp_path / "x.json"
    other_json.write_text('{"hello": "world"}\n')
    with pytest.raises(ImportFormatError, match="not an FtM entity"):
        parse_ftm([other_json])
    utf16 = tmp_path / "y.json"
    utf16.write_bytes(FIXTURE.read_text("utf-8").encode("utf-16"))
    with pytest.raises(ImportFormatError, match="looks like UTF-16"):
        parse_ftm([utf16])
    latin = tmp_path / "z.json"
    latin.write_bytes(FIXTURE.read_bytes().replace("赵光宗".encode(), b"\xd5\xd4"))
    with pytest.raises(ImportFormatError, match="invalid UTF-8 byte 0xd5 on line 1"):
        parse_ftm([latin])


@needs_data
@pytest.mark.parametrize("name", ["yente_t1_entities.ftm.json", "yente_zala_entities.ftm.json"])
def test_real_files_counts(name):
    path = OS_DIR / name
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    schemas = Counter(o["schema"] for o in lines)
    res = parse_ftm([path])
    things = sum(schemas[s] for s in ("Person", "Company", "Organization", "LegalEntity"))
    assert len(res.entities) == things
    ids = {o["id"] for o in lines} | {r for o in lines for r in o.get("referents", [])}
    attached = sum(
        1
        for o in lines
        if o["schema"] == "Sanction"
        for t in o["properties"].get("entity", [])
        if t in ids
    )
    assert sum(len(e.designations) for e in res.entities) == attached
    assert (
        len(res.relationships) == schemas["Ownership"] + schemas["Family"] + schemas["Directorship"]
    )
    names = {
        o["id"]: set(o["properties"].get("name", []) + o["properties"].get("alias", []))
        for o in lines
    }
    for e in res.entities:
        assert {" ".join(n.split()) for n in names[e.source_key]} <= {n.name for n in e.names}


@needs_data
def test_real_zala_cluster_details():
    res = parse_ftm([OS_DIR / "yente_zala_entities.ftm.json"])
    assert Counter(e.type for e in res.entities) == {"company": 11, "person": 6}
    assert sum(len(e.designations) for e in res.entities) == 41
    authorities = Counter(d.authority for e in res.entities for d in e.designations)
    assert authorities["OFAC"] == 3 and authorities["EU"] == 2 and authorities["UK"] == 2
    assert res.warnings == []


def _lines(tmp_path: Path, records: list[dict], raw: bytes = b"") -> Path:
    path = tmp_path / "list.ftm.json"
    path.write_bytes("".join(json.dumps(r) + "\n" for r in records).encode() + raw)
    return path


def test_records_refer_to_entities_anywhere_in_the_file(tmp_path):
    """Read in two streaming passes: a Sanction or Passport may come before its entity, name
    an older id (referent), and an id given twice is the later record, at the first place."""
    path = _lines(tmp_path, [
        {"id": "s1", "schema": "Sanction", "datasets": ["xx"],
         "properties": {"entity": ["old-a"], "authorityId": ["R1"], "listingDate": ["someday"]}},
        {"id": "pp", "schema": "Passport",
         "properties": {"holder": ["a", "b"], "number": ["P1"], "country": ["atlantis"]}},
        {"id": "a", "schema": "Person", "properties": {"name": ["First"]}},
        {"id": "b", "schema": "Person", "properties": {"name": ["B"], "birthDate": ["soon"]},
         "referents": ["old-b"]},
        {"id": "a", "schema": "Person", "properties": {"name": ["Second"]}, "referents": ["old-a"]},
        {"id": "s2", "schema": "Sanction", "datasets": ["xx"], "properties": {"entity": ["b", "nobody"]}},
    ])
    res = parse_ftm(path)
    assert [(e.source_key, e.name) for e in res.entities] == [("a", "Second"), ("b", "B")]
    a, b = res.entities
    assert [d.list_ref for d in a.designations] == ["R1"] and [d.list_ref for d in b.designations] == ["s2"]
    assert [i.value for i in a.identifiers] == ["P1"] == [i.value for i in b.identifiers]
    # Entities' warnings first, then the other records', each in file order; the passport's once.
    assert [(w.row, w.message.split()[0]) for w in res.warnings] == [
        (4, "unparseable"), (1, "unparseable"), (2, "unknown"), ("-", "1")]
    assert res.stats["dangling_references"] == 1


def test_an_encoding_error_is_told_before_an_earlier_malformed_line(tmp_path):
    path = _lines(tmp_path, [{"id": "a", "schema": "Person", "properties": {}}], b"{not json\n\xff\n")
    with pytest.raises(ImportFormatError, match=r"invalid UTF-8 byte 0xff on line 3"):
        parse_ftm(path)

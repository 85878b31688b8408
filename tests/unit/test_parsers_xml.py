"""UN consolidated list XML and EU FSF XML parsers."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from service.imports import ImportFormatError, parse_eu, parse_un

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "imports"
DATA = Path(os.environ.get("SANCTIONS_DATA_DIR", REPO.parent / "shared" / "data"))
UN_FILE = DATA / "un" / "un_consolidated_2026-02-27.xml"
EU_FILE = DATA / "eu" / "eu_fsf_excerpt_2026-08-05.xml"


def _skip_unless(path: Path):
    return pytest.mark.skipif(
        not path.exists(), reason=f"real data file {path} not found (set SANCTIONS_DATA_DIR)"
    )


def test_un_fixture_exact_values():
    res = parse_un([FIXTURES / "un" / "un_small.xml"])
    person, entity = res.entities
    assert person.source_key == "UN:1000001" and person.type == "person"
    assert person.name == "ERIC EXAMPLE"
    assert [(n.kind, n.name) for n in person.names] == [
        ("primary", "ERIC EXAMPLE"),
        ("original_script", "إريك"),
        ("aka", "ERIC EXEMPLAR"),
        ("weak_alias", "RICKY"),
    ]
    assert person.birth_dates == ["1971-05-04", "1968", "1969"]
    assert person.nationalities == ["CD"]
    assert person.places_of_birth == ["Goma, Democratic Republic of the Congo"]
    assert [(i.scheme, i.value, i.country) for i in person.identifiers] == [
        ("passport", "OB 0243318", "CD")
    ]
    (d,) = person.designations
    assert (d.authority, d.list_ref, d.programme, d.listed_on, d.reasons) == (
        "UN",
        "CDi.901",
        "DRC",
        date(2012, 12, 31),
        "Test reasons.",
    )
    assert entity.type == "company"
    assert [(n.kind, n.name) for n in entity.names] == [
        ("primary", "EXAMPLE TRADING COMPANY"),
        ("aka", "ETC"),
        ("fka", "OLD EXAMPLE"),
    ]
    assert entity.addresses[0].country == "KP"
    assert {(w.row, w.message) for w in res.warnings} == {
        ("CDi.901", "unknown country 'Atlantis' in nationality"),
        ("CDi.901", "unparseable date of birth (EXACT): '1971-13-45'"),
    }


def test_eu_fixture_exact_values():
    res = parse_eu([FIXTURES / "eu" / "eu_small.xml"])
    person, company = res.entities
    assert person.source_key == "EU:9001"
    assert (
        person.name == "Ibrahim EXAMPLE"
    )  # English structured name beats the first (French) alias
    assert [(n.kind, n.name, n.lang) for n in person.names] == [
        ("primary", "Ibrahim EXAMPLE", "EN"),
        ("aka", "Fahd Example", "FR"),
        ("original_script", "إبراهيم", "AR"),
        ("weak_alias", "Abu Ex", "EN"),
    ]
    assert person.birth_dates == ["1982-04-18", "1980", "1981"]
    assert person.nationalities == ["SA"]
    assert person.gender == "male"
    assert [(i.scheme, i.value, i.country) for i in person.identifiers] == [
        ("passport", "F654645", "SA")
    ]
    (d,) = person.designations
    assert (d.authority, d.list_ref, d.programme, d.legal_basis, d.listed_on) == (
        "EU",
        "EU.9999.1",
        "TAQA",
        "2023/329 (OJ L43I)",
        date(2011, 3, 24),
    )
    assert person.properties["un_ref"] == "QDi.999"
    assert company.type == "company"
    assert {(i.scheme, i.value) for i in company.identifiers} == {
        ("company_registration", "892"),
        ("website", "http://example.ir/"),
    }
    assert res.warnings == []


@pytest.mark.parametrize(
    "parser,path", [(parse_un, "un/un_small.xml"), (parse_eu, "eu/eu_small.xml")]
)
def test_truncated_xml(tmp_path, parser, path):
    data = (FIXTURES / path).read_bytes()
    cut = tmp_path / "list.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match=r"^list\.xml: truncated XML \(file ends early\)"):
        parser([cut])


@pytest.mark.parametrize(
    "parser,path", [(parse_un, "un/un_small.xml"), (parse_eu, "eu/eu_small.xml")]
)
def test_invalid_utf8_xml(tmp_path, parser, path):
    data = (FIXTURES / path).read_bytes()
    bad = tmp_path / "list.xml"
    bad.write_bytes(data.replace("إ".encode(), b"\xff\xfe\xfa"))
    with pytest.raises(ImportFormatError, match=r"^list\.xml: wrong encoding: invalid UTF-8"):
        parser([bad])


def test_utf16_xml(tmp_path):
    bad = tmp_path / "list.xml"
    bad.write_bytes((FIXTURES / "un" / "un_small.xml").read_text("utf-8").encode("utf-16"))
    with pytest.raises(ImportFormatError, match="looks like UTF-16"):
        parse_un([bad])


def test_wrong_xml_given_to_each_parser():
    with pytest.raises(
        ImportFormatError,
        match=r"^eu_small\.xml: not a UN consolidated list XML file: root element is <export>",
    ):
        parse_un([FIXTURES / "eu" / "eu_small.xml"])
    with pytest.raises(ImportFormatError, match=r"^un_small\.xml: not an EU FSF XML file"):
        parse_eu([FIXTURES / "un" / "un_small.xml"])


def test_png_and_csv_rejected(tmp_path):
    png = tmp_path / "list.xml"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    with pytest.raises(ImportFormatError, match="PNG image"):
        parse_un([png])
    with pytest.raises(ImportFormatError, match=r"^sdn\.csv: malformed XML"):
        parse_eu([FIXTURES / "ofac" / "sdn.csv"])


def test_doctype_refused(tmp_path):
    evil = tmp_path / "list.xml"
    evil.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CONSOLIDATED_LIST/>')
    with pytest.raises(ImportFormatError, match="DOCTYPE"):
        parse_un([evil])


@_skip_unless(UN_FILE)
@pytest.mark.slow
def test_real_un_file_counts():
    res = parse_un([UN_FILE])
    text = UN_FILE.read_text("utf-8")
    assert text.count("<INDIVIDUAL>") == res.stats["individuals"] == 730
    assert text.count("<ENTITY>") == res.stats["entities"] == 273
    assert len(res.entities) == 1003
    refs = set(re.findall(r"<REFERENCE_NUMBER>\s*([^<]+?)\s*</REFERENCE_NUMBER>", text))
    assert {e.designations[0].list_ref for e in res.entities} == refs
    alias_names = re.findall(r"<ALIAS_NAME>([^<]+)</ALIAS_NAME>", text)
    aliases = [n for e in res.entities for n in e.names if n.kind in ("aka", "weak_alias", "fka")]
    # Names equal to the primary name or repeated on one entry are folded: never more, few less.
    assert len(alias_names) - 60 <= len(aliases) <= len(alias_names)
    scripts = re.findall(
        r"<FIRST_NAME>([^<]*)</FIRST_NAME>(?:(?!</(?:INDIVIDUAL|ENTITY)>).)*?"
        r"<NAME_ORIGINAL_SCRIPT>([^<]*\S[^<]*)</NAME_ORIGINAL_SCRIPT>",
        text,
        re.S,
    )
    assert len(scripts) == 378
    # One entity (JAMAAH ANSHARUT DAULAH) repeats its Latin name as "original script": folded.
    distinct = [s for first, s in scripts if s.strip() != first.strip()]
    assert sum(1 for e in res.entities for n in e.names if n.kind == "original_script") == len(
        distinct
    )


@_skip_unless(EU_FILE)
def test_real_eu_file_counts():
    res = parse_eu([EU_FILE])
    text = EU_FILE.read_text("utf-8")
    assert len(res.entities) == text.count("<sanctionEntity ") == 5
    whole = {" ".join(n.split()) for n in re.findall(r'wholeName="([^"]*)"', text)}
    assert len(re.findall(r"<nameAlias ", text)) == 45
    assert {n.name for e in res.entities for n in e.names} == whole
    assert {e.designations[0].programme for e in res.entities} == {
        "TERR",
        "AFG",
        "IRN",
        "LBY",
        "TAQA",
    }
    assert {e.designations[0].list_ref for e in res.entities} == set(
        re.findall(r'euReferenceNumber="([^"]+)"', text)
    )

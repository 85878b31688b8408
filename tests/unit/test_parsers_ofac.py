"""OFAC legacy CSV parser: fixtures (exact values), the real files, and broken input."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import pytest

from service.imports import PARSERS, ImportedEntity, ImportFormatError, parse_ofac
from service.imports.ofac_remarks import apply_remarks

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "imports"
DATA = Path(os.environ.get("SANCTIONS_DATA_DIR", REPO.parent / "shared" / "data"))
OFAC_DIR = DATA / "ofac"
needs_data = pytest.mark.skipif(
    not (OFAC_DIR / "sdn.csv").exists(),
    reason=f"real OFAC files not found in {OFAC_DIR} (set SANCTIONS_DATA_DIR)",
)


def _by_key(result):
    return {e.source_key: e for e in result.entities}


@pytest.fixture(scope="module")
def fixture_result():
    return parse_ofac(sorted((FIXTURES / "ofac").glob("*.csv")))


def test_registry_has_all_formats():
    assert set(PARSERS) == {"ofac", "uk", "un", "eu", "ftm"}
    assert PARSERS["ofac"] is parse_ofac


def test_fixture_apt31_person(fixture_result):
    zhao = _by_key(fixture_result)["OFAC:47814"]
    assert zhao.type == "person"
    assert zhao.name == "ZHAO, Guangzong"
    assert zhao.birth_dates == ["1985-11-12"]
    assert zhao.places_of_birth == ["Jingzhou Municipality, China"]
    assert zhao.nationalities == ["CN"] and zhao.countries == ["CN"]
    assert zhao.gender == "male"
    assert [(i.scheme, i.value, i.country) for i in zhao.identifiers] == [
        ("national_id", "421003198511121539", "CN")
    ]
    assert zhao.addresses[0].full == "Hubei Province, China"
    assert zhao.addresses[0].country == "CN"
    (d,) = zhao.designations
    assert (d.authority, d.list_ref, d.programme, d.listed_on) == ("OFAC", "47814", "CYBER2", None)
    assert d.source_url.endswith("id=47814")


def test_fixture_apt31_company_on_both_lists(fixture_result):
    wuhan = _by_key(fixture_result)["OFAC:47800"]
    assert wuhan.type == "company"
    assert [(i.scheme, i.value, i.country) for i in wuhan.identifiers] == [
        ("uscc", "91420100551956105K", "CN")
    ]
    assert wuhan.properties["established"] == "2010-03-08"
    assert wuhan.properties["organization_type"] == ["Computer programming activities"]
    # The same ent_num in sdn.csv and cons_prim.csv is one entity with one designation.
    assert wuhan.properties["list"] == "SDN; Consolidated (non-SDN)"
    assert len(wuhan.designations) == 1
    assert fixture_result.stats["entries_on_both_lists"] == 1
    assert wuhan.addresses[0].city == "Wuhan, Hubei Province"


def test_fixture_vessel_programmes_and_aliases(fixture_result):
    ents = _by_key(fixture_result)
    ship = ents["OFAC:9001"]
    assert ship.type == "vessel"
    assert {(i.scheme, i.value) for i in ship.identifiers} == {
        ("imo", "9079107"),
        ("mmsi", "422030000"),
        ("call_sign", "9BQT5"),
    }
    assert ship.properties["flag"] == "IR"
    assert ship.properties["vessel_type"] == "Crude Oil Tanker"
    assert ship.properties["owner"] == "NATIONAL IRANIAN TANKER CO."
    assert ship.designations[0].programme == "IRAN; SDGT"
    assert [(n.kind, n.name) for n in ship.names] == [
        ("primary", "TEST TANKER"),
        ("fka", "OLD TANKER"),
    ]
    bank = ents["OFAC:306"]
    assert [(n.kind, n.name) for n in bank.names] == [
        ("primary", "BANCO NACIONAL DE CUBA"),
        # A quoted alias in the remarks is one of OFAC's weak ("low quality") aliases.
        ("weak_alias", "BNC"),
        ("aka", "NATIONAL BANK OF CUBA"),
    ]
    cons = ents["OFAC:9639"]
    assert cons.designations[0].programme == "NS-PLC"
    assert cons.birth_dates == ["1962"]
    assert cons.countries == ["PS"]


def test_fixture_bad_rows_warn_and_keep_the_rest(fixture_result):
    doe = _by_key(fixture_result)["OFAC:9002"]
    # "31 Feb 1970" is rejected; "alt. DOB circa 1961 to 1963" still parses.
    assert doe.birth_dates == ["1961", "1962", "1963"]
    assert doe.nationalities == []
    assert ("passport", "X1234567", "CO") in {
        (i.scheme, i.value, i.country) for i in doe.identifiers
    }
    # sdn_comments.csv continues the cut-off Remarks mid-word.
    assert ("email", "john@example.com") in {(i.scheme, i.value) for i in doe.identifiers}
    assert ("website", "www.example.com") in {(i.scheme, i.value) for i in doe.identifiers}
    assert ("weak_alias", "DOE, Johnny") in {(n.kind, n.name) for n in doe.names}
    assert doe.addresses[0].country is None and doe.addresses[0].full == "Nowhere, Atlantis"
    messages = {(w.file, w.row, w.message) for w in fixture_result.warnings}
    assert ("sdn.csv", 6, "unparseable date of birth '31 Feb 1970'") in messages
    assert ("sdn.csv", 6, "unknown country 'Atlantis' in nationality") in messages
    assert ("add.csv", 5, "unknown country 'Atlantis' in address") in messages


def test_fixture_dangling_rows_one_summary_warning(fixture_result):
    assert fixture_result.stats["dangling_sdn_alt_rows"] == 2
    assert fixture_result.stats["dangling_sdn_add_rows"] == 1
    summaries = [w for w in fixture_result.warnings if "absent" in w.message]
    assert len(summaries) == 1
    assert len(fixture_result.entities) == 7


def test_v2_fixture_added_changed_removed(fixture_result):
    base = _by_key(parse_ofac(sorted((FIXTURES / "ofac").glob("sdn.csv"))))
    v2 = _by_key(parse_ofac(sorted((FIXTURES / "ofac_v2").glob("*.csv"))))
    assert set(v2) - set(base) == {"OFAC:47900"}
    assert set(base) - set(v2) == {"OFAC:306"}
    changed = v2["OFAC:47818"]
    assert ("passport", "E12345678") in {(i.scheme, i.value) for i in changed.identifiers}
    assert ("aka", "NI, Gao Bin") in {(n.kind, n.name) for n in changed.names}


def test_quoted_remark_aliases_are_weak_aliases():
    """OFAC's quoted remark aliases are its low-quality ones, whatever the a/f/n.k.a."""
    entity = ImportedEntity(source_key="OFAC:1", type="vessel", name="SAND SWAN")
    apply_remarks(entity, "a.k.a. 'GIUSEPPE'; f.k.a. 'ALPHA'; n.k.a. 'DOVE'; alt. a.k.a. 'DON MARIO'.",
                  lambda message: None)
    assert [(n.kind, n.name) for n in entity.names] == [
        ("weak_alias", "GIUSEPPE"),
        ("weak_alias", "ALPHA"),
        ("weak_alias", "DOVE"),
        ("weak_alias", "DON MARIO"),
    ]


def test_binary_file_objects_are_accepted():
    with open(FIXTURES / "ofac" / "sdn.csv", "rb") as fh:
        result = parse_ofac([fh])
    assert "OFAC:47814" in _by_key(result)


# --- broken input -----------------------------------------------------------------------


def test_png_is_rejected(tmp_path):
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    with pytest.raises(
        ImportFormatError, match=r"^sdn\.csv: not an OFAC CSV file: the file is a PNG image$"
    ):
        parse_ofac([bad])


def test_uk_csv_given_to_ofac_parser_is_rejected(tmp_path):
    bad = tmp_path / "sdn.csv"
    bad.write_bytes((FIXTURES / "uk" / "conlist_part_a.csv").read_bytes())
    with pytest.raises(ImportFormatError, match=r"sdn\.csv: line 1 has 36 columns, expected 12"):
        parse_ofac([bad])


def test_unknown_file_name_is_rejected(tmp_path):
    bad = tmp_path / "export.csv"
    bad.write_bytes(b"1,2\r\n")
    with pytest.raises(ImportFormatError, match="export.csv: not an OFAC legacy CSV file name"):
        parse_ofac([bad])


def test_truncated_row_is_rejected(tmp_path):
    data = (FIXTURES / "ofac" / "sdn.csv").read_bytes()
    cut = tmp_path / "sdn.csv"
    cut.write_bytes(data[: data.rindex(b"-0- ,-0- ,-0- ,-0-")])  # last row loses columns
    with pytest.raises(ImportFormatError) as err:
        parse_ofac([cut])
    assert str(err.value).startswith("sdn.csv: ")
    assert "\n" not in str(err.value)


def test_truncated_inside_quotes_is_rejected(tmp_path):
    data = (FIXTURES / "ofac" / "sdn.csv").read_bytes()
    cut = tmp_path / "sdn.csv"
    cut.write_bytes(data[: data.index(b"Jingzhou")])  # stops inside a quoted Remarks field
    with pytest.raises(ImportFormatError, match=r"^sdn\.csv: "):
        parse_ofac([cut])


def test_utf16_is_rejected(tmp_path):
    bad = tmp_path / "sdn.csv"
    bad.write_bytes((FIXTURES / "ofac" / "sdn.csv").read_bytes().decode("ascii").encode("utf-16"))
    with pytest.raises(ImportFormatError, match=r"^sdn\.csv: wrong encoding: looks like UTF-16"):
        parse_ofac([bad])


def test_alt_without_sdn_is_rejected():
    with pytest.raises(ImportFormatError, match="no sdn.csv or cons_prim.csv"):
        parse_ofac([FIXTURES / "ofac" / "alt.csv"])


# --- the real files -----------------------------------------------------------------------


def _rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("latin-1").rstrip("\x1a\r\n")
    return [r for r in csv.reader(text.splitlines()) if r]


@needs_data
@pytest.mark.slow
def test_real_ofac_files_counts_match_an_independent_count():
    files = sorted(OFAC_DIR.glob("*.csv"))
    started = time.perf_counter()
    result = parse_ofac(files)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"full OFAC parse took {elapsed:.1f}s"

    sdn, cons = _rows(OFAC_DIR / "sdn.csv"), _rows(OFAC_DIR / "cons_prim.csv")
    alt, add = _rows(OFAC_DIR / "alt.csv"), _rows(OFAC_DIR / "add.csv")
    assert len(sdn) == 14965 and len(cons) == 442  # as SOURCES.md states
    known = {r[0] for r in sdn} | {r[0] for r in cons}
    assert len(result.entities) == len(known)
    assert result.stats["sdn_rows"] == len(sdn)
    assert result.stats["entries_on_both_lists"] == len({r[0] for r in sdn} & {r[0] for r in cons})
    assert result.stats["sdn_alt_rows"] == len(alt) == 19486
    assert result.stats["dangling_sdn_alt_rows"] == sum(1 for r in alt if r[0] not in known)
    assert result.stats["dangling_sdn_add_rows"] == sum(1 for r in add if r[0] not in known)
    # Every attached alt name is on its entity.
    by_num = {e.designations[0].list_ref: e for e in result.entities}
    for r in alt:
        if r[0] in by_num:
            assert " ".join(r[3].split()) in {n.name for n in by_num[r[0]].names}
    types = {"individual": 0, "vessel": 0, "aircraft": 0}
    for r in sdn:
        if r[2].strip() in types:
            types[r[2].strip()] += 1
    assert sum(1 for e in result.entities if e.type == "vessel") == types["vessel"]
    assert sum(1 for e in result.entities if e.type == "aircraft") == types["aircraft"]
    # Exactly one summary warning for all dangling rows.
    assert sum(1 for w in result.warnings if "absent" in w.message) == 1


@needs_data
@pytest.mark.slow
def test_real_ofac_apt31_entries():
    result = _by_key(parse_ofac([OFAC_DIR / "sdn.csv", OFAC_DIR / "add.csv"]))
    zhao, ni, wuhan = result["OFAC:47814"], result["OFAC:47818"], result["OFAC:47800"]
    assert ("national_id", "421003198511121539", "CN") in {
        (i.scheme, i.value, i.country) for i in zhao.identifiers
    }
    assert zhao.birth_dates == ["1985-11-12"]
    assert ni.birth_dates == ["1985-10-27"]
    assert wuhan.designations[0].programme == "CYBER2"
    assert ("uscc", "91420100551956105K") in {(i.scheme, i.value) for i in wuhan.identifiers}
    assert wuhan.addresses[0].full.startswith("2nd Floor, No. 16, Huashiyuan North Road")

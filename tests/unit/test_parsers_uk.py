"""UK OFSI consolidated list CSV parser."""

from __future__ import annotations

import csv
import os
import re
import time
from datetime import date
from pathlib import Path

import pytest

from service.imports import ImportFormatError, parse_uk

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "imports" / "uk"
DATA = Path(os.environ.get("SANCTIONS_DATA_DIR", REPO.parent / "shared" / "data"))
UK_DIR = DATA / "uk"
needs_data = pytest.mark.skipif(
    not any(UK_DIR.glob("ofsi_conlist_*.csv")) if UK_DIR.exists() else True,
    reason=f"real UK OFSI files not found in {UK_DIR} (set SANCTIONS_DATA_DIR)",
)


@pytest.fixture(scope="module")
def result():
    return parse_uk(sorted(FIXTURES.glob("*.csv")))


def _by_ref(res):
    return {e.designations[0].list_ref: e for e in res.entities}


def test_fixture_apt31_individual(result):
    zhao = _by_ref(result)["CYB0045"]
    assert zhao.source_key == "UK:16461"
    assert zhao.type == "person"
    assert zhao.name == "ZHAO, Guangzong"
    assert [(n.kind, n.name, n.script) for n in zhao.names] == [
        ("primary", "ZHAO, Guangzong", None),
        ("original_script", "赵光宗", "Chinese"),
    ]
    assert zhao.birth_dates == ["1985-11-12"]
    assert zhao.places_of_birth == ["Jingzhou Municipality, China"]
    assert zhao.nationalities == ["CN"]
    assert zhao.gender == "male"
    assert [(i.scheme, i.value) for i in zhao.identifiers] == [
        ("national_id", "421003198511121539")
    ]
    (d,) = zhao.designations
    assert d.authority == "UK" and d.programme == "Cyber"
    assert d.listed_on == date(2024, 3, 25)
    assert d.measures == ["asset freeze"]
    assert d.legal_basis == "The Cyber (Sanctions) (EU Exit) Regulations 2020"
    assert d.reasons.startswith("ZHAO Guangzong, a member of Advanced Persistent Threat Group 31")


def test_fixture_apt31_company(result):
    wuhan = _by_ref(result)["CYB0044"]
    assert wuhan.type == "company"
    assert ("original_script", "武汉晓睿智科技有限责任公司") in {
        (n.kind, n.name) for n in wuhan.names
    }
    (addr,) = wuhan.addresses
    assert addr.city == "Wuhan" and addr.country == "CN"
    assert addr.full == (
        "2nd Floor, No. 16, Huashiyuan North Road, East Lake New Technology "
        "Development Zone, Hubei Province, Wuhan, China"
    )
    assert _by_ref(result)["CYB0046"].name == "NI, Gaobin"


def test_fixture_bad_row_warns_and_keeps_the_rest(result):
    testov = _by_ref(result)["CYB9001"]
    # 31/02/1970 is rejected, 00/00/1971 on the alias row becomes "1971".
    assert testov.birth_dates == ["1971"]
    assert testov.nationalities == ["RU"]
    assert [(i.value, i.country) for i in testov.identifiers] == [("111", "RU"), ("222", "LV")]
    assert ("weak_alias", "TESTOFF, Ivan") in {(n.kind, n.name) for n in testov.names}
    assert {(w.file, w.row, w.message) for w in result.warnings} == {
        ("conlist_part_a.csv", 6, "unparseable date of birth '31/02/1970'"),
        ("conlist_part_a.csv", 6, "unknown country 'Atlantis' in nationality"),
    }


def test_fixture_multi_regime_group_is_one_entity_one_designation(result):
    multi = _by_ref(result)["RUS9002"]
    (d,) = multi.designations
    assert d.programme == "Cyber; Russia"
    assert d.listed_on == date(2022, 3, 1)  # earliest regime listing
    assert [r["regime"] for r in multi.properties["regimes"]] == ["Cyber", "Russia"]
    assert ("fka", "MULTI REGIME TRADING") in {(n.kind, n.name) for n in multi.names}
    assert result.stats == {"rows": 9, "groups": 6, "multi_regime_groups": 1}


def test_fixture_ship(result):
    ship = _by_ref(result)["DPR9003"]
    assert ship.type == "vessel"
    assert [(i.scheme, i.value) for i in ship.identifiers] == [("imo", "7408873")]
    assert ship.properties["flag"] == "KP"
    assert ship.designations[0].measures == ["specified ship"]


def test_wrong_format_ofac_file(tmp_path):
    bad = tmp_path / "conlist.csv"
    bad.write_bytes((REPO / "tests/fixtures/imports/ofac/sdn.csv").read_bytes())
    with pytest.raises(
        ImportFormatError, match=r"^conlist\.csv: not an OFSI consolidated list CSV"
    ):
        parse_uk([bad])


def test_png_rejected(tmp_path):
    bad = tmp_path / "conlist.csv"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ImportFormatError, match="the file is a PNG image"):
        parse_uk([bad])


def test_truncated_file(tmp_path):
    data = (FIXTURES / "conlist_part_a.csv").read_bytes()
    cut = tmp_path / "conlist.csv"
    cut.write_bytes(data[: data.index(b"Ivan") + 4])  # last row stops after a few columns
    with pytest.raises(
        ImportFormatError, match=r"^conlist\.csv: line \d+ has \d+ columns, expected 36"
    ):
        parse_uk([cut])


def test_invalid_utf8(tmp_path):
    data = (FIXTURES / "conlist_part_a.csv").read_bytes()
    bad = tmp_path / "conlist.csv"
    bad.write_bytes(data.replace("赵光宗".encode(), "赵光宗".encode("gb18030")))
    with pytest.raises(
        ImportFormatError,
        match=r"^conlist\.csv: wrong encoding: invalid UTF-8 byte 0x\w\w on line 4",
    ):
        parse_uk([bad])


def test_utf16(tmp_path):
    bad = tmp_path / "conlist.csv"
    bad.write_bytes((FIXTURES / "conlist_part_a.csv").read_text("utf-8").encode("utf-16"))
    with pytest.raises(ImportFormatError, match="looks like UTF-16"):
        parse_uk([bad])


@needs_data
@pytest.mark.slow
def test_real_uk_files_counts_and_apt31():
    files = sorted(UK_DIR.glob("ofsi_conlist_*.csv"))
    started = time.perf_counter()
    res = parse_uk(files)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"UK parse took {elapsed:.1f}s"

    rows = []
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            header = next(reader)
            rows.extend(dict(zip(header, r, strict=True)) for r in reader)
    groups = {r["Group ID"] for r in rows}
    assert len(rows) == res.stats["rows"] == 18796
    assert len(res.entities) == len(groups) == 4686
    types = {
        t: len({r["Group ID"] for r in rows if r["Group Type"] == t})
        for t in ("Individual", "Entity", "Ship")
    }
    assert types == {"Individual": 3662, "Entity": 1009, "Ship": 15}
    assert sum(e.type == "person" for e in res.entities) == types["Individual"]
    assert sum(e.type in ("company", "organization") for e in res.entities) == types["Entity"]
    regimes: dict[str, set[str]] = {}
    for r in rows:
        regimes.setdefault(r["Group ID"], set()).add(r["Regime"])
    multi = {g for g, v in regimes.items() if len(v) > 1}
    assert res.stats["multi_regime_groups"] == len(multi) == 15
    refs = {
        m.group(1)
        for r in rows
        if (
            m := re.search(
                r"\(UK Sanctions List Ref\):\s*([A-Za-z]+\.?\d+)", r["Other Information"]
            )
        )
    }
    assert {d.list_ref for e in res.entities for d in e.designations} - groups == refs
    non_latin = {
        (r["Group ID"], r["Name Non-Latin Script"].strip())
        for r in rows
        if r["Name Non-Latin Script"].strip()
    }
    assert sum(1 for e in res.entities for n in e.names if n.kind == "original_script") == len(
        non_latin
    )

    by_ref = _by_ref(res)
    zhao = by_ref["CYB0045"]
    assert ("national_id", "421003198511121539") in {(i.scheme, i.value) for i in zhao.identifiers}
    assert zhao.birth_dates == ["1985-11-12"]
    assert ("original_script", "赵光宗") in {(n.kind, n.name) for n in zhao.names}
    assert by_ref["CYB0046"].birth_dates == ["1985-10-27"]
    assert by_ref["CYB0044"].properties["ofsi_group_id"] == "16460"

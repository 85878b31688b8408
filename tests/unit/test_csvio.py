"""Reading real-world CSV files: encodings, delimiters, headers, dates, spreadsheet safety."""

from __future__ import annotations

import codecs

import pytest

from service.csvcells import csv_line, safe_cell
from service.errors import Invalid
from service.jobs import csvio
from service.jobs.csvio import NotCsv, detect, records, scan, utf8_input
from service.jobs.rows import map_columns, parse_birth_date, to_subject

ROWS = "Vendor Name;Country\nMüller Café GmbH;DE\n\"Zhao\nGuangzong\";CN\n\n;;\nŁódź Trading;PL\n"


@pytest.mark.parametrize("encoding,expected", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"),
    ("cp1252", "cp1252"),
])
def test_encodings_are_detected_and_read(tmp_path, encoding, expected):
    text = ROWS if encoding != "cp1252" else ROWS.replace("Łódź", "Lodz") + "Caf\u00e9 \u20ac \u201cQuoted\u201d;FR\n"
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode(encoding))
    layout = detect(path)
    assert layout.encoding == expected and layout.delimiter == ";"
    assert layout.header == ["Vendor Name", "Country"]
    utf8, offset = utf8_input(path, layout.encoding, tmp_path)
    cells = [r.cells for r in records(utf8, ";", offset=offset)]
    assert cells[1] == ["Müller Café GmbH", "DE"] and cells[2] == ["Zhao\nGuangzong", "CN"]
    assert len(cells) == (5 if encoding == "cp1252" else 4)  # empty lines and ";;" skipped
    if encoding == "cp1252":
        assert cells[-1][0] == "Caf\u00e9 \u20ac \u201cQuoted\u201d"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(tmp_path, delimiter):
    path = tmp_path / "in.csv"
    rows = [["name", "dob", "country"], ["Smith, John", "1970", "GB"], ["Doe; Jane", "", "US"], ["A|B", "", ""]]
    lines = []
    for row in rows:
        lines.append(delimiter.join(f'"{c}"' if any(ch in c for ch in ",;|") else c for c in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    layout = detect(path)
    assert layout.delimiter == delimiter
    assert [r.cells for r in records(path, delimiter, offset=0)] == rows


def test_scan_splits_parts_at_record_boundaries(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('name,note\na,"line\nbreak"\n\nb,x\nc,y\nd,z\ne,w\n', encoding="utf-8")
    total, parts = scan(path, ",", offset=0, part_rows=2)
    assert total == 5 and [p.rows for p in parts] == [2, 2, 1]
    read = []
    for part in parts:
        recs = records(path, ",", offset=part.offset, line=part.line)
        read += [(r.line, r.cells[0]) for _, r in zip(range(part.rows), recs, strict=False)]
    assert read == [(2, "a"), (5, "b"), (6, "c"), (7, "d"), (8, "e")]


def _read_parts(path, parts):
    read = []
    for part in parts:
        recs = records(path, ",", offset=part.offset, line=part.line)
        read += [r.cells[0] for _, r in zip(range(part.rows), recs, strict=False)]
    return read


@pytest.mark.parametrize("rows,part_rows,parts,sizes", [
    (20_000, 25_000, 2, [10_000, 10_000]),  # one part of 25,000 would leave a worker idle
    (20_001, 25_000, 2, [10_100, 9_901]),  # cut at multiples of PART_STEP
    (100_000, 25_000, 2, [25_000] * 4),  # enough parts already
    (300, 25_000, 2, [300]),  # too small to be worth cutting
    (1_200, 25_000, 4, [500, 500, 200]),  # parts of PART_MIN at least
    (1_200, 25_000, 2, [600, 600]),
    (1_000, 250, 2, [250, 250, 250, 250]),
    (9, 4, 2, [4, 4, 1]),  # part_rows under PART_STEP
])
def test_scan_cuts_at_least_parts_parts(tmp_path, rows, part_rows, parts, sizes):
    path = tmp_path / "in.csv"
    path.write_text("name\n" + "".join(f"n{i}\n" for i in range(rows)), encoding="utf-8")
    total, cut = scan(path, ",", offset=0, part_rows=part_rows, parts=parts)
    assert total == rows and [p.rows for p in cut] == sizes
    assert _read_parts(path, cut) == [f"n{i}" for i in range(rows)]  # each record once, in order


@pytest.mark.parametrize("payload,reason", [
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "PNG"),
    (b"PK\x03\x04" + b"\x00" * 100, "ZIP"),
    (bytes(range(1, 32)) * 200, "text"),
    (b"name\x00,\x00x\x00\x01\x02\x00\x00\x00\x00" * 100 + b"\x00" * 400, "NUL"),
    (b"", "empty"),
])
def test_not_csv(tmp_path, payload, reason):
    path = tmp_path / "in.bin"
    path.write_bytes(payload)
    with pytest.raises(NotCsv) as err:
        detect(path)
    assert reason.lower() in err.value.detail.lower()


@pytest.mark.parametrize("header,expected", [
    (["id", "Name", "city"], ["Name"]),
    (["ID", "full_name"], ["full_name"]),
    (["Vendor Name", "Contact Name"], ["Vendor Name"]),
    (["company", "vat"], ["company"]),
    (["Supplier Legal Name", "Street Name"], ["Supplier Legal Name"]),
    (["First Name", "Last Name", "Email"], ["First Name", "Last Name"]),
])
def test_header_names_matched_loosely(header, expected):
    columns = map_columns(header)
    assert [header[i] for i in columns.name] == expected


def test_columns_given_by_the_caller():
    header = ["Partei", "Geburtsdatum", "Land", "Pass"]
    columns = map_columns(header, {"name_column": "partei", "birth_date_column": "Geburtsdatum",
                                   "country_column": "Land", "identifier_columns": "Pass:passport"})
    assert columns.describe(header) == {"name": ["Partei"], "birth_date": "Geburtsdatum", "country": "Land",
                                        "type": None, "identifiers": {"Pass": "passport"}}
    with pytest.raises(Invalid):
        map_columns(["city", "zip"])
    with pytest.raises(Invalid):
        map_columns(header, {"name_column": "Name"})


@pytest.mark.parametrize("text,order,expected", [
    ("1985-11-12", None, "1985-11-12"), ("1985/11/12", None, "1985-11-12"), ("19851112", None, "1985-11-12"),
    ("12.11.1985", None, "1985-11-12"), ("25/12/1985", None, "1985-12-25"), ("12/25/1985", None, "1985-12-25"),
    ("03/04/1985", None, "1985"), ("03/04/1985", "dmy", "1985-04-03"), ("03/04/1985", "mdy", "1985-03-04"),
    ("12 Nov 1985", None, "1985-11-12"), ("Nov 12, 1985", None, "1985-11-12"), ("12-Nov-1985", None, "1985-11-12"),
    ("1985-11-12 00:00:00", None, "1985-11-12"), ("11/1985", None, "1985-11"), ("1985", None, "1985"),
    ("85", None, None), ("31/02/1985", None, None), ("soon", None, None), ("2999", None, None),
])
def test_birth_dates(text, order, expected):
    assert parse_birth_date(text, order) == expected


def test_rows_to_subjects():
    columns = map_columns(["name", "dob", "country", "type", "passport"])
    ok = to_subject(["  Zhao   Guangzong ", "12.11.1985", "China", "Individual", "E123"], columns)
    assert ok.subject and ok.subject.name == "Zhao Guangzong" and ok.subject.birth_date == "1985-11-12"
    assert ok.subject.country == "CN" and ok.subject.type == "person"
    assert ok.subject.identifiers == [("passport", "E123", None)]
    odd = to_subject(["Acme", "", "Narnia", "alien", ""], columns)
    assert odd.subject and odd.subject.country is None and len(odd.notes) == 2
    assert to_subject(["", "", "", "", ""], columns).error.startswith("name: Missing data")
    assert "not a usable name" in to_subject(["N/A", "", "", "", ""], columns).error
    assert "birth_date" in to_subject(["Acme", "yesterday", "", "", ""], columns).error


@pytest.mark.parametrize("value,expected", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("\nx", "'\nx"), ("Acme = Corp", "Acme = Corp"), ("", ""), (3, "3"),
    (None, ""),
])
def test_formula_cells_are_neutralised(value, expected):
    assert safe_cell(value) == expected


def test_bom_is_not_part_of_the_header(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"name\nA\n")
    assert detect(path).header == ["name"]


def test_csv_line_quotes_like_csv_writer_and_neutralises():
    assert csv_line(["a,b", 'say "hi"', "=1+1", None, 2]) == '"a,b","say ""hi""",\'=1+1,,2\r\n'


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_line_endings(tmp_path, ending, encoding):
    """LF, CRLF and bare CR (Excel's "CSV (Macintosh)") read alike; a quoted line break stays
    in its cell; parts cut by byte offset read back every record once."""
    rows = ["name;country", "Zhao Guangzong;CN", '"Multi' + ending + 'line";GB', "", "Ni Gaobin;CN", "Jane;US"]
    path = tmp_path / "in.csv"
    path.write_bytes(ending.join(rows).encode(encoding) + ending.encode(encoding))
    layout = detect(path)
    assert layout.delimiter == ";" and layout.header == ["name", "country"]
    utf8, offset = utf8_input(path, layout.encoding, tmp_path)
    expected = [(2, "Zhao Guangzong"), (3, "Multi" + ending + "line"), (6, "Ni Gaobin"), (7, "Jane")]
    assert [(r.line, r.cells[0]) for r in records(utf8, ";", offset=offset)][1:] == expected
    total, parts = scan(utf8, ";", offset=offset, part_rows=1)
    assert total == 4 and [p.rows for p in parts] == [1, 1, 1, 1]
    read = []
    for part in parts:
        recs = records(utf8, ";", offset=part.offset, line=part.line)
        read += [(r.line, r.cells[0]) for _, r in zip(range(part.rows), recs, strict=False)]
    assert read == expected


def test_long_cr_only_file_is_read_past_the_line_limit(tmp_path, monkeypatch):
    """A CR-only file has no LF at all: reading is cut after the last CR of each 1 MB read,
    and a CRLF split by that cut stays whole."""
    monkeypatch.setattr(csvio, "MAX_LINE_BYTES", 16)
    path = tmp_path / "in.csv"
    path.write_bytes(b"name\rAlpha Beta\rGamma Delt\r\nEpsilon\r")
    assert [(r.line, r.cells) for r in records(path, ",", offset=0)] == [
        (1, ["name"]), (2, ["Alpha Beta"]), (3, ["Gamma Delt"]), (4, ["Epsilon"])]
    path.write_bytes(b"name\rAlpha Beta Gamma Delta\r")
    with pytest.raises(NotCsv, match="Line 2 is longer"):
        list(records(path, ",", offset=0))


def test_unreadable_csv_is_not_csv(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b'name,note\nA,"' + b"x" * (csvio.MAX_LINE_BYTES + 10) + b'"\n')
    with pytest.raises(NotCsv):
        list(records(path, ",", offset=0))


@pytest.mark.parametrize("text", [
    "id,name,city\n1,Jürgen Müller,Köln\n2,Anna Öberg,Göteborg\n",  # the detector says cp852
    "Kundennr;Name;Geburtsdatum\n7;Björn Schäfer;01.02.1970\n",  # cp775
    "id,name\n1,José\n",  # cp1006
    "id,name\n1,\u20ac Corp\n",  # cp1125
])
def test_short_cp1252_files_are_not_read_as_other_code_pages(text):
    """A small portfolio file with a few accented letters, saved by an old spreadsheet."""
    assert csvio.detect_encoding(text.encode("cp1252")) == "cp1252"


@pytest.mark.parametrize("text,encoding", [
    ("id,name\n1,Иван Петров\n2,Ольга Смирнова\n", "cp1251"),
    ("id;ФИО;Дата рождения\n1;Иванов Иван Иванович;01.02.1970\n", "cp1251"),
])
def test_other_scripts_stay_what_the_detector_says(text, encoding):
    assert csvio.detect_encoding(text.encode(encoding)) == encoding
    assert not csvio.reads_as_latin(text.encode(encoding).decode("cp1252"))  # Èâàí Ïåòðîâ

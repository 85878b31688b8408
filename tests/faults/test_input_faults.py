"""Hostile or odd input: CR-only CSV files, formula cells in every CSV output, stored lone
surrogates in the evidence export, and names disguised with bidi overrides or control
characters."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from click.testing import CliRunner

from service.cli import main
from service.models import ScreeningLog
from tests.api.test_jobs import csv_results, submit, wait
from tests.conftest import authed, make_key
from tests.helpers import problem

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
# One input cell per OWASP leading character (CR and LF ones quoted, as a spreadsheet saves them).
FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\tTAB", "\rCR", "\nLF"]

# Excel's "CSV (Macintosh)": records end with a bare CR; a quoted cell holds a CR too.
CR_ONLY = (b"Vendor Name,Country,Ref\r"
           b"Zhao Guangzong,CN,V1\r"
           b'"Wuhan Xiaoruizhi Science and\rTechnology Co Ltd",CN,V2\r'
           b"\r"
           b"Jane Austen,GB,V3\r"
           b"Ni Gaobin,CN,V4\r"
           b"Mary Poppins,GB,V5\r")
# (ref, input line, decision) per data record, in input order.
CR_EXPECTED = [("V1", "2", "match"), ("V2", "3", "match"), ("V3", "6", "clear"), ("V4", "7", "match"),
               ("V5", "8", "clear")]


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def assert_spreadsheet_safe(rows: list[list[str]]) -> None:
    """No cell of a CSV output starts with a character a spreadsheet may run as a formula."""
    bad = [cell for row in rows for cell in row if cell.startswith(DANGEROUS)]
    assert not bad, bad


def summary(rows: list[list[str]], width: int) -> list[tuple[str, str, str]]:
    """(ref, row, decision) of each results line; the result columns follow the input's."""
    head = rows[0]
    ref, line, decision = head.index("Ref"), head.index("row"), head.index("decision")
    assert len(head) == width + 10
    return [(r[ref], r[line], r[decision]) for r in rows[1:]]


# --- CR-only line endings --------------------------------------------------------------------

def test_cr_only_csv_screened_at_once(client, seeded):
    resp = client.post("/api/v1/screen/csv", data=CR_ONLY, content_type="text/csv")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    rows = parse_csv(resp.get_data(as_text=True))
    assert rows[0][:3] == ["Vendor Name", "Country", "Ref"]
    assert summary(rows, 3) == CR_EXPECTED
    assert rows[2][0] == "Wuhan Xiaoruizhi Science and\rTechnology Co Ltd"

    resp = client.post("/api/v1/screen/csv?format=jsonl", data=CR_ONLY, content_type="text/csv")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    records = [json.loads(line) for line in resp.get_data(as_text=True).splitlines()]
    assert [(r["input"]["Ref"], str(r["row"]), r["decision"]) for r in records] == CR_EXPECTED


def test_cr_only_csv_as_a_job_in_parts(client, seeded, app, monkeypatch):
    """Parts start at byte offsets inside a file with no LF at all."""
    monkeypatch.setattr(app.extensions["screening_jobs"].ctx, "part_rows", 2)
    resp = submit(client, CR_ONLY)
    assert resp.status_code == 202, resp.json
    job = wait(client, resp.json["id"])
    assert job["status"] == "done", job
    assert job["progress"]["rows_total"] == 5 and job["progress"]["rows_done"] == 5
    assert job["counts"] == {"matched": 3, "clear": 2, "errors": 0}
    assert summary(csv_results(client, job["id"]), 3) == CR_EXPECTED
    lines = client.get(f"/api/v1/screening-jobs/{job['id']}/results?format=jsonl").get_data(as_text=True)
    assert [json.loads(line)["input"]["Ref"] for line in lines.splitlines()] == [r for r, _, _ in CR_EXPECTED]


def test_cr_only_csv_through_the_cli(app, seeded, database_url, tmp_path):
    src = tmp_path / "mac.csv"
    src.write_bytes(CR_ONLY)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out)], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert "screened 5 rows" in result.output
    assert summary(parse_csv(out.read_bytes().decode("utf-8")), 3) == CR_EXPECTED


def test_unreadable_csv_is_a_clear_error_everywhere(client, app, seeded, database_url, tmp_path):
    """A record longer than the 1 MB line limit, past the sample detection reads: 422 at
    once, a failed job with the reason, one line from the CLI."""
    body = b"name\nZhao Guangzong\n" + b"x" * (1024 * 1024 + 10) + b"\nNi Gaobin\n"
    err = problem(client.post("/api/v1/screen/csv", data=body, content_type="text/csv"), 422)
    assert "longer than" in err["detail"]
    job = wait(client, submit(client, body).json["id"])
    assert job["status"] == "failed" and "longer than" in job["error"], job
    src = tmp_path / "long.csv"
    src.write_bytes(body)
    result = CliRunner().invoke(main, ["screen", str(src)], env={"DATABASE_URL": database_url})
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "long.csv: Line 3 is longer than" in result.output


# --- formula cells ---------------------------------------------------------------------------

def formula_csv() -> bytes:
    """A header and one row per dangerous cell, in the name and in a pass-through column."""
    lines = ['name,"=HEADER()",Ref']
    for i, cell in enumerate(FORMULAS):
        quoted = '"' + cell + '"'
        lines.append(f"{quoted},{quoted},R{i}")
    lines.append("Zhao Guangzong,-,R_match")
    return ("\n".join(lines) + "\n").encode()


def check_formula_results(rows: list[list[str]]) -> None:
    assert_spreadsheet_safe(rows)
    assert rows[0][1] == "'=HEADER()"
    assert [r[2] for r in rows[1:]] == [f"R{i}" for i in range(len(FORMULAS))] + ["R_match"]
    assert [r[1] for r in rows[1:]] == ["'" + c for c in FORMULAS] + ["'-"]


def test_every_csv_output_neutralises_formulas(client, seeded, app, database_url, tmp_path):
    resp = client.post("/api/v1/screen/csv", data=formula_csv(), content_type="text/csv")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    check_formula_results(parse_csv(resp.get_data(as_text=True)))

    job = wait(client, submit(client, formula_csv()).json["id"])
    assert job["status"] == "done", job
    check_formula_results(csv_results(client, job["id"]))

    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_bytes(formula_csv())
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out)], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    check_formula_results(parse_csv(out.read_bytes().decode("utf-8")))


def test_evidence_export_neutralises_batch_keys_and_key_names(app, seeded):
    screened = 0
    for lead in DANGEROUS:
        c = authed(app.test_client(), make_key(app, "screener", name=f"{lead}key {lead!r}"))
        resp = c.post("/api/v1/screen/batch", json={"queries": {f"{lead}cmd": {"name": "Zhao Guangzong"},
                                                                "plain": {"name": f"{lead}Ni Gaobin"}}})
        assert resp.status_code == 200, resp.json
        screened += 2
    admin = authed(app.test_client(), make_key(app, "admin"))
    rows = parse_csv(admin.get("/api/v1/screenings/export?format=csv").get_data(as_text=True))
    assert_spreadsheet_safe(rows)
    head = rows[0]
    assert len(rows) == 1 + screened
    batch_keys = sorted(r[head.index("batch_key")] for r in rows[1:])
    assert batch_keys == sorted([f"'{lead}cmd" for lead in DANGEROUS] + ["plain"] * len(DANGEROUS))
    # Key names are stored trimmed, so only = + - @ can lead one.
    assert {r[head.index("key_name")] for r in rows[1:]} == {
        f"'{lead}key {lead!r}" if lead in "=+-@" else f"key {lead!r}" for lead in DANGEROUS}


# --- lone surrogates in stored evidence -------------------------------------------------------

def _log(**overrides: Any) -> ScreeningLog:
    values: dict[str, Any] = {"kind": "single", "subject": {"name": "Plain Name"}, "threshold": 0.8,
                              "algorithm": "test", "algorithm_version": "1", "list_version": 1,
                              "list_fingerprint": "f" * 32, "results": []}
    return ScreeningLog(**{**values, **overrides})


def test_export_survives_a_stored_lone_surrogate(client, session, backend):
    """Stored before JSON bodies with lone surrogates were refused (SQLite and PostgreSQL's
    json type keep the escaped form): the export writes U+FFFD and carries on."""
    session.add_all([_log(subject={"name": "Before"}), _log(subject={"name": "Zhao \ud800 Guangzong", "\udfff": "x"}),
                     _log(subject={"name": "After"})])
    session.commit()
    jsonl = client.get("/api/v1/screenings/export?format=jsonl")
    assert jsonl.status_code == 200
    names = [json.loads(line)["subject"]["name"] for line in jsonl.get_data(as_text=True).splitlines()]
    assert sorted(names) == ["After", "Before", "Zhao \ufffd Guangzong"]
    rows = parse_csv(client.get("/api/v1/screenings/export?format=csv").get_data(as_text=True))
    subjects = sorted(json.loads(r[rows[0].index("subject")])["name"] for r in rows[1:])
    assert subjects == ["After", "Before", "Zhao \ufffd Guangzong"]
    assert any("\ufffd" in json.loads(r[rows[0].index("subject")]) for r in rows[1:])


# --- names disguised for the reviewer ----------------------------------------------------------

def _best(client: Any, name: str) -> dict[str, Any]:
    resp = client.post("/api/v1/screen", json={"name": name})
    assert resp.status_code == 200, resp.json
    return resp.json


def test_right_to_left_override_is_screened_as_displayed(client, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    # Displays as "Zhao Guangzong".
    result = _best(client, "\u202egnozgnauG oahZ\u202c")
    assert result["matches"] and result["matches"][0]["entity_id"] == zhao and result["matches"][0]["match"]
    # Unclosed override, a nested left-to-right span, isolates around it: all display the name.
    for name in ("\u202egnozgnauG oahZ", "\u2067\u202egnozgnauG\u202c Zhao\u2069",
                 "\u202egnozgnauG \u202dZhao\u202c\u202c"):
        best = _best(client, name)["matches"]
        assert best and best[0]["entity_id"] == zhao and best[0]["match"], name
    # The same letters without the override display reversed and are not the listed name.
    assert not any(m["match"] for m in _best(client, "gnozgnauG oahZ")["matches"])
    # The listed name in logical order inside an override displays reversed, but a system that
    # strips the override passes the listed name on: it is screened both ways and matches.
    best = _best(client, "\u202eZhao Guangzong\u202c")["matches"]
    assert best and best[0]["entity_id"] == zhao and best[0]["match"]
    assert best[0]["explanation"]["query_name"] == "Zhao Guangzong"


def test_control_characters_do_not_hide_a_match(client, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    for name in ("ZHAO\rGUANGZONG", "ZHAO\x0bGUANGZONG", "ZHAO\x1fGUANGZONG", "Zhao\x85Guangzong",
                 "Zh\x07ao Guang\x1bzong", "Zhao Guang\x9bzong", "\x01Zhao\x02 Guangzong\x7f"):
        best = _best(client, name)["matches"]
        assert best and best[0]["entity_id"] == zhao and best[0]["match"], repr(name)

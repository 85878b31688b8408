"""The screening evidence log and analysts' dispositions."""

from __future__ import annotations

import csv
import hashlib
import io
import json

from service import create_app
from tests.conftest import authed, make_key
from tests.helpers import create, etag_of, problem


def test_every_screening_is_logged(client, seeded):
    single = client.post("/api/v1/screen", json={"name": "Zhao Guangzong", "country": "CN"},
                         headers={"X-Request-ID": "vendor-123"}).json
    client.post("/api/v1/screen/batch", json={"queries": {"a": {"name": "Ni Gaobin"}, "b": {"name": "Mary Poppins"}}})
    log = client.get("/api/v1/screenings").json
    assert log["total"] == 3
    row = client.get(f"/api/v1/screenings/{single['screening_id']}").json
    assert row["request_id"] == "vendor-123" and row["kind"] == "single" and row["key_name"] == "test admin"
    assert row["subject"]["name"] == "Zhao Guangzong" and row["subject"]["country"] == "CN"
    assert row["list_fingerprint"] == single["list_fingerprint"] and row["algorithm_version"]
    assert row["had_match"] is True and row["results"][0]["entity_id"] == seeded["ZHAO, Guangzong"]
    assert client.get("/api/v1/screenings?had_match=false").json["total"] == 1
    assert client.get("/api/v1/screenings?kind=batch").json["total"] == 2
    assert client.get(f"/api/v1/screenings?entity_id={seeded['NI, Gaobin']}").json["total"] == 1
    assert client.get("/api/v1/screenings?since=2999-01-01T00:00:00Z").json["total"] == 0
    key_id = row["key_id"]
    assert client.get(f"/api/v1/screenings?key_id={key_id}").json["total"] == 3
    assert client.get(f"/api/v1/screenings?key_id={key_id + 1000}").json["total"] == 0


def test_export_csv_and_jsonl(client, seeded):
    for name in ("Zhao Guangzong", "Nobody Known", "Ni Gaobin"):
        client.post("/api/v1/screen", json={"name": name})
    jsonl = client.get("/api/v1/screenings/export?format=jsonl")
    assert jsonl.status_code == 200 and jsonl.mimetype == "application/x-ndjson"
    rows = [json.loads(line) for line in jsonl.get_data(as_text=True).splitlines()]
    assert [r["subject"]["name"] for r in rows] == ["Ni Gaobin", "Nobody Known", "Zhao Guangzong"]
    text = client.get("/api/v1/screenings/export?format=csv&had_match=true").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 2 and json.loads(table[0]["subject"])["name"] == "Ni Gaobin"


def test_hashed_names_setting(database_url, seeded):
    app = create_app({"DATABASE_URL": database_url, "SCREENING_LOG_HASH_NAMES": True,
                      "SCREENING_LOG_HASH_KEY": "s3cret"})
    c = authed(app.test_client(), make_key(app, "admin"))
    first = c.post("/api/v1/screen", json={"name": "Zhao Guangzong", "birth_date": "1985"}).json
    second = c.post("/api/v1/screen", json={"name": "guangzong  ZHAO", "birth_date": "1985"}).json
    a = c.get(f"/api/v1/screenings/{first['screening_id']}").json
    b = c.get(f"/api/v1/screenings/{second['screening_id']}").json
    assert "name" not in a["subject"] and "Zhao" not in json.dumps(a)
    assert a["subject"]["name_hmac"] == b["subject"]["name_hmac"] and a["subject"]["birth_date"] == "1985"


def test_dispositions_suppress_until_the_entity_changes(client, client_as, seeded):
    analyst = client_as("analyst")
    subject = {"name": "Ni Gao Bin", "birth_date": "1990-01-01", "country": "CN"}
    first = analyst.post("/api/v1/screen", json=subject).json["matches"][0]
    assert first["suppressed"] is False and first["disposition"] is None
    resp = analyst.post("/api/v1/dispositions", json={"subject": subject, "entity_id": first["entity_id"],
                                                     "decision": "false_positive", "comment": "born 1990, different man"})
    assert resp.status_code == 201 and resp.json["entity_version"] >= 1
    # Same subject in another word order and case: suppressed, still returned. (The given
    # name keeps its order: "Bin Gao" would be another name, see screening/syllables.py.)
    again = analyst.post("/api/v1/screen", json={**subject, "name": "gao BIN ni"}).json["matches"][0]
    assert again["entity_id"] == first["entity_id"] and again["suppressed"] is True
    assert again["disposition"]["decision"] == "false_positive" and again["disposition"]["decided_by"] == "test analyst"
    # Another subject (different birth date) is not affected.
    other = analyst.post("/api/v1/screen", json={**subject, "birth_date": "1985-10-27"}).json["matches"][0]
    assert other["suppressed"] is False and other["disposition"] is None
    # The listed entity changes (a new designation): the suppression lapses, with the reason.
    create(client, "/api/v1/designations", {"entity_id": first["entity_id"], "authority": "EU", "list_ref": "EU.CYB.1"})
    lapsed = analyst.post("/api/v1/screen", json=subject).json["matches"][0]
    assert lapsed["suppressed"] is False and "lapsed" in lapsed["suppression_note"]
    # The log records whether matches were suppressed; decisions are listed, newest first.
    assert client.get("/api/v1/screenings?had_match=false").json["total"] == 1
    listed = analyst.get(f"/api/v1/dispositions?entity_id={first['entity_id']}").json
    assert listed["total"] == 1 and listed["items"][0]["comment"] == "born 1990, different man"
    assert analyst.get("/api/v1/dispositions?name=Ni Gao Bin&birth_date=1990-01-01&country=CN").json["total"] == 1
    # A screener may not record decisions; bad input is refused.
    problem(client_as("screener").post("/api/v1/dispositions", json={"subject": subject, "entity_id": 1, "decision": "true_match"}), 403)
    problem(analyst.post("/api/v1/dispositions", json={"subject": subject, "entity_id": 1, "decision": "maybe"}), 422)
    problem(analyst.post("/api/v1/dispositions", json={"subject": subject, "entity_id": 999999, "decision": "true_match"}), 422)


def test_screening_is_not_logged_when_it_fails(client):
    problem(client.post("/api/v1/screen", json={"name": ""}), 422)
    assert client.get("/api/v1/screenings").json["total"] == 0


def test_entity_version_used_for_lapse_is_the_records_version(client, seeded):
    person = seeded["WENG Ming"]
    path = f"/api/v1/persons/{person}"
    before = client.get(path).json["version"]
    client.patch(path, json={"notes": "x"}, headers={"If-Match": etag_of(client, path)})
    assert client.get(path).json["version"] == before + 1


def test_screen_csv_is_logged(client, seeded):
    """One evidence row per uploaded file (kind "file"), like a job's, whichever the format."""
    body = "name,ref\nZhao Guangzong,V1\nMary Poppins,V2\n,V3\n"
    resp = client.post("/api/v1/screen/csv?format=jsonl", data={"file": (io.BytesIO(body.encode()), "vendors.csv")},
                       headers={"X-Request-ID": "upload-7"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    logged = client.get("/api/v1/screenings?kind=file").json
    assert logged["total"] == 1
    row = logged["items"][0]
    assert row["key_name"] == "test admin" and row["key_id"] and row["request_id"] == "upload-7"
    assert row["subject"]["source"] == "screen/csv" and row["subject"]["filename"] == "vendors.csv"
    assert row["subject"]["rows"] == 3 and row["subject"]["columns"]["name"] == [0]
    assert row["subject"]["results_sha256"] == [hashlib.sha256(resp.data).hexdigest()]
    assert row["had_match"] is True and row["list_fingerprint"] and row["algorithm_version"]
    assert seeded["ZHAO, Guangzong"] in {r["entity_id"] for r in row["results"] if r["match"]}
    assert client.get(f"/api/v1/screenings?kind=file&entity_id={seeded['ZHAO, Guangzong']}").json["total"] == 1
    # CSV results are logged too; a refused file is not.
    assert client.post("/api/v1/screen/csv", data=b"name\nMary Poppins\n", content_type="text/csv").status_code == 200
    problem(client.post("/api/v1/screen/csv", data=b"city\nParis\n", content_type="text/csv"), 422)
    files = client.get("/api/v1/screenings?kind=file").json["items"]
    assert len(files) == 2 and files[0]["had_match"] is False and files[0]["subject"]["filename"] is None

"""Hostile input: never a 500, never a partial write."""

from __future__ import annotations

import pytest

from tests.helpers import create, problem

INJECTIONS = ["' OR '1'='1", "1; DROP TABLE entities; --", "Robert'); DROP TABLE entities;--", '" OR ""="',
              "%' UNION SELECT key_hash FROM api_keys --"]


@pytest.mark.parametrize("text", INJECTIONS)
def test_sql_injection_strings_are_just_text(client, text):
    person = create(client, "/api/v1/persons", {"name": text, "notes": text})
    assert client.get(f"/api/v1/persons/{person['id']}").json["name"] == text
    assert client.get("/api/v1/persons", query_string={"name": text}).json["total"] == 1
    assert client.get("/api/v1/persons", query_string={"sort": text}).status_code == 422
    assert client.get("/api/v1/search", query_string={"q": text}).status_code == 200
    assert client.post("/api/v1/screen", json={"name": text}).status_code == 200
    assert client.get("/api/v1/threat-groups", query_string={"q": text}).json["total"] == 0


def test_ten_megabyte_body(client):
    body = '{"name": "' + "a" * (10 * 1024 * 1024) + '"}'
    problem(client.post("/api/v1/persons", data=body, content_type="application/json"), 413)
    problem(client.post("/api/v1/screen", data=body, content_type="application/json"), 413)
    assert client.get("/api/v1/persons").json["total"] == 0


def test_deeply_nested_json(client):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        resp = client.post("/api/v1/persons", data=body, content_type="application/json")
        assert resp.status_code in (400, 422), resp.status_code
        assert resp.mimetype == "application/problem+json"
    nested = {"name": "x", "properties": {"a": {}}}
    cursor = nested["properties"]["a"]
    for _ in range(200):
        cursor["a"] = {}
        cursor = cursor["a"]
    assert client.post("/api/v1/persons", json=nested).status_code in (201, 422)


def test_invalid_utf8_nul_and_rtl(client):
    problem(client.post("/api/v1/persons", data=b'{"name": "\xc3\x28"}', content_type="application/json"), 400)
    problem(client.post("/api/v1/screen", data=b'{"name": "\xff"}', content_type="application/json"), 400)
    problem(client.post("/api/v1/persons", json={"name": "Ni\x00Gaobin"}), 422)
    problem(client.get("/api/v1/persons?name=a%00b"), 422)
    rtl = "\u202eNIBOAG IN"  # right-to-left override hiding a reversed name
    person = create(client, "/api/v1/persons", {"name": rtl})
    assert client.get(f"/api/v1/persons/{person['id']}").json["name"] == rtl  # stored as sent
    assert client.post("/api/v1/screen", json={"name": "Ni\u200bGao\u202ebin"}).status_code == 200
    assert client.get("/api/v1/persons").json["total"] == 1


def test_bad_headers_and_methods(client):
    problem(client.patch("/api/v1/persons/1", json={}, headers={"If-Match": "\x00"}), 404)
    problem(client.put("/api/v1/persons", json={"name": "x"}), 405)
    problem(client.get("/api/v1/persons/99999999999999999999"), 404)
    problem(client.get("/api/v1/persons?page=99999999999999999999"), 422)
    problem(client.get("/api/v1/designations?entity_id=99999999999999"), 422)


def test_upload_file_names_cannot_escape(client, app, seeded, tmp_path):
    """A path-traversal file name is only a label: the upload lands in its job folder."""
    import io
    import time
    from pathlib import Path

    jobs_dir = Path(app.config["JOB_DIR"])
    before = set(jobs_dir.parent.iterdir())
    data = {"file": (io.BytesIO(b"name\nZhao Guangzong\n"), "../../../../tmp/evil.csv")}
    resp = client.post("/api/v1/screening-jobs", data=data, content_type="multipart/form-data")
    assert resp.status_code == 202, resp.get_data(as_text=True)[:300]
    for _ in range(200):
        job = client.get(f"/api/v1/screening-jobs/{resp.json['id']}").json
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done"
    assert set(jobs_dir.parent.iterdir()) == before
    assert not Path("/tmp/evil.csv").exists()
    assert all(p.resolve().is_relative_to(jobs_dir.resolve()) for p in jobs_dir.rglob("*"))

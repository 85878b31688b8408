"""The portfolio over HTTP: PUT (idempotent), list, read, delete, batch and CSV upload."""

from __future__ import annotations

from typing import Any

from .conftest import add_person, alerts_of, put_subject


def test_put_is_idempotent(client: Any, app: Any) -> None:
    r = client.put("/api/v1/monitoring/subjects/acme-1", json={"name": "Acme Trading GmbH", "type": "company",
                                                               "country": "DE"})
    assert r.status_code == 201 and r.json["version"] == 1 and r.json["pending"] is False
    again = client.put("/api/v1/monitoring/subjects/acme-1", json={"name": "Acme Trading GmbH", "type": "company",
                                                                   "country": "DE"})
    assert again.status_code == 200 and again.json["version"] == 1
    # A replacement: fields left out go back to their defaults.
    changed = client.put("/api/v1/monitoring/subjects/acme-1", json={"name": "Acme Trading AG"})
    assert changed.json["version"] == 2 and changed.json["country"] is None and changed.json["type"] is None
    assert client.get("/api/v1/monitoring/subjects/acme-1").json["name"] == "Acme Trading AG"


def test_list_filters_and_delete(client: Any, app: Any) -> None:
    put_subject(client, "p-1", name="Jane Roe", type="person", country="GB")
    put_subject(client, "c-1", name="Roe Holdings Ltd", type="company", country="GB")
    put_subject(client, "p-2", name="John Doe", type="person", country="US", status="paused")
    items = client.get("/api/v1/monitoring/subjects?type=person").json["items"]
    assert [i["external_id"] for i in items] == ["p-1", "p-2"]
    assert client.get("/api/v1/monitoring/subjects?name=roe&country=GB").json["total"] == 2
    assert client.get("/api/v1/monitoring/subjects?status=paused").json["items"][0]["external_id"] == "p-2"
    assert client.delete("/api/v1/monitoring/subjects/p-1").status_code == 204
    assert client.get("/api/v1/monitoring/subjects/p-1").status_code == 404
    assert client.get("/api/v1/monitoring/subjects?include_deleted=true").json["total"] == 3
    assert client.delete("/api/v1/monitoring/subjects/p-1").status_code == 404
    # PUT brings a deleted subject back.
    assert put_subject(client, "p-1", name="Jane Roe", type="person")["deleted_at"] is None


def test_bad_input_is_problem_json(client: Any) -> None:
    cases = [
        ("put", "/api/v1/monitoring/subjects/x", {"name": ""}, 422),
        ("put", "/api/v1/monitoring/subjects/x", {"name": "A", "country": "XX"}, 422),
        ("put", "/api/v1/monitoring/subjects/x", {"name": "A", "unknown": 1}, 422),
        ("put", "/api/v1/monitoring/subjects/x", {"name": "A", "threshold": 2}, 422),
        ("put", "/api/v1/monitoring/subjects/" + "x" * 129, {"name": "A"}, 422),
        ("post", "/api/v1/monitoring/subjects/batch", {"subjects": []}, 422),
        ("post", "/api/v1/monitoring/subjects/batch", {"subjects": [{"name": "A"}]}, 422),
        ("post", "/api/v1/monitoring/subjects/batch",
         {"subjects": [{"external_id": "a", "name": "A"}, {"external_id": "a", "name": "B"}]}, 422),
        ("post", "/api/v1/monitoring/subjects/batch",
         {"subjects": [{"external_id": str(i), "name": "A"} for i in range(1001)]}, 413),
        ("get", "/api/v1/monitoring/alerts?state=maybe", None, 422),
        ("get", "/api/v1/monitoring/alerts/999999", None, 404),
        ("post", "/api/v1/monitoring/runs", {"kind": "partial"}, 422),
    ]
    for method, path, body, status in cases:
        r = getattr(client, method)(path, json=body) if body is not None else getattr(client, method)(path)
        assert r.status_code == status, (path, body, r.json)
        assert r.headers["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/monitoring/subjects").json["total"] == 0  # nothing half-written


def test_batch_creates_and_screens(client: Any, app: Any, monitor: Any) -> None:
    person = add_person(client, "Olena Kovalenko")
    monitor.drain()
    r = client.post("/api/v1/monitoring/subjects/batch", json={"subjects": [
        {"external_id": "a", "name": "Olena Kovalenko", "type": "person"},
        {"external_id": "b", "name": "Acme Trading GmbH", "type": "company"}]})
    assert r.status_code == 200
    results = {x["external_id"]: x for x in r.json["results"]}
    assert results["a"]["outcome"] == "created" and len(results["a"]["alerts_opened"]) == 1
    assert results["b"]["alerts_opened"] == []
    again = client.post("/api/v1/monitoring/subjects/batch", json={"subjects": [
        {"external_id": "a", "name": "Olena Kovalenko", "type": "person"}]}).json
    assert again["results"][0]["outcome"] == "unchanged"
    assert [a.entity_id for a in alerts_of(app)] == [person]


def test_csv_upload_reports_bad_rows_and_screens_in_the_background(client: Any, app: Any, monitor: Any) -> None:
    add_person(client, "Olena Kovalenko")
    monitor.drain()
    text = ("Customer No;Full Name;Date of Birth;Country\n"
            "1;Olena Kovalenko;04.03.1980;Ukraine\n"
            "2;;1980;UA\n"
            ";Jane Roe;;\n"
            "1;Someone Else;;\n"
            "3;Acme GmbH;not a date;DE\n"
            "4;Jürgen Müller;;DE\n")
    r = client.post("/api/v1/monitoring/subjects/csv", data=text.encode("utf-8-sig"), content_type="text/csv")
    assert r.status_code == 200, r.json
    report = r.json
    assert (report["rows"], report["created"], report["rejected"]) == (6, 2, 4)
    assert report["columns"]["external_id"] == "Customer No"
    assert {e["line"] for e in report["errors"]} == {3, 4, 5, 6}
    monitor.drain()
    assert client.get("/api/v1/monitoring/subjects/4").json["name"] == "Jürgen Müller"
    subject = client.get("/api/v1/monitoring/subjects/1").json
    assert subject["birth_date"] == "1980-03-04" and subject["country"] == "UA" and subject["pending"] is False
    [alert] = alerts_of(app)
    assert alert.cause["kind"] == "subject" and alert.run_id is not None
    run = client.get(f"/api/v1/monitoring/runs/{alert.run_id}").json
    assert run["kind"] == "subjects" and run["subjects_screened"] == 2
    r = client.post("/api/v1/monitoring/subjects/csv", data=b"a,b\n1,2\n", content_type="text/csv")
    assert r.status_code == 422 and r.headers["Content-Type"] == "application/problem+json"


def test_operation_names_are_not_external_ids(client: Any) -> None:
    # /subjects/batch and /subjects/csv are operations: a subject named so could never be read
    # or replaced at /subjects/<external_id>, so every write path refuses those ids, and each
    # route advertises only its own methods.
    r = client.post("/api/v1/monitoring/subjects/batch", json={"subjects": [{"external_id": "batch", "name": "A"}]})
    assert r.status_code == 422 and "reserved" in str(r.json["errors"])
    r = client.post("/api/v1/monitoring/subjects/csv", data=b"external_id,name\ncsv,Jane Roe\nok,Jane Roe\n",
                    content_type="text/csv")
    assert r.status_code == 200 and (r.json["created"], r.json["rejected"]) == (1, 1)
    assert "reserved" in r.json["errors"][0]["error"]
    assert client.put("/api/v1/monitoring/subjects/csv", json={"name": "A"}).status_code == 405
    assert set(client.options("/api/v1/monitoring/subjects/csv").headers["Allow"].split(", ")) == {"OPTIONS", "POST"}
    allow = client.options("/api/v1/monitoring/subjects/csvx").headers["Allow"]
    assert set(allow.split(", ")) == {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}

"""Every change leaves an immutable history entry; records can be read as of a past moment."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import quote

from tests.helpers import create, etag_of, problem


def test_history_of_a_person(client):
    person = create(client, "/api/v1/persons", {"name": "Hist One", "nationalities": ["FR"], "identifiers": [
        {"scheme": "passport", "value": "X1", "country": "FR", "issued_on": "2015-06-01"}]})
    path = f"/api/v1/persons/{person['id']}"
    time.sleep(0.01)
    middle = quote(datetime.now(UTC).isoformat())
    time.sleep(0.01)
    client.patch(path, json={"nationalities": ["DE"], "names": [{"name": "H. One"}]},
                 headers={"If-Match": etag_of(client, path), "X-Request-ID": "req-42"})
    client.delete(path, headers={"If-Match": etag_of(client, path)})
    hist = client.get(f"{path}/history").json
    assert [e["action"] for e in hist["items"]] == ["create", "update", "archive"]
    create_entry, update, _ = hist["items"]
    assert create_entry["key_name"] == "test admin" and create_entry["version"] == 1
    assert update["request_id"] == "req-42" and update["version"] == 2
    assert update["changes"]["nationalities"] == [["FR"], ["DE"]]
    assert [n["name"] for n in update["changes"]["names"][1]] == ["Hist One", "H. One"]
    # As of the middle moment: the record as it stood then (even though archived now).
    then = client.get(f"{path}?as_of={middle}").json
    assert then["nationalities"] == ["FR"] and then["version"] == 1 and then["archived"] is False
    assert [n["name"] for n in then["names"]] == ["Hist One"]
    assert then["identifiers"][0]["issued_on"] == "2015-06-01"
    problem(client.get(f"{path}?as_of=2000-01-01T00:00:00Z"), 404)
    # History cannot be changed through the API.
    assert client.delete(f"{path}/history").status_code == 405
    assert client.post(f"{path}/history", json={}).status_code == 405


def test_history_of_designations_cases_and_charges(client, seeded):
    ofac = client.get("/api/v1/designations?list_ref=47814").json["items"][0]
    dpath = f"/api/v1/designations/{ofac['id']}"
    client.patch(dpath, json={"delisted_on": "2030-01-01"}, headers={"If-Match": etag_of(client, dpath)})
    entries = client.get(f"{dpath}/history").json["items"]
    assert entries[-1]["changes"] == {"delisted_on": [None, "2030-01-01"]}
    case = client.get("/api/v1/cases").json["items"][0]
    assert client.get(f"/api/v1/cases/{case['id']}/history").json["items"][0]["action"] == "create"
    charge = client.get(f"/api/v1/cases/{case['id']}/charges").json["items"][0]
    cpath = f"/api/v1/cases/{case['id']}/charges/{charge['id']}"
    client.patch(cpath, json={"status": "dismissed"}, headers={"If-Match": etag_of(client, cpath)})
    assert client.get(f"{cpath}/history").json["items"][-1]["changes"] == {"status": ["pending", "dismissed"]}
    group = client.get("/api/v1/threat-groups").json["items"][0]
    assert client.get(f"/api/v1/threat-groups/{group['id']}/history").json["total"] == 1
    problem(client.get("/api/v1/persons/999999/history"), 404)


def test_failed_write_leaves_no_history(client):
    person = create(client, "/api/v1/persons", {"name": "No Trace"})
    path = f"/api/v1/persons/{person['id']}"
    problem(client.patch(path, json={"nationalities": ["XX"]}, headers={"If-Match": etag_of(client, path)}), 422)
    create(client, "/api/v1/designations", {"entity_id": person["id"], "authority": "UN", "list_ref": "QDi.1"})
    problem(client.post("/api/v1/designations", json={"entity_id": person["id"], "authority": "UN", "list_ref": "QDi.1"}), 409)
    assert client.get(f"{path}/history").json["total"] == 1

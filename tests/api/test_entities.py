"""Persons and companies: CRUD, ETags, archive, validation."""

from __future__ import annotations

from tests.helpers import create, etag_of, problem

FULL_PERSON = {
    "name": "DOE, John",
    "names": [{"name": "Johnny Doe", "kind": "aka"}, {"name": "Джон Доу", "kind": "original_script", "script": "Cyrillic", "lang": "ru"}],
    "identifiers": [{"scheme": "passport", "value": "X1234567", "country": "gb"}],
    "birth_dates": ["1970", "1971-02", "1972-03-04"],
    "places_of_birth": ["London, United Kingdom"],
    "nationalities": ["GB"],
    "countries": ["RU"],
    "addresses": [{"city": "Moscow", "country": "RU"}],
    "gender": "male",
    "notes": "test",
    "properties": {"title": "Dr"},
    "source_urls": ["https://example.org/doe"],
}


def test_person_with_only_a_name(client):
    resp = client.post("/api/v1/persons", json={"name": "Jane Roe"})
    assert resp.status_code == 201
    body = resp.json
    assert resp.headers["Location"].endswith(f"/api/v1/persons/{body['id']}")
    assert resp.headers["ETag"]
    assert body["type"] == "person" and body["version"] == 1
    assert body["names"] == [{"name": "Jane Roe", "kind": "primary", "script": None, "lang": None}]
    assert body["designations"] == [] and body["charges"] == [] and body["threat_groups"] == []
    assert body["created_at"].endswith("+00:00")


def test_full_person_round_trip(client):
    body = create(client, "/api/v1/persons", FULL_PERSON)
    read = client.get(f"/api/v1/persons/{body['id']}").json
    assert read == body
    assert read["identifiers"][0]["country"] == "GB"  # upper-cased
    assert [n["kind"] for n in read["names"]] == ["primary", "aka", "original_script"]
    assert read["birth_dates"] == ["1970", "1971-02", "1972-03-04"]


def test_company_and_organization(client):
    company = create(client, "/api/v1/companies", {"name": "Acme Ltd"})
    org = create(client, "/api/v1/companies", {"name": "Some Ministry", "type": "organization"})
    assert company["type"] == "company" and org["type"] == "organization"
    listed = client.get("/api/v1/companies?type=organization").json
    assert [i["name"] for i in listed["items"]] == ["Some Ministry"]
    # A company is not a person: same answer as an unknown id.
    problem(client.get(f"/api/v1/persons/{company['id']}"), 404)
    problem(client.post("/api/v1/companies", json={"name": "X", "type": "person"}), 422)
    problem(client.post("/api/v1/persons", json={"name": "X", "type": "company"}), 422)


def test_put_replaces_and_patch_changes_only_given_fields(client):
    body = create(client, "/api/v1/persons", FULL_PERSON)
    path = f"/api/v1/persons/{body['id']}"
    resp = client.patch(path, json={"notes": "changed"}, headers={"If-Match": etag_of(client, path)})
    assert resp.status_code == 200, resp.json
    assert resp.json["notes"] == "changed" and resp.json["nationalities"] == ["GB"]
    assert resp.json["version"] == 2
    assert len(resp.json["names"]) == 3
    resp = client.put(path, json={"name": "DOE, Jonathan"}, headers={"If-Match": resp.headers["ETag"]})
    assert resp.status_code == 200, resp.json
    assert resp.json["name"] == "DOE, Jonathan"
    assert resp.json["nationalities"] == [] and resp.json["identifiers"] == [] and resp.json["notes"] is None
    assert resp.json["names"] == [{"name": "DOE, Jonathan", "kind": "primary", "script": None, "lang": None}]
    assert resp.json["version"] == 3


def test_patch_primary_name_keeps_other_names(client):
    body = create(client, "/api/v1/persons", FULL_PERSON)
    path = f"/api/v1/persons/{body['id']}"
    resp = client.patch(path, json={"name": "DOE, J."}, headers={"If-Match": etag_of(client, path)})
    names = [(n["name"], n["kind"]) for n in resp.json["names"]]
    assert names == [("DOE, J.", "primary"), ("Johnny Doe", "aka"), ("Джон Доу", "original_script")]


def test_patch_nested_items_are_validated_whole(client):
    body = create(client, "/api/v1/persons", {"name": "A B"})
    path = f"/api/v1/persons/{body['id']}"
    resp = client.patch(path, json={"names": [{"kind": "aka"}]}, headers={"If-Match": etag_of(client, path)})
    err = problem(resp, 422)
    assert "names" in err["errors"]


def test_etag_rules(client):
    body = create(client, "/api/v1/persons", {"name": "Etag Person"})
    path = f"/api/v1/persons/{body['id']}"
    etag = etag_of(client, path)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    problem(client.patch(path, json={"notes": "x"}), 428)
    problem(client.put(path, json={"name": "x"}), 428)
    problem(client.delete(path), 428)
    problem(client.patch(path, json={"notes": "x"}, headers={"If-Match": '"stale"'}), 412)
    ok = client.patch(path, json={"notes": "x"}, headers={"If-Match": etag})
    assert ok.status_code == 200 and ok.headers["ETag"] != etag
    # The old ETag is now stale.
    problem(client.patch(path, json={"notes": "y"}, headers={"If-Match": etag}), 412)
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200


def test_archive_hides_but_keeps(client):
    body = create(client, "/api/v1/persons", {"name": "Archived Person"})
    path = f"/api/v1/persons/{body['id']}"
    assert client.delete(path, headers={"If-Match": etag_of(client, path)}).status_code == 204
    problem(client.get(path), 404)
    assert client.get("/api/v1/persons?name=Archived").json["total"] == 0
    kept = client.get(path + "?include_archived=true")
    assert kept.status_code == 200 and kept.json["archived"] is True and kept.json["archived_at"]
    assert kept.json["version"] == 2
    assert client.get("/api/v1/persons?name=Archived&include_archived=true").json["total"] == 1
    # Archived records cannot be changed or archived again through the normal path.
    problem(client.patch(path, json={"notes": "x"}, headers={"If-Match": "*"}), 404)


def test_validation_errors_are_field_level(client):
    resp = client.post("/api/v1/persons", json={
        "name": "", "gender": "x", "nationalities": ["ZZ"], "birth_dates": ["1985-02-30", "85"],
        "identifiers": [{"scheme": "Pass Port", "value": "1"}], "source_urls": ["ftp://x"], "extra": 1,
    })
    err = problem(resp, 422)["errors"]
    assert set(err) == {"name", "gender", "nationalities", "birth_dates", "identifiers", "source_urls", "extra"}
    assert err["extra"] == ["Unknown field."]
    problem(client.post("/api/v1/persons", json={}), 422)
    problem(client.post("/api/v1/persons", json=[1, 2]), 422)
    assert client.get("/api/v1/persons").json["total"] == 0


def test_unknown_ids(client):
    problem(client.get("/api/v1/persons/999999"), 404)
    problem(client.patch("/api/v1/persons/999999", json={"notes": "x"}, headers={"If-Match": "*"}), 404)
    problem(client.get("/api/v1/persons/abc"), 404)

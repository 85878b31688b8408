"""Threat groups, designations, cases, defendants and charges: CRUD and rules."""

from __future__ import annotations

from tests.helpers import create, etag_of, problem

DESIG = {"authority": "OFAC", "programme": "SDGT", "list_ref": "123", "listed_on": "2020-01-02",
         "measures": ["asset freeze"], "legal_basis": "E.O. 13224"}


def test_threat_group_crud_and_members(client):
    group = create(client, "/api/v1/threat-groups", {"name": "APT99", "aliases": ["Foo Panda"], "mitre_id": "G9999"})
    problem(client.post("/api/v1/threat-groups", json={"name": "APT99"}), 409)
    problem(client.post("/api/v1/threat-groups", json={"name": "Other", "mitre_id": "G9999"}), 409)
    problem(client.post("/api/v1/threat-groups", json={"name": "Bad", "mitre_id": "9999"}), 422)
    person = create(client, "/api/v1/persons", {"name": "Member One"})
    members = f"/api/v1/threat-groups/{group['id']}/members"
    link = create(client, members, {"entity_id": person["id"], "role": "operator"})
    assert link["entity"]["name"] == "Member One"
    problem(client.post(members, json={"entity_id": person["id"], "role": "operator"}), 409)
    problem(client.post(members, json={"entity_id": 999999}), 422)
    problem(client.post(members, json={"entity_id": person["id"], "role": "janitor"}), 422)
    link_path = f"{members}/{link['id']}"
    resp = client.patch(link_path, json={"role": "leader"}, headers={"If-Match": etag_of(client, link_path)})
    assert resp.status_code == 200 and resp.json["role"] == "leader"
    read = client.get(f"/api/v1/persons/{person['id']}").json
    assert read["threat_groups"][0]["role"] == "leader"
    assert client.delete(link_path, headers={"If-Match": etag_of(client, link_path)}).status_code == 204
    assert client.get(members).json["total"] == 0
    assert client.get(members + "?include_archived=true").json["total"] == 1
    assert client.get(f"/api/v1/persons/{person['id']}").json["threat_groups"] == []
    gpath = f"/api/v1/threat-groups/{group['id']}"
    resp = client.put(gpath, json={"name": "APT99"}, headers={"If-Match": etag_of(client, gpath)})
    assert resp.json["aliases"] == [] and resp.json["mitre_id"] is None


def test_designation_rules(client):
    person = create(client, "/api/v1/persons", {"name": "Listed Person"})
    d = create(client, "/api/v1/designations", {**DESIG, "entity_id": person["id"]})
    assert d["reference"] == "OFAC:123" and d["active"] is True and d["entity"]["name"] == "Listed Person"
    dup = problem(client.post("/api/v1/designations", json={**DESIG, "entity_id": person["id"]}), 409)
    assert "list_ref" in dup["errors"]
    # Same reference under another authority is fine.
    create(client, "/api/v1/designations", {**DESIG, "authority": "UK", "entity_id": person["id"]})
    problem(client.post("/api/v1/designations", json={**DESIG, "list_ref": "9", "entity_id": 424242}), 422)
    bad = problem(client.post("/api/v1/designations", json={**DESIG, "list_ref": "8", "entity_id": person["id"],
                                                          "delisted_on": "2019-01-01"}), 422)
    assert "delisted_on" in bad["errors"]
    problem(client.post("/api/v1/designations", json={**DESIG, "authority": "ofac", "entity_id": person["id"]}), 422)
    # Person version grows when a designation is added.
    assert client.get(f"/api/v1/persons/{person['id']}").json["version"] >= 3
    path = f"/api/v1/designations/{d['id']}"
    assert client.delete(path, headers={"If-Match": etag_of(client, path)}).status_code == 204
    refs = [x["reference"] for x in client.get(f"/api/v1/persons/{person['id']}").json["designations"]]
    assert refs == ["UK:123"]
    # A PATCH that would collide with another listing is refused and changes nothing.
    other = create(client, "/api/v1/designations", {**DESIG, "list_ref": "200", "entity_id": person["id"]})
    opath = f"/api/v1/designations/{other['id']}"
    problem(client.patch(opath, json={"authority": "UK", "list_ref": "123"}, headers={"If-Match": etag_of(client, opath)}), 409)
    assert client.get(opath).json["list_ref"] == "200"


def test_case_defendants_and_charges(client):
    person = create(client, "/api/v1/persons", {"name": "Defendant One"})
    other = create(client, "/api/v1/persons", {"name": "Not A Defendant"})
    case = create(client, "/api/v1/cases", {"title": "US v. One", "court": "SDNY", "case_number": "1:24-cr-1",
                                           "filed_on": "2024-01-01", "status": "sealed"})
    problem(client.post("/api/v1/cases", json={"title": "dup", "court": "SDNY", "case_number": "1:24-cr-1"}), 409)
    problem(client.post("/api/v1/cases", json={"title": "x", "court": "SDNY", "filed_on": "2024-02-02",
                                               "unsealed_on": "2024-01-01"}), 422)
    problem(client.post("/api/v1/cases", json={"title": "x", "court": "SDNY", "threat_group_id": 999}), 422)
    base = f"/api/v1/cases/{case['id']}"
    charge = {"entity_id": person["id"], "count_number": 1, "statute": "18 U.S.C. § 371"}
    problem(client.post(f"{base}/charges", json=charge), 422)  # not a defendant yet
    dfd = create(client, f"{base}/defendants", {"entity_id": person["id"]})
    problem(client.post(f"{base}/defendants", json={"entity_id": person["id"]}), 409)
    c1 = create(client, f"{base}/charges", charge)
    assert c1["status"] == "pending"
    problem(client.post(f"{base}/charges", json=charge), 409)
    problem(client.post(f"{base}/charges", json={**charge, "entity_id": other["id"]}), 422)
    problem(client.post(f"{base}/charges", json={**charge, "count_number": 2, "status": "guilty"}), 422)
    cpath = f"{base}/charges/{c1['id']}"
    resp = client.patch(cpath, json={"status": "convicted"}, headers={"If-Match": etag_of(client, cpath)})
    assert resp.status_code == 200 and resp.json["status"] == "convicted"
    read = client.get(base).json
    assert read["defendants"][0]["charges"][0]["status"] == "convicted"
    assert client.get(f"/api/v1/persons/{person['id']}").json["charges"][0]["status"] == "convicted"
    assert client.get(f"{base}/charges?status=convicted").json["total"] == 1
    assert client.get(f"/api/v1/cases/999/charges/{c1['id']}").status_code == 404
    resp = client.patch(base, json={"status": "open", "unsealed_on": "2024-03-01"}, headers={"If-Match": etag_of(client, base)})
    assert resp.json["status"] == "open"
    dpath = f"{base}/defendants/{dfd['id']}"
    assert client.delete(dpath, headers={"If-Match": etag_of(client, dpath)}).status_code == 204
    assert client.get(base).json["defendants"] == []
    assert client.delete(base, headers={"If-Match": etag_of(client, base)}).status_code == 204
    assert client.get("/api/v1/cases").json["total"] == 0
    assert client.get(f"/api/v1/persons/{person['id']}").json["charges"] == []

"""The same contract for every resource: create, read, list, PUT, PATCH, ETag rules, archive."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import create, problem


def _person(client: Any) -> int:
    return create(client, "/api/v1/persons", {"name": "Contract Person"})["id"]


def _case_with_defendant(client: Any) -> tuple[int, int]:
    person = _person(client)
    case = create(client, "/api/v1/cases", {"title": "Contract case", "court": "EDNY"})["id"]
    create(client, f"/api/v1/cases/{case}/defendants", {"entity_id": person})
    return case, person


# resource -> (collection path, create body, PUT body, PATCH body, field changed by PATCH)
def setups(client: Any, resource: str) -> tuple[str, dict, dict, dict, str]:
    if resource == "persons":
        return "/api/v1/persons", {"name": "P One"}, {"name": "P Two", "gender": "female"}, {"notes": "n"}, "notes"
    if resource == "companies":
        return "/api/v1/companies", {"name": "C One"}, {"name": "C Two", "type": "organization"}, {"countries": ["DE"]}, "countries"
    if resource == "vessels":
        return "/api/v1/vessels", {"name": "V One"}, {"name": "V Two", "type": "aircraft"}, {"properties": {"flag": "PA", "call_sign": "3EXY"}}, "properties"
    if resource == "threat-groups":
        return "/api/v1/threat-groups", {"name": "G One"}, {"name": "G Two", "aliases": ["X"]}, {"sponsor": "S"}, "sponsor"
    if resource == "designations":
        person = _person(client)
        body = {"entity_id": person, "authority": "EU", "list_ref": "EU.1"}
        return "/api/v1/designations", body, {**body, "programme": "TERR"}, {"delisted_on": "2030-01-01"}, "delisted_on"
    if resource == "cases":
        body = {"title": "Case One", "court": "EDNY"}
        return "/api/v1/cases", body, {**body, "status": "closed"}, {"summary": "s"}, "summary"
    if resource == "charges":
        case, person = _case_with_defendant(client)
        body = {"entity_id": person, "count_number": 1, "statute": "18 U.S.C. § 371"}
        return f"/api/v1/cases/{case}/charges", body, {**body, "statute": "18 U.S.C. § 1349"}, {"status": "dismissed"}, "status"
    raise AssertionError(resource)


RESOURCES = ["persons", "companies", "vessels", "threat-groups", "designations", "cases", "charges"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_crud_contract(client, resource):
    collection, body, put_body, patch_body, patched = setups(client, resource)
    item = create(client, collection, body)
    path = f"{collection}/{item['id']}"
    assert item["version"] == 1
    read = client.get(path)
    assert read.status_code == 200 and read.json == item
    etag = read.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    listed = client.get(collection).json
    assert listed["total"] == 1 and listed["items"][0]["id"] == item["id"]

    problem(client.put(path, json=put_body), 428)
    problem(client.put(path, json=put_body, headers={"If-Match": '"nope"'}), 412)
    put = client.put(path, json=put_body, headers={"If-Match": etag})
    assert put.status_code == 200, put.json
    for key, value in put_body.items():
        assert put.json[key] == value
    assert put.json["version"] == 2

    problem(client.patch(path, json=patch_body, headers={"If-Match": etag}), 412)  # stale now
    patch = client.patch(path, json=patch_body, headers={"If-Match": put.headers["ETag"]})
    assert patch.status_code == 200, patch.json
    assert patch.json[patched] == patch_body[patched] and patch.json["version"] == 3
    problem(client.patch(path, json={"no_such_field": 1}, headers={"If-Match": patch.headers["ETag"]}), 422)
    assert client.get(path).json == patch.json  # the failed write changed nothing

    problem(client.delete(path), 428)
    assert client.delete(path, headers={"If-Match": patch.headers["ETag"]}).status_code == 204
    problem(client.get(path), 404)
    assert client.get(collection).json["total"] == 0
    archived = client.get(f"{path}?include_archived=true").json
    assert archived["archived"] is True and archived["version"] == 4
    assert client.get(f"{collection}?include_archived=true").json["total"] == 1
    problem(client.get(f"{collection}/987654"), 404)

"""List endpoints: pagination, filters and sorting over the seeded APT31 case plus extras."""

from __future__ import annotations

from tests.helpers import create, etag_of, problem


def names(resp):
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [i["name"] for i in resp.json["items"]]


def test_pagination_and_cap(client, seeded):
    first = client.get("/api/v1/persons?page_size=3").json
    assert first["total"] == 7 and first["pages"] == 3 and len(first["items"]) == 3
    third = client.get("/api/v1/persons?page_size=3&page=3").json
    assert len(third["items"]) == 1
    beyond = client.get("/api/v1/persons?page_size=3&page=9").json
    assert beyond["items"] == [] and beyond["total"] == 7
    err = problem(client.get("/api/v1/persons?page_size=5000"), 422)
    assert "page_size" in str(err["errors"])
    problem(client.get("/api/v1/persons?page=0"), 422)


def test_sorting(client, seeded):
    asc = names(client.get("/api/v1/persons?sort=name"))
    assert asc == sorted(asc)
    assert names(client.get("/api/v1/persons?sort=-name")) == list(reversed(asc))
    problem(client.get("/api/v1/persons?sort=password"), 422)


def test_entity_filters(client, seeded):
    assert len(names(client.get("/api/v1/persons?threat_group=APT31"))) == 7
    assert len(names(client.get("/api/v1/persons?threat_group=violet typhoon"))) == 7
    assert len(names(client.get("/api/v1/persons?threat_group=G0128"))) == 7
    assert names(client.get("/api/v1/persons?threat_group=nobody")) == []
    assert names(client.get("/api/v1/persons?authority=OFAC")) == ["NI, Gaobin", "ZHAO, Guangzong"]
    assert names(client.get("/api/v1/persons?authority=uk&programme=cyber")) == ["NI, Gaobin", "ZHAO, Guangzong"]
    assert names(client.get("/api/v1/persons?name=guangzong")) == ["ZHAO, Guangzong"]
    assert names(client.get("/api/v1/persons?name=赵光")) == ["ZHAO, Guangzong"]
    assert len(names(client.get("/api/v1/persons?country=cn"))) == 7
    assert names(client.get("/api/v1/persons?identifier=421003198511121539")) == ["ZHAO, Guangzong"]
    assert len(names(client.get("/api/v1/persons?case_status=open"))) == 7
    assert names(client.get("/api/v1/persons?case_status=closed")) == []
    assert names(client.get("/api/v1/persons?active=true")) == ["NI, Gaobin", "ZHAO, Guangzong"]
    assert names(client.get("/api/v1/persons?active=false")) == []
    assert len(names(client.get("/api/v1/persons?listed_from=2024-03-25&listed_to=2024-03-25"))) == 2
    assert names(client.get("/api/v1/persons?listed_from=2024-03-26")) == []
    assert names(client.get("/api/v1/companies?authority=OFAC")) == [
        "WUHAN XIAORUIZHI SCIENCE AND TECHNOLOGY COMPANY, LIMITED"
    ]
    problem(client.get("/api/v1/persons?country=XX"), 422)
    problem(client.get("/api/v1/persons?listed_from=yesterday"), 422)
    problem(client.get("/api/v1/persons?bogus=1"), 422)


def test_delisting_moves_entity_between_active_filters(client, seeded):
    ofac = client.get("/api/v1/designations?authority=OFAC&list_ref=47818").json["items"][0]
    path = f"/api/v1/designations/{ofac['id']}"
    resp = client.patch(path, json={"delisted_on": "2025-01-01"}, headers={"If-Match": etag_of(client, path)})
    assert resp.status_code == 200 and resp.json["active"] is False
    assert names(client.get("/api/v1/persons?authority=OFAC&active=true")) == ["ZHAO, Guangzong"]
    assert names(client.get("/api/v1/persons?authority=OFAC&active=false")) == ["NI, Gaobin"]
    # Still active under the UK listing.
    assert "NI, Gaobin" in names(client.get("/api/v1/persons?active=true"))
    delisted = client.get("/api/v1/designations?active=false").json
    assert [d["reference"] for d in delisted["items"]] == ["OFAC:47818"]


def test_designation_and_case_filters(client, seeded):
    d = client.get("/api/v1/designations?authority=UK&sort=list_ref").json
    assert [i["list_ref"] for i in d["items"]] == ["CYB0044", "CYB0045", "CYB0046"]
    assert client.get("/api/v1/designations?programme=CYBER2").json["total"] == 3
    assert client.get("/api/v1/designations?name=Zhao").json["total"] == 2
    assert client.get("/api/v1/designations?listed_to=2024-01-01").json["total"] == 0
    zhao = seeded["ZHAO, Guangzong"]
    assert client.get(f"/api/v1/designations?entity_id={zhao}").json["total"] == 2
    assert client.get("/api/v1/cases?status=open").json["total"] == 1
    assert client.get("/api/v1/cases?status=closed").json["total"] == 0
    assert client.get("/api/v1/cases?threat_group=APT31").json["total"] == 1
    assert client.get(f"/api/v1/cases?defendant={zhao}").json["total"] == 1
    assert client.get("/api/v1/cases?court=eastern district").json["total"] == 1
    assert client.get("/api/v1/cases?filed_from=2024-02-01").json["total"] == 0
    assert client.get("/api/v1/threat-groups?q=zircon").json["total"] == 1
    assert client.get("/api/v1/threat-groups?q=lazarus").json["total"] == 0


def test_list_etag_changes_with_content(client, seeded):
    first = client.get("/api/v1/persons")
    assert client.get("/api/v1/persons", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    create(client, "/api/v1/persons", {"name": "New Person"})
    assert client.get("/api/v1/persons", headers={"If-None-Match": first.headers["ETag"]}).status_code == 200

"""The founding case, as compliance staff read it."""

from __future__ import annotations

from service.config import ROOT
from service.extensions import db
from service.models import Entity, ListState
from service.seed import load_seed, read_seed_files


def test_seven_defendants_in_apt31(client, seeded):
    body = client.get("/api/v1/persons?threat_group=APT31").json
    assert body["total"] == 7
    originals = {n["name"] for p in body["items"] for n in p["names"] if n["kind"] == "original_script"}
    assert originals == {"倪高彬", "翁明", "程锋", "彭耀文", "孙小辉", "熊旺", "赵光宗"}


def test_zhao_record_shows_both_designations_and_both_charges(client, seeded):
    zhao = client.get(f"/api/v1/persons/{seeded['ZHAO, Guangzong']}").json
    assert {d["reference"] for d in zhao["designations"]} == {"OFAC:47814", "UK:CYB0045"}
    assert all(d["active"] and d["listed_on"] == "2024-03-25" for d in zhao["designations"])
    assert sorted(c["statute"] for c in zhao["charges"]) == ["18 U.S.C. § 1349", "18 U.S.C. § 371"]
    assert zhao["birth_dates"] == ["1985-11-12"]
    assert zhao["places_of_birth"] == ["Jingzhou Municipality, China"]
    assert zhao["identifiers"][0] == {"scheme": "national_id", "value": "421003198511121539", "country": "CN",
                                      "notes": None, "issued_on": None}
    assert zhao["threat_groups"][0]["name"] == "APT31" and zhao["threat_groups"][0]["role"] == "member"
    assert zhao["cases"][0]["filed_on"] == "2024-01-30"
    assert all(u.startswith("https://") for u in zhao["source_urls"])


def test_threat_group_shows_aliases_members_sanctions_and_charges(client, seeded):
    group = client.get(f"/api/v1/threat-groups/{seeded['APT31']}").json
    assert group["mitre_id"] == "G0128"
    assert {"ZIRCONIUM", "Violet Typhoon", "JUDGMENT PANDA", "BRONZE VINEWOOD", "TA412"} <= set(group["aliases"])
    assert len(group["members"]) == 8
    roles = {m["entity"]["name"]: m["role"] for m in group["members"]}
    assert roles["WUHAN XIAORUIZHI SCIENCE AND TECHNOLOGY COMPANY, LIMITED"] == "front_company"
    ni = next(m for m in group["members"] if m["entity"]["name"] == "NI, Gaobin")
    assert {d["reference"] for d in ni["entity"]["designations"]} == {"OFAC:47818", "UK:CYB0046"}
    assert len(ni["entity"]["charges"]) == 2
    assert group["cases"][0]["court"] == "US District Court, Eastern District of New York"


def test_case_shows_defendants_and_charges(client, seeded):
    cases = client.get("/api/v1/cases").json["items"]
    case = client.get(f"/api/v1/cases/{cases[0]['id']}").json
    assert case["filed_on"] == "2024-01-30" and case["unsealed_on"] == "2024-03-25"
    assert case["case_number"] is None and case["threat_group"]["name"] == "APT31"
    assert len(case["defendants"]) == 7
    for defendant in case["defendants"]:
        assert [(c["count_number"], c["statute"]) for c in defendant["charges"]] == [
            (1, "18 U.S.C. § 371"), (2, "18 U.S.C. § 1349")
        ]
    company = client.get(f"/api/v1/companies/{seeded['WUHAN XIAORUIZHI SCIENCE AND TECHNOLOGY COMPANY, LIMITED']}").json
    assert company["identifiers"][0]["value"] == "91420100551956105K"
    assert {d["reference"] for d in company["designations"]} == {"OFAC:47800", "UK:CYB0044"}


def test_seed_twice_changes_nothing(app, seeded):
    with app.app_context():
        before = {e.id: e.version for e in db.session.query(Entity)}
        counter = db.session.get(ListState, 1).counter
        report = load_seed(session=db.session, docs=read_seed_files(ROOT / "seed"))
        db.session.commit()
        assert report.created == {}
        assert {e.id: e.version for e in db.session.query(Entity)} == before
        db.session.expire_all()
        assert db.session.get(ListState, 1).counter == counter


def test_seed_keeps_what_others_added(client, app, seeded):
    """Reloading the seed adds its values to a record, never removes an alias or identifier
    that an import or an editor added."""
    from tests.helpers import etag_of

    path = f"/api/v1/persons/{seeded['NI, Gaobin']}"
    current = client.get(path).json
    names = [n for n in current["names"] if n["kind"] != "primary"] + [{"name": "NI Gao-bin", "kind": "aka"}]
    resp = client.patch(path, json={"names": names, "countries": ["CN", "HK"]}, headers={"If-Match": etag_of(client, path)})
    assert resp.status_code == 200
    version = resp.json["version"]
    with app.app_context():
        load_seed(session=db.session, docs=read_seed_files(ROOT / "seed"))
        db.session.commit()
    after = client.get(path).json
    assert "NI Gao-bin" in [n["name"] for n in after["names"]] and after["countries"] == ["CN", "HK"]
    assert after["version"] == version

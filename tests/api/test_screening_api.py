"""/screen, /screen/batch, /search and `sanctions screen` against the records."""

from __future__ import annotations

import json

from click.testing import CliRunner

from service import create_app
from service.cli import main
from service.screening import ALGORITHM, DEFAULT_THRESHOLD
from tests.conftest import authed, make_key
from tests.helpers import create, etag_of, problem


def screen(client, **body):
    resp = client.post("/api/v1/screen", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.json


def test_screen_finds_apt31_across_scripts(client, seeded):
    for name in ("赵光宗", "Guangzong Zhao", "ZHAO Guang Zong", "Zhao Guangzhong"):
        result = screen(client, name=name, type="person")
        top = result["matches"][0]
        assert top["name"] == "ZHAO, Guangzong" and top["match"], name
        assert set(top["references"]) == {"OFAC:47814", "UK:CYB0045"}
    assert result["algorithm"] == ALGORITHM and result["threshold"] == DEFAULT_THRESHOLD
    assert result["list_fingerprint"] and result["list_version"] >= 1
    entity = top["entity"]
    assert {d["reference"] for d in entity["designations"]} == {"OFAC:47814", "UK:CYB0045"}
    assert len(entity["charges"]) == 2 and entity["threat_groups"][0]["name"] == "APT31"
    explanation = top["explanation"]
    assert {"matched_name", "matched_name_kind", "name_score", "adjustments", "final_score"} <= set(explanation)


def test_company_legal_forms_and_type_rule(client, seeded):
    top = screen(client, name="Wuhan Xiaoruizhi Science & Technology Co., Ltd.")["matches"][0]
    assert top["match"] and set(top["references"]) == {"OFAC:47800", "UK:CYB0044"}
    assert not [m for m in screen(client, name="EMMA LLC")["matches"] if m["match"]]
    assert not [m for m in screen(client, name="Science and Technology Company Limited")["matches"] if m["match"]]
    assert screen(client, name="Zhao Guangzong", type="company")["matches"] == []


def test_birth_date_and_identifier_evidence(client, seeded):
    same = screen(client, name="Zhao Guangzong", birth_date="1985-11-12")["matches"][0]
    other = screen(client, name="Zhao Guangzong", birth_date="1960-01-01")["matches"][0]
    assert other["score"] < same["score"]
    assert any(a["feature"] == "birth_date" and a["effect"] < 0 for a in other["explanation"]["adjustments"])
    # A matching birth date alone never makes a match.
    assert not [m for m in screen(client, name="Peter Miller", birth_date="1985-11-12")["matches"] if m["match"]]
    by_id = screen(client, name="G. Zhao", identifiers=[{"scheme": "national_id", "value": "421003198511121539"}])
    assert by_id["matches"][0]["entity_id"] == same["entity_id"] and by_id["matches"][0]["match"]


def test_read_your_writes(client, app):
    assert screen(client, name="Ivan Petrovich Sidorov")["matches"] == []
    person = create(client, "/api/v1/persons", {"name": "SIDOROV, Ivan Petrovich"})
    assert screen(client, name="Ivan Petrovich Sidorov")["matches"][0]["entity_id"] == person["id"]
    path = f"/api/v1/persons/{person['id']}"
    client.patch(path, json={"names": [{"name": "Ваня Сидоров", "kind": "aka"}]}, headers={"If-Match": etag_of(client, path)})
    assert screen(client, name="Ваня Сидоров")["matches"][0]["entity_id"] == person["id"]
    create(client, "/api/v1/designations", {"entity_id": person["id"], "authority": "UK", "list_ref": "RUS9999"})
    assert screen(client, name="Ivan Sidorov")["matches"][0]["references"] == ["UK:RUS9999"]
    client.delete(path, headers={"If-Match": etag_of(client, path)})
    assert screen(client, name="Ivan Petrovich Sidorov")["matches"] == []
    assert app.extensions["screening_index"].last_refresh["mode"] == "refresh"


def test_other_worker_sees_writes(client, app, database_url):
    """A second app on the same database (another worker process) screens what the first wrote."""
    other_app = create_app({"DATABASE_URL": database_url})
    other = authed(other_app.test_client(), make_key(other_app, "screener"))
    assert screen(other, name="Olga Nikolaevna Zyryanova")["matches"] == []
    create(client, "/api/v1/persons", {"name": "ZYRYANOVA, Olga Nikolaevna"})
    assert screen(other, name="Olga Nikolaevna Zyryanova")["matches"][0]["name"] == "ZYRYANOVA, Olga Nikolaevna"


def test_batch(client, seeded):
    resp = client.post("/api/v1/screen/batch", json={"queries": {
        "v1": {"name": "Ni Gaobin", "type": "person"}, "v2": {"name": "Jane Austen"},
        "v3": {"name": "Wuhan XRZ", "type": "company"},
    }, "threshold": 0.8})
    assert resp.status_code == 200
    out = resp.json["responses"]
    assert out["v1"]["matches"][0]["references"] == ["OFAC:47818", "UK:CYB0046"]
    assert [m for m in out["v2"]["matches"] if m["match"]] == []
    assert out["v1"]["threshold"] == 0.8
    too_many = {"queries": {str(i): {"name": f"Name {i}"} for i in range(1001)}}
    err = problem(client.post("/api/v1/screen/batch", json=too_many), 413)
    assert "1000" in err["detail"]
    err = problem(client.post("/api/v1/screen/batch", json={"queries": {"a": {"name": ""}}}), 422)
    assert "queries" in err["errors"]


def test_screen_validation(client):
    problem(client.post("/api/v1/screen", json={}), 422)
    problem(client.post("/api/v1/screen", json={"name": "x", "threshold": 2}), 422)
    problem(client.post("/api/v1/screen", json={"name": "x", "birth_date": "12/11/1985"}), 422)
    problem(client.post("/api/v1/screen", json={"name": "x", "type": "dog"}), 422)
    problem(client.post("/api/v1/screen", data="name=x", content_type="text/plain"), 415)


def test_search_with_filters(client, seeded):
    body = client.get("/api/v1/search?q=gaobin ni").json
    assert body["items"][0]["entity"]["name"] == "NI, Gaobin"
    assert client.get("/api/v1/search?q=zhao guangzong&authority=UK").json["total"] == 1
    assert client.get("/api/v1/search?q=zhao guangzong&authority=EU").json["total"] == 0
    assert client.get("/api/v1/search?q=weng ming&active=true").json["total"] == 0
    assert client.get("/api/v1/search?q=weng ming&threat_group=APT31").json["total"] == 1
    assert client.get("/api/v1/search?q=wuhan xiaoruizhi&type=company").json["total"] == 1
    assert client.get("/api/v1/search?q=wuhan xiaoruizhi&type=person").json["total"] == 0
    problem(client.get("/api/v1/search"), 422)


def test_screen_cli(app, seeded, database_url, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("ref,name,birth_date,country\nA1,赵光宗,1985-11-12,CN\nA2,Jane Austen,,\nA3,,,\nA4,Ni Gaobin,85,\n",
                   encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "out.csv"
    result = runner.invoke(main, ["screen", str(src), "-o", str(out)], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()  # the file starts with a BOM, as jobs' do
    assert lines[0].startswith("ref,name,birth_date,country,match_entity_id,match_name")
    assert lines[1].startswith("A1,赵光宗,1985-11-12,CN,") and "OFAC:47814;UK:CYB0045" in lines[1]
    assert "name: Missing data" in lines[3] and "birth_date" in lines[4]
    jsonl = tmp_path / "out.jsonl"
    result = runner.invoke(main, ["screen", str(src), "-o", str(jsonl), "--format", "jsonl", "--threshold", "0.9"],
                           env={"DATABASE_URL": database_url})
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["input"] == {"ref": "A1", "name": "赵光宗", "birth_date": "1985-11-12", "country": "CN"}
    assert rows[0]["matches"][0]["references"] == ["OFAC:47814", "UK:CYB0045"]
    assert "decision" in rows[0] and set(rows[0]["matches"][0]) == {
        "entity_id", "name", "matched_name", "score", "match", "references", "explanation"}
    bad = tmp_path / "bad.csv"
    bad.write_text("city,zip\nParis,75001\n")
    result = runner.invoke(main, ["screen", str(bad)], env={"DATABASE_URL": database_url})
    assert result.exit_code == 1 and "no 'name' column" in result.output


def test_warming_the_index_leaves_the_engines_query_caches_empty(client, app):
    """What a master runs before forking its workers: the build and the warm-up queries fill the
    engine's caches, which warm() then empties (a worker would copy each page of them it hit)."""
    from service.extensions import db
    from service.screening.chinese import pinyin_readings
    from service.screening.keys import PHONETIC_KEYS
    from service.screening.tokens import token_sim

    create(client, "/api/v1/persons", {"name": "MAO, Tse-tung"})
    screen(client, name="Mao Zedong")
    caches = (pinyin_readings, token_sim, PHONETIC_KEYS)
    assert all(cache.cache_info().currsize for cache in caches)
    with app.app_context():
        app.extensions["screening_index"].warm(session=db.session)
    assert [cache.cache_info().currsize for cache in caches] == [0, 0, 0]
    assert screen(client, name="Mao Zedong")["matches"]  # and screening goes on as before

"""Reliability under faults, as a client sees it: a database outage is a 503 with Retry-After
(one log line per outage, 200 again once it is back); concurrent writes of different children
of one record all succeed (no 412 nobody asked for), duplicates are 409; hostile numbers and
strings are 422 before any query; a chunked body over the limit is 413. Each test also checks
that nothing was lost, duplicated or half-written."""

from __future__ import annotations

import io
import logging
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from service import create_app
from service.config import normalise_database_url
from service.extensions import db
from service.migrate import upgrade_database
from service.models import (
    CaseDefendant,
    Charge,
    Designation,
    Entity,
    HistoryEntry,
    ThreatGroupMember,
)
from tests.conftest import PG_URL, PostgresDatabase, authed, make_key
from tests.helpers import PROBLEM, create, etag_of, problem

from .proxy import PgProxy

BIG = 10**20  # past PostgreSQL's BIGINT, let alone the INTEGER id columns


# --- helpers ----------------------------------------------------------------------------

def in_parallel(app: Any, token: str, calls: list[Callable[[Any], Any]]) -> list[Any]:
    """Run each call with its own test client (one app, one database) in its own thread, all
    released at once; returns the responses in the order of ``calls``."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        client = authed(app.test_client(), token)
        barrier.wait()
        try:
            results[i] = calls[i](client)
        except BaseException as exc:  # reported below, with the others
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    return results


def statuses(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


# Row counts read in an app context of their own: a test's requests made while another app
# context is pushed would share its session (and its stale identity map).
def count(app: Any, column: Any, *where: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count(column)).where(*where)) or 0)


def history_actions(app: Any, record_type: str, record_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(
            select(HistoryEntry.action)
            .where(HistoryEntry.record_type == record_type, HistoryEntry.record_id == record_id)
            .order_by(HistoryEntry.id)
        ))


# --- 1. concurrent child writes: no 412 nobody asked for, 409 for duplicates -------------

THREADS = 12
DESIG = {"authority": "OFAC", "programme": "CYBER2", "listed_on": "2021-07-19"}


def test_concurrent_designations_of_one_entity_all_succeed(app, client):
    person = create(client, "/api/v1/persons", {"name": "Concurrent Person"})
    before = client.get(f"/api/v1/persons/{person['id']}").json["version"]
    token = make_key(app, "admin")
    calls = [
        (lambda c, i=i: c.post("/api/v1/designations", json={**DESIG, "list_ref": f"C-{i}", "entity_id": person["id"]}))
        for i in range(THREADS)
    ]
    responses = in_parallel(app, token, calls)
    assert statuses(responses) == {201: THREADS}, [r.get_data(as_text=True)[:200] for r in responses]
    assert all(r.mimetype == "application/json" for r in responses)
    # Every designation there exactly once, each with one "create" history entry.
    refs = sorted(r.json["list_ref"] for r in responses)
    assert refs == sorted(f"C-{i}" for i in range(THREADS))
    assert count(app, Designation.id, Designation.entity_id == person["id"]) == THREADS
    for r in responses:
        assert history_actions(app, "designation", r.json["id"]) == ["create"]
    # The entity's version grew once per designation; its own history has only its creation.
    read = client.get(f"/api/v1/persons/{person['id']}").json
    assert read["version"] == before + THREADS
    assert sorted(d["list_ref"] for d in read["designations"]) == refs
    assert history_actions(app, "entity", person["id"]) == ["create"]


def test_concurrent_duplicate_designations_are_409_never_412(app, client):
    person = create(client, "/api/v1/persons", {"name": "Duplicated Person"})
    token = make_key(app, "admin")
    # Six references, each sent twice at once: one of each pair wins, the other is a 409.
    calls = [
        (lambda c, i=i: c.post("/api/v1/designations", json={**DESIG, "list_ref": f"D-{i // 2}", "entity_id": person["id"]}))
        for i in range(THREADS)
    ]
    responses = in_parallel(app, token, calls)
    assert statuses(responses) == {201: THREADS // 2, 409: THREADS // 2}, \
        [r.get_data(as_text=True)[:200] for r in responses]
    for r in responses:
        if r.status_code == 409:
            problem(r, 409)
    assert sorted(r.json["list_ref"] for r in responses if r.status_code == 201) == sorted(
        f"D-{i}" for i in range(THREADS // 2))
    assert count(app, Designation.id, Designation.entity_id == person["id"]) == THREADS // 2
    assert count(app, HistoryEntry.id, HistoryEntry.record_type == "designation") == THREADS // 2


def test_concurrent_designation_updates_of_one_entity(app, client):
    """PATCHes of different designations of one entity (each with its own, correct If-Match)
    all succeed: the entity they share is not a precondition."""
    person = create(client, "/api/v1/persons", {"name": "Patched Person"})
    ids = [create(client, "/api/v1/designations", {**DESIG, "list_ref": f"P-{i}", "entity_id": person["id"]})["id"]
           for i in range(8)]
    etags = {i: etag_of(client, f"/api/v1/designations/{i}") for i in ids}
    before = client.get(f"/api/v1/persons/{person['id']}").json["version"]
    token = make_key(app, "admin")
    calls = [
        (lambda c, i=i: c.patch(f"/api/v1/designations/{i}", json={"delisted_on": "2024-01-01"},
                                headers={"If-Match": etags[i]}))
        for i in ids
    ]
    responses = in_parallel(app, token, calls)
    assert statuses(responses) == {200: len(ids)}, [r.get_data(as_text=True)[:200] for r in responses]
    read = client.get(f"/api/v1/persons/{person['id']}").json
    assert read["version"] == before + len(ids)
    for i in ids:
        assert history_actions(app, "designation", i) == ["create", "update"]
    # Archiving them all at once, each with its own ETag: all 204.
    etags = {i: etag_of(client, f"/api/v1/designations/{i}") for i in ids}
    calls = [(lambda c, i=i: c.delete(f"/api/v1/designations/{i}", headers={"If-Match": etags[i]})) for i in ids]
    assert statuses(in_parallel(app, token, calls)) == {204: len(ids)}
    assert client.get(f"/api/v1/persons/{person['id']}").json["designations"] == []
    assert count(app, Designation.id, Designation.archived_at.is_not(None)) == len(ids)


def test_concurrent_defendants_charges_and_members(app, client):
    people = [create(client, "/api/v1/persons", {"name": f"Defendant {i}"}) for i in range(8)]
    case = create(client, "/api/v1/cases", {"title": "United States v. Many", "court": "D.D.C."})
    group = create(client, "/api/v1/threat-groups", {"name": "APT-Concurrent"})
    token = make_key(app, "admin")
    cases = f"/api/v1/cases/{case['id']}"
    members = f"/api/v1/threat-groups/{group['id']}/members"

    def version(path: str) -> int:
        return int(client.get(path).json["version"])

    case_v, group_v = version(cases), version(f"/api/v1/threat-groups/{group['id']}")
    # Different defendants of one case, different members of one group: all at once.
    calls = [(lambda c, p=p: c.post(f"{cases}/defendants", json={"entity_id": p["id"]})) for p in people]
    calls += [(lambda c, p=p: c.post(members, json={"entity_id": p["id"], "role": "operator"})) for p in people]
    responses = in_parallel(app, token, calls)
    assert statuses(responses) == {201: 2 * len(people)}, [r.get_data(as_text=True)[:200] for r in responses]
    assert count(app, CaseDefendant.id, CaseDefendant.case_id == case["id"]) == len(people)
    assert count(app, ThreatGroupMember.id, ThreatGroupMember.group_id == group["id"]) == len(people)
    assert version(cases) == case_v + len(people)
    assert version(f"/api/v1/threat-groups/{group['id']}") == group_v + len(people)

    # Different counts against one defendant, twice each: one 201 and one 409 per count.
    target = people[0]["id"]
    person_v = version(f"/api/v1/persons/{target}")
    calls = [
        (lambda c, i=i: c.post(f"{cases}/charges", json={"entity_id": target, "count_number": i // 2 + 1,
                                                        "statute": "18 U.S.C. § 371"}))
        for i in range(THREADS)
    ]
    responses = in_parallel(app, token, calls)
    assert statuses(responses) == {201: THREADS // 2, 409: THREADS // 2}, \
        [r.get_data(as_text=True)[:200] for r in responses]
    assert count(app, Charge.id, Charge.case_id == case["id"], Charge.entity_id == target) == THREADS // 2
    assert version(f"/api/v1/persons/{target}") == person_v + THREADS // 2
    assert count(app, HistoryEntry.id, HistoryEntry.record_type == "charge") == THREADS // 2


def test_if_match_on_the_parent_still_holds(app, client):
    """Bumping a parent's version without checking it must not weaken the parent's own ETags."""
    person = create(client, "/api/v1/persons", {"name": "Guarded Person"})
    path = f"/api/v1/persons/{person['id']}"
    stale = etag_of(client, path)
    create(client, "/api/v1/designations", {**DESIG, "list_ref": "G-1", "entity_id": person["id"]})
    problem(client.patch(path, json={"notes": "late"}, headers={"If-Match": stale}), 412)
    assert client.get(path).json["notes"] is None
    resp = client.patch(path, json={"notes": "fresh"}, headers={"If-Match": etag_of(client, path)})
    assert resp.status_code == 200 and resp.json["notes"] == "fresh"
    assert history_actions(app, "entity", person["id"]) == ["create", "update"]


def test_moving_a_designation_bumps_both_entities(client):
    a = create(client, "/api/v1/persons", {"name": "From Person"})
    b = create(client, "/api/v1/persons", {"name": "To Person"})
    d = create(client, "/api/v1/designations", {**DESIG, "list_ref": "M-1", "entity_id": a["id"]})
    va, vb = (client.get(f"/api/v1/persons/{x['id']}").json["version"] for x in (a, b))
    path = f"/api/v1/designations/{d['id']}"
    resp = client.patch(path, json={"entity_id": b["id"]}, headers={"If-Match": etag_of(client, path)})
    assert resp.status_code == 200 and resp.json["entity_id"] == b["id"]
    assert client.get(f"/api/v1/persons/{a['id']}").json["version"] == va + 1
    assert client.get(f"/api/v1/persons/{b['id']}").json["version"] == vb + 1
    assert client.get(f"/api/v1/persons/{a['id']}").json["designations"] == []


# --- 2. hostile input: 422 with field errors, before the database ------------------------

@pytest.mark.parametrize("path", ["/api/v1/persons", "/api/v1/companies", "/api/v1/cases", "/api/v1/search?q=x"])
def test_huge_threat_group_filter_is_422(client, path):
    sep = "&" if "?" in path else "?"
    err = problem(client.get(f"{path}{sep}threat_group={BIG}"), 422)
    assert "threat_group" in str(err["errors"])
    # A name that only looks numeric to str.isdigit() is a name, not a failed int().
    assert client.get(f"{path}{sep}threat_group=%C2%B2").status_code == 200


@pytest.mark.parametrize("query", [
    f"/api/v1/designations?entity_id={BIG}", f"/api/v1/cases?defendant={BIG}", f"/api/v1/persons?page={BIG}",
    f"/api/v1/persons?page_size={BIG}", f"/api/v1/search?q=x&page={BIG}", "/api/v1/designations?entity_id=-1",
])
def test_huge_integer_query_args_are_422(client, query):
    problem(client.get(query), 422)


def test_huge_integer_body_fields_are_422(app, client):
    person = create(client, "/api/v1/persons", {"name": "Integer Person"})
    case = create(client, "/api/v1/cases", {"title": "Integer case", "court": "D.D.C."})
    create(client, f"/api/v1/cases/{case['id']}/defendants", {"entity_id": person["id"]})
    group = create(client, "/api/v1/threat-groups", {"name": "APT-Int"})
    bodies = [
        ("/api/v1/designations", {**DESIG, "entity_id": BIG}, "entity_id"),
        ("/api/v1/cases", {"title": "t", "court": "c", "threat_group_id": BIG}, "threat_group_id"),
        (f"/api/v1/cases/{case['id']}/charges", {"entity_id": person["id"], "count_number": BIG, "statute": "s"},
         "count_number"),
        (f"/api/v1/cases/{case['id']}/defendants", {"entity_id": BIG}, "entity_id"),
        (f"/api/v1/threat-groups/{group['id']}/members", {"entity_id": BIG}, "entity_id"),
        ("/api/v1/screen", {"name": "x", "limit": BIG}, "limit"),
        ("/api/v1/screen", {"name": "x", "threshold": BIG}, "threshold"),
    ]
    for path, body, field in bodies:
        err = problem(client.post(path, json=body), 422)
        assert field in err["errors"], (path, err)
    problem(client.get(f"/api/v1/persons/{BIG}"), 404)
    assert count(app, Designation.id) == 0 and count(app, Charge.id) == 0
    assert count(app, Entity.id) == 1


SURROGATE_BODIES = [
    ("/api/v1/persons", '{"name": "Ni \\ud800 Gaobin"}', {"name"}),
    ("/api/v1/persons", '{"name": "ok", "names": [{"name": "ok"}, {"name": "\\udfff"}]}', {"names"}),
    ("/api/v1/persons", '{"name": "ok", "properties": {"\\ud83d": 1}}', {"properties"}),
    ("/api/v1/companies", '{"name": "ok", "notes": "\\ud83d"}', {"notes"}),
    ("/api/v1/threat-groups", '{"name": "APT\\udc00"}', {"name"}),
    ("/api/v1/screen", '{"name": "\\ud800"}', {"name"}),
    ("/api/v1/screen/batch", '{"queries": {"a": {"name": "ok"}, "b": {"name": "\\ud800"}}}', {"queries"}),
    ("/api/v1/persons", '"\\ud800"', {"_schema"}),
]


@pytest.mark.parametrize(("path", "body", "fields"), SURROGATE_BODIES)
def test_lone_surrogates_are_422(app, client, path, body, fields):
    err = problem(client.post(path, data=body, content_type="application/json"), 422)
    assert set(err["errors"]) == fields, err
    assert "surrogate" in str(err["errors"])
    assert count(app, Entity.id) == 0


def test_surrogate_pairs_and_escaped_backslashes_are_fine(client):
    # A proper pair is one character (here U+1F600); "\\ud800" is a backslash and text.
    resp = client.post("/api/v1/persons", data='{"name": "Smile \\ud83d\\ude00", "notes": "\\\\ud800"}',
                       content_type="application/json")
    assert resp.status_code == 201, resp.get_data(as_text=True)
    assert resp.json["name"] == "Smile \U0001f600" and resp.json["notes"] == "\\ud800"


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/screen", '{"name": "x", "limit": ' + "9" * 5000 + "}", "limit"),
    ("/api/v1/screen", '{"name": "x", "threshold": -' + "9" * 5000 + "}", "threshold"),
    ("/api/v1/persons", '{"name": "x", "properties": {"n": ' + "1" * 5000 + "}}", "properties"),
    ("/api/v1/persons", '{"name": "x", "properties": {"n": [1, 1e999]}}', "properties"),
    ("/api/v1/screen", '{"name": "x", "threshold": NaN}', "threshold"),
    ("/api/v1/designations", '{"entity_id": Infinity, "authority": "OFAC"}', "entity_id"),
])
def test_unusable_numbers_are_422(app, client, path, body, field):
    err = problem(client.post(path, data=body, content_type="application/json"), 422)
    assert field in err["errors"], err
    assert count(app, Entity.id) == 0


def test_long_but_usable_numbers_still_reach_the_schema(client):
    # 30 digits: within what the decoder accepts, so the field's own range answers.
    err = problem(client.post("/api/v1/screen", json={"name": "x", "limit": 10**29}), 422)
    assert "limit" in err["errors"]
    resp = client.post("/api/v1/persons", json={"name": "Big Props", "properties": {"n": 10**40}})
    assert resp.status_code == 201 and resp.json["properties"] == {"n": 10**40}


# --- 3. chunked bodies over the limit: 413 -----------------------------------------------

def _chunked(client: Any, path: str, body: bytes) -> Any:
    """A body with no Content-Length, as a server that decodes chunked transfer encoding
    hands it on (gunicorn sets wsgi.input_terminated)."""
    return client.post(path, input_stream=io.BytesIO(body), content_type="application/json",
                       headers={"Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_chunked_body_over_the_limit_is_413(app, client):
    body = b'{"name": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    resp = _chunked(client, "/api/v1/persons", body)
    problem(resp, 413)
    assert "larger" in resp.json["detail"]
    problem(_chunked(client, "/api/v1/screen", body), 413)
    assert count(app, Entity.id) == 0
    # Within the limit, and exactly at it, the body is read whole.
    assert _chunked(client, "/api/v1/persons", b'{"name": "Chunked"}').status_code == 201
    limit = app.config["MAX_CONTENT_LENGTH"]
    exact = b'{"name": "Exact"}'
    exact += b" " * (limit - len(exact))
    assert len(exact) == limit
    assert _chunked(client, "/api/v1/persons", exact).status_code == 201
    problem(_chunked(client, "/api/v1/persons", exact + b" "), 413)
    assert count(app, Entity.id) == 2
    # Note: a real gunicorn round trip (chunked over a socket) is tested separately.


# --- 4. database outage: 503 + Retry-After, one log line, 200 once it is back ------------

def _outage_logs(caplog: Any) -> tuple[list[str], list[str], list[Any]]:
    records = [r for r in caplog.records if r.name.startswith("service")]
    down = [r.getMessage() for r in records if "database unavailable" in r.getMessage()]
    up = [r.getMessage() for r in records if "database reachable again" in r.getMessage()]
    errors = [r for r in records if r.levelno >= logging.ERROR]
    return down, up, errors


def _check_outage(client: Any, anonymous: Any, caplog: Any, cut: Callable[[], None], restore: Callable[[], None],
                  person_id: int) -> None:
    assert client.get(f"/api/v1/persons/{person_id}").status_code == 200
    caplog.clear()
    cut()
    for _ in range(3):
        for resp in (client.get(f"/api/v1/persons/{person_id}"), client.get("/api/v1/persons"),
                     client.post("/api/v1/persons", json={"name": "During Outage"}),
                     anonymous.get("/health")):
            problem(resp, 503)
            assert resp.mimetype == PROBLEM
            assert int(resp.headers["Retry-After"]) > 0
    down, up, errors = _outage_logs(caplog)
    assert len(down) == 1, down  # one line for twelve refused requests
    assert up == [] and errors == [], [r.getMessage() for r in errors]
    restore()
    resp = client.get(f"/api/v1/persons/{person_id}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert anonymous.get("/health").status_code == 200
    assert client.get("/api/v1/persons").json["total"] == 1  # the outage wrote nothing
    down, up, errors = _outage_logs(caplog)
    assert len(down) == 1 and len(up) == 1 and errors == [], (down, up)
    assert "12 requests" in up[0]


@pytest.fixture()
def outage_app(tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """An app of its own (not the session's), on a database URL the test chooses."""
    apps: list[Any] = []

    def make(url: str) -> Any:
        app = create_app({"DATABASE_URL": url, "TESTING": True, "JOB_DIR": str(tmp_path / "jobs")})
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_sqlite_outage_is_503_then_recovers(outage_app, tmp_path, caplog):
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "outage.db"
    url = f"sqlite:///{path}"
    upgrade_database(normalise_database_url(url))
    app = outage_app(url)
    client, anonymous = authed(app.test_client(), make_key(app, "admin")), app.test_client()
    person = create(client, "/api/v1/persons", {"name": "Before Outage"})
    aside = tmp_path / "aside"

    def cut() -> None:
        # The database file vanishes (a lost volume) and the open connections with it;
        # a directory in its place keeps SQLite from creating a new, empty one.
        with app.app_context():
            db.engine.dispose()
        aside.mkdir()
        for f in folder.iterdir():
            shutil.move(str(f), aside / f.name)
        path.mkdir()
        # Again: a connection the app's own threads (job executor, monitoring) opened since the
        # first dispose still reads the moved file, and a request could be handed it from the pool.
        with app.app_context():
            db.engine.dispose()

    def restore() -> None:
        path.rmdir()
        for f in aside.iterdir():
            shutil.move(str(f), folder / f.name)

    with caplog.at_level(logging.INFO):
        _check_outage(client, anonymous, caplog, cut, restore, person["id"])


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_postgresql_outage_is_503_then_recovers(outage_app, caplog):
    pg = PostgresDatabase(PG_URL or "")
    url = pg.create()
    proxy: PgProxy | None = None
    try:
        upgrade_database(url)
        server = make_url(url)
        proxy = PgProxy(server.host or "127.0.0.1", server.port or 5432)
        port = proxy.start()
        app = outage_app(server.set(host="127.0.0.1", port=port).render_as_string(hide_password=False))
        client, anonymous = authed(app.test_client(), make_key(app, "admin")), app.test_client()
        person = create(client, "/api/v1/persons", {"name": "Before Outage"})
        with caplog.at_level(logging.INFO):
            _check_outage(client, anonymous, caplog, proxy.cut, proxy.restore, person["id"])
    finally:
        if proxy is not None:
            proxy.close()
        # The app's engine is disposed by the fixture; drop() ends any connection left.
        pg.drop()

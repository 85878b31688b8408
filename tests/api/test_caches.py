"""The request path's caches: entity summaries per list state, authenticated keys for a
bounded time, the index's readiness; and what one screen costs in database round trips.
Across worker processes: tests/faults/test_serving.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest.mock import ANY

from sqlalchemy import create_engine, select, text

from service import create_app
from service.config import normalise_database_url
from service.extensions import db
from service.models import ApiKey, Case, Designation, Entity, ThreatGroup
from service.records.common import archive
from service.records.evidence import subject_key
from service.records.keys import KeyCache, create_key, revoke_key
from service.records.summaries import brief, briefs_by_id, entities_by_id
from service.schemas.screening import EntityBrief
from tests import querycount
from tests.conftest import authed, make_key
from tests.helpers import create, etag_of, problem

ZHAO = {"name": "Zhao Guangzong", "type": "person"}


def screen(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/api/v1/screen", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.json  # type: ignore[no-any-return]


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """The SQL statements (and commits) the app's engine sends from this thread (the test
    client's requests run in it; the monitoring thread's runs do not) while the block runs,
    each cut to its first four words."""
    with querycount.statements(app, commits=True) as seen:
        yield seen
    seen[:] = [" ".join(statement.split()[:4]) for statement in seen]


def test_a_screen_reads_the_list_state_and_writes_its_evidence_and_nothing_else(app, client, seeded, monkeypatch,
                                                                               backend):
    # The key stays remembered however slowly this machine builds the index.
    monkeypatch.setattr(app.extensions["api_keys"], "ttl", 600.0)
    screen(client, ZHAO)  # builds the index, authenticates the key, reads the summary
    with statements(app) as seen:
        top = screen(client, ZHAO)["matches"][0]
    assert top["entity"]["designations"] and top["entity"]["threat_groups"]
    tables = [s.split()[-1] if s.startswith("SELECT") else s for s in seen]
    # One read of the list state, one of the decisions in force for these matches, the
    # evidence row and its hits, one commit: no key lookup, no entity reads. On PostgreSQL
    # the row and its hits are one statement, run outside a transaction (the commit sends
    # nothing), that reads the list state itself: tests/api/test_screen_round_trips.py
    # counts what reaches the server.
    pg = backend == "postgresql"
    assert sum("list_state" in s for s in seen) == (0 if pg else 1), seen
    assert not [s for s in seen if "api_keys" in s or "entities" in s or "designations" in s], seen
    evidence = ["WITH log AS (INSERT"] if pg else ["INSERT INTO screening_log (at,", "INSERT INTO screening_hits (log_id,"]
    assert [s for s in seen if s.startswith(("INSERT", "WITH", "COMMIT"))] == [*evidence, "COMMIT"], tables
    with statements(app) as seen:
        assert screen(client, {"name": "Quentin Zorglub Nobody"})["matches"] == []
    assert len(seen) == (2 if pg else 3), seen  # (list state,) evidence row, commit


def test_a_batch_reads_the_list_state_with_the_decisions_and_still_sees_what_others_write(
        app, client, seeded, database_url, monkeypatch):
    """screen_subjects (a batch, the screening page) screens against the index as held and
    reads the list state in the statement that reads the decisions: a decision recorded and
    a record changed behind this app's back (another worker) still apply on the next batch."""
    monkeypatch.setattr(app.extensions["api_keys"], "ttl", 600.0)
    queries = {"queries": {"a": ZHAO, "b": {"name": "Quentin Zorglub Nobody"}}}

    def batch() -> dict[str, Any]:
        resp = client.post("/api/v1/screen/batch", json=queries)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        return resp.json["responses"]  # type: ignore[no-any-return]

    before = batch()
    with statements(app) as seen:
        assert batch() == {k: {**r, "screening_id": ANY} for k, r in before.items()}
    reads = [s for s in seen if s.startswith("SELECT")]
    assert reads == ["SELECT list_state.counter, list_state.changed_at, dispositions.id,"], seen  # summaries held
    top = before["a"]["matches"][0]
    other = create_engine(normalise_database_url(database_url))
    try:
        with other.begin() as conn:
            version = conn.scalar(text("SELECT version FROM entities WHERE id = :id"), {"id": top["entity_id"]})
            conn.execute(text(
                "INSERT INTO dispositions (subject_key, subject, entity_id, entity_version, decision, created_at) "
                "VALUES (:key, '{}', :entity, :version, 'false_positive', CURRENT_TIMESTAMP)"),
                {"key": subject_key(ZHAO), "entity": top["entity_id"], "version": version})
        decided = batch()["a"]["matches"][0]
        assert decided["entity_id"] == top["entity_id"] and decided["suppressed"] is True
        with other.begin() as conn:
            conn.execute(text("UPDATE list_state SET counter = counter + 1 WHERE id = 1"))
            conn.execute(text("UPDATE entities SET archived_at = CURRENT_TIMESTAMP WHERE id = :id"),
                         {"id": top["entity_id"]})
            conn.execute(text("INSERT INTO list_changes (counter, entity_id) "
                              "SELECT counter, :id FROM list_state WHERE id = 1"), {"id": top["entity_id"]})
    finally:
        other.dispose()
    after = batch()
    assert after["a"]["list_version"] == before["a"]["list_version"] + 1
    assert top["entity_id"] not in [m["entity_id"] for m in after["a"]["matches"]]


def test_a_cached_summary_never_outlives_its_list_state(client, seeded):
    before = screen(client, ZHAO)["matches"][0]["entity"]
    entity_id = before["id"]
    create(client, "/api/v1/designations", {"entity_id": entity_id, "authority": "EU", "programme": "Cyber",
                                            "list_ref": "EU.CYB.99", "listed_on": "2024-05-01"})
    after = screen(client, ZHAO)["matches"][0]["entity"]
    assert {d["reference"] for d in after["designations"]} == \
        {d["reference"] for d in before["designations"]} | {"EU:EU.CYB.99"}
    # A renamed threat group changes the summary of every member, though the change log names
    # only the group: the whole cache goes with the list state.
    group = f"/api/v1/threat-groups/{seeded['APT31']}"
    resp = client.patch(group, json={"name": "APT31 (Zirconium)"}, headers={"If-Match": etag_of(client, group)})
    assert resp.status_code == 200, resp.json
    assert screen(client, ZHAO)["matches"][0]["entity"]["threat_groups"][0]["name"] == "APT31 (Zirconium)"


def test_a_decision_lapses_when_the_cached_entity_changes(client, seeded):
    entity_id = screen(client, ZHAO)["matches"][0]["entity_id"]
    resp = client.post("/api/v1/dispositions", json={"subject": ZHAO, "entity_id": entity_id,
                                                     "decision": "false_positive", "comment": "not him"})
    assert resp.status_code == 201, resp.json
    assert screen(client, ZHAO)["matches"][0]["suppressed"] is True
    path = f"/api/v1/persons/{entity_id}"
    assert client.patch(path, json={"notes": "updated"}, headers={"If-Match": etag_of(client, path)}).status_code == 200
    top = screen(client, ZHAO)["matches"][0]
    assert top["suppressed"] is False and "lapsed" in top["suppression_note"]


def test_summaries_read_like_the_entities_they_stand_for(app, seeded):
    with app.app_context():
        ids = list(db.session.scalars(select(Entity.id)))
        schema = EntityBrief()
        for entity in entities_by_id(db.session, ids).values():
            assert schema.dump(brief(entity)) == schema.dump(entity), entity.name
            assert brief(entity).version == entity.version


def test_summaries_are_read_in_one_statement_and_match_a_lazy_read(app, seeded):
    """One statement for all the summaries however many designations, charges and group links
    an entity has (the join repeats rows; each collection must still come out once), and
    each summary equals the one built from the entity read lazily, relation by relation."""
    with app.app_context():
        ids = list(db.session.scalars(select(Entity.id)))
        db.session.expunge_all()
        with statements(app) as seen:
            loaded = {i: brief(e) for i, e in entities_by_id(db.session, ids).items()}
        assert len(seen) == 1, seen
        with statements(app) as seen:
            columns = briefs_by_id(db.session, ids)  # what the screening cache reads: no ORM objects
        assert len(seen) == 1, seen
        db.session.expunge_all()
        lazy = {i: brief(db.session.get(Entity, i)) for i in ids}
        assert loaded == lazy
        assert columns == lazy
        # The case the join must not multiply: an entity with several of each collection.
        assert briefs_by_id(db.session, [*ids[:2], 10**9]).keys() == set(ids[:2])  # unknown ids left out
        most = max(loaded.values(), key=lambda b: len(b.live_designations) * len(b.live_charges))
        assert len(most.live_designations) >= 2 and len(most.live_charges) >= 2 and most.live_group_links
        assert len({d.id for d in most.live_designations}) == len(most.live_designations)
        assert len({c.id for c in most.live_charges}) == len(most.live_charges)
        # What is archived is left out, as the entities' live_* lists leave it out: a
        # designation, a charge's case, a group link's group.
        for record in (db.session.get(Designation, most.live_designations[0].id),
                       db.session.get(Case, most.live_charges[0].case_id),
                       db.session.get(ThreatGroup, most.live_group_links[0].group_id)):
            archive(session=db.session, record=record)
        db.session.flush()
        db.session.expunge_all()
        after = briefs_by_id(db.session, ids)
        assert after == {i: brief(db.session.get(Entity, i)) for i in ids}
        assert len(after[most.id].live_designations) == len(most.live_designations) - 1
        assert len(after[most.id].live_charges) < len(most.live_charges)
        db.session.rollback()


def test_key_cache_forgets_a_revoked_key_within_its_bound(app):
    now = [100.0]
    cache = KeyCache(2.0, clock=lambda: now[0])
    with app.app_context():
        key, token = create_key(session=db.session, name="bound", role="screener")
        db.session.commit()
        assert cache.authenticate(session=db.session, token=token).id == key.id
        revoke_key(session=db.session, key_id=key.id)  # by another process: this one is not told
        db.session.commit()
        now[0] += 1.9
        assert cache.authenticate(session=db.session, token=token) is not None  # within the bound
        now[0] += 0.2
        assert cache.authenticate(session=db.session, token=token) is None
        assert cache.authenticate(session=db.session, token=token + "x") is None
        assert cache.authenticate(session=db.session, token="sk_short") is None


def test_key_cache_is_bounded_and_keeps_no_token(app):
    cache = KeyCache(60.0, size=3)
    with app.app_context():
        tokens = [create_key(session=db.session, name=f"k{i}", role="screener")[1] for i in range(5)]
        db.session.commit()
        for token in tokens:
            assert cache.authenticate(session=db.session, token=token) is not None
    assert len(cache._entries) == 3
    assert not any(token in digest for token in tokens for digest in cache._entries)


def test_a_revoked_key_stops_at_once_in_the_revoking_app_and_within_the_bound_elsewhere(database_url, app, client):
    # Two apps on one database: two workers.
    other = create_app({"DATABASE_URL": database_url, "TESTING": True, "API_KEY_CACHE_SECONDS": 1.0})
    try:
        token = make_key(app, "screener")
        here, there = authed(app.test_client(), token), authed(other.test_client(), token)
        assert screen(here, {"name": "x"}) is not None and screen(there, {"name": "x"}) is not None
        with app.app_context():
            key_id = db.session.scalar(select(ApiKey.id).where(ApiKey.prefix == token[:12]))
        assert client.delete(f"/api/v1/keys/{key_id}").status_code == 200
        problem(here.post("/api/v1/screen", json={"name": "x"}), 401)
        time.sleep(1.1)
        problem(there.post("/api/v1/screen", json={"name": "x"}), 401)
    finally:
        with other.app_context():
            db.engine.dispose()


def test_readiness_waits_for_the_index(database_url, seeded):
    fresh = create_app({"DATABASE_URL": database_url, "TESTING": True})
    try:
        anonymous = fresh.test_client()
        assert anonymous.get("/health").json["ready"] is False
        resp = anonymous.get("/health/ready")
        assert resp.status_code == 503 and resp.headers["Retry-After"] == "1"
        assert resp.content_type == "application/problem+json"
        deadline = time.monotonic() + 60
        while anonymous.get("/health/ready").status_code != 200:  # built in the background
            assert time.monotonic() < deadline, "the index was never built"
            time.sleep(0.05)
        assert anonymous.get("/health").json["ready"] is True
        assert anonymous.get("/health/ready").json == {"ready": True}
    finally:
        with fresh.app_context():
            db.engine.dispose()


def test_a_full_summary_cache_drops_its_oldest_and_keeps_what_it_just_read(app, seeded):
    from service.records.summaries import SummaryCache

    with app.app_context():
        ids = sorted(db.session.scalars(select(Entity.id)))
        assert len(ids) >= 6, "the seed holds too few entities for this test"
        cache, state = SummaryCache(size=4), (1, "fingerprint")
        first = cache.get(session=db.session, ids=ids[:4], state=state)
        newer = cache.get(session=db.session, ids=ids[4:6], state=state)
        assert set(first) == set(ids[:4]) and set(newer) == set(ids[4:6])
        held = set(cache._items)
        assert len(held) <= 4 and set(ids[4:6]) <= held and ids[0] not in held
        with statements(app) as seen:
            again = cache.get(session=db.session, ids=ids[4:6], state=state)
        assert not seen and {i: b.version for i, b in again.items()} == {i: b.version for i, b in newer.items()}


def test_recent_decision_keys_are_bounded_and_keep_the_newest():
    from service.records.screening import RecentKeys

    recent = RecentKeys(size=16)
    for n in range(40):
        recent.add(f"k{n}")
        recent.add("kept")  # added again each time: never the oldest
    assert "kept" in recent and "k39" in recent and "k0" not in recent
    assert len(recent._keys) <= 16

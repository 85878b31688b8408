"""What one ``POST /api/v1/screen`` sends a PostgreSQL server, counted on the wire (libpq's
protocol trace): the evidence row with its hits as one statement outside a transaction, which
checks the list state and the decisions it did not read; no ping, BEGIN or COMMIT. And the
pool's ping after idling (service/records/engine.py), which replaced pool_pre_ping."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from psycopg import pq
from sqlalchemy import create_engine, event, select, text

from service import create_app
from service.config import normalise_database_url
from service.extensions import db
from service.models import ScreeningHit, ScreeningLog
from service.records import engine as engine_module
from tests.conftest import authed, make_key

ZHAO = {"name": "Zhao Guangzong", "type": "person"}
NOBODY = {"name": "Quentin Zorglub Nobody"}


@pytest.fixture(autouse=True)
def _postgresql_only(backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("round trips to a PostgreSQL server")


@contextmanager
def wire(app: Any) -> Iterator[tuple[list[str], list[str]]]:
    """(round trips, statements) of this thread's checkouts of the app's pool while the block
    runs. A round trip is a simple-protocol ``Query``, named by its SQL (BEGIN, COMMIT, the
    pool's ping ``;``), or an extended-protocol exchange ending in ``Sync``, named
    ``statement``: the statements, as SQLAlchemy sends them, name those."""
    trips: list[str] = []
    statements: list[str] = []
    me = threading.get_ident()
    with app.app_context():
        engine = db.engine
    traced: dict[int, Any] = {}

    def checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if threading.get_ident() == me:
            out = tempfile.TemporaryFile()
            dbapi_conn.pgconn.trace(out.fileno())
            dbapi_conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
            traced[id(dbapi_conn)] = (dbapi_conn, out)

    def checkin(dbapi_conn: Any, record: Any) -> None:
        if dbapi_conn is not None and id(dbapi_conn) in traced:
            _read(*traced.pop(id(dbapi_conn)), trips)

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == me:
            statements.append(" ".join(statement.split()[:4]))

    # First among the pool's checkout listeners, so that its ping after idling is traced too.
    event.listen(engine.pool, "checkout", checkout, insert=True)
    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield trips, statements
    finally:
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine.pool, "checkin", checkin)
        event.remove(engine, "before_cursor_execute", before)
        for conn, out in traced.values():
            _read(conn, out, trips)


def _read(conn: Any, out: Any, trips: list[str]) -> None:
    if not conn.closed:
        conn.pgconn.untrace()
    out.seek(0)
    bound = False
    for line in out.read().decode("utf-8", "replace").splitlines():
        direction, _, kind, rest = (line.split("\t") + ["", "", ""])[:4]
        if direction != "F":
            continue
        if kind == "Query":
            trips.append(rest.strip()[1:-1])
        elif kind == "Bind":
            bound = True
        elif kind == "Sync":
            # Without a Bind, psycopg preparing a statement it has run five times on this
            # connection: once per connection and statement, so not counted.
            if bound:
                trips.append("statement")
            bound = False
    out.close()


def screen(client: Any, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/api/v1/screen", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.json  # type: ignore[no-any-return]


def test_a_screen_is_one_round_trip_with_or_without_matches(app, client, seeded, database_url, monkeypatch):
    monkeypatch.setattr(app.extensions["api_keys"], "ttl", 600.0)  # no key lookup in the counted requests
    screen(client, ZHAO)  # builds the index, authenticates the key, reads the summary
    with wire(app) as (trips, statements):
        result = screen(client, NOBODY)
    assert result["matches"] == []
    # The evidence row, written if the list state is still the index's: no list-state read
    # of its own, no ping, BEGIN or COMMIT.
    assert trips == ["statement"], (trips, statements)
    assert statements[0].startswith("INSERT INTO screening_log"), statements
    with wire(app) as (trips, statements):
        result = screen(client, ZHAO)
    assert result["matches"]
    # The row with its hits, written if no decision is recorded on the matches: none read.
    assert trips == ["statement"], (trips, statements)
    assert statements[0].startswith("WITH log AS (INSERT"), statements
    assert all(m["disposition"] is None and m["suppressed"] is False for m in result["matches"])
    # Committed before the answer: another connection sees the row and every hit at once.
    other = create_engine(normalise_database_url(database_url))
    try:
        with other.connect() as conn:
            row = conn.execute(select(ScreeningLog.id, ScreeningLog.had_match, ScreeningLog.results)
                               .where(ScreeningLog.id == result["screening_id"])).one()
            hits = conn.execute(select(ScreeningHit.entity_id, ScreeningHit.score, ScreeningHit.match)
                                .where(ScreeningHit.log_id == row.id).order_by(ScreeningHit.id)).all()
    finally:
        other.dispose()
    assert row.had_match is True
    expected = [(m["entity_id"], m["score"], m["match"]) for m in result["matches"]]
    assert [tuple(h) for h in hits] == expected
    assert [(r["entity_id"], r["score"], r["match"]) for r in row.results] == expected


def test_a_change_to_the_lists_is_screened_against_on_the_next_request(app, client, seeded, database_url):
    before = screen(client, ZHAO)
    entity_id = before["matches"][0]["entity_id"]
    # Written behind this app's back (another worker, another machine): its index is stale.
    other = create_engine(normalise_database_url(database_url))
    try:
        with other.begin() as conn:
            conn.execute(text("UPDATE list_state SET counter = counter + 1 WHERE id = 1"))
            conn.execute(text("UPDATE entities SET archived_at = now() WHERE id = :id"), {"id": entity_id})
            conn.execute(text("INSERT INTO list_changes (counter, entity_id) "
                              "SELECT counter, :id FROM list_state WHERE id = 1"), {"id": entity_id})
    finally:
        other.dispose()
    with wire(app) as (trips, statements):
        after = screen(client, ZHAO)
    assert after["list_version"] == before["list_version"] + 1
    assert entity_id not in [m["entity_id"] for m in after["matches"]]
    # The guarded write found the list moved and wrote nothing; the index caught up and the
    # subject was screened and logged again: one evidence row, for the new state.
    assert sum(s.startswith(("INSERT INTO screening_log", "WITH log AS")) for s in statements) == 2, statements
    with app.app_context():
        logged = db.session.execute(select(ScreeningLog.list_version).where(ScreeningLog.id > before["screening_id"]))
        assert [v for (v,) in logged] == [after["list_version"]]
    assert len(trips) == len(statements), (trips, statements)


def test_a_decision_recorded_elsewhere_applies_on_the_next_request(app, client, seeded, database_url, monkeypatch):
    monkeypatch.setattr(app.extensions["api_keys"], "ttl", 600.0)
    before = screen(client, ZHAO)
    match = before["matches"][0]
    assert match["disposition"] is None and before["screening_id"]
    # Decided in another worker (or on another machine): this app has not seen it.
    other = create_engine(normalise_database_url(database_url))
    try:
        with other.begin() as conn:
            key = conn.scalar(select(ScreeningLog.subject_key).where(ScreeningLog.id == before["screening_id"]))
            version = conn.scalar(text("SELECT version FROM entities WHERE id = :id"), {"id": match["entity_id"]})
            conn.execute(text(
                "INSERT INTO dispositions (subject_key, subject, entity_id, entity_version, decision, created_at) "
                "VALUES (:key, '{}', :entity, :version, 'false_positive', now())"),
                {"key": key, "entity": match["entity_id"], "version": version})
    finally:
        other.dispose()
    with wire(app) as (trips, statements):
        after = screen(client, ZHAO)
    suppressed = next(m for m in after["matches"] if m["entity_id"] == match["entity_id"])
    assert suppressed["suppressed"] is True and suppressed["disposition"]["decision"] == "false_positive"
    # The conditional write found the decision and wrote nothing; the subject was screened
    # again reading the decisions, and logged once, suppressed.
    assert sum("dispositions" in s for s in statements) == 1, statements
    assert sum(s.startswith(("INSERT INTO screening_log", "WITH log AS")) for s in statements) == 2, statements
    with app.app_context():
        logged = db.session.scalars(select(ScreeningLog.results).where(ScreeningLog.id > before["screening_id"])).all()
    assert len(logged) == 1
    assert next(r for r in logged[0] if r["entity_id"] == match["entity_id"])["suppressed"] is True
    # The subject is remembered as decided: its decisions are read at once the next time.
    with wire(app) as (trips, statements):
        screen(client, ZHAO)
    assert trips == ["statement"] * 2, (trips, statements)
    assert "dispositions" in statements[0] and statements[1].startswith("WITH log AS (INSERT"), statements


def test_a_batch_still_writes_in_one_transaction(app, client, seeded):
    screen(client, ZHAO)
    with wire(app) as (trips, _):
        resp = client.post("/api/v1/screen/batch", json={"queries": {"a": ZHAO, "b": NOBODY}})
    assert resp.status_code == 200, resp.json
    assert trips[0].startswith("BEGIN") and trips[-1] == "COMMIT", trips


def _app(database_url: str, tmp_path: Path, idle_seconds: float, monkeypatch: Any) -> Any:
    """An app of its own whose pool pings connections idle ``idle_seconds``."""
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", idle_seconds)
    return create_app({"DATABASE_URL": database_url, "TESTING": True, "JOB_DIR": str(tmp_path / "jobs"),
                       "MONITORING_POLL_INTERVAL": 0})


def _kill_pooled_connections(own: Any, database_url: str) -> None:
    """End the server side of every connection in ``own``'s pool, as a server restart does."""
    with own.app_context():
        with db.engine.connect() as conn:
            pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
    admin = create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_connection_that_died_while_idle_is_replaced_at_checkout(database_url, tmp_path, monkeypatch, seeded):
    own = _app(database_url, tmp_path, 0.0, monkeypatch)
    try:
        client = authed(own.test_client(), make_key(own, "screener"))
        screen(client, NOBODY)
        _kill_pooled_connections(own, database_url)
        with wire(own) as (trips, _):
            screen(client, NOBODY)  # the ping fails, a new connection answers: no error
        assert ";" in trips, trips
    finally:
        with own.app_context():
            db.engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_a_broken_one_fails_once(database_url, tmp_path,
                                                                              monkeypatch, seeded):
    own = _app(database_url, tmp_path, 3600.0, monkeypatch)
    try:
        client = authed(own.test_client(), make_key(own, "screener"))
        screen(client, NOBODY)
        with wire(own) as (trips, _):
            screen(client, NOBODY)
        assert ";" not in trips, trips
        _kill_pooled_connections(own, database_url)
        resp = client.post("/api/v1/screen", json=NOBODY)
        assert resp.status_code == 503 and int(resp.headers["Retry-After"]) > 0, resp.get_data(as_text=True)
        screen(client, NOBODY)  # the broken connection was dropped with the error
    finally:
        with own.app_context():
            db.engine.dispose()

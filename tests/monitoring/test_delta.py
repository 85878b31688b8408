"""The delta rescreen: list changes reach the portfolio once, only when they matter."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.models import ListChange, MonitoringAlert, MonitoringCursor, MonitoringRun
from service.monitoring import cursors, delta
from service.monitoring.context import MonitorSettings
from service.monitoring.delta import run_delta

from .conftest import add_person, alerts_of, etag, move, patch_person, put_subject


def _runs(client: Any, **query: Any) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/monitoring/runs", query_string=query).json["items"])


def test_a_list_change_raises_an_alert_for_a_subject(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person", birth_date="1980-03-04")
    assert alerts_of(app) == []
    person = add_person(client, "Olena Kovalenko", birth_dates=["1980-03-04"])
    assert monitor.drain()
    [alert] = alerts_of(app)
    assert alert.entity_id == person and alert.state == "open"
    assert alert.cause["kind"] == "edit" and alert.cause["key_name"] == "test admin"
    run = _runs(client, kind="delta")[0]
    assert run["alerts_opened"] == 1 and run["pairs_scored"] >= 1 and run["changes_considered"] >= 1
    assert run["lag_seconds"] is not None and run["lag_seconds"] >= 0
    # The same subject's alert equals what /screen says for it.
    screened = client.post("/api/v1/screen", json={"name": "Olena Kovalenko", "type": "person",
                                                   "birth_date": "1980-03-04"}).json
    assert screened["matches"][0]["score"] == alert.score


def test_unrelated_subjects_are_not_scored(client: Any, app: Any, monitor: Any) -> None:
    for i, name in enumerate(["Maria Garcia Lopez", "Acme Trading GmbH", "Hiroshi Tanaka"]):
        put_subject(client, f"x-{i}", name=name)
    add_person(client, "Olena Kovalenko")
    monitor.drain()
    run = _runs(client, kind="delta")[0]
    assert run["pairs_scored"] == 0 and run["alerts_opened"] == 0


def test_reimport_and_rerun_open_no_duplicate(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    person = add_person(client, "Olena Kovalenko")
    monitor.drain()
    assert len(alerts_of(app)) == 1
    # The same change processed again (the cursor moved back, as after a restore) raises nothing new:
    # the database refuses a second alert for the same cause.
    with app.app_context():
        db.session.query(MonitoringCursor).filter_by(name=cursors.CHANGES).update({"value": 0})
        db.session.commit()
    assert run_delta(monitor.ctx) is not None
    assert len(alerts_of(app, entity_id=person)) == 1
    # Writing the same fields again changes nothing that matters.
    patch_person(client, person, {"name": "Olena Kovalenko"})
    monitor.drain()
    assert len(alerts_of(app)) == 1


def test_a_crash_between_steps_loses_nothing_and_repeats_nothing(client: Any, app: Any, monitor: Any,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    boom = RuntimeError("worker killed")

    def crash(*args: Any, **kwargs: Any) -> None:
        raise boom

    # Dies after the alerts are written, before the entity states and the run are.
    monkeypatch.setattr(delta, "_save_states", crash)
    add_person(client, "Olena Kovalenko")
    monitor.drain()
    assert alerts_of(app) == []
    with app.app_context():
        assert cursors.read(db.session, cursors.CHANGES) == 0
        assert db.session.scalar(select(func.count()).select_from(MonitoringRun)) == 0
    monkeypatch.undo()
    # The next run (a poll, a restart) resumes from the cursor: one alert, one run.
    monitor.poll()
    monitor.drain()
    assert len(alerts_of(app)) == 1
    with app.app_context():
        last = db.session.scalar(select(func.max(ListChange.id)))
        assert cursors.read(db.session, cursors.CHANGES) == last
    assert len(_runs(client, kind="delta")) == 1
    assert run_delta(monitor.ctx) is None


def test_false_positive_stays_closed_until_a_change_that_matters(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    person = add_person(client, "Olena Kovalenko")
    monitor.drain()
    [first] = alerts_of(app)
    move(client, first.id, "under_review")
    assert move(client, first.id, "false_positive", "not her").status_code == 200
    # A note or a source link: nothing.
    patch_person(client, person, {"notes": "seen in the press", "source_urls": ["https://example.org/a"]})
    monitor.drain()
    assert [a.id for a in alerts_of(app)] == [first.id]
    assert _runs(client, kind="delta")[0]["entities_rescreened"] == 0
    # A new birth date: the entity changed in a way that matters; a new alert, linked to the old one.
    patch_person(client, person, {"birth_dates": ["1975-06-07"]})
    monitor.drain()
    old, new = alerts_of(app)
    assert old.state == "false_positive" and new.state == "open"
    assert new.previous_alert_id == old.id and new.entity_version > old.entity_version


def test_a_change_to_an_open_alert_is_an_event_not_a_new_alert(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    person = add_person(client, "Olena Kovalenko")
    monitor.drain()
    patch_person(client, person, {"name": "Olga Petrenko", "names": []})
    monitor.drain()
    [alert] = alerts_of(app)
    events = client.get(f"/api/v1/monitoring/alerts/{alert.id}").json["events"]
    assert [e["kind"] for e in events] == ["created", "rescreened"]
    assert events[-1]["detail"]["match"] is False


def test_delisting_adds_an_event_to_live_alerts(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    person = add_person(client, "Olena Kovalenko")
    r = client.post("/api/v1/designations", json={"entity_id": person, "authority": "UK", "programme": "Russia",
                                                  "list_ref": "RUS9999", "listed_on": "2024-01-01"})
    assert r.status_code == 201
    monitor.drain()
    [alert] = alerts_of(app)
    path = f"/api/v1/designations/{r.json['id']}"
    r = client.patch(path, json={"delisted_on": "2025-01-01"}, headers={"If-Match": etag(client, path)})
    assert r.status_code == 200
    monitor.drain()
    assert [a.id for a in alerts_of(app)] == [alert.id]  # no new alert
    events = client.get(f"/api/v1/monitoring/alerts/{alert.id}").json["events"]
    assert events[-1]["kind"] == "delisted" and events[-1]["detail"]["references"] == ["UK:RUS9999"]


def test_storm_guard_holds_a_flood(client: Any, app: Any, monitor: Any) -> None:
    monitor.ctx.settings = MonitorSettings(storm_share=0.01, storm_max=500, storm_min=2)
    try:
        for i in range(4):
            put_subject(client, f"v-{i}", name="Olena Kovalenko", type="person", birth_date=f"198{i}")
        add_person(client, "Olena Kovalenko")
        monitor.drain()
    finally:
        monitor.ctx.settings = MonitorSettings()
    alerts = alerts_of(app)
    assert len(alerts) == 4 and {a.state for a in alerts} == {"held"}
    run = _runs(client, kind="delta")[0]
    assert run["held"] is True and run["alerts_held"] == 4 and "Storm guard" in run["notice"]
    r = client.post(f"/api/v1/monitoring/runs/{run['id']}/release", json={"comment": "real"})
    assert r.json == {"released": 4}
    assert {a.state for a in alerts_of(app)} == {"open"}


def test_full_rescreen_skips_decided_pairs(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    add_person(client, "Olena Kovalenko")
    monitor.drain()
    [alert] = alerts_of(app)
    move(client, alert.id, "under_review")
    move(client, alert.id, "false_positive")
    r = client.post("/api/v1/monitoring/runs", json={"kind": "full"})
    assert r.status_code == 202
    assert client.post("/api/v1/monitoring/runs", json={"kind": "full"}).status_code in (202, 409)
    monitor.drain()
    run = client.get(r.headers["Location"]).json
    assert run["status"] == "done" and run["subjects_screened"] == 1 and run["alerts_opened"] == 0
    assert len(alerts_of(app)) == 1


def test_deleted_and_paused_subjects_are_not_monitored(client: Any, app: Any, monitor: Any) -> None:
    put_subject(client, "v-1", name="Olena Kovalenko", type="person")
    put_subject(client, "v-2", name="Olena Kovalenko", type="person", status="paused")
    assert client.delete("/api/v1/monitoring/subjects/v-1").status_code == 204
    add_person(client, "Olena Kovalenko")
    monitor.drain()
    assert alerts_of(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MonitoringAlert)) == 0

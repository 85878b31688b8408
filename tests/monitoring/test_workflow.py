"""Alerts and their review workflow: each state and transition, dispositions, If-Match."""

from __future__ import annotations

from typing import Any

from .conftest import add_person, alerts_of, etag, move, put_subject


def _alert(client: Any, app: Any, monitor: Any) -> int:
    add_person(client, "Ivan Petrovich Sidorov", birth_dates=["1970-01-02"])
    monitor.drain()
    body = put_subject(client, "c-1", name="Ivan Sidorov", type="person")
    assert len(body["alerts_opened"]) == 1
    return int(body["alerts_opened"][0])


def test_new_subject_screened_at_once(client: Any, app: Any, monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    alert = client.get(f"/api/v1/monitoring/alerts/{alert_id}").json
    assert alert["state"] == "open" and alert["subject"] == "c-1"
    assert alert["cause"]["kind"] == "subject"
    assert alert["score"] >= alert["threshold"]
    assert [e["kind"] for e in alert["events"]] == ["created"]
    # The alert's score and explanation are what /screen says for the same subject.
    screened = client.post("/api/v1/screen", json={"name": "Ivan Sidorov", "type": "person"}).json
    best = next(m for m in screened["matches"] if m["entity_id"] == alert["entity_id"])
    assert best["score"] == alert["score"]
    assert best["explanation"] == alert["explanation"]


def test_review_to_false_positive_writes_a_disposition(client: Any, app: Any, monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    r = move(client, alert_id, "under_review", "looking")
    assert r.status_code == 200 and r.json["state"] == "under_review"
    r = move(client, alert_id, "false_positive", "different person: born 1985")
    assert r.status_code == 200 and r.json["state"] == "false_positive"
    events = r.json["events"]
    assert [(e["from_state"], e["to_state"]) for e in events[1:]] == [("open", "under_review"),
                                                                     ("under_review", "false_positive")]
    assert events[-1]["comment"] == "different person: born 1985"
    assert events[-1]["by"] == "test admin" and events[-1]["request_id"]
    disposition_id = r.json["disposition_id"]
    assert disposition_id
    decisions = client.get(f"/api/v1/dispositions?entity_id={r.json['entity_id']}").json["items"]
    assert [(d["id"], d["decision"]) for d in decisions] == [(disposition_id, "false_positive")]
    # /screen now carries the decision for the same subject.
    screened = client.post("/api/v1/screen", json={"name": "Ivan Sidorov", "type": "person"}).json
    assert next(m for m in screened["matches"] if m["entity_id"] == r.json["entity_id"])["suppressed"] is True


def test_escalation_then_true_match(client: Any, app: Any, monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    assert move(client, alert_id, "under_review").status_code == 200
    assert move(client, alert_id, "escalated", "for the MLRO").json["state"] == "escalated"
    r = move(client, alert_id, "true_match", "confirmed")
    assert r.status_code == 200 and r.json["state"] == "true_match" and r.json["disposition_id"]
    # Final: nothing moves it any more.
    r = move(client, alert_id, "false_positive")
    assert r.status_code == 409 and r.headers["Content-Type"] == "application/problem+json"


def test_escalated_to_false_positive_and_under_review_to_true_match(client: Any, app: Any, monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    move(client, alert_id, "under_review")
    move(client, alert_id, "escalated")
    assert move(client, alert_id, "false_positive").json["state"] == "false_positive"
    put_subject(client, "c-2", name="Ivan Sidorov", type="person", country="RU")
    second = alerts_of(app, state="open")[0].id
    move(client, second, "under_review")
    assert move(client, second, "true_match").json["state"] == "true_match"


def test_transitions_that_skip_a_step_are_refused(client: Any, app: Any, monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    for to in ("true_match", "false_positive", "escalated", "open"):
        r = move(client, alert_id, to)
        assert r.status_code == 409, to
        assert "cannot move" in r.json["detail"]
    assert move(client, alert_id, "nonsense").status_code == 422


def test_if_match_is_required_and_checked(client: Any, app: Any, monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    path = f"/api/v1/monitoring/alerts/{alert_id}"
    stale = etag(client, path)
    r = client.post(f"{path}/transitions", json={"to": "under_review"})
    assert r.status_code == 428 and r.headers["Content-Type"] == "application/problem+json"
    assert client.post(f"{path}/transitions", json={"to": "under_review"}, headers={"If-Match": stale}).status_code == 200
    # The first move changed the alert: the old ETag no longer passes.
    r = client.post(f"{path}/transitions", json={"to": "escalated"}, headers={"If-Match": stale})
    assert r.status_code == 412
    assert client.get(path).json["state"] == "under_review"


def test_reading_needs_read_logs_and_deciding_needs_disposition(client_as: Any, client: Any, app: Any,
                                                                 monitor: Any) -> None:
    alert_id = _alert(client, app, monitor)
    screener = client_as("screener")
    assert screener.get("/api/v1/monitoring/alerts").status_code == 403
    assert screener.put("/api/v1/monitoring/subjects/s-9", json={"name": "Jane Roe"}).status_code == 201
    analyst = client_as("analyst")
    assert analyst.get(f"/api/v1/monitoring/alerts/{alert_id}").status_code == 200
    assert move(analyst, alert_id, "under_review").status_code == 200
    assert analyst.post("/api/v1/monitoring/runs", json={"kind": "full"}).status_code == 403

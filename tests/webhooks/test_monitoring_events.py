"""Monitoring's own events reach a receiver: an alert opened by a subject write and a review
transition, delivered by the runner as soon as the transaction that wrote them commits."""

from __future__ import annotations

import time
from typing import Any

import pytest

from service.monitoring import webhooks_runner
from service.monitoring.webhooks_runner import WebhookRunner

from .conftest import register


def wait_for(receiver: Any, count: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.received) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def alert_id_of(data: dict[str, Any]) -> Any:
    # Both alert.created and alert.updated name the alert "alert_id" (monitoring.alerts).
    return data["alert_id"]


def test_alert_events_are_delivered_when_their_transaction_commits(
        app: Any, client: Any, receiver: Any, private_ok: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    register(app, receiver, events=("alert.created", "alert.updated"))
    # A runner with a loop, as the service has; its poll is slow, so only the commit's kick
    # can explain a prompt delivery.
    runner = WebhookRunner(private_ok)
    monkeypatch.setitem(webhooks_runner._kicks, app.extensions["sqlalchemy_engine"], runner.kick)
    runner.start(interval=300)
    try:
        wait_for(receiver, 0)
        r = client.post("/api/v1/persons", json={"name": "Ivan Petrovich Sidorov", "birth_dates": ["1970-01-02"]})
        assert r.status_code == 201
        app.extensions["monitoring"].drain()
        r = client.put("/api/v1/monitoring/subjects/c-1", json={"name": "Ivan Sidorov", "type": "person"})
        assert r.status_code in (200, 201), r.json
        [alert_id] = r.json["alerts_opened"]
        wait_for(receiver, 1)
        assert [x.payload["type"] for x in receiver.received] == ["alert.created"]
        created = receiver.received[0]
        assert created.verified_with == [0]
        assert alert_id_of(created.payload["data"]) == alert_id

        path = f"/api/v1/monitoring/alerts/{alert_id}"
        r = client.post(f"{path}/transitions", json={"to": "under_review", "comment": "looking"},
                        headers={"If-Match": client.get(path).headers["ETag"]})
        assert r.status_code == 200, r.json
        wait_for(receiver, 2)
        assert [x.payload["type"] for x in receiver.received] == ["alert.created", "alert.updated"]
        assert alert_id_of(receiver.received[1].payload["data"]) == alert_id
        assert len({x.headers["webhook-id"] for x in receiver.received}) == 2
    finally:
        runner.shutdown()
        app.extensions["monitoring"].drain()

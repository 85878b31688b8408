"""Monitoring tests: helpers to write records and subjects through the API, and a clean
monitor (its background work done, its subject index reset) around each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from service.extensions import db
from service.models import MonitoringAlert


@pytest.fixture(autouse=True)
def _quiet_monitor(app: Any) -> Iterator[None]:
    monitor = app.extensions["monitoring"]
    monitor.drain()
    yield
    assert monitor.drain(), "monitoring work still running after the test"
    monitor.ctx.subjects.reset()


@pytest.fixture()
def monitor(app: Any) -> Any:
    return app.extensions["monitoring"]


def etag(client: Any, path: str) -> str:
    return str(client.get(path).headers["ETag"])


def add_person(client: Any, name: str, **fields: Any) -> int:
    r = client.post("/api/v1/persons", json={"name": name, **fields})
    assert r.status_code == 201, r.json
    return int(r.json["id"])


def patch_person(client: Any, person_id: int, data: dict[str, Any]) -> None:
    path = f"/api/v1/persons/{person_id}"
    r = client.patch(path, json=data, headers={"If-Match": etag(client, path)})
    assert r.status_code == 200, r.json


def put_subject(client: Any, external_id: str, **data: Any) -> dict[str, Any]:
    r = client.put(f"/api/v1/monitoring/subjects/{external_id}", json=data)
    assert r.status_code in (200, 201), r.json
    return dict(r.json)


def alerts_of(app: Any, **where: Any) -> list[MonitoringAlert]:
    with app.app_context():
        stmt = select(MonitoringAlert).filter_by(**where).order_by(MonitoringAlert.id)
        rows = list(db.session.scalars(stmt))
        for row in rows:
            db.session.expunge(row)
        return rows


def move(client: Any, alert_id: int, to: str, comment: str | None = None) -> Any:
    path = f"/api/v1/monitoring/alerts/{alert_id}"
    return client.post(f"{path}/transitions", json={"to": to, "comment": comment},
                       headers={"If-Match": etag(client, path)})

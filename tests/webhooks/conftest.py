"""Webhook tests: a real HTTP receiver on a loopback port that verifies each delivery's
signature with the ``standardwebhooks`` package, a clock the tests move, and a delivery
context on the test database."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.extensions import db
from service.models import WebhookDelivery, WebhookEndpoint, utcnow
from service.monitoring.outbox import emit
from service.monitoring.webhooks import create_endpoint
from service.monitoring.webhooks_delivery import Delivering, WebhookSettings


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified_with: list[int]  # indexes of the receiver's secrets that verified it
    payload: Any


@dataclass
class Receiver:
    """What a webhook consumer does: check the signature, remember the message, answer."""

    url: str
    secrets: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answers to give, in order; then 200
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        verified, payload = [], None
        for i, secret in enumerate(self.secrets):
            try:
                payload = Webhook(secret).verify(body, headers)
                verified.append(i)
            except WebhookVerificationError:
                pass
        with self.lock:
            self.received.append(Received(headers, body, verified, payload))
            return self.statuses.pop(0) if self.statuses else 200

    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = state["r"].handle({k.lower(): v for k, v in self.headers.items()}, body)
            answer = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks?src=test")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    server.shutdown()
    server.server_close()


class Clock:
    """The delivery code's ``now``: starts at the wall clock, moved by the tests."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def to(self, moment: datetime | None) -> None:
        assert moment is not None
        self.now = max(self.now, moment)


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def ctx(app: Any, clock: Clock) -> Delivering:
    sessions = sessionmaker(bind=app.extensions["sqlalchemy_engine"], expire_on_commit=False)
    return Delivering(sessions=sessions, settings=WebhookSettings(allow_private=True, timeout=5.0), clock=clock,
                      rng=random.Random(7))


@pytest.fixture()
def private_ok(app: Any, ctx: Delivering, monkeypatch: pytest.MonkeyPatch) -> Delivering:
    """The app's runner with WEBHOOK_ALLOW_PRIVATE on and the test clock (API tests)."""
    runner = app.extensions["webhooks"]
    monkeypatch.setattr(runner, "ctx", replace(runner.ctx, settings=ctx.settings, clock=ctx.clock, rng=ctx.rng))
    return runner.ctx  # type: ignore[no-any-return]


def register(app: Any, receiver: Receiver, events: tuple[str, ...] = ("alert.created", "run.completed"),
             url: str | None = None) -> int:
    """An endpoint for the receiver; the receiver learns its secret."""
    with app.app_context():
        endpoint, secret = create_endpoint(session=db.session, url=url or receiver.url, events=list(events),
                                           allow_private=True)
        db.session.commit()
        receiver.secrets.append(secret)
        return endpoint.id


def deliveries(app: Any, **where: Any) -> list[WebhookDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(select(WebhookDelivery).filter_by(**where).order_by(WebhookDelivery.id)))
        for row in rows:
            _ = row.log
            db.session.expunge(row)
        return rows


def endpoint_row(app: Any, endpoint_id: int) -> WebhookEndpoint:
    with app.app_context():
        row = db.session.get_one(WebhookEndpoint, endpoint_id)
        db.session.expunge(row)
        return row


def emit_event(app: Any, event_type: str = "alert.created", **payload: Any) -> str:
    """An outbox event committed as the monitoring code writes it; returns its webhook-id."""
    with app.app_context():
        row = emit(db.session, event_type, payload or {"alert_id": 1})
        db.session.commit()
        return str(row.event_id)

"""Webhook delivery on Celery: a real ``sanctions worker`` process fed through Redis (a queue and
key prefix of its own) delivers to the test's receiver, and the service-side poll hands it the
retry when it comes due (the worker's clock is the real one: this test waits the 5 s)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from service.jobs.celery_app import make_celery
from service.models import utcnow
from service.monitoring.webhooks_runner import WEBHOOKS_TASK, WebhookRunner
from tests.monitoring.test_celery import BROKER, Workers, _redis

from .conftest import deliveries, emit_event, register


@pytest.fixture()
def celery_runner(app: Any, database_url: str, private_ok: Any) -> Iterator[WebhookRunner]:
    """A worker on its own queue, and a runner that hands delivery to it."""
    redis = _redis()
    tag = f"sanctions-test-{uuid.uuid4().hex[:8]}"
    settings = {"CELERY_BROKER_URL": BROKER, "JOB_QUEUE": tag, "JOB_KEY_PREFIX": f"{tag}:"}
    env = {**os.environ, **settings, "DATABASE_URL": database_url, "SANCTIONS_JOB_BACKEND": "celery",
           "WEBHOOK_ALLOW_PRIVATE": "true"}
    workers = Workers(env)
    workers.start()
    celery = make_celery({**app.config, **settings})
    # The worker decides what is due by the real clock; so does this side's poll.
    runner = WebhookRunner(replace(private_ok, clock=utcnow), lambda: celery.send_task(WEBHOOKS_TASK, queue=tag))
    try:
        yield runner
    finally:
        runner.shutdown()
        workers.stop_all()
        keys = list(redis.scan_iter(f"{tag}*"))
        if keys:
            redis.delete(*keys)


def settled(app: Any, done: Any, timeout: float = 60.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        rows = deliveries(app)
        if rows and all(done(d) for d in rows):
            return rows
        assert time.monotonic() < deadline, rows
        time.sleep(0.1)


def test_a_worker_delivers_and_retries(app: Any, receiver: Any, celery_runner: WebhookRunner) -> None:
    register(app, receiver)
    receiver.statuses = [500]
    event = emit_event(app, alert_id=5)
    celery_runner.kick()
    [delivery] = settled(app, lambda d: d.attempts == 1)
    assert receiver.ids() == [event] and receiver.received[0].verified_with == [0]
    assert delivery.status == "pending" and delivery.last_status_code == 500
    # The service's poll sends a task when the retry is due (about 5 s later).
    celery_runner.start(interval=0.5)
    [delivery] = settled(app, lambda d: d.status == "delivered")
    assert delivery.status == "delivered" and [a.status_code for a in delivery.log] == [500, 200]
    assert receiver.ids() == [event, event] and all(r.verified_with == [0] for r in receiver.received)

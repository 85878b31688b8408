"""Delivery from the outbox to a real HTTP receiver: signatures, the retry schedule, redelivery,
secret rotation, disabling, and no event lost, invented or sent twice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.extensions import db
from service.models import WebhookOutbox
from service.monitoring import webhooks as store
from service.monitoring.outbox import emit
from service.monitoring.webhooks_delivery import SCHEDULE, run_once

from .conftest import deliveries, emit_event, endpoint_row, register


def test_delivery_is_signed_per_standard_webhooks(app: Any, receiver: Any, ctx: Any) -> None:
    register(app, receiver)
    event_id = emit_event(app, "alert.created", alert_id=42, subject="V-1")
    assert run_once(ctx) == (1, 1)
    [got] = receiver.received
    assert got.verified_with == [0]
    assert got.headers["webhook-id"] == event_id
    assert got.headers["webhook-signature"].startswith("v1,")
    assert got.headers["content-type"] == "application/json"
    assert got.payload["type"] == "alert.created"
    assert got.payload["data"] == {"alert_id": 42, "subject": "V-1"}
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    [log] = delivery.log
    assert log.success and log.status_code == 200 and log.response == '{"status": 200}' and log.duration_ms >= 0


def test_only_subscribed_enabled_endpoints_get_an_event(app: Any, receiver: Any, ctx: Any) -> None:
    runs_only = register(app, receiver, events=("run.completed",))
    alerts = register(app, receiver, events=("alert.created", "alert.updated"))
    off = register(app, receiver, events=("alert.created",))
    with app.app_context():
        store.update_endpoint(session=db.session, endpoint=store.get_endpoint(session=db.session, endpoint_id=off),
                              data={"enabled": False}, allow_private=True)
        db.session.commit()
    emit_event(app, "alert.created")
    run_once(ctx)
    assert [d.endpoint_id for d in deliveries(app)] == [alerts]
    assert len(receiver.received) == 1 and receiver.received[0].verified_with == [1]
    assert runs_only != alerts


def test_a_failed_attempt_is_retried_on_the_schedule(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    register(app, receiver)
    receiver.statuses = [500]
    emit_event(app)
    assert run_once(ctx) == (1, 1)
    [delivery] = deliveries(app)
    assert delivery.status == "pending" and delivery.last_status_code == 500
    wait = (delivery.next_attempt_at - clock.now).total_seconds()
    assert 4.5 <= wait <= 5.5  # 5 s, +/- 10 % jitter
    assert run_once(ctx) == (0, 0)  # not due yet: nothing is sent early
    clock.advance(seconds=6)
    assert run_once(ctx) == (0, 1)
    [delivery] = deliveries(app)
    assert delivery.status == "delivered" and [a.status_code for a in delivery.log] == [500, 200]
    assert len(set(receiver.ids())) == 1 and all(r.verified_with == [0] for r in receiver.received)


def test_the_schedule_runs_out_and_the_delivery_fails(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    register(app, receiver)
    receiver.statuses = [503] * len(SCHEDULE)
    emit_event(app)
    start = clock.now
    waits = []
    for _ in SCHEDULE:
        run_once(ctx)
        [delivery] = deliveries(app)
        if delivery.next_attempt_at is not None:
            waits.append((delivery.next_attempt_at - clock.now).total_seconds())
            clock.to(delivery.next_attempt_at)
    assert len(receiver.received) == len(SCHEDULE) == 8
    for wait, planned in zip(waits, SCHEDULE[1:], strict=True):
        assert planned * 0.9 <= wait <= planned * 1.1
    [delivery] = deliveries(app)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 8, None)
    assert timedelta(hours=24) < clock.now - start < timedelta(hours=31)
    # Failing for about 27 hours: not yet the 5 days that disable an endpoint.
    assert endpoint_row(app, delivery.endpoint_id).enabled


def test_repeated_failure_for_five_days_disables(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    endpoint_id = register(app, receiver)
    receiver.statuses = [500] * 20
    emit_event(app)
    run_once(ctx)
    clock.advance(days=3)
    emit_event(app)
    run_once(ctx)
    assert endpoint_row(app, endpoint_id).enabled
    clock.advance(days=2, seconds=1)
    emit_event(app)
    run_once(ctx)  # the three pending deliveries are due; the first failure now 5 days old
    endpoint = endpoint_row(app, endpoint_id)
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "failing")
    assert endpoint.consecutive_failures >= 3
    assert {d.status for d in deliveries(app)} == {"failed"}
    sent = len(receiver.received)
    emit_event(app)
    clock.advance(days=1)
    run_once(ctx)
    assert len(receiver.received) == sent  # nothing goes to a disabled endpoint


def test_a_success_resets_the_failure_count(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    endpoint_id = register(app, receiver)
    receiver.statuses = [500]
    emit_event(app)
    run_once(ctx)
    assert endpoint_row(app, endpoint_id).failing_since is not None
    clock.advance(seconds=10)
    run_once(ctx)
    endpoint = endpoint_row(app, endpoint_id)
    assert (endpoint.failing_since, endpoint.consecutive_failures) == (None, 0)
    assert endpoint.last_success_at == clock.now


def test_410_gone_disables_at_once(app: Any, receiver: Any, ctx: Any) -> None:
    endpoint_id = register(app, receiver)
    receiver.statuses = [410]
    emit_event(app)
    emit_event(app)
    run_once(ctx)
    endpoint = endpoint_row(app, endpoint_id)
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "gone")
    assert len(receiver.received) == 1  # the second delivery was not attempted
    assert [d.status for d in deliveries(app)] == ["failed", "failed"]


def test_redelivery_of_one_and_of_all_failed_since(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    endpoint_id = register(app, receiver)
    first = emit_event(app)
    run_once(ctx)
    with app.app_context():
        endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
        [delivery] = deliveries(app)
        store.redeliver(session=db.session, endpoint=endpoint,
                        delivery=store.get_delivery(session=db.session, endpoint_id=endpoint_id,
                                                    delivery_id=delivery.id), now=clock.now)
        db.session.commit()
    assert run_once(ctx) == (0, 1)
    assert receiver.ids() == [first, first]  # the same webhook-id: the receiver can tell
    [delivery] = deliveries(app)
    assert delivery.status == "delivered" and len(delivery.log) == 2

    # Two events fail for good (the receiver is down for more than a day), then it is back.
    receiver.statuses = [500] * 16
    since = clock.now
    emit_event(app)
    emit_event(app)
    for _ in SCHEDULE:
        run_once(ctx)
        clock.advance(hours=11)
    assert [d.status for d in deliveries(app)] == ["delivered", "failed", "failed"]
    with app.app_context():
        endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
        assert store.redeliver_failed(session=db.session, endpoint=endpoint, since=since, now=clock.now) == 2
        db.session.commit()
    run_once(ctx)
    assert [d.status for d in deliveries(app)] == ["delivered"] * 3


def test_rotation_signs_with_both_secrets_until_the_old_expires(app: Any, receiver: Any, ctx: Any,
                                                                clock: Any) -> None:
    endpoint_id = register(app, receiver)
    with app.app_context():
        endpoint = store.get_endpoint(session=db.session, endpoint_id=endpoint_id)
        new = store.rotate_secret(session=db.session, endpoint=endpoint, overlap=timedelta(hours=1), now=clock.now)
        db.session.commit()
    assert new.startswith("whsec_") and new != receiver.secrets[0]
    receiver.secrets.append(new)
    emit_event(app)
    run_once(ctx)
    assert receiver.received[-1].verified_with == [0, 1]  # either secret verifies it
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 2
    clock.advance(hours=1, seconds=1)
    emit_event(app)
    run_once(ctx)
    assert receiver.received[-1].verified_with == [1]  # the old secret no longer signs


def test_no_event_for_a_rolled_back_transaction(app: Any, receiver: Any, ctx: Any) -> None:
    register(app, receiver)
    with app.app_context():
        emit(db.session, "alert.created", {"alert_id": 9})
        db.session.flush()
        db.session.rollback()
        assert db.session.query(WebhookOutbox).count() == 0
    assert run_once(ctx) == (0, 0)
    assert receiver.received == [] and deliveries(app) == []

"""Nothing sent twice by two dispatchers at once, nothing lost or doubled by a crash between the
steps (fan-out, claim, send, record)."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from service.extensions import db
from service.models import WebhookOutbox
from service.monitoring.webhooks_delivery import attempt, claim_due, fan_out, record, run_once

from .conftest import deliveries, emit_event, register


def test_two_dispatchers_at_once_send_each_event_once(app: Any, receiver: Any, ctx: Any) -> None:
    register(app, receiver)
    register(app, receiver, events=("alert.created",))
    events = [emit_event(app, alert_id=i) for i in range(25)]
    start = threading.Barrier(2)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        start.wait()
        try:
            results.append(run_once(ctx))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(r[0] for r in results) == 25 and sum(r[1] for r in results) == 50
    counts = Counter((r.headers["webhook-id"], tuple(r.verified_with)) for r in receiver.received)
    assert set(counts.values()) == {1} and len(counts) == 50  # each event once to each endpoint
    assert {event for event, _ in counts} == set(events)
    assert len(deliveries(app)) == 50 and {d.status for d in deliveries(app)} == {"delivered"}


def test_crash_during_fan_out_loses_nothing(app: Any, receiver: Any, ctx: Any, clock: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    register(app, receiver)
    event = emit_event(app)
    session = ctx.sessions()

    def crash() -> None:
        raise RuntimeError("process killed before the commit")

    monkeypatch.setattr(session, "commit", crash)
    with pytest.raises(RuntimeError):
        fan_out(session, now=clock.now)
    session.rollback()
    session.close()
    assert deliveries(app) == []
    with app.app_context():
        assert db.session.scalars(select(WebhookOutbox.dispatched)).all() == [False]
    assert run_once(ctx) == (1, 1)
    assert run_once(ctx) == (0, 0)
    assert receiver.ids() == [event]


def test_crash_between_fan_out_and_send(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    register(app, receiver)
    event = emit_event(app)
    session = ctx.sessions()
    assert fan_out(session, now=clock.now) == 1  # committed; then the process dies
    session.close()
    assert fan_out(ctx.sessions(), now=clock.now) == 0  # dispatched once only
    assert run_once(ctx) == (0, 1)
    assert receiver.ids() == [event]


def test_a_claim_held_by_a_dead_sender_lapses(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    register(app, receiver)
    event = emit_event(app)
    fan_out(ctx.sessions(), now=clock.now)
    _, held = claim_due(ctx.sessions(), now=clock.now, lease=ctx.settings.lease, limit=10)
    assert len(held) == 1  # claimed; the sender dies before sending
    assert run_once(ctx) == (0, 0)  # nobody else sends it while the claim holds
    assert receiver.received == []
    clock.advance(seconds=ctx.settings.lease.total_seconds() + 1)
    assert run_once(ctx) == (0, 1)
    assert run_once(ctx) == (0, 0)
    assert receiver.ids() == [event]


def test_a_sender_whose_claim_was_taken_over_sends_nothing(app: Any, receiver: Any, ctx: Any, clock: Any) -> None:
    register(app, receiver)
    emit_event(app)
    fan_out(ctx.sessions(), now=clock.now)
    session = ctx.sessions()
    old_claim, [delivery_id] = claim_due(session, now=clock.now, lease=ctx.settings.lease, limit=10)
    clock.advance(seconds=ctx.settings.lease.total_seconds() + 1)  # the first sender stalled
    new_claim, held = claim_due(session, now=clock.now, lease=ctx.settings.lease, limit=10)
    assert held == [delivery_id]
    assert attempt(ctx, session, delivery_id=delivery_id, claim=old_claim) is None
    assert receiver.received == []
    assert attempt(ctx, session, delivery_id=delivery_id, claim=new_claim) is not None
    assert len(receiver.received) == 1
    [delivery] = deliveries(app)
    assert delivery.status == "delivered" and delivery.attempts == 1


def test_a_crash_after_sending_resends_with_the_same_webhook_id(app: Any, receiver: Any, ctx: Any, clock: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """At least once: the receiver got it but the outcome was never recorded; the resend has
    the same webhook-id, which Standard Webhooks receivers use to drop duplicates."""
    register(app, receiver)
    event = emit_event(app)

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("process killed after sending")

    monkeypatch.setattr("service.monitoring.webhooks_delivery.record", crash)
    with pytest.raises(RuntimeError):
        run_once(ctx)
    monkeypatch.setattr("service.monitoring.webhooks_delivery.record", record)
    clock.advance(seconds=ctx.settings.lease.total_seconds() + 1)
    assert run_once(ctx) == (0, 1)
    assert receiver.ids() == [event, event]
    assert len(deliveries(app)) == 1


def test_a_dead_endpoint_holds_up_neither_others_nor_its_own_pass(app: Any, receiver: Any, ctx: Any,
                                                                  clock: Any) -> None:
    """An endpoint that does not answer gets one attempt per pass; the rest of its deliveries
    wait for the next pass, and the other endpoints get theirs meanwhile."""
    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/in"
    dead = register(app, receiver, url=dead_url)
    alive = register(app, receiver)
    for i in range(3):
        emit_event(app, alert_id=i)
    assert run_once(ctx) == (3, 4)  # three to the live endpoint, one to the dead one
    assert len(receiver.received) == 3
    to_dead = deliveries(app, endpoint_id=dead)
    assert [d.attempts for d in to_dead] == [1, 0, 0]
    assert all(d.status == "pending" and d.claim is None for d in to_dead)
    assert "ConnectionRefusedError" in (to_dead[0].log[0].error or "")
    assert {(d.next_attempt_at - clock.now).total_seconds() for d in to_dead[1:]} == {5.0}
    assert {d.status for d in deliveries(app, endpoint_id=alive)} == {"delivered"}

"""Webhook delivery, from the outbox to the endpoints, in three steps, each its own transaction:

1. **fan out** (:func:`fan_out`): each outbox event not yet dispatched becomes one delivery per
   enabled endpoint subscribed to its type, and the event is marked dispatched, together. The
   outbox row was written in the transaction that caused the event, so a rolled-back change
   sends nothing; a crash before this commit leaves the event to the next run; the unique
   (event, endpoint) key refuses a second fan-out.
2. **claim** (:func:`claim_due`): due deliveries are taken for a lease, by a conditional UPDATE,
   so two senders never send one at once.
3. **attempt** (:func:`attempt`): sign with the ``standardwebhooks`` package, POST outside any
   transaction, then record the attempt and the outcome (delivered; the next try on the retry
   schedule; failed). A sender that dies between 2 and 3 leaves a lapsing lease: the delivery is
   sent again, with the same ``webhook-id``, which receivers use to drop duplicates.

The retry schedule is the Standard Webhooks one: attempts at once, then after 5 s, 5 min,
30 min, 2 h, 5 h, 10 h and 10 h (each wait +/- 10 % jitter); then the delivery has failed.
An endpoint is disabled when it answers 410 Gone, or when all its attempts have failed for
``WEBHOOK_DISABLE_AFTER_HOURS`` (5 days; no success in between).

Time is passed in (``now``): what is due and when to retry are decided by the caller's clock,
so tests run the schedule without waiting. The signature's timestamp is the wall clock, which
the receiver checks against its own.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from ..models import (
    PING_EVENT,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookOutbox,
    utcnow,
)
from .webhooks import disable, valid_secrets
from .webhooks_http import Answer, Resolver, UnsafeUrl, post, resolve_target, system_resolve

#: Seconds to wait before each attempt (the first at once), from the Standard Webhooks spec.
SCHEDULE = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
JITTER = 0.1
USER_AGENT = "sanctions-service-webhooks/1"


@dataclass(frozen=True)
class WebhookSettings:
    allow_private: bool = False
    timeout: float = 10.0
    disable_after: timedelta = timedelta(days=5)
    batch: int = 100
    # Endpoints sent to at once: a slow or dead receiver holds up only its own deliveries.
    parallel: int = 4

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> WebhookSettings:
        return cls(allow_private=config["WEBHOOK_ALLOW_PRIVATE"], timeout=config["WEBHOOK_TIMEOUT"],
                   disable_after=timedelta(hours=config["WEBHOOK_DISABLE_AFTER_HOURS"]))

    @property
    def lease(self) -> timedelta:
        """How long a claim holds: longer than one attempt can take (connect, then answer)."""
        return timedelta(seconds=2 * self.timeout + 30)


@dataclass
class Delivering:
    """What a sender needs from its context: sessions, settings, the clock, the randomness of
    the jitter and the resolver (tests replace the last three)."""

    sessions: Callable[[], Session]
    settings: WebhookSettings = field(default_factory=WebhookSettings)
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    resolve: Resolver = system_resolve


def retry_delay(tries: int, rng: random.Random) -> timedelta | None:
    """The wait before the next attempt after ``tries`` attempts; None when none is left."""
    if tries >= len(SCHEDULE):
        return None
    return timedelta(seconds=SCHEDULE[tries] * rng.uniform(1 - JITTER, 1 + JITTER))


def fan_out(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Turn undispatched outbox events into deliveries (one transaction); returns how many
    events this call dispatched."""
    ids = session.scalars(select(WebhookOutbox.id).where(WebhookOutbox.dispatched.is_(False))
                          .order_by(WebhookOutbox.id).limit(limit).with_for_update(skip_locked=True)).all()
    if not ids:
        session.rollback()
        return 0
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.enabled.is_(True))).all()
    dispatched = 0
    for outbox_id in ids:
        # Taken only if still undispatched: another dispatcher that got here first wins.
        taken = session.execute(update(WebhookOutbox).where(
            WebhookOutbox.id == outbox_id, WebhookOutbox.dispatched.is_(False)).values(
            dispatched=True, dispatched_at=now))
        if not taken.rowcount:  # type: ignore[attr-defined]
            continue
        dispatched += 1
        event = session.get_one(WebhookOutbox, outbox_id)
        session.add_all(_delivery(event, endpoint.id, now) for endpoint in endpoints if event.type in endpoint.events)
    session.commit()
    return dispatched


def _delivery(event: WebhookOutbox, endpoint_id: int, now: datetime) -> WebhookDelivery:
    return WebhookDelivery(outbox_id=event.id, endpoint_id=endpoint_id, event_id=event.event_id,
                           event_type=event.type, status="pending", next_attempt_at=now, created_at=now,
                           updated_at=now)


def ping(ctx: Delivering, session: Session, *, endpoint_id: int) -> int:
    """A test event for one endpoint (enabled or not), committed and sent at once, then retried
    like any other; returns the delivery's id."""
    now = ctx.clock()
    event = WebhookOutbox(event_id=f"msg_{uuid.uuid4().hex}", type=PING_EVENT, created_at=now, dispatched=True,
                          dispatched_at=now, payload={"endpoint_id": endpoint_id, "message": "A test delivery."})
    session.add(event)
    session.flush()
    delivery = _delivery(event, endpoint_id, now)
    session.add(delivery)
    session.commit()
    send_due(ctx, ids=[delivery.id])
    return delivery.id


def claim_due(session: Session, *, now: datetime, lease: timedelta, limit: int,
              ids: Iterable[int] | None = None) -> tuple[str, list[int]]:
    """Claim deliveries that are due (or exactly ``ids``, due or not) to enabled endpoints,
    unless another sender holds them; returns the claim and the ids it holds."""
    free = or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until <= now)
    wanted = select(WebhookDelivery.id).join(WebhookEndpoint).where(
        WebhookDelivery.status == "pending", free)
    if ids is None:
        wanted = wanted.where(WebhookEndpoint.enabled.is_(True), WebhookDelivery.next_attempt_at <= now)
    else:
        wanted = wanted.where(WebhookDelivery.id.in_(list(ids)))
    candidates = session.scalars(wanted.order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                                 .limit(limit).with_for_update(skip_locked=True, of=WebhookDelivery)).all()
    claim = uuid.uuid4().hex
    held = []
    for delivery_id in candidates:
        done = session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending", free).values(
            claim=claim, claimed_until=now + lease))
        if done.rowcount:  # type: ignore[attr-defined]
            held.append(delivery_id)
    session.commit()
    return claim, held


def message_body(event: WebhookOutbox) -> str:
    """The JSON body: the Standard Webhooks envelope around the event's payload."""
    return json.dumps({"type": event.type, "timestamp": event.created_at.isoformat(), "data": event.payload},
                      separators=(",", ":"), ensure_ascii=False, default=str)


def signed_headers(secrets: list[str], *, msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers, one ``v1,`` signature per valid secret."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def attempt(ctx: Delivering, session: Session, *, delivery_id: int, claim: str) -> WebhookAttempt | None:
    """Send one claimed delivery and record the outcome; None when the claim was lost."""
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.claim != claim:
        session.rollback()
        return None
    endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)
    event = session.get_one(WebhookOutbox, delivery.outbox_id)
    now = ctx.clock()
    body = message_body(event)
    headers = signed_headers(valid_secrets(endpoint, now), msg_id=delivery.event_id, timestamp=utcnow(), body=body)
    endpoint_id, url = endpoint.id, endpoint.url
    session.rollback()  # no transaction stays open while the endpoint answers
    try:
        target = resolve_target(url, allow_private=ctx.settings.allow_private, resolve=ctx.resolve)
        answer = post(target, body.encode(), headers, timeout=ctx.settings.timeout)
    except UnsafeUrl as exc:  # re-pointed at a private address since it was registered
        answer = Answer(None, None, f"refused: {exc.detail}", 0.0)
    return record(ctx, session, delivery_id=delivery_id, claim=claim, endpoint_id=endpoint_id, answer=answer,
                  at=now)


def record(ctx: Delivering, session: Session, *, delivery_id: int, claim: str, endpoint_id: int,
           answer: Answer, at: datetime) -> WebhookAttempt | None:
    """Log an attempt and move the delivery and its endpoint on (one transaction); None when
    the delivery is gone meanwhile (its endpoint was deleted)."""
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:
        session.rollback()
        return None
    log = WebhookAttempt(delivery_id=delivery_id, endpoint_id=endpoint_id, at=at, status_code=answer.status,
                         response=answer.body, error=answer.error, duration_ms=answer.duration_ms,
                         success=answer.success)
    session.add(log)
    delivery.attempts += 1
    if delivery.claim == claim and delivery.status == "pending":
        _outcome(ctx, delivery, answer, at)
    _endpoint_health(ctx, session, endpoint_id=endpoint_id, answer=answer, at=at)
    session.commit()
    return log


def _outcome(ctx: Delivering, delivery: WebhookDelivery, answer: Answer, at: datetime) -> None:
    delivery.claim, delivery.claimed_until, delivery.updated_at = None, None, at
    delivery.last_status_code = answer.status
    delivery.last_error = answer.error
    delivery.tries += 1
    if answer.success:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", at, None
        return
    wait = None if answer.status == 410 else retry_delay(delivery.tries, ctx.rng)
    if wait is None:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.next_attempt_at = at + wait


def _endpoint_health(ctx: Delivering, session: Session, *, endpoint_id: int, answer: Answer, at: datetime) -> None:
    """Count the endpoint's failures and apply the disabling rule; SQL expressions, so two
    senders recording at once both count."""
    row = WebhookEndpoint
    if answer.success:
        session.execute(update(row).where(row.id == endpoint_id).values(
            failing_since=None, consecutive_failures=0, last_success_at=at))
        return
    session.execute(update(row).where(row.id == endpoint_id).values(
        failing_since=func.coalesce(row.failing_since, at), consecutive_failures=row.consecutive_failures + 1))
    if answer.status == 410:
        disable(session=session, endpoint_id=endpoint_id, reason="gone", now=at)
    else:
        disable(session=session, endpoint_id=endpoint_id, reason="failing", now=at,
                when=row.failing_since <= at - ctx.settings.disable_after)


def send_due(ctx: Delivering, *, ids: Iterable[int] | None = None) -> int:
    """Claim and send what is due (or exactly ``ids``) until nothing is left, several endpoints
    at once; returns the number of attempts made."""
    session = ctx.sessions()
    sent = 0
    try:
        with ThreadPoolExecutor(ctx.settings.parallel, thread_name_prefix="webhook-send") as pool:
            while True:
                claim, held = claim_due(session, now=ctx.clock(), lease=ctx.settings.lease,
                                        limit=ctx.settings.batch, ids=ids)
                groups: dict[int, list[int]] = {}
                for delivery_id, endpoint_id in session.execute(select(
                        WebhookDelivery.id, WebhookDelivery.endpoint_id).where(WebhookDelivery.id.in_(held))
                        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)):
                    groups.setdefault(endpoint_id, []).append(delivery_id)
                session.rollback()
                sent += sum(pool.map(partial(_send_group, ctx, claim), groups.values()))
                if not held or ids is not None:
                    return sent
    finally:
        session.close()


def _send_group(ctx: Delivering, claim: str, delivery_ids: list[int]) -> int:
    """One endpoint's claimed deliveries, in order, in a session of their own. After an attempt
    that got no answer at all (the endpoint is down, slow or refused), the rest wait for the
    next pass (the schedule's first wait) rather than each waiting out the timeout now."""
    session = ctx.sessions()
    sent = 0
    try:
        for done, delivery_id in enumerate(delivery_ids, start=1):
            log = attempt(ctx, session, delivery_id=delivery_id, claim=claim)
            if log is None:
                continue
            sent += 1
            if log.status_code is None and done < len(delivery_ids):
                session.execute(update(WebhookDelivery).where(
                    WebhookDelivery.id.in_(delivery_ids[done:]), WebhookDelivery.claim == claim).values(
                    claim=None, claimed_until=None, next_attempt_at=ctx.clock() + timedelta(seconds=SCHEDULE[1])))
                session.commit()
                break
        return sent
    finally:
        session.close()


def run_once(ctx: Delivering) -> tuple[int, int]:
    """Fan the outbox out, then send everything due: (events dispatched, attempts made)."""
    session = ctx.sessions()
    try:
        events = 0
        while batch := fan_out(session, now=ctx.clock()):
            events += batch
    finally:
        session.close()
    return events, send_due(ctx)


def work_waiting(session: Session, *, now: datetime) -> bool:
    """Anything to fan out or send now (a cheap check before handing work to a worker)."""
    undispatched = select(WebhookOutbox.id).where(WebhookOutbox.dispatched.is_(False)).limit(1)
    due = select(WebhookDelivery.id).join(WebhookEndpoint).where(
        WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
        WebhookEndpoint.enabled.is_(True)).limit(1)
    return session.scalar(undispatched) is not None or session.scalar(due) is not None

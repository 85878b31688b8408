"""Webhook endpoints, their signing secrets, deliveries (one per outbox event and endpoint) and
the delivery log (one row per attempt).

A delivery is keyed by (event, endpoint): the database refuses a second one, so two dispatchers
fanning out the same outbox event never deliver it twice to an endpoint.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LONG, MEDIUM, Base, utcnow

#: The type of a test ping: sent to one endpoint on request, never fanned out.
PING_EVENT = "webhook.test"
# pending: to be sent at next_attempt_at; delivered: a 2xx came back; failed: the schedule ran
# out, the endpoint answered 410 or was disabled.
DELIVERY_STATUSES = ("pending", "delivered", "failed")


class WebhookEndpoint(Base):
    """A URL an admin registered, the events it receives, and how its deliveries fare."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(LONG)
    description: Mapped[str | None] = mapped_column(MEDIUM, default=None)
    events: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Why it was turned off: "gone" (HTTP 410), "failing" (the disabling rule), "admin".
    disabled_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The first failed attempt since the last success (None: the last attempt succeeded).
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    secrets: Mapped[list[WebhookSecret]] = relationship(
        order_by="WebhookSecret.id.desc()", cascade="all, delete-orphan", passive_deletes=True)


class WebhookSecret(Base):
    """A signing secret (``whsec_`` + base64). During a rotation several are valid at once:
    every delivery carries one signature per secret whose ``expires_at`` is unset or ahead."""

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    # Kept as is: signing needs the key itself (a hash would not do).
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookDelivery(Base):
    """One outbox event for one endpoint, tried on the retry schedule until it succeeds.

    A sender claims a due delivery (``claim`` and ``claimed_until``) before sending it, so two
    senders never send it at once; a sender that died leaves a claim that lapses, and the
    delivery is sent again with the same ``webhook-id``."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("outbox_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("webhook_outbox.id"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Attempts in the current round (the retry schedule's position); a redelivery starts a round.
    tries: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    claim: Mapped[str | None] = mapped_column(String(32), default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)

    log: Mapped[list[WebhookAttempt]] = relationship(
        order_by="WebhookAttempt.id", cascade="all, delete-orphan", passive_deletes=True)


class WebhookAttempt(Base):
    """The delivery log: one row per attempt, with what the endpoint answered."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_endpoint", "endpoint_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    # The first characters of the response body.
    response: Mapped[str | None] = mapped_column(Text, default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    success: Mapped[bool] = mapped_column(Boolean, default=False)

"""The webhook outbox: events written in the same transaction as what they announce, so no
event is lost and none is sent for a change that was rolled back. Delivery reads the table."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from ..models import WebhookOutbox

EVENT_TYPES = ("alert.created", "alert.updated", "run.completed", "run.held")


def emit(session: Session, event_type: str, payload: dict[str, Any]) -> WebhookOutbox:
    """Add one event to the outbox in the caller's transaction (the caller commits)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}")
    row = WebhookOutbox(event_id=f"msg_{uuid.uuid4().hex}", type=event_type, payload=payload)
    session.add(row)
    return row

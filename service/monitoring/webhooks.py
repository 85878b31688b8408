"""Webhook endpoints: registration (URL rules in :mod:`.webhooks_http`), signing secrets and
their rotation, the delivery log, redelivery. Sending is :mod:`.webhooks_delivery`.

Secrets follow the Standard Webhooks form, ``whsec_`` and 32 random bytes in base64. A rotation
adds a secret and keeps the older ones valid for a stated time: meanwhile each delivery is
signed with every valid secret, so a receiver may switch to the new one whenever it likes.
"""

from __future__ import annotations

import base64
import secrets as random_secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid, NotFound
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookSecret, utcnow
from ..records.common import Page, paginate
from .outbox import EVENT_TYPES
from .webhooks_http import Resolver, resolve_target, system_resolve

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
#: How long the secrets a rotation replaces stay valid, unless the request says otherwise.
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(random_secrets.token_bytes(SECRET_BYTES)).decode()


def _check_events(events: Sequence[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown or not events:
        detail = f"Unknown event types: {', '.join(unknown)}." if unknown else "Name at least one event type."
        raise Invalid(detail, errors={"events": [f"{detail} Use {', '.join(EVENT_TYPES)}."]})
    return [e for e in EVENT_TYPES if e in events]


def create_endpoint(
    *, session: Session, url: str, events: Sequence[str], description: str | None = None,
    enabled: bool = True, allow_private: bool, resolve: Resolver = system_resolve,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its first secret (returned once: the caller shows it)."""
    resolve_target(url, allow_private=allow_private, resolve=resolve)
    now = utcnow()
    endpoint = WebhookEndpoint(url=url, events=_check_events(events), description=description, enabled=enabled,
                               disabled_reason=None if enabled else "admin", disabled_at=None if enabled else now,
                               created_at=now, updated_at=now)
    secret = new_secret()
    endpoint.secrets.append(WebhookSecret(secret=secret, created_at=now))
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def get_endpoint(*, session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook endpoint with id {endpoint_id}.")
    return endpoint


def list_endpoints(*, session: Session, enabled: bool | None, page: int, page_size: int) -> Page:
    stmt = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if enabled is not None:
        stmt = stmt.where(WebhookEndpoint.enabled.is_(enabled))
    return paginate(session, stmt, page=page, page_size=page_size)


def update_endpoint(
    *, session: Session, endpoint: WebhookEndpoint, data: dict[str, Any], allow_private: bool,
    resolve: Resolver = system_resolve,
) -> WebhookEndpoint:
    """Change the URL, events, description or enabled flag. Enabling again starts the failure
    count afresh; what failed meanwhile stays failed until redelivered."""
    now = utcnow()
    if "url" in data:
        resolve_target(data["url"], allow_private=allow_private, resolve=resolve)
        endpoint.url = data["url"]
    if "events" in data:
        endpoint.events = _check_events(data["events"])
    if "description" in data:
        endpoint.description = data["description"]
    if data.get("enabled") is True and not endpoint.enabled:
        endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at = True, None, None
        endpoint.failing_since, endpoint.consecutive_failures = None, 0
    elif data.get("enabled") is False and endpoint.enabled:
        disable(session=session, endpoint_id=endpoint.id, reason="admin", now=now)
        session.refresh(endpoint)
    endpoint.updated_at = now
    session.flush()
    return endpoint


def delete_endpoint(*, session: Session, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its secrets, deliveries and their log."""
    session.delete(endpoint)
    session.flush()


def disable(*, session: Session, endpoint_id: int, reason: str, now: datetime, when: Any = None) -> bool:
    """Turn an endpoint off (``when``: an extra condition, checked in the same UPDATE, so two
    senders agree) and fail what was still to be sent to it; False when it was already off."""
    stmt = update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.enabled.is_(True))
    if when is not None:
        stmt = stmt.where(when)
    done = session.execute(stmt.values(enabled=False, disabled_reason=reason, disabled_at=now, updated_at=now))
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    session.execute(update(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "pending").values(
        status="failed", next_attempt_at=None, claim=None, claimed_until=None, updated_at=now,
        last_error=f"not sent: the endpoint was disabled ({reason})"))
    return True


def valid_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets a delivery is signed with now, newest first."""
    return [s.secret for s in endpoint.secrets if s.expires_at is None or s.expires_at > now]


def rotate_secret(*, session: Session, endpoint: WebhookEndpoint, overlap: timedelta, now: datetime) -> str:
    """Add a new secret; the ones in use stay valid for ``overlap`` more (then expire)."""
    until = now + overlap
    for old in endpoint.secrets:
        if old.expires_at is None or old.expires_at > until:
            old.expires_at = until
    # Expired secrets sign nothing any more: drop them.
    endpoint.secrets = [s for s in endpoint.secrets if s.expires_at is None or s.expires_at > now]
    secret = new_secret()
    endpoint.secrets.insert(0, WebhookSecret(secret=secret, created_at=now))
    endpoint.updated_at = now
    session.flush()
    return secret


@dataclass(frozen=True)
class DeliveryFilters:
    status: str | None = None
    event_type: str | None = None
    since: datetime | None = None


def _deliveries(endpoint_id: int, filters: DeliveryFilters) -> Select[Any]:
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if filters.status:
        stmt = stmt.where(WebhookDelivery.status == filters.status)
    if filters.event_type:
        stmt = stmt.where(WebhookDelivery.event_type == filters.event_type)
    if filters.since:
        stmt = stmt.where(WebhookDelivery.created_at >= filters.since)
    return stmt


def list_deliveries(*, session: Session, endpoint_id: int, filters: DeliveryFilters, page: int,
                    page_size: int) -> Page:
    stmt = _deliveries(endpoint_id, filters).order_by(WebhookDelivery.id.desc())
    return paginate(session, stmt, page=page, page_size=page_size)


def get_delivery(*, session: Session, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    # Fresh from the database: a sender in another session may have just moved it on.
    delivery = session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(f"No delivery {delivery_id} to webhook endpoint {endpoint_id}.")
    return delivery


def list_attempts(*, session: Session, endpoint_id: int, page: int, page_size: int) -> Page:
    """The endpoint's delivery log, newest attempt first."""
    stmt = select(WebhookAttempt).where(WebhookAttempt.endpoint_id == endpoint_id).order_by(WebhookAttempt.id.desc())
    return paginate(session, stmt, page=page, page_size=page_size)


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise Conflict(f"Webhook endpoint {endpoint.id} is disabled ({endpoint.disabled_reason}); "
                       "enable it first (PATCH with enabled=true).")


def _restart(stmt: Any, now: datetime) -> Any:
    # A new round of the retry schedule, from now; the same webhook-id, so a receiver that
    # did get an earlier attempt can tell.
    return stmt.values(status="pending", tries=0, next_attempt_at=now, claim=None, claimed_until=None,
                       delivered_at=None, updated_at=now)


def redeliver(*, session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery,
              now: datetime) -> WebhookDelivery:
    """Send one delivery again (whatever its status), from the start of the retry schedule."""
    _require_enabled(endpoint)
    session.execute(_restart(update(WebhookDelivery).where(WebhookDelivery.id == delivery.id), now))
    session.refresh(delivery)
    return delivery


def redeliver_failed(*, session: Session, endpoint: WebhookEndpoint, since: datetime, now: datetime) -> int:
    """Send again every failed delivery of events since ``since``; returns how many."""
    _require_enabled(endpoint)
    stmt = update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id,
                                         WebhookDelivery.status == "failed", WebhookDelivery.created_at >= since)
    return int(session.execute(_restart(stmt, now)).rowcount)  # type: ignore[attr-defined]


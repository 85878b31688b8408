"""Webhook endpoints, their secrets, deliveries and the delivery log."""

from __future__ import annotations

from datetime import UTC

from marshmallow import fields, validate

from ..models import DELIVERY_STATUSES, PING_EVENT
from ..monitoring.outbox import EVENT_TYPES
from .common import Float, Paging, Schema, optional_text, page_of

EVENTS_DOC = f"Event types to receive: {', '.join(EVENT_TYPES)}."


def _events(**kwargs: object) -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), validate=validate.Length(min=1, max=10),
                       metadata={"description": EVENTS_DOC}, **kwargs)  # type: ignore[arg-type]


def _url(**kwargs: object) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=1024), metadata={
        "description": "Where deliveries are POSTed: https, a host that resolves to public addresses only."},
        **kwargs)  # type: ignore[arg-type]


class EndpointIn(Schema):
    url = _url(required=True)
    events = _events(required=True)
    description = optional_text(255, load_default=None)
    enabled = fields.Boolean(load_default=True)


class EndpointPatch(Schema):
    url = _url()
    events = _events()
    description = optional_text(255)
    enabled = fields.Boolean(metadata={"description": "false stops deliveries (pending ones fail); true resumes "
                                                      "them and starts the failure count afresh."})


class SecretOut(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "Unset: valid until the next rotation."})


class EndpointOut(Schema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String(allow_none=True)
    events = fields.List(fields.String())
    enabled = fields.Boolean()
    disabled_reason = fields.String(allow_none=True, metadata={
        "description": "gone (it answered 410), failing (every attempt failed for WEBHOOK_DISABLE_AFTER_HOURS) "
                       "or admin."})
    disabled_at = fields.DateTime(allow_none=True)
    failing_since = fields.DateTime(allow_none=True, metadata={
        "description": "The first failed attempt since the last success."})
    consecutive_failures = fields.Integer()
    last_success_at = fields.DateTime(allow_none=True)
    secrets = fields.List(fields.Nested(SecretOut), metadata={
        "description": "The signing secrets (never their values): several during a rotation."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class EndpointCreated(EndpointOut):
    secret = fields.String(metadata={"description": "The signing secret (whsec_...). Shown once: store it now."})


EndpointPage = page_of(EndpointOut, "WebhookEndpointPage")


class EndpointListArgs(Paging):
    enabled = fields.Boolean()


class RotateIn(Schema):
    overlap_hours = Float(load_default=24.0, validate=validate.Range(min=0, max=24 * 30), metadata={
        "description": "How long the secrets in use stay valid beside the new one (0: they stop now)."})


class RotateOut(Schema):
    secret = fields.String(metadata={"description": "The new signing secret. Shown once: store it now."})
    secrets = fields.List(fields.Nested(SecretOut))


class AttemptOut(Schema):
    id = fields.Integer()
    delivery_id = fields.Integer()
    at = fields.DateTime()
    status_code = fields.Integer(allow_none=True)
    response = fields.String(allow_none=True, metadata={"description": "The start of the response body."})
    error = fields.String(allow_none=True, metadata={"description": "Why no answer came (timeout, refused ...)."})
    duration_ms = fields.Float()
    success = fields.Boolean()


class DeliveryOut(Schema):
    id = fields.Integer()
    endpoint_id = fields.Integer()
    event_id = fields.String(metadata={"description": "The webhook-id header: the same on every attempt."})
    event_type = fields.String(metadata={"description": f"{EVENTS_DOC[:-1]}, or {PING_EVENT}."})
    status = fields.String(metadata={"description": "pending, delivered or failed."})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryDetail(DeliveryOut):
    log = fields.List(fields.Nested(AttemptOut), metadata={"description": "Every attempt, oldest first."})


DeliveryPage = page_of(DeliveryOut, "WebhookDeliveryPage")
AttemptPage = page_of(AttemptOut, "WebhookAttemptPage")


class DeliveryListArgs(Paging):
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    event_type = fields.String(validate=validate.OneOf((*EVENT_TYPES, PING_EVENT)))
    since = fields.AwareDateTime(default_timezone=UTC, metadata={"description": "Events from this time on."})


class RedeliverIn(Schema):
    since = fields.AwareDateTime(required=True, default_timezone=UTC, metadata={
        "description": "Send again every failed delivery of events from this time on."})


class RedeliverOut(Schema):
    redelivered = fields.Integer()

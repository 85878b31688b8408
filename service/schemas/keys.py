"""API keys."""

from __future__ import annotations

from marshmallow import fields, validate

from ..models import ROLES
from .common import Schema, text


class KeyIn(Schema):
    name = text(255, required=True, metadata={"description": "Who or what uses the key, e.g. vendor-portal"})
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class KeyOut(Schema):
    id = fields.Integer()
    name = fields.String()
    role = fields.String()
    prefix = fields.String(metadata={"description": "The first characters of the key, to recognise it."})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    active = fields.Boolean()


class KeyCreated(KeyOut):
    key = fields.String(metadata={"description": "The secret key. Shown once: store it now."})


class KeyList(Schema):
    items = fields.List(fields.Nested(KeyOut))
    total = fields.Integer()

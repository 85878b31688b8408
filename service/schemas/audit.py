"""History, screening evidence and dispositions."""

from __future__ import annotations

from marshmallow import fields, validate

from ..models import DECISIONS
from .common import PageArgs, Schema, optional_text, page_of, record_id
from .screening import ScreenedAgainst, ScreeningHitOut, Subject


class Attribution(Schema):
    """Who did it (the API key) and in which request."""

    key_id = fields.Integer(allow_none=True)
    key_name = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)


class HistoryEntryOut(Attribution):
    id = fields.Integer()
    record_type = fields.String()
    record_id = fields.Integer()
    action = fields.String(metadata={"description": "create, update, archive or import"})
    version = fields.Integer(allow_none=True, metadata={"description": "The record's version after the change."})
    at = fields.DateTime()
    changes = fields.Dict(metadata={"description": "Field -> [before, after]."})


class HistoryList(Schema):
    items = fields.List(fields.Nested(HistoryEntryOut))
    total = fields.Integer()


class HistoryArgs(Schema):
    until = fields.DateTime(metadata={"description": "Only changes at or before this moment."})


class ScreeningLogOut(Attribution, ScreenedAgainst):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String(metadata={"description": "single, batch, job or file"})
    batch_key = fields.String(allow_none=True)
    subject = fields.Dict(metadata={"description": "The input, or with the name as a keyed hash when so configured."})
    had_match = fields.Boolean()
    results = fields.List(fields.Nested(ScreeningHitOut))


class ScreeningLogArgs(PageArgs):
    since = fields.DateTime(metadata={"description": "At or after this moment."})
    until = fields.DateTime(metadata={"description": "At or before this moment."})
    key_id = record_id()
    had_match = fields.Boolean()
    entity_id = record_id(metadata={"description": "Screenings that returned this entity."})
    kind = fields.String(validate=validate.OneOf(("single", "batch", "job", "file")))


class ScreeningExportArgs(ScreeningLogArgs):
    format = fields.String(load_default="jsonl", validate=validate.OneOf(("csv", "jsonl")))


class DispositionIn(Schema):
    subject = fields.Nested(Subject, required=True, metadata={"description": "The screened subject, as sent to /screen."})
    entity_id = record_id(required=True)
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    comment = optional_text(5000)


class DispositionOut(Attribution):
    id = fields.Integer()
    subject = fields.Dict(metadata={"description": "The screened subject the decision is about."})
    entity_id = fields.Integer()
    entity_version = fields.Integer(metadata={
        "description": "The entity's version when decided; a later change to the entity reopens the match."})
    decision = fields.String()
    comment = fields.String(allow_none=True)
    created_at = fields.DateTime()


class DispositionArgs(PageArgs):
    entity_id = record_id()
    decision = fields.String(validate=validate.OneOf(DECISIONS))
    name = fields.String(validate=validate.Length(min=1, max=500), metadata={"description": "Subject name (with birth_date, country)."})
    birth_date = fields.String(validate=validate.Length(max=10))
    country = fields.String(validate=validate.Length(max=2))


ScreeningLogPage = page_of(ScreeningLogOut, "ScreeningLogPage")
DispositionPage = page_of(DispositionOut, "DispositionPage")

"""History, screening evidence and dispositions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from marshmallow import fields, validate

from ..csvcells import csv_lines
from ..models import DECISIONS
from .common import PageArgs, Schema, optional_text, page_of, record_id
from .screening import ScreenedAgainst, ScreeningHitOut, Subject


class Attribution(Schema):
    """Who did it (the API key, or the user signed in to the web interface) and in which request."""

    key_id = fields.Integer(allow_none=True)
    key_name = fields.String(allow_none=True)
    user_id = fields.Integer(allow_none=True, metadata={"description": "The signed-in user, for what a person did in the web interface."})
    user_name = fields.String(allow_none=True)
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
    user_id = record_id(metadata={"description": "Screenings by this user of the web interface."})
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
    id = fields.Integer(allow_none=True, metadata={"description": "The disposition; null for a proposal."})
    status = fields.String(dump_default="recorded", metadata={
        "description": "recorded: the decision is a disposition (the pair's latest is in force); proposed: "
                       "with four-eyes review (FOUR_EYES_REVIEW) a true_match or false_positive waits "
                       "(202) for a second user, analyst or above, to approve it in the review queue."})
    proposal_id = fields.Integer(allow_none=True, dump_default=None,
                                 metadata={"description": "The four-eyes proposal, when the decision is one."})
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


# The screening log as CSV (``/api/v1/screenings/export`` and the web interface's evidence page).
EXPORT_COLUMNS = ("id", "at", "request_id", "kind", "batch_key", "key_id", "key_name", "user_id", "user_name",
                  "subject", "threshold", "algorithm", "algorithm_version", "list_version", "list_fingerprint",
                  "had_match", "results")


def screening_log_csv(rows: Iterable[Any]) -> Iterator[str]:
    """The header, then one line per row; every cell spreadsheet-safe (``batch_key``,
    ``key_name`` and ``user_name`` are chosen by callers). No BOM, as it always was: a program
    reading the export would otherwise find its first column renamed."""
    schema = ScreeningLogOut()

    def cells(row: Any) -> list[Any]:
        data = schema.dump(row)
        return [json.dumps(data[h], ensure_ascii=False) if isinstance(data[h], dict | list) else data[h]
                for h in EXPORT_COLUMNS]

    return csv_lines(EXPORT_COLUMNS, (cells(row) for row in rows), bom=False)

"""Sanctions designations."""

from __future__ import annotations

from marshmallow import fields, validate

from .common import (
    PageArgs,
    RecordOutMixin,
    Schema,
    optional_text,
    page_of,
    record_id,
    str_list,
    url_list,
)
from .summaries import DesignationSummary, EntitySummary

AUTHORITY = validate.Regexp(
    r"^[A-Z][A-Z0-9_-]{1,31}$", error="An authority code in capitals, e.g. OFAC, UK, EU, UN."
)


class DesignationIn(Schema):
    entity_id = record_id(required=True)
    authority = fields.String(required=True, validate=AUTHORITY, metadata={"description": "OFAC, UK, EU, UN ..."})
    programme = optional_text(255, metadata={"description": "Programme or regime, e.g. CYBER2"})
    legal_basis = optional_text(1024, metadata={"description": "e.g. E.O. 13694; S.I. 2020/597"})
    list_ref = fields.String(
        allow_none=True, validate=validate.Length(min=1, max=64),
        metadata={"description": "The list's own reference: OFAC ent_num, UK list ref ..."},
    )
    listed_on = fields.Date(allow_none=True)
    delisted_on = fields.Date(allow_none=True)
    measures = str_list(64, 20)
    reasons = optional_text(50_000, metadata={"description": "Statement of reasons"})
    source_urls = url_list()


class DesignationOut(RecordOutMixin, DesignationSummary):
    entity_id = fields.Integer()
    active = fields.Boolean(metadata={"description": "Listed and not delisted as of today."})
    reasons = fields.String(allow_none=True)
    source_urls = fields.List(fields.String())
    entity = fields.Nested(EntitySummary)


class DesignationListArgs(PageArgs):
    entity_id = record_id()
    authority = fields.String(validate=validate.Length(max=32))
    programme = fields.String(validate=validate.Length(max=255))
    list_ref = fields.String(validate=validate.Length(max=64))
    active = fields.Boolean(metadata={"description": "true: active only; false: delisted only."})
    listed_from = fields.Date()
    listed_to = fields.Date()
    name = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "The designated entity's name contains this."})


DesignationPage = page_of(DesignationOut, "DesignationPage")

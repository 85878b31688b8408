"""Sanctions designations."""

from __future__ import annotations

from marshmallow import fields, validate

from . import common as c
from .summaries import DesignationSummary, EntitySummary

AUTHORITY = validate.Regexp(
    r"^[A-Z][A-Z0-9_-]{1,31}$", error="An authority code in capitals, e.g. OFAC, UK, EU, UN."
)


class DesignationIn(c.Schema):
    entity_id = c.record_id(required=True)
    authority = fields.String(required=True, validate=AUTHORITY, metadata={"description": "OFAC, UK, EU, UN ..."})
    programme = c.optional_text(255, metadata={"description": "Programme or regime, e.g. CYBER2"})
    legal_basis = c.optional_text(1024, metadata={"description": "e.g. E.O. 13694; S.I. 2020/597"})
    list_ref = fields.String(
        allow_none=True, validate=validate.Length(min=1, max=64),
        metadata={"description": "The list's own reference: OFAC ent_num, UK list ref ..."},
    )
    listed_on = fields.Date(allow_none=True)
    delisted_on = fields.Date(allow_none=True)
    measures = c.str_list(64, 20)
    reasons = c.optional_text(50_000, metadata={"description": "Statement of reasons"})
    source_urls = c.url_list()


class DesignationOut(c.RecordOutMixin, DesignationSummary):
    entity_id = fields.Integer()
    active = fields.Boolean(metadata={"description": "Listed and not delisted as of today."})
    reasons = fields.String(allow_none=True)
    source_urls = fields.List(fields.String())
    entity = fields.Nested(EntitySummary)


class DesignationListArgs(c.PageArgs):
    entity_id = c.record_id()
    authority = fields.String(validate=validate.Length(max=32))
    programme = fields.String(validate=validate.Length(max=255))
    list_ref = fields.String(validate=validate.Length(max=64))
    active = fields.Boolean(metadata={"description": "true: active only; false: delisted only."})
    listed_from = fields.Date()
    listed_to = fields.Date()
    name = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "The designated entity's name contains this."})


DesignationPage = c.page_of(DesignationOut, "DesignationPage")

"""Criminal cases, defendants and charges."""

from __future__ import annotations

from marshmallow import fields, validate

from ..vocabulary import CASE_STATUSES, CHARGE_STATUSES
from . import common as c
from .summaries import CaseSummary, ChargeFields, EntityLinkOut, GroupSummary, nested_list


class CaseIn(c.Schema):
    title = c.text(255, required=True, metadata={"description": "e.g. United States v. Ni Gaobin et al."})
    court = c.text(255, required=True)
    case_number = fields.String(allow_none=True, validate=validate.Length(min=1, max=64))
    prosecuting_authority = c.optional_text(255)
    filed_on = fields.Date(allow_none=True)
    unsealed_on = fields.Date(allow_none=True)
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    summary = c.optional_text(50_000)
    threat_group_id = c.record_id(allow_none=True)
    source_urls = c.url_list()


class ChargeIn(c.Schema):
    entity_id = c.record_id(required=True, metadata={"description": "The defendant charged."})
    count_number = c.Integer(allow_none=True, validate=validate.Range(min=1, max=10_000))
    statute = c.text(255, required=True, metadata={"description": "e.g. 18 U.S.C. § 371"})
    description = c.optional_text(1024)
    status = fields.String(validate=validate.OneOf(CHARGE_STATUSES))
    max_penalty = c.optional_text(255)
    source_urls = c.url_list()


class ChargeOut(c.RecordOutMixin, ChargeFields):
    entity_id = fields.Integer()
    source_urls = fields.List(fields.String())


class DefendantIn(c.Schema):
    entity_id = c.record_id(required=True)
    notes = c.optional_text(1024)
    source_urls = c.url_list()


class DefendantOut(EntityLinkOut):
    case_id = fields.Integer()
    charges = nested_list(ChargeOut, "live_charges", "The charges against this defendant in this case.")


class CaseOut(c.RecordOutMixin, CaseSummary):
    prosecuting_authority = fields.String(allow_none=True)
    unsealed_on = fields.Date(allow_none=True)
    summary = fields.String(allow_none=True)
    threat_group_id = fields.Integer(allow_none=True)
    threat_group = fields.Nested(GroupSummary, allow_none=True)
    source_urls = fields.List(fields.String())
    defendants = nested_list(DefendantOut, "live_defendants")


class CaseListArgs(c.PageArgs):
    q = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "Title or case number contains this."})
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    court = fields.String(validate=validate.Length(max=255))
    threat_group = c.GroupRef()
    defendant = c.record_id(metadata={"description": "Entity id of a defendant."})
    filed_from = fields.Date()
    filed_to = fields.Date()


class ChargeListArgs(c.PageArgs):
    entity_id = c.record_id()
    status = fields.String(validate=validate.OneOf(CHARGE_STATUSES))


CasePage = c.page_of(CaseOut, "CasePage")
ChargePage = c.page_of(ChargeOut, "ChargePage")
DefendantPage = c.page_of(DefendantOut, "DefendantPage")

"""Threat groups and member links."""

from __future__ import annotations

from marshmallow import fields, validate

from ..vocabulary import MEMBER_ROLES
from . import common as c
from .summaries import CaseSummary, EntityLinkOut, GroupSummary, nested_list


class ThreatGroupIn(c.Schema):
    name = c.text(255, required=True)
    aliases = c.str_list(255, 100)
    mitre_id = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^G\d{4}$", error="A MITRE ATT&CK group id looks like G0128."),
    )
    sponsor = c.optional_text(255, metadata={"description": "Attributed sponsor, e.g. PRC Ministry of State Security"})
    description = c.optional_text(20_000)
    source_urls = c.url_list()


class MemberIn(c.Schema):
    entity_id = c.record_id(required=True)
    role = fields.String(load_default="member", validate=validate.OneOf(MEMBER_ROLES))
    notes = c.optional_text(1024)
    source_urls = c.url_list()


class MemberPatch(c.Schema):
    role = fields.String(validate=validate.OneOf(MEMBER_ROLES))
    notes = c.optional_text(1024)
    source_urls = c.url_list()


class MemberOut(EntityLinkOut):
    group_id = fields.Integer()
    role = fields.String()


class ThreatGroupOut(c.RecordOutMixin, GroupSummary):
    aliases = fields.List(fields.String())
    sponsor = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    source_urls = fields.List(fields.String())
    members = nested_list(MemberOut, "live_members", "Linked entities with their sanctions and charges.")
    cases = nested_list(CaseSummary, "live_cases")


class ThreatGroupListArgs(c.PageArgs):
    q = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "Name, alias or MITRE id contains this."})
    sponsor = fields.String(validate=validate.Length(max=255))


ThreatGroupPage = c.page_of(ThreatGroupOut, "ThreatGroupPage")
MemberPage = c.page_of(MemberOut, "MemberPage")

"""Small read-only shapes nested inside other records' representations.

Nested lists show live links only (the models' ``live_*`` properties): archived
designations, charges and links are left out; read them directly with
``include_archived=true``.
"""

from __future__ import annotations

from marshmallow import fields

from .common import RecordOutMixin, Schema


def nested_list(schema: type[Schema], attribute: str, description: str | None = None) -> fields.List:
    return fields.List(
        fields.Nested(schema), attribute=attribute, dump_only=True,
        metadata={"description": description} if description else {},
    )


class DesignationSummary(Schema):
    id = fields.Integer()
    authority = fields.String()
    programme = fields.String(allow_none=True)
    legal_basis = fields.String(allow_none=True)
    list_ref = fields.String(allow_none=True)
    reference = fields.String(allow_none=True, metadata={"description": "AUTHORITY:LISTREF"})
    listed_on = fields.Date(allow_none=True)
    delisted_on = fields.Date(allow_none=True)
    active = fields.Boolean()
    measures = fields.List(fields.String())


class ChargeFields(Schema):
    """What a charge states, in its own representation and in summaries."""

    id = fields.Integer()
    case_id = fields.Integer()
    count_number = fields.Integer(allow_none=True)
    statute = fields.String()
    description = fields.String(allow_none=True)
    status = fields.String()
    max_penalty = fields.String(allow_none=True)


class ChargeSummary(ChargeFields):
    case_title = fields.String(attribute="case.title")
    court = fields.String(attribute="case.court")
    case_number = fields.String(attribute="case.case_number", allow_none=True)


class GroupLinkSummary(Schema):
    member_id = fields.Integer(attribute="id")
    group_id = fields.Integer()
    name = fields.String(attribute="group.name")
    mitre_id = fields.String(attribute="group.mitre_id", allow_none=True)
    role = fields.String()


class EntityName(Schema):
    """An entity as a reference to it: id, type and primary name."""

    id = fields.Integer()
    type = fields.String()
    name = fields.String()


class EntitySummary(EntityName):
    archived = fields.Boolean()


class SanctionedEntitySummary(EntitySummary):
    """An entity with its live designations and charges: what a reader of a group needs."""

    designations = nested_list(DesignationSummary, "live_designations")
    charges = nested_list(ChargeSummary, "live_charges")


class EntityLinkOut(RecordOutMixin):
    """A link of an entity to a case (a defendant) or to a threat group (a member)."""

    entity_id = fields.Integer()
    notes = fields.String(allow_none=True)
    source_urls = fields.List(fields.String())
    entity = fields.Nested(SanctionedEntitySummary)


class CaseSummary(Schema):
    id = fields.Integer()
    title = fields.String()
    court = fields.String()
    case_number = fields.String(allow_none=True)
    status = fields.String()
    filed_on = fields.Date(allow_none=True)


class GroupSummary(Schema):
    id = fields.Integer()
    name = fields.String()
    mitre_id = fields.String(allow_none=True)

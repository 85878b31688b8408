"""Persons and companies."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ..vocabulary import CASE_STATUSES, CRAFT_TYPES, GENDERS, NAME_KINDS, ORGANISATION_TYPES
from .common import (
    CountryCode,
    GroupRef,
    ItemArgs,
    PageArgs,
    PartialDate,
    RecordOutMixin,
    Schema,
    optional_text,
    page_of,
    str_list,
    text,
    url_list,
)
from .summaries import (
    CaseSummary,
    ChargeSummary,
    DesignationSummary,
    GroupLinkSummary,
    nested_list,
)

IDENTIFIER_SCHEME = validate.Regexp(
    r"^[a-z][a-z0-9_]{1,31}$",
    error="Use a lower-case scheme such as passport, national_id, uscc, lei, imo, tax_id.",
)


class NameSchema(Schema):
    name = text(255, required=True)
    kind = fields.String(load_default="aka", validate=validate.OneOf(NAME_KINDS))
    script = optional_text(64, load_default=None, metadata={"description": "e.g. Latin, Han, Cyrillic"})
    lang = optional_text(16, load_default=None, metadata={"description": "BCP 47 language tag, e.g. zh"})


class IdentifierSchema(Schema):
    scheme = fields.String(required=True, validate=IDENTIFIER_SCHEME)
    value = text(255, required=True)
    country = CountryCode(allow_none=True, load_default=None)
    notes = optional_text(1024, load_default=None)
    issued_on = fields.Date(allow_none=True, load_default=None)


class AddressSchema(Schema):
    full = optional_text(1024, load_default=None)
    street = optional_text(255, load_default=None)
    city = optional_text(255, load_default=None)
    region = optional_text(255, load_default=None)
    postal_code = optional_text(32, load_default=None)
    country = CountryCode(allow_none=True, load_default=None)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not any(data.values()):
            raise ValidationError("An address needs at least one field.")


class EntityIn(Schema):
    """What a client sends. Only ``name`` is required; lists replace the stored lists."""

    name = text(255, required=True)
    names = fields.List(fields.Nested(NameSchema), validate=validate.Length(max=500))
    identifiers = fields.List(fields.Nested(IdentifierSchema), validate=validate.Length(max=200))
    birth_dates = fields.List(PartialDate(), validate=validate.Length(max=20))
    places_of_birth = str_list(255, 20)
    nationalities = fields.List(CountryCode(), validate=validate.Length(max=20))
    countries = fields.List(CountryCode(), validate=validate.Length(max=50))
    addresses = fields.List(fields.Nested(AddressSchema), validate=validate.Length(max=50))
    notes = optional_text(10_000)
    properties = fields.Dict(keys=fields.String(validate=validate.Length(max=64)))
    source_urls = url_list()


class PersonIn(EntityIn):
    gender = fields.String(allow_none=True, validate=validate.OneOf(GENDERS))


class CompanyIn(EntityIn):
    type = fields.String(
        load_default="company",
        validate=validate.OneOf(ORGANISATION_TYPES),
        metadata={"description": "company (default) or organization"},
    )


class VesselIn(EntityIn):
    type = fields.String(
        load_default="vessel",
        validate=validate.OneOf(CRAFT_TYPES),
        metadata={"description": "vessel (default) or aircraft; call sign, flag, IMO go in identifiers/properties"},
    )


class EntityOut(RecordOutMixin):
    type = fields.String()
    name = fields.String()
    names = fields.List(fields.Nested(NameSchema))
    identifiers = fields.List(fields.Nested(IdentifierSchema))
    birth_dates = fields.List(fields.String())
    places_of_birth = fields.List(fields.String())
    nationalities = fields.List(fields.String())
    countries = fields.List(fields.String())
    addresses = fields.List(fields.Nested(AddressSchema))
    gender = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    properties = fields.Dict()
    source_urls = fields.List(fields.String())
    designations = nested_list(DesignationSummary, "live_designations", "Live designations.")
    charges = nested_list(ChargeSummary, "live_charges")
    threat_groups = nested_list(GroupLinkSummary, "live_group_links")
    cases = nested_list(CaseSummary, "live_cases")


class EntityListArgs(PageArgs):
    name = fields.String(validate=validate.Length(min=1, max=255), metadata={"description": "Any name contains this (case-insensitive)."})
    country = CountryCode(metadata={"description": "Nationality or country (ISO alpha-2)."})
    authority = fields.String(validate=validate.Length(max=32), metadata={"description": "Has a designation by this authority (OFAC, UK, EU, UN ...)."})
    programme = fields.String(validate=validate.Length(max=255), metadata={"description": "Has a designation under a programme containing this."})
    threat_group = GroupRef(metadata={"description": "Linked to this threat group (id, name, MITRE id or alias)."})
    active = fields.Boolean(metadata={"description": "true: has an active designation; false: only delisted ones."})
    listed_from = fields.Date(metadata={"description": "Designated on or after this date."})
    listed_to = fields.Date(metadata={"description": "Designated on or before this date."})
    case_status = fields.String(validate=validate.OneOf(CASE_STATUSES), metadata={"description": "Defendant in a case with this status."})
    identifier = fields.String(validate=validate.Length(max=255), metadata={"description": "Has an identifier with exactly this value."})


class CompanyListArgs(EntityListArgs):
    type = fields.String(validate=validate.OneOf(ORGANISATION_TYPES))


class VesselListArgs(EntityListArgs):
    type = fields.String(validate=validate.OneOf(CRAFT_TYPES))


EntityPage = page_of(EntityOut, "EntityPage")
__all__ = ["VesselIn", "VesselListArgs", "CompanyIn", "CompanyListArgs", "EntityListArgs", "EntityOut", "EntityPage", "ItemArgs", "PersonIn"]

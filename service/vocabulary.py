"""The words of the domain, said once: entity types, name kinds, identifier schemes and which
of them identify a party, and the statuses a record can have.

Plain Python (no Flask, no SQLAlchemy), so models, schemas, the list parsers and the
screening engine can all read the same lists. API-key roles live with the permissions.
"""

from __future__ import annotations

import re

# -- entities --------------------------------------------------------------------------------

PERSON_TYPES = ("person",)
ORGANISATION_TYPES = ("company", "organization")
CRAFT_TYPES = ("vessel", "aircraft")
ENTITY_TYPES = (*PERSON_TYPES, *ORGANISATION_TYPES, *CRAFT_TYPES)

# Types that may describe the same party: one list's "company" is another's "organization".
TYPE_GROUPS = {"person": "person", "company": "org", "organization": "org", "vessel": "vessel",
               "aircraft": "aircraft"}

NAME_KINDS = ("primary", "aka", "fka", "nka", "weak_alias", "original_script")
GENDERS = ("male", "female", "other")


def types_compatible(a: str, b: str) -> bool:
    return TYPE_GROUPS.get(a, a) == TYPE_GROUPS.get(b, b)


# -- identifiers -----------------------------------------------------------------------------

IDENTIFIER_SCHEMES = (
    "passport",
    "national_id",
    "tax_id",
    "uscc",
    "company_registration",
    "lei",
    "imo",
    "mmsi",
    "swift_bic",
    "call_sign",
    "aircraft_registration",
    "aircraft_serial",
    "email",
    "website",
    "other",
)

# The strong identity rule: two records with the same value under one of these schemes are
# the same party. scheme -> whether both sides must state the (same) issuing country, for
# numbers that are only unique within a country (passports, registers, tax ids).
STRONG_SCHEMES: dict[str, bool] = {
    "national_id": False,
    "uscc": False,
    "imo": False,
    "lei": False,
    "passport": True,
    "company_registration": True,
    "tax_id": True,
}
# Shorter normalised values are too likely to collide to identify anyone.
MIN_STRONG_LENGTH = 5
_IDENT_JUNK = re.compile(r"[\s\-./]")

StrongKey = tuple[str, str, str | None]  # (scheme, normalised value, country)


def norm_ident(value: str) -> str:
    """An identifier as compared: no spaces, dashes, dots or slashes; upper case."""
    return _IDENT_JUNK.sub("", value).upper()


def strong_key(scheme: str, value: str, country: str | None) -> StrongKey | None:
    """The identifier's key when it can identify a party on its own, else None."""
    need_country = STRONG_SCHEMES.get(scheme)
    if need_country is None or (need_country and not country):
        return None
    normalised = norm_ident(value)
    if len(normalised) < MIN_STRONG_LENGTH:
        return None
    return scheme, normalised, country


def same_identifier(scheme: str, country: str | None, other_country: str | None) -> bool:
    """Whether two equal values of a strong scheme, issued by these countries, are one."""
    if STRONG_SCHEMES[scheme]:
        return country is not None and country == other_country
    return not (country and other_country and country != other_country)


# -- statuses --------------------------------------------------------------------------------

CASE_STATUSES = ("sealed", "open", "closed", "dismissed")
CHARGE_STATUSES = ("pending", "dismissed", "convicted", "acquitted")
MEMBER_ROLES = ("member", "front_company", "operator", "affiliate", "leader", "sponsor")
IMPORT_STATUSES = ("succeeded", "failed")
IMPORT_ORIGINS = ("cli", "api", "download")

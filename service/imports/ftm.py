"""OpenSanctions FollowTheMoney (FtM) entity JSON lines: one {id, schema, properties, ...} per line.

Mapping:
- Person / Company / Organization / LegalEntity / Vessel / Airplane -> ImportedEntity
  (source_key = FtM id).
- Sanction -> ImportedDesignation on the entity it points to (`entity`). The authority is
  derived from the Sanction's dataset: OFAC / UK / EU / UN for their own lists, otherwise the
  dataset name (e.g. "ch_seco_sanctions"). A Sanction restating another list (e.g. SAM
  exclusions citing OFAC) keeps its own dataset as authority, so it never masquerades as the
  official listing.
- Address entities referenced by `addressEntity` -> ImportedAddress.
- Passport / Identification (holder, number, country, type) -> identifiers on the holder.
- Ownership / Family / Directorship / other link schemas -> ParseResult.relationships
  (not entity properties: a link has two ends and its own dates, and both ends may be entities).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ._source import Source, text_files
from .countries import to_iso2
from .dates import to_date
from .names import is_non_latin
from .scope import DelistingScope, Listing, never
from .shape import (
    ImportedAddress,
    ImportedDesignation,
    ImportedEntity,
    ImportedIdentifier,
    ImportedRelationship,
    ImportFormatError,
    ParseResult,
    add_unique,
)

_THING_TYPES = {
    "Person": "person",
    "Company": "company",
    "Organization": "organization",
    "LegalEntity": "company",
    "PublicBody": "organization",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
# Link schemas: (subject property, object property).
_LINKS = {
    "Ownership": ("owner", "asset"),
    "Family": ("person", "relative"),
    "Directorship": ("director", "organization"),
    "Associate": ("person", "associate"),
    "Employment": ("employee", "employer"),
    "Membership": ("member", "organization"),
    "Representation": ("agent", "client"),
    "UnknownLink": ("subject", "object"),
}
_AUTHORITIES = {
    "us_ofac_sdn": "OFAC",
    "us_ofac_cons": "OFAC",
    "gb_hmt_sanctions": "UK",
    "gb_fcdo_sanctions": "UK",
    "eu_fsf": "EU",
    "un_sc_sanctions": "UN",
}
_ID_PROPS = {
    "passportNumber": "passport",
    "innCode": "tax_id",
    "taxNumber": "tax_id",
    "vatCode": "tax_id",
    "ogrnCode": "company_registration",
    "registrationNumber": "company_registration",
    "leiCode": "lei",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "swiftBic": "swift_bic",
    "email": "email",
    "website": "website",
    "kppCode": "other",
    "okpoCode": "other",
    "uniqueEntityId": "other",
    "permId": "other",
    "registrationNumberAircraft": "aircraft_registration",
    "serialNumber": "aircraft_serial",
}
_EXTRA_PROPS = (
    "position",
    "title",
    "topics",
    "legalForm",
    "incorporationDate",
    "dissolutionDate",
    "status",
    "sourceUrl",
    "programId",
    "summary",
    "buildDate",
    "flag",
    "type",
    "model",
    "tonnage",
    "grossRegisteredTonnage",
)
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FTM_COUNTRIES = {"suhh": "SU", "csxx": "CS", "yucs": "YU", "ddde": "DD", "zr": "CD", "eu": ""}


def _country(code: str, result: ParseResult, file: str, line: int) -> str | None:
    code = code.strip().lower()
    if code in _FTM_COUNTRIES:
        return _FTM_COUNTRIES[code] or None
    iso = to_iso2(code.upper()) if len(code) == 2 else to_iso2(code)
    if iso is None:
        result.warn(file, line, f"unknown country {code!r}")
    return iso or None


def _read(name: str, text: str, result: ParseResult) -> list[tuple[str, int, dict[str, Any]]]:
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"{name}: line {number} is not valid JSON ({exc.msg}); truncated file?"
            ) from None
        if not (
            isinstance(obj, dict)
            and isinstance(obj.get("id"), str)
            and isinstance(obj.get("schema"), str)
            and isinstance(obj.get("properties"), dict)
        ):
            raise ImportFormatError(
                f"{name}: line {number} is not an FtM entity (needs id, schema, properties)"
            )
        result.count("lines")
        records.append((name, number, obj))
    if not records:
        raise ImportFormatError(f"{name}: empty file, no FtM entities")
    return records


def _vals(props: dict[str, Any], key: str) -> list[str]:
    value = props.get(key) or []
    return [
        " ".join(str(v).split())
        for v in (value if isinstance(value, list) else [value])
        if str(v).strip()
    ]


def _address(
    props: dict[str, Any], result: ParseResult, file: str, line: int
) -> ImportedAddress | None:
    full = (_vals(props, "full") or [""])[0]
    parts: dict[str, str | None] = {
        k: next(iter(_vals(props, k)), None)
        for k in ("street", "city", "region", "postalCode", "country")
    }
    country = _country(parts["country"], result, file, line) if parts["country"] else None
    full = full or ", ".join(
        p for p in (parts["street"], parts["city"], parts["region"], parts["postalCode"]) if p
    )
    if not full:
        return None
    return ImportedAddress(
        full, parts["street"], parts["city"], parts["region"], parts["postalCode"], country
    )


def _entity(
    file: str,
    line: int,
    obj: dict[str, Any],
    addresses: dict[str, dict[str, Any]],
    result: ParseResult,
) -> ImportedEntity:
    props = obj["properties"]
    etype = _THING_TYPES[obj["schema"]]
    names = _vals(props, "name")
    # yente's caption is the display name it picked; fall back to the first name.
    caption = " ".join(str(obj.get("caption") or "").split())
    primary = caption if caption in names else (names[0] if names else caption or obj["id"])
    entity = ImportedEntity(source_key=obj["id"], type=etype, name=primary)
    entity.add_name(primary, "primary")
    for prop, kind in (
        ("name", "aka"),
        ("alias", "aka"),
        ("abbreviation", "aka"),
        ("weakAlias", "weak_alias"),
        ("previousName", "fka"),
    ):
        for value in _vals(props, prop):
            entity.add_name(
                value, "original_script" if kind != "weak_alias" and is_non_latin(value) else kind
            )
    for value in _vals(props, "birthDate"):
        if _ISO_DATE.match(value):
            add_unique(entity.birth_dates, value)
        else:
            result.warn(file, line, f"unparseable birthDate {value!r}")
    for value in _vals(props, "birthPlace"):
        add_unique(entity.places_of_birth, value)
    for value in _vals(props, "nationality"):
        add_unique(entity.nationalities, _country(value, result, file, line))
    for prop in ("country", "citizenship", "jurisdiction"):
        for value in _vals(props, prop):
            add_unique(entity.countries, _country(value, result, file, line))
    gender = (_vals(props, "gender") or [""])[0].lower()
    entity.gender = gender if gender in ("male", "female") else None
    id_scheme = "national_id" if etype == "person" else "company_registration"
    for value in _vals(props, "idNumber"):
        entity.add_identifier(ImportedIdentifier(id_scheme, value, notes="idNumber"))
    for prop, scheme in _ID_PROPS.items():
        for value in _vals(props, prop):
            entity.add_identifier(ImportedIdentifier(scheme, value, notes=prop))
    for value in _vals(props, "address"):
        if not any(a.full == value for a in entity.addresses):
            entity.addresses.append(ImportedAddress(value))
    for ref in _vals(props, "addressEntity"):
        if ref not in addresses:
            result.count("missing_address_entities")
            continue
        addr = _address(addresses[ref]["properties"], result, file, line)
        if addr and not any(a.full == addr.full for a in entity.addresses):
            entity.addresses.append(addr)
            add_unique(entity.countries, addr.country)
    entity.notes = "\n".join(_vals(props, "notes")) or None
    for prop in _EXTRA_PROPS:
        if values := _vals(props, prop):
            entity.properties[prop] = values
    entity.properties["datasets"] = list(obj.get("datasets") or [])
    return entity


def _designation(
    obj: dict[str, Any], result: ParseResult, file: str, line: int
) -> ImportedDesignation:
    props = obj["properties"]
    datasets = list(obj.get("datasets") or [])
    authority = next(
        (_AUTHORITIES[d] for d in datasets if d in _AUTHORITIES), datasets[0] if datasets else "FTM"
    )
    dates = []
    for value in _vals(props, "listingDate") or _vals(props, "startDate"):
        parsed = to_date(value)
        if parsed is None and not re.match(r"^\d{4}(-\d{2})?$", value):
            result.warn(file, line, f"unparseable listing date {value!r}")
        elif parsed:
            dates.append(parsed)
    ref = (
        _vals(props, "authorityId")
        or _vals(props, "unscId")
        or _vals(props, "recordId")
        or [obj["id"]]
    )[0]
    programme = _vals(props, "program") or _vals(props, "programId")
    reasons = _vals(props, "reason") + _vals(props, "summary")
    return ImportedDesignation(
        authority=authority,
        list_ref=ref,
        programme="; ".join(dict.fromkeys(programme)) or None,
        legal_basis=None,
        listed_on=min(dates) if dates else None,
        measures=list(dict.fromkeys(_vals(props, "provisions"))),
        reasons="\n".join(dict.fromkeys(reasons)) or None,
        source_url=next(iter(_vals(props, "sourceUrl")), None),
    )


def parse_ftm(paths: list[Source] | Source) -> ParseResult:
    """Parse one or more FtM JSON-lines files into entities, designations and relationships."""
    result = ParseResult()
    records: list[tuple[str, int, dict[str, Any]]] = []
    for name, text in text_files(paths, "an FtM JSON lines file"):
        records.extend(_read(name, text, result))
    # Merged FtM entities keep the ids they replaced in `referents`; references may use either.
    addresses: dict[str, dict[str, Any]] = {}
    for _, _, o in records:
        if o["schema"] == "Address":
            for key in [o["id"], *(o.get("referents") or [])]:
                addresses.setdefault(key, o)
    by_id: dict[str, ImportedEntity] = {}
    for file, line, obj in records:
        if obj["schema"] in _THING_TYPES:
            by_id[obj["id"]] = _entity(file, line, obj, addresses, result)
    result.entities = list(by_id.values())
    lookup = dict(by_id)
    for _, _, obj in records:
        if obj["id"] in by_id:
            for old in obj.get("referents") or []:
                lookup.setdefault(old, by_id[obj["id"]])
    _second_pass(records, lookup, result)
    return result


def _second_pass(
    records: Iterable[tuple[str, int, dict[str, Any]]],
    by_id: dict[str, ImportedEntity],
    result: ParseResult,
) -> None:
    """Attach Sanction / Passport / Identification entities and collect link entities."""
    dangling: list[str] = []
    files: list[str] = []
    for file, line, obj in records:
        schema, props = obj["schema"], obj["properties"]
        add_unique(files, file)
        result.count(f"schema_{schema}")
        if schema == "Sanction":
            for target in _vals(props, "entity"):
                if target in by_id:
                    by_id[target].designations.append(_designation(obj, result, file, line))
                else:
                    dangling.append(obj["id"])
        elif schema in ("Passport", "Identification"):
            number = (_vals(props, "number") or [""])[0]
            holders = _vals(props, "holder")
            if not number:
                result.count("identity_documents_without_number")
                continue
            country = (
                _country((_vals(props, "country") or [""])[0], result, file, line)
                if _vals(props, "country")
                else None
            )
            scheme = "passport" if schema == "Passport" else "national_id"
            for holder in holders:
                if holder in by_id:
                    by_id[holder].add_identifier(
                        ImportedIdentifier(
                            scheme, number, country, next(iter(_vals(props, "type")), None)
                        )
                    )
                else:
                    dangling.append(obj["id"])
        elif schema in _LINKS:
            subject_prop, object_prop = _LINKS[schema]
            extra = {k: v for k, v in props.items() if k not in (subject_prop, object_prop)}
            for subject in _vals(props, subject_prop):
                for obj_ref in _vals(props, object_prop):
                    if subject not in by_id or obj_ref not in by_id:
                        result.count("relationships_with_absent_end")
                    result.relationships.append(
                        ImportedRelationship(schema.lower(), obj["id"], subject, obj_ref, extra)
                    )
        elif schema not in _THING_TYPES and schema != "Address":
            result.count("skipped_entities")
    if dangling:
        result.count("dangling_references", len(dangling))
        result.warn(
            ", ".join(files),
            "-",
            f"{len(dangling)} Sanction/Passport/Identification entities point at ids absent from the "
            f"file and were skipped (first: {dangling[0]})",
        )


def delisting_scope(file_names: Sequence[str], listed: Iterable[Listing]) -> DelistingScope:
    """Never: FtM files are excerpts that mix authorities, so an absent entry means nothing."""
    return never("FtM")

"""EU Financial Sanctions Files (FSF) XML 1.1, namespace http://eu.europa.ec/fpi/fsd/export.

Primary name: "the first strong alias" alone picks "Bin Khalid Fahd Bin Adballah" (FR) over
"Khalid Sheikh MOHAMMED" and an Irish name for Parchin Chemical Industries in the excerpt, so
among strong aliases the first English/unmarked one with a structured lastName wins, then the
first English/unmarked one, then the first with a lastName, then the first.
Non-Latin aliases become kind "original_script". Aliases flagged "low quality" in their remark
or strong="false" become weak aliases.

Measures are not stated in the FSF XML; `measures` stays empty.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ._source import Source, xml_files
from .dates import partial_iso, to_date, year_range
from .names import is_non_latin
from .scope import by_programme
from .shape import (
    ImportedEntity,
    ImportedIdentifier,
    ImportFormatError,
    ParseResult,
    add_unique,
)

NS = "{http://eu.europa.ec/fpi/fsd/export}"
_TYPES = {"person": "person", "enterprise": "company"}
_ID_SCHEMES = {
    "passport": "passport",
    "id": "national_id",
    "ssn": "national_id",
    "regnumber": "company_registration",
    "fiscalcode": "tax_id",
    "tax": "tax_id",
    "swiftbic": "swift_bic",
    "imo": "imo",
}


def _iso2(value: str | None) -> str | None:
    # "00" is the FSF code for "UNKNOWN"; EU uses ISO codes, so no name lookup is needed.
    value = (value or "").strip().upper()
    return value if len(value) == 2 and value.isalpha() else None


def _remarks(el: ET.Element) -> list[str]:
    return [
        " ".join(r.text.split()) for r in el.findall(f"{NS}remark") if r.text and r.text.strip()
    ]


def _names(entity: ImportedEntity, el: ET.Element) -> None:
    aliases = el.findall(f"{NS}nameAlias")
    strong = [a for a in aliases if a.get("strong", "true") == "true"] or aliases

    def rank(a: ET.Element) -> int:
        # English (or unmarked) structured names first: the list's regulation language is en.
        english = (a.get("nameLanguage") or "EN").upper() == "EN"
        return (0 if english else 2) + (0 if a.get("lastName") else 1)

    primary = min(strong, key=rank) if strong else None  # min() keeps the first of equal rank
    ordered = ([primary] if primary is not None else []) + [a for a in aliases if a is not primary]
    for alias in ordered:
        whole = alias.get("wholeName") or " ".join(
            p for p in (alias.get("firstName"), alias.get("middleName"), alias.get("lastName")) if p
        )
        low = any("low quality" in r.lower() for r in _remarks(alias))
        if alias is primary:
            kind = "primary"
            entity.name = " ".join(whole.split())
        elif is_non_latin(whole):
            kind = "original_script"
        else:
            kind = "weak_alias" if low or alias.get("strong") == "false" else "aka"
        entity.add_name(whole, kind, None, alias.get("nameLanguage") or None)
        gender = {"M": "male", "F": "female"}.get(alias.get("gender", ""))
        if gender:
            entity.gender = gender
        for attr, prop in (("function", "positions"), ("title", "titles")):
            if alias.get(attr):
                add_unique(entity.properties.setdefault(prop, []), alias.get(attr))


def _birth(
    entity: ImportedEntity, el: ET.Element, result: ParseResult, file: str, row: str
) -> None:
    for b in el.findall(f"{NS}birthdate"):
        dates: list[str] | None
        if b.get("birthdate"):
            d = to_date(b.get("birthdate"))
            dates = [d.isoformat()] if d else None
        elif b.get("year"):
            iso = partial_iso(b.get("year", ""), b.get("monthOfYear"), b.get("dayOfMonth"))
            dates = [iso] if iso else None
        elif b.get("yearRangeFrom") and b.get("yearRangeTo"):
            try:
                dates = year_range(int(b.get("yearRangeFrom", "")), int(b.get("yearRangeTo", "")))
            except ValueError:
                dates = None
        else:
            dates = []  # a birthdate element that carries only the place of birth
        if dates is None:
            result.warn(file, row, f"unparseable birthdate (logicalId {b.get('logicalId')})")
        for iso in dates or []:
            add_unique(entity.birth_dates, iso)
        city = b.get("city") or b.get("place") or ""
        place = ", ".join(
            p
            for p in (
                city if city != "-" else "",
                b.get("region"),
                (b.get("countryDescription") or "").title()
                if _iso2(b.get("countryIso2Code"))
                else "",
            )
            if p
        )
        add_unique(entity.places_of_birth, place)


def _entity(el: ET.Element, result: ParseResult, file: str) -> ImportedEntity:
    logical_id = el.get("logicalId", "")
    row = f"logicalId {logical_id}"
    subject = el.find(f"{NS}subjectType")
    code = subject.get("code", "") if subject is not None else ""
    etype = _TYPES.get(code)
    if etype is None:
        result.warn(file, row, f"unknown subjectType {code!r}; treated as company")
        etype = "company"
    entity = ImportedEntity(source_key=f"EU:{logical_id}", type=etype, name="")
    _names(entity, el)
    if not entity.name:
        result.warn(file, row, "no nameAlias; entity has no name")
    props = entity.properties
    props["eu_logical_id"] = logical_id
    if el.get("unitedNationId"):
        props["un_ref"] = el.get("unitedNationId")
    _birth(entity, el, result, file, row)
    for c in el.findall(f"{NS}citizenship"):
        add_unique(entity.nationalities, _iso2(c.get("countryIso2Code")))
    for ident in el.findall(f"{NS}identification"):
        number = (ident.get("number") or ident.get("latinNumber") or "").strip()
        if not number:
            continue
        type_code = (ident.get("identificationTypeCode") or "").lower()
        notes = [ident.get("identificationTypeDescription") or type_code, *_remarks(ident)]
        if ident.get("issueDate"):
            notes.append(f"issued {ident.get('issueDate')}")
        if ident.get("knownExpired") == "true":
            notes.append("known expired")
        entity.add_identifier(
            ImportedIdentifier(
                _ID_SCHEMES.get(type_code, "other"),
                number,
                _iso2(ident.get("countryIso2Code")),
                "; ".join(n for n in notes if n),
            )
        )
    for a in el.findall(f"{NS}address"):
        country = _iso2(a.get("countryIso2Code"))
        street, city = a.get("street") or "", a.get("city") or ""
        region, postal = a.get("region") or "", a.get("zipCode") or ""
        po_box = a.get("poBox") or ""
        description = (a.get("countryDescription") or "").title() if country else ""
        full = ", ".join(
            p
            for p in (street, po_box and f"PO Box {po_box}", city, region, postal, description)
            if p
        )
        if full:
            entity.add_address(
                full, street or None, city or None, region or None, postal or None, country
            )
        add_unique(entity.countries, country)  # also when no street address is given
        for contact in a.findall(f"{NS}contactInfo"):
            key, value = contact.get("key", "").upper(), (contact.get("value") or "").strip()
            if key == "WEB" and value:
                entity.add_identifier(ImportedIdentifier("website", value))
            elif key == "EMAIL" and value:
                entity.add_identifier(ImportedIdentifier("email", value))
            elif value:
                add_unique(
                    props.setdefault("phones" if key in ("PHONE", "FAX") else "contacts", []), value
                )
    entity.notes = "\n".join(_remarks(el)) or None

    regulations = el.findall(f"{NS}regulation")
    listed_text = el.get("designationDate") or ""
    listed = to_date(listed_text)
    if listed_text and listed is None:
        result.warn(file, row, f"unparseable designationDate {listed_text!r}")
    url = next(
        (
            r.findtext(f"{NS}publicationUrl")
            for r in regulations
            if r.findtext(f"{NS}publicationUrl")
        ),
        None,
    )
    entity.designate(
        authority="EU",
        list_ref=el.get("euReferenceNumber") or logical_id,
        programme="; ".join(
            dict.fromkeys(r.get("programme", "") for r in regulations if r.get("programme"))
        )
        or None,
        legal_basis="; ".join(
            dict.fromkeys(r.get("numberTitle", "") for r in regulations if r.get("numberTitle"))
        )
        or None,
        listed_on=listed,
        reasons=el.get("designationDetails") or None,
        source_url=url,
    )
    return entity


def parse_eu(paths: list[Source] | Source) -> ParseResult:
    """Parse one or more EU FSF XML files."""
    result = ParseResult()
    for name, root in xml_files(paths, "an EU FSF XML file", "export"):
        if not root.tag.startswith(NS):
            found = root.tag.split("}")[0].lstrip("{") if "}" in root.tag else "none"
            raise ImportFormatError(f"{name}: not an EU FSF XML file: namespace {found!r}")
        for el in root.iterfind(f"{NS}sanctionEntity"):
            result.count("sanction_entities")
            result.entities.append(_entity(el, result, name))
    return result


# One part of the EU list says nothing about the other regimes: delist per programme.
delisting_scope = by_programme

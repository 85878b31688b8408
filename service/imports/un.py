"""UN Security Council Consolidated List, XML (sc-sanctions.xsd).

INDIVIDUALS/INDIVIDUAL and ENTITIES/ENTITY. The source key is DATAID (never reused); the
designation's list_ref is the public REFERENCE_NUMBER (e.g. QDi.001).

Measures are not in the XML (they differ by sanctions committee), so `measures` stays empty
rather than guessing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ._source import Source, xml_files
from .countries import to_iso2
from .dates import partial_iso, to_date, year_range
from .scope import by_programme
from .shape import (
    ImportedEntity,
    ImportedIdentifier,
    ParseResult,
    add_unique,
)

_SOURCE_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
_ALIAS_KINDS = {"good": "aka", "low": "weak_alias", "a.k.a.": "aka", "f.k.a.": "fka", "": "aka"}
# UN entities are mostly armed groups and networks; a business name marks a company.
_COMPANY_WORDS = re.compile(
    r"\b(company|co\.|corp(oration)?|ltd|limited|llc|inc|trading|bank|enterprise|shipping|"
    r"industr(y|ies)|group co|gmbh|s\.a\.)\b",
    re.IGNORECASE,
)


def _text(el: ET.Element | None, tag: str) -> str:
    if el is None:
        return ""
    child = el.find(tag)
    return " ".join((child.text or "").split()) if child is not None else ""


def _values(el: ET.Element, tag: str) -> list[str]:
    return [
        " ".join((v.text or "").split())
        for t in el.findall(tag)
        for v in t.findall("VALUE")
        if v.text
    ]


def _country(name: str, result: ParseResult, file: str, row: str, what: str) -> str | None:
    if not name:
        return None
    code = to_iso2(name)
    if code is None:
        result.warn(file, row, f"unknown country {name!r} in {what}")
    return code or None


def _birth_dates(
    entity: ImportedEntity, el: ET.Element, result: ParseResult, file: str, row: str
) -> None:
    for dob in el.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = _text(dob, "TYPE_OF_DATE").upper()
        date_text, year = _text(dob, "DATE"), _text(dob, "YEAR")
        from_year, to_year = _text(dob, "FROM_YEAR"), _text(dob, "TO_YEAR")
        dates: list[str] | None = []
        if date_text:
            parsed = to_date(date_text)
            dates = [parsed.isoformat()] if parsed else None
        elif year:
            iso = partial_iso(year)
            dates = [iso] if iso else None
        elif from_year and to_year:
            try:
                dates = year_range(int(from_year), int(to_year))
            except ValueError:
                dates = None
        if dates is None:
            result.warn(
                file,
                row,
                f"unparseable date of birth ({kind or 'no type'}): "
                f"{date_text or year or f'{from_year}-{to_year}'!r}",
            )
            continue
        for d in dates:
            add_unique(entity.birth_dates, d)
        if kind == "APPROXIMATELY" and dates:
            entity.properties["birth_date_approximate"] = True


def _addresses(
    entity: ImportedEntity, el: ET.Element, tag: str, result: ParseResult, file: str, row: str
) -> None:
    for addr in el.findall(tag):
        street, city = _text(addr, "STREET"), _text(addr, "CITY")
        region, postal, country_name = (
            _text(addr, "STATE_PROVINCE"),
            _text(addr, "ZIP_CODE"),
            _text(addr, "COUNTRY"),
        )
        if not (street or city or region or postal or country_name):
            continue
        code = _country(country_name, result, file, row, "address")
        entity.add_address(
            full=", ".join(p for p in (street, city, region, postal, country_name) if p),
            street=street or None,
            city=city or None,
            region=region or None,
            postal_code=postal or None,
            country=code,
        )
        if note := _text(addr, "NOTE"):
            entity.properties.setdefault("address_notes", []).append(note)


def _documents(
    entity: ImportedEntity, el: ET.Element, result: ParseResult, file: str, row: str
) -> None:
    for doc in el.findall("INDIVIDUAL_DOCUMENT"):
        number = _text(doc, "NUMBER")
        if not number:
            continue
        doc_type = _text(doc, "TYPE_OF_DOCUMENT")
        lowered = doc_type.lower()
        if "pass" in lowered or "pasaporte" in lowered:
            scheme = "passport"
        elif "identification" in lowered or "identity" in lowered:
            scheme = "national_id"
        else:
            scheme = "other"
        country_name = _text(doc, "ISSUING_COUNTRY") or _text(doc, "COUNTRY_OF_ISSUE")
        code = _country(country_name, result, file, row, "document")
        notes = [
            doc_type,
            _text(doc, "TYPE_OF_DOCUMENT2"),
            _text(doc, "DATE_OF_ISSUE") and f"issued {_text(doc, 'DATE_OF_ISSUE')}",
            _text(doc, "CITY_OF_ISSUE"),
            _text(doc, "NOTE"),
        ]
        entity.add_identifier(
            ImportedIdentifier(scheme, number, code, "; ".join(n for n in notes if n) or None)
        )


def _entity(el: ET.Element, is_person: bool, result: ParseResult, file: str) -> ImportedEntity:
    dataid = _text(el, "DATAID")
    ref = _text(el, "REFERENCE_NUMBER")
    row = ref or f"DATAID {dataid}"
    name = " ".join(
        p
        for p in (_text(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"))
        if p
    )
    etype = (
        "person" if is_person else ("company" if _COMPANY_WORDS.search(name) else "organization")
    )
    entity = ImportedEntity(source_key=f"UN:{dataid}", type=etype, name=name)
    entity.add_name(name, "primary")
    if original := _text(el, "NAME_ORIGINAL_SCRIPT"):
        entity.add_name(original, "original_script")
    for alias in el.findall("INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS"):
        quality = _text(alias, "QUALITY").lower()
        kind = _ALIAS_KINDS.get(quality)
        if kind is None:
            result.warn(file, row, f"unknown alias QUALITY {quality!r}; treated as aka")
            kind = "aka"
        entity.add_name(_text(alias, "ALIAS_NAME"), kind)

    props = entity.properties
    props["un_dataid"] = dataid
    for key, tag in (("titles", "TITLE"), ("positions", "DESIGNATION")):
        if values := _values(el, tag):
            props[key] = values
    gender = _text(el, "GENDER").lower()
    entity.gender = gender if gender in ("male", "female") else None
    for nationality in _values(el, "NATIONALITY"):
        add_unique(entity.nationalities, _country(nationality, result, file, row, "nationality"))
    if is_person:
        _birth_dates(entity, el, result, file, row)
        for pob in el.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
            place = ", ".join(
                p
                for p in (_text(pob, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY"))
                if p
            )
            add_unique(entity.places_of_birth, place)
        _documents(entity, el, result, file, row)
    _addresses(
        entity, el, "INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS", result, file, row
    )

    listed_text = _text(el, "LISTED_ON")
    listed = to_date(listed_text)
    if listed_text and listed is None:
        result.warn(file, row, f"unparseable LISTED_ON {listed_text!r}")
    comments = (el.findtext("COMMENTS1") or "").strip()
    entity.notes = comments or None
    entity.designate(
        authority="UN",
        list_ref=ref or dataid,
        programme=_text(el, "UN_LIST_TYPE") or None,
        listed_on=listed,
        reasons=comments or None,
        source_url=_SOURCE_URL,
    )
    return entity


def parse_un(paths: list[Source] | Source) -> ParseResult:
    """Parse one or more UN consolidated list XML files."""
    result = ParseResult()
    for name, root in xml_files(paths, "a UN consolidated list XML file", "CONSOLIDATED_LIST"):
        for el in root.iterfind("INDIVIDUALS/INDIVIDUAL"):
            result.count("individuals")
            result.entities.append(_entity(el, True, result, name))
        for el in root.iterfind("ENTITIES/ENTITY"):
            result.count("entities")
            result.entities.append(_entity(el, False, result, name))
    return result


# One part of the UN list says nothing about the other regimes: delist per programme.
delisting_scope = by_programme

"""Structured data out of the OFAC legacy CSV `Remarks` field.

The legacy CSV packs everything except name, type and programme into one free-text field:
"DOB 12 Nov 1985; POB Jingzhou Municipality, China; nationality China; ...; National ID No.
421003198511121539 (China)." We split on ";" and recognise the clauses OFAC uses; unknown clauses
stay readable in `notes` (the whole Remarks text is always kept there).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .countries import to_iso2
from .dates import parse_ofac_date, year_range
from .shape import ImportedEntity, ImportedIdentifier, add_unique

Warn = Callable[[str], None]

# Identifier labels as OFAC writes them -> scheme. Longest label wins ("Company Number IMO"
# before "Company Number"), so generic labels can sit next to specific ones.
_ID_LABELS: dict[str, str] = {
    # passports and travel documents
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "Passport Booklet": "passport",
    "Travel Document Number": "passport",
    # personal identity numbers
    "National ID No.": "national_id",
    "Cedula No.": "national_id",
    "C.U.R.P.": "national_id",
    "C.U.R.P. #": "national_id",
    "Identification Number": "national_id",
    "Personal ID Card": "national_id",
    "D.N.I.": "national_id",
    "Electoral Registry No.": "national_id",
    "Birth Certificate Number": "national_id",
    "National Foreign ID Number": "national_id",
    "Credencial electoral": "national_id",
    "C.U.I.": "national_id",
    "C.U.I.P.": "national_id",
    "I.F.E.": "national_id",
    "Turkish Identification Number": "national_id",
    "Numero de Identidad": "national_id",
    "Citizen's Card Number": "national_id",
    "Kenyan ID No.": "national_id",
    "Residency Number": "national_id",
    "SSN": "national_id",
    "Tazkira National ID Card": "national_id",
    "Refugee ID Card": "national_id",
    "UAE Identification": "national_id",
    "Military Registration Number": "national_id",
    "Cartilla de Servicio Militar Nacional": "national_id",
    # tax numbers
    "Tax ID No.": "tax_id",
    "R.F.C.": "tax_id",
    "R.F.C. #": "tax_id",
    "RFC": "tax_id",
    "NIT #": "tax_id",
    "RUC #": "tax_id",
    "RIF #": "tax_id",
    "V.A.T. Number": "tax_id",
    "C.U.I.T.": "tax_id",
    "C.I.F.": "tax_id",
    "US FEIN": "tax_id",
    "RTN": "tax_id",
    "Italian Fiscal Code": "tax_id",
    "Numero Unico de Identificacao Tributaria (NUIT)": "tax_id",
    "Paraguayan tax identification number": "tax_id",
    # Chinese unified social credit code
    "Unified Social Credit Code (USCC)": "uscc",
    "United Social Credit Code Certificate (USCCC)": "uscc",
    # company / organisation registers
    "Registration Number": "company_registration",
    "Registration ID": "company_registration",
    "Business Registration Number": "company_registration",
    "Business Registration Document #": "company_registration",
    "Business Number": "company_registration",
    "Company Number": "company_registration",
    "UK Company Number": "company_registration",
    "Commercial Registry Number": "company_registration",
    "Folio Mercantil No.": "company_registration",
    "Matricula Mercantil No": "company_registration",
    "Economic Register Number (CBLS)": "company_registration",
    "Trade License No.": "company_registration",
    "Chamber of Commerce Number": "company_registration",
    "Central Registration System Number": "company_registration",
    "Istanbul Chamber of Comm. No.": "company_registration",
    "Dubai Chamber of Commerce Membership No.": "company_registration",
    "C.R. No.": "company_registration",
    "Romanian C.R.": "company_registration",
    "Government Gazette Number": "company_registration",
    "Public Registration Number": "company_registration",
    "Enterprise Number": "company_registration",
    "Branch Unit Number": "company_registration",
    "Registered Charity No.": "company_registration",
    "Certificate of Incorporation Number": "company_registration",
    "LE Number": "company_registration",
    "Organization Code": "company_registration",
    "Legal Entity Number": "lei",
    # ships
    "Vessel Registration Identification IMO": "imo",
    "Identification Number IMO": "imo",
    "Company Number IMO": "imo",  # IMO company number (ship owners/managers)
    "Vessel Registration Identification": "other",
    "MMSI": "mmsi",
    "Other Vessel Call Sign": "call_sign",
    # banks
    "SWIFT/BIC": "swift_bic",
    # aircraft
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_serial",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "aircraft_serial",
    "Aircraft Serial Identification": "aircraft_serial",
    "Aircraft Tail Number": "aircraft_registration",
    "Aircraft Mode S Transponder Code": "other",
    # everything else that is clearly an identifier but fits no scheme
    "D-U-N-S Number": "other",
    "ISIN": "other",
    "Equity Ticker": "other",
    "BIK (RU)": "other",
    "Driver's License No.": "other",
    "Digital Currency Address": "other",
    "License": "other",
    "Permit Number": "other",
    "SRE Permit No.": "other",
    "Pilot License Number": "other",
    "Immigration No.": "other",
    "VisaNumberID": "other",
    "File Number": "other",
    "Chinese Commercial Code": "other",
    "Afghan Money Service Provider License Number": "other",
}

# First word (lower-case) -> labels starting with it, longest first: one dict lookup per clause
# instead of trying ~100 prefixes (this keeps the full SDN parse well under a second).
_BY_FIRST_WORD: dict[str, list[tuple[str, str]]] = {}
for _label, _scheme in sorted(_ID_LABELS.items(), key=lambda kv: -len(kv[0])):
    _BY_FIRST_WORD.setdefault(_label.split()[0].lower(), []).append((_label.lower(), _scheme))

_SPLIT = re.compile(r";\s*")
_ALT = re.compile(r"^alt\.\s+", re.IGNORECASE)
_ALIAS = re.compile(r"^([afn])\.k\.a\.,?\s+['‘’](.+)['‘’]$", re.IGNORECASE)
_ISSUED = re.compile(r"\s+(issued|expires)\b.*$", re.IGNORECASE)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]+)\)\s*$")
_RANGE = re.compile(r"^(.+?)\s*(?:to|-)\s*(.+)$")


def _parse_dob(value: str) -> list[str] | None:
    """ "12 Nov 1985", "circa 1960", "1961 to 1963", "12 Nov 1985 to 15 Nov 1985" -> dates."""
    value = re.sub(r"^circa\s+", "", value.strip(), flags=re.IGNORECASE)
    single = parse_ofac_date(value)
    if single:
        return [single]
    m = _RANGE.match(value)
    if not m:
        return None
    start, end = parse_ofac_date(m.group(1)), parse_ofac_date(m.group(2))
    if not start or not end:
        return None
    if len(start) == len(end) == 4:
        return year_range(int(start), int(end))
    return [start, end]  # ranges of full dates: keep both ends, not every day between


def _identifier(clause: str) -> ImportedIdentifier | None:
    lower = clause.lower()
    for label, scheme in _BY_FIRST_WORD.get(lower.split(" ", 1)[0], ()):
        if not lower.startswith(label):
            continue
        rest = clause[len(label) :]
        if rest and rest[0] not in " :#-":
            continue  # "Registration Numbers" is not "Registration Number"
        original_label = clause[: len(label)]
        rest = rest.strip(" :#")
        notes = [original_label]
        if label == "digital currency address":
            currency, _, rest = rest.lstrip("- ").partition(" ")
            notes = [f"{original_label} - {currency}"]
        issued = _ISSUED.search(rest)
        if issued:
            notes.append(issued.group(0).strip())
            rest = rest[: issued.start()]
        country: str | None = None
        paren = _TRAILING_PAREN.search(rest)
        if paren:
            code = to_iso2(paren.group(1))
            if code is None:
                # OFAC also brackets the issuing town ("(Bogota)", "(Stuttgart)"), so an
                # unresolved bracket is kept in the notes rather than warned about.
                notes.append(f"({paren.group(1)})")
            country = code or None
            rest = rest[: paren.start()]
            # "HRA 738077 (Stuttgart) (Germany)": the inner bracket is part of the details.
            inner = _TRAILING_PAREN.search(rest)
            if inner:
                notes.append(f"({inner.group(1)})")
                rest = rest[: inner.start()]
        value = rest.strip(" ,.")
        if not value:
            return None
        return ImportedIdentifier(scheme, value, country, "; ".join(notes))
    return None


def _country(
    entity: ImportedEntity, field_list: list[str], name: str, what: str, warn: Warn
) -> None:
    name = re.sub(r"^possibly\s+", "", name.strip(), flags=re.IGNORECASE)
    code = to_iso2(name)
    if code is None:
        warn(f"unknown country {name!r} in {what}")
    else:
        add_unique(field_list, code)


def apply_remarks(entity: ImportedEntity, remarks: str, warn: Warn) -> None:
    """Parse `remarks` into `entity` (mutated in place); problems go to `warn`."""
    text = remarks.strip()
    if text.endswith("."):
        text = text[:-1]
    props = entity.properties
    for raw in _SPLIT.split(text):
        clause = _ALT.sub("", raw.strip())
        if not clause:
            continue
        head, _, value = clause.partition(" ")
        if head == "DOB":
            dates = _parse_dob(value)
            if dates is None:
                warn(f"unparseable date of birth {value!r}")
            else:
                for d in dates:
                    add_unique(entity.birth_dates, d)
        elif head == "POB":
            add_unique(entity.places_of_birth, value.strip())
        elif head == "nationality":
            _country(entity, entity.nationalities, value, "nationality", warn)
        elif head == "citizen":
            _country(entity, entity.countries, value, "citizenship", warn)
        elif head == "Gender" and value.lower() in ("male", "female"):
            entity.gender = value.lower()
        elif alias := _ALIAS.match(clause):
            # The legacy files carry OFAC's strong aliases in alt.csv; the quoted ones in the
            # remarks (a.k.a. 'GIUSEPPE', f.k.a. 'ALPHA') are its "low quality" aliases: nicknames,
            # single given names, war names. They are weak aliases (as OpenSanctions reads them),
            # which the engine lets match only a query that is the whole alias.
            entity.add_name(alias.group(2), "weak_alias")
        elif head == "Website":
            entity.add_identifier(ImportedIdentifier("website", value.strip()))
            props.setdefault("websites", [])
            add_unique(props["websites"], value.strip())
        elif clause.startswith("Email Address"):
            entity.add_identifier(
                ImportedIdentifier("email", clause[len("Email Address") :].strip())
            )
        elif clause.startswith("Organization Established Date"):
            established = clause[len("Organization Established Date") :].strip()
            dates = _parse_dob(established)
            if dates is None:
                warn(f"unparseable date {established!r} in Organization Established Date")
                props["established"] = established
            else:
                # A range ("01 Jan 2015 to 31 Dec 2015") becomes an ISO 8601 interval.
                props["established"] = dates[0] if len(dates) == 1 else f"{dates[0]}/{dates[-1]}"
        elif clause.startswith("Organization Type:"):
            props.setdefault("organization_type", [])
            add_unique(props["organization_type"], clause.partition(":")[2].strip())
        elif clause.startswith("Linked To:"):
            props.setdefault("linked_to", [])
            add_unique(props["linked_to"], clause.partition(":")[2].strip())
        elif clause.startswith("Target Type "):
            props["target_type"] = clause[len("Target Type ") :].strip()
        elif clause.startswith("Aircraft Model "):
            props["aircraft_model"] = clause[len("Aircraft Model ") :].strip()
        elif clause.startswith("Aircraft Manufacture Date "):
            props["aircraft_manufacture_date"] = clause[len("Aircraft Manufacture Date ") :].strip()
        elif clause.startswith("Aircraft Operator "):
            props["aircraft_operator"] = clause[len("Aircraft Operator ") :].strip()
        elif clause.startswith("Vessel Year of Build "):
            props["build_year"] = clause[len("Vessel Year of Build ") :].strip()
        elif ident := _identifier(clause):
            entity.add_identifier(ident)

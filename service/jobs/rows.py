"""From a CSV row to a screening subject, and from a screened row to a results line.

Header names are matched loosely (``Name``, ``full_name``, ``Vendor Name``, ``company``,
``First Name`` + ``Last Name`` ...); the caller may name the columns instead. A row without a
usable name, or with a birth date that cannot be read, becomes an error line with its row
number and the reason; it never stops the job. No Flask, no database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..errors import Invalid
from ..imports.countries import to_iso2
from ..imports.dates import parse_ofac_date, partial_iso
from ..screening import Match, Subject

RESULT_COLUMNS = ("match_entity_id", "match_name", "matched_name", "match_score", "decision",
                  "match_references", "match_count", "explanation", "row", "error")
MAX_NAME = 500

# Normalised header (lower case, words joined by "_") -> role. Checked in this order.
NAME_HEADERS = (
    "name", "full_name", "fullname", "names", "legal_name", "entity_name", "party_name", "subject_name",
    "company_name", "company", "business_name", "organisation", "organization", "organisation_name",
    "organization_name", "vendor_name", "vendor", "supplier_name", "supplier", "customer_name", "customer",
    "client_name", "client", "counterparty", "counterparty_name", "beneficiary", "beneficiary_name",
    "payee", "payee_name", "account_name", "account_holder", "person_name", "individual_name",
    "partner_name", "display_name", "name_1", "entity", "party", "subject",
)
FIRST_HEADERS = ("first_name", "firstname", "given_name", "given_names", "forename", "first")
MIDDLE_HEADERS = ("middle_name", "middle_names", "middlename", "middle")
LAST_HEADERS = ("last_name", "lastname", "surname", "family_name", "last")
BIRTH_HEADERS = ("birth_date", "date_of_birth", "dob", "d_o_b", "birthdate", "birthday", "born",
                 "born_on", "birth")
COUNTRY_HEADERS = ("country", "country_code", "nationality", "citizenship", "country_of_residence",
                   "residence_country", "country_iso", "iso_country", "country_name", "ctry", "nation")
TYPE_HEADERS = ("type", "entity_type", "party_type", "subject_type", "customer_type", "vendor_type",
                "record_type", "kind")
IDENTIFIER_HEADERS = {
    "passport": "passport", "passport_number": "passport", "passport_no": "passport",
    "national_id": "national_id", "national_id_number": "national_id", "id_number": "national_id",
    "tax_id": "tax_id", "tin": "tax_id", "vat": "tax_id", "vat_number": "tax_id", "vat_id": "tax_id",
    "ein": "tax_id", "lei": "lei", "lei_code": "lei", "imo": "imo", "imo_number": "imo",
    "swift": "swift_bic", "bic": "swift_bic", "swift_bic": "swift_bic", "swift_code": "swift_bic",
    "registration_number": "company_registration", "company_number": "company_registration",
    "company_registration": "company_registration", "reg_no": "company_registration", "uscc": "uscc",
}
# Words that make a "... name" header something other than the party's name.
NOT_A_NAME = {"first", "given", "last", "family", "middle", "user", "file", "host", "domain", "product",
              "item", "bank", "street", "city", "father", "mother", "contact", "brand", "trade"}
TYPE_VALUES = {
    "person": "person", "individual": "person", "natural_person": "person", "people": "person",
    "private": "person", "p": "person", "i": "person", "ind": "person",
    "company": "company", "entity": "company", "business": "company", "corporation": "company",
    "corp": "company", "legal_entity": "company", "legal_person": "company", "firm": "company",
    "c": "company", "e": "company", "organisation": "organization", "organization": "organization",
    "org": "organization", "vessel": "vessel", "ship": "vessel", "aircraft": "aircraft",
}
NO_NAME = {"n_a", "na", "none", "null", "nil", "unknown", "tbd", "test", "x", "xx", "xxx"}


def normalise_header(text: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass
class Columns:
    """Which input columns (by position) feed the subject."""

    name: list[int]  # several when a first and a last name are joined
    birth_date: int | None = None
    country: int | None = None
    type: int | None = None
    identifiers: list[tuple[int, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "birth_date": self.birth_date, "country": self.country,
                "type": self.type, "identifiers": [list(i) for i in self.identifiers]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Columns:
        return cls(name=list(data["name"]), birth_date=data.get("birth_date"), country=data.get("country"),
                   type=data.get("type"), identifiers=[(int(i), str(s)) for i, s in data.get("identifiers", [])])

    def describe(self, header: Sequence[str]) -> dict[str, Any]:
        """The mapping by column name, as the API shows it."""
        def col(i: int | None) -> str | None:
            return header[i] if i is not None else None
        return {"name": [header[i] for i in self.name], "birth_date": col(self.birth_date),
                "country": col(self.country), "type": col(self.type),
                "identifiers": {header[i]: scheme for i, scheme in self.identifiers}}


def _find(norm: list[str], candidates: Sequence[str]) -> int | None:
    for cand in candidates:
        if cand in norm:
            return norm.index(cand)
    return None


def _pick(header: list[str], norm: list[str], role: str, given: str | None) -> int | None:
    if not given:
        return None
    if given in header:
        return header.index(given)
    key = normalise_header(given)
    if key in norm:
        return norm.index(key)
    raise Invalid(f"There is no column {given!r} for the {role} (columns: {', '.join(header)}).",
                  errors={f"{role}_column": [f"No such column: {given!r}."]})


def map_columns(header: list[str], options: dict[str, Any] | None = None) -> Columns:
    """Find the name (and birth date, country, type, identifier) columns; the caller's
    ``*_column`` options win over the guesses."""
    opts = options or {}
    norm = [normalise_header(h) for h in header]
    name = _pick(header, norm, "name", opts.get("name_column"))
    names: list[int] = [name] if name is not None else []
    if not names:
        found = _find(norm, NAME_HEADERS)
        if found is None:  # "Vendor Legal Name", "Name of supplier" ...
            found = next((i for i, h in enumerate(norm)
                          if "name" in h.split("_") and not NOT_A_NAME & set(h.split("_"))), None)
        if found is not None:
            names = [found]
        else:
            parts = [_find(norm, FIRST_HEADERS), _find(norm, MIDDLE_HEADERS), _find(norm, LAST_HEADERS)]
            if parts[0] is not None and parts[2] is not None:
                names = [i for i in parts if i is not None]
    if not names:
        raise Invalid(
            f"The file has no 'name' column, nor one recognised as a name (columns: {', '.join(header) or 'none'}); "
            "say which column holds the name with name_column.",
            errors={"name_column": ["No name column found."]},
        )
    columns = Columns(name=names)
    for role, candidates in (("birth_date", BIRTH_HEADERS), ("country", COUNTRY_HEADERS), ("type", TYPE_HEADERS)):
        picked = _pick(header, norm, role, opts.get(f"{role}_column"))
        setattr(columns, role, picked if picked is not None else _find(norm, candidates))
    if opts.get("identifier_columns"):
        for spec in str(opts["identifier_columns"]).split(","):
            col, _, scheme = spec.strip().partition(":")
            idx = _pick(header, norm, "identifier", col.strip())
            if idx is not None:
                columns.identifiers.append((idx, normalise_header(scheme) or "other"))
    else:
        columns.identifiers = [(i, IDENTIFIER_HEADERS[h]) for i, h in enumerate(norm) if h in IDENTIFIER_HEADERS]
    return columns


# --- values -------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{4})$")
_MDY_WORDS = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$")


def parse_birth_date(text: str, date_order: str | None = None) -> str | None:
    """A partial ISO date (YYYY, YYYY-MM, YYYY-MM-DD) from what exports contain, or None.

    03/04/1985 is ambiguous: read as ``date_order`` (dmy or mdy) when given, else only the
    year is kept (a wrong day or month would lower the score of a true match)."""
    text = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?Z?$", "", text.strip())
    result: str | None = None
    if m := _ISO.match(text) or _COMPACT.match(text):
        result = partial_iso(*m.groups())
    elif m := _DOTTED.match(text):
        result = partial_iso(m.group(3), m.group(2), m.group(1))
    elif m := _SLASHED.match(text):
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if a > 12 or (date_order == "dmy" and b <= 12):
            result = partial_iso(year, b, a)
        elif b > 12 or date_order == "mdy":
            result = partial_iso(year, a, b)
        elif a == b:
            result = partial_iso(year, a, b)
        else:
            result = partial_iso(year)
    elif m := _MONTH_YEAR.match(text):
        result = partial_iso(m.group(2), m.group(1))
    elif m := _MDY_WORDS.match(text):
        result = parse_ofac_date(f"{m.group(2)} {m.group(1)} {m.group(3)}")
    else:
        result = parse_ofac_date(re.sub(r"[-/.,]+", " ", text))
    if result is None or not 1800 <= int(result[:4]) <= date.today().year:
        return None
    return result


@dataclass
class Parsed:
    subject: Subject | None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def _cell(cells: Sequence[str], idx: int | None) -> str:
    if idx is None or idx >= len(cells):
        return ""
    return cells[idx].replace("\x00", "").strip()


def to_subject(cells: Sequence[str], columns: Columns, *, date_order: str | None = None) -> Parsed:
    """The subject a row describes, or the reason it cannot be screened."""
    name = " ".join(p for p in (_cell(cells, i) for i in columns.name) if p)
    name = re.sub(r"\s+", " ", name)
    if not name:
        return Parsed(None, "name: Missing data (the name cell is empty)")
    if not any(ch.isalnum() for ch in name) or normalise_header(name) in NO_NAME:
        return Parsed(None, f"name: not a usable name: {name[:50]!r}")
    if len(name) > MAX_NAME:
        return Parsed(None, f"name: longer than {MAX_NAME} characters")
    notes: list[str] = []
    birth_date = None
    if raw := _cell(cells, columns.birth_date):
        birth_date = parse_birth_date(raw, date_order)
        if birth_date is None:
            return Parsed(None, f"birth_date: not a date: {raw[:40]!r} (use YYYY-MM-DD, YYYY-MM or YYYY)")
    country = None
    if raw := _cell(cells, columns.country):
        country = to_iso2(raw) or None
        if country is None:
            notes.append(f"country {raw[:40]!r} not recognised; ignored")
    kind = None
    if raw := _cell(cells, columns.type):
        kind = TYPE_VALUES.get(normalise_header(raw))
        if kind is None:
            notes.append(f"type {raw[:40]!r} not recognised; any type matched")
    identifiers: list[tuple[str, str, str | None]] = [
        (scheme, value, None) for idx, scheme in columns.identifiers if (value := _cell(cells, idx))
    ]
    return Parsed(Subject(name=name, type=kind, birth_date=birth_date, country=country,
                          identifiers=identifiers), None, notes)


# --- results --------------------------------------------------------------------------------

def decision(matches: Sequence[Match], error: str | None) -> str:
    if error:
        return "error"
    if any(m.match for m in matches):
        return "match"
    return "possible" if matches else "clear"


def short_explanation(match: Match, notes: Sequence[str] = ()) -> str:
    ex = match.explanation
    parts = [f"{ex.get('matched_name_kind', 'name')} name {match.matched_name!r} scored {ex.get('name_score', 0):.2f}"]
    parts += [f"{a['feature']} {a['effect']:+.2f}" for a in ex.get("adjustments", []) if a.get("effect")]
    return "; ".join([*parts, *notes])


def csv_header(header: Sequence[str]) -> list[str]:
    """The results file's header: the input's, then the result columns (written, made safe
    for spreadsheets, by :func:`..csvcells.csv_line`)."""
    return [*header, *RESULT_COLUMNS]


def csv_row(cells: Sequence[str], width: int, line: int, matches: Sequence[Match], error: str | None,
            notes: Sequence[str] = ()) -> list[object]:
    """Input cells (padded or cut to the header's width), then the result columns (written,
    made safe for spreadsheets, by :func:`..csvcells.csv_line`)."""
    row = list(cells[:width]) + [""] * (width - len(cells))
    best = matches[0] if matches else None
    extra = [f"{len(cells) - width} cells beyond the header ignored"] if len(cells) > width else []
    if best:
        result = [best.entity_id, best.name, best.matched_name, f"{best.score:.4f}", decision(matches, error),
                  ";".join(best.references), sum(1 for m in matches if m.match),
                  short_explanation(best, [*notes, *extra]), line, ""]
    else:
        result = ["", "", "", "", decision(matches, error), "", 0 if not error else "",
                  "; ".join([*notes, *extra]), line, error or ""]
    return [*row, *result]


def match_json(m: Match) -> dict[str, Any]:
    return {"entity_id": m.entity_id, "name": m.name, "matched_name": m.matched_name, "score": m.score,
            "match": m.match, "references": m.references, "explanation": m.explanation}


def jsonl_line(header: Sequence[str], cells: Sequence[str], line: int, matches: Sequence[Match],
               error: str | None, notes: Sequence[str] = ()) -> str:
    """One row's JSON Lines record: row number, input by column name, decision, every match
    with its explanation, and the error or notes when there are any."""
    record: dict[str, Any] = {"row": line, "input": {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)},
                              "decision": decision(matches, error)}
    record["matches"] = [match_json(m) for m in matches]
    if error:
        record["error"] = error
    if notes:
        record["notes"] = list(notes)
    return json.dumps(record, ensure_ascii=False) + "\n"

"""UK OFSI Consolidated List of Financial Sanctions Targets, CSV ("2022 format").

One row per name, grouped by `Group ID`. A part file starts with a `Last Updated,dd/mm/yyyy`
row and then the header. Several part files (or the whole ConList.csv) may be given together;
a Group ID that appears under two regimes is ONE entity.

Designations: the UK Sanctions List Ref (e.g. CYB0045) identifies the listing, and each group
has exactly one ref even when it sits under two regimes (checked on the 2025-04-10 list). So a
group gets ONE designation per ref whose programme names every regime ("Syria; Iran"),
whose listed_on is the earliest regime listing, and the per-regime dates are kept in
properties["regimes"]. Groups without a ref (3 on that list) fall back to the OFSI Group ID.

Measures: every target on this list is subject to an asset freeze; that is what OFSI's list
is. Travel bans are imposed by the FCDO per regime and are not stated in this file, so they are
not claimed here. Ships are "specified ships", not asset-freeze targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ._source import Source, csv_rows, text_files
from .countries import to_iso2
from .dates import dmy_to_date, parse_dmy
from .scope import by_programme
from .shape import (
    ImportedEntity,
    ImportedIdentifier,
    ImportFormatError,
    ParseResult,
    add_unique,
)

_REQUIRED = ("Name 6", "Name 1", "Group ID", "Group Type", "Alias Type", "Regime", "Other Information")
_TYPES = {"individual": "person", "entity": "company", "ship": "vessel"}
_SOURCE_URL = (
    "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets"
)
# Only regulations whose titles are certain; other regimes leave legal_basis empty.
_LEGAL_BASIS = {
    "Cyber": "The Cyber (Sanctions) (EU Exit) Regulations 2020",
    "Russia": "The Russia (Sanctions) (EU Exit) Regulations 2019",
    "Global Human Rights": "The Global Human Rights Sanctions Regulations 2020",
    "Global Anti-Corruption": "The Global Anti-Corruption Sanctions Regulations 2021",
}
# "Type of entity" words that mean an organisation rather than a business.
_ORG_WORDS = re.compile(
    r"organi[sz]ation|government|ministry|military|armed|terrorist|police|university|"
    r"research|militia|party|charity|religious|political|agency|army|force",
    re.IGNORECASE,
)
# Keys OFSI puts in "Other Information" as "(Key):value".
_OTHER_KEYS = (
    "UK Sanctions List Ref", "UK Statement of Reasons", "UN Ref", "Gender", "Phone number",
    "Email address", "Type of entity", "Website", "Parent company", "Business Reg No",
    "Subsidiaries", "IMO number", "Flag of ship", "Type of ship", "Tonnage of ship",
    "Length of ship", "Year built", "Current owners", "Fax", "Previous flags", "Tel",
)
_OTHER_RE = re.compile(r"\((" + "|".join(re.escape(k) for k in _OTHER_KEYS) + r")\):")
_NUMBERED = re.compile(r"\(\d+\)")
# "CYB0045", and for some UN-derived entries "SDi.006".
_REF = re.compile(r"^\s*([A-Za-z]{2,4}\.?\d{3,5})\b")


@dataclass
class _Row:
    file: str
    line: int
    cells: dict[str, str]


@dataclass
class _Group:
    rows: list[_Row] = field(default_factory=list)


def _read(name: str, text: str, groups: dict[str, _Group], result: ParseResult) -> None:
    rows = csv_rows(name, text)
    header: list[str] | None = None
    for line, row in rows:
        if header is None:
            if row and row[0].strip() == "Last Updated":
                result.stats.setdefault("last_updated_rows", 0)
                continue
            header = [h.strip() for h in row]
            missing = [c for c in _REQUIRED if c not in header]
            if missing:
                raise ImportFormatError(
                    f"{name}: not an OFSI consolidated list CSV (header lacks {', '.join(missing)})"
                )
            continue
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise ImportFormatError(
                f"{name}: line {line} has {len(row)} columns, expected {len(header)} (truncated file?)"
            )
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        result.count("rows")
        groups.setdefault(cells["Group ID"], _Group()).rows.append(_Row(name, line, cells))
    if header is None:
        raise ImportFormatError(f"{name}: empty file, no OFSI header row")


def _numbered(value: str) -> list[str]:
    """ "(1) A (2) B" -> ["A", "B"]; "A. B" -> ["A", "B"] (OFSI's two ways of listing)."""
    if _NUMBERED.search(value):
        parts = _NUMBERED.split(value)
    else:
        parts = re.split(r"\.\s+|;\s*", value)
    return [p.strip(" .,;\xa0") for p in parts if p.strip(" .,;\xa0-")]


def _other_information(text: str) -> tuple[dict[str, list[str]], str]:
    """Split "(Key):value (Key2):value2" into a dict of lists plus any free text."""
    found: dict[str, list[str]] = {}
    matches = list(_OTHER_RE.finditer(text))
    free = [text[: matches[0].start()] if matches else text]
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = text[m.end() : end].strip()
        if m.group(1) == "UK Sanctions List Ref":
            ref = _REF.match(value)
            if ref:
                free.append(value[ref.end() :].lstrip(". "))
                value = ref.group(1)
        found.setdefault(m.group(1), []).append(
            value.rstrip(". ") if m.group(1) != "UK Statement of Reasons" else value
        )
    return found, " ".join(f.strip() for f in free if f.strip())


def _display_name(c: dict[str, str], is_person: bool) -> str:
    forenames = " ".join(c[f"Name {i}"] for i in range(1, 6) if c.get(f"Name {i}"))
    surname = c.get("Name 6", "")
    if is_person and surname and forenames:
        return f"{surname}, {forenames}"
    return " ".join(p for p in (forenames, surname) if p)


def _countries(value: str, warn_row: _Row, what: str, result: ParseResult) -> list[str]:
    codes: list[str] = []
    if not value:
        return codes
    code = to_iso2(value)
    parts = [value] if code is not None else _numbered(value) or [value]
    for part in parts:
        code = to_iso2(part)
        if code is None and "," in part:
            sub = [to_iso2(p) for p in part.split(",")]
            if all(s is not None for s in sub):
                codes.extend(s for s in sub if s)
                continue
        if code is None:
            result.warn(warn_row.file, warn_row.line, f"unknown country {part!r} in {what}")
        elif code:
            add_unique(codes, code)
    return codes


def _documents(entity: ImportedEntity, scheme: str, numbers: str, details: str) -> None:
    nums = _numbered(numbers) if numbers else []
    infos = _numbered(details) if details and _NUMBERED.search(details) else [details] * len(nums)
    for i, num in enumerate(nums):
        info = infos[i] if i < len(infos) else ""
        country = None
        for candidate in (info, re.split(r"[,–-]", info)[-1], re.split(r"[,–-]", info)[0]):
            code = to_iso2(candidate.strip()) if candidate.strip() else None
            if code:
                country = code
                break
        entity.add_identifier(ImportedIdentifier(scheme, num, country, info or None))


def _build(group_id: str, group: _Group, result: ParseResult) -> ImportedEntity:
    rows = group.rows
    first = next((r for r in rows if r.cells["Alias Type"] == "Primary name"), rows[0])
    gtype = first.cells["Group Type"].lower()
    etype = _TYPES.get(gtype)
    if etype is None:
        result.warn(
            first.file,
            first.line,
            f"unknown Group Type {first.cells['Group Type']!r}; treated as entity",
        )
        etype = "company"
    is_person = etype == "person"
    entity = ImportedEntity(
        source_key=f"UK:{group_id}", type=etype, name=_display_name(first.cells, is_person)
    )
    entity.add_name(entity.name, "primary")
    props = entity.properties
    props["ofsi_group_id"] = group_id
    regimes: dict[str, dict[str, str | None]] = {}
    refs: list[str] = []
    reasons: list[str] = []
    notes: list[str] = []

    for row in rows:
        c = row.cells
        alias_type = c["Alias Type"]
        kind = {
            "Primary name": "aka",
            "Primary name variation": "aka",
            "AKA": "aka",
            "FKA": "fka",
        }.get(alias_type, "aka")
        if c.get("Alias Quality", "").lower().startswith("low"):
            kind = "weak_alias"
        entity.add_name(_display_name(c, is_person), kind)
        if script_name := c.get("Name Non-Latin Script"):
            entity.add_name(
                script_name,
                "original_script",
                c.get("Non-Latin Script Type") or None,
                c.get("Non-Latin Script Language") or None,
            )
        if title := c.get("Title"):
            add_unique(props.setdefault("titles", []), title)
        if dob := c.get("DOB"):
            parsed = parse_dmy(dob)
            if parsed is None:
                result.warn(row.file, row.line, f"unparseable date of birth {dob!r}")
            else:
                add_unique(entity.birth_dates, parsed)
        pob = ", ".join(p for p in (c.get("Town of Birth"), c.get("Country of Birth")) if p)
        add_unique(entity.places_of_birth, pob)
        for code in _countries(c.get("Nationality", ""), row, "nationality", result):
            add_unique(entity.nationalities, code)
        _documents(entity, "passport", c.get("Passport Number", ""), c.get("Passport Details", ""))
        _documents(
            entity,
            "national_id",
            c.get("National Identification Number", ""),
            c.get("National Identification Details", ""),
        )
        if position := c.get("Position"):
            add_unique(props.setdefault("positions", []), position)
        _address(entity, row, result)

        info, free = _other_information(c.get("Other Information", ""))
        for ref in info.get("UK Sanctions List Ref", []):
            add_unique(refs, ref)
        for text in info.get("UK Statement of Reasons", []):
            add_unique(reasons, text)
        add_unique(notes, free)
        _other_properties(entity, info, row, result)

        regime = c["Regime"]
        if regime and regime not in regimes:
            regimes[regime] = {
                "listed_on": c.get("Listed On") or None,
                "designated_on": c.get("UK Sanctions List Date Designated") or None,
            }
        elif regime:
            # Rows of one group normally share dates; keep the earliest if they differ.
            cur = regimes[regime]
            d_new, d_cur = dmy_to_date(c.get("Listed On", "")), dmy_to_date(cur["listed_on"] or "")
            if d_new and (d_cur is None or d_new < d_cur):
                cur["listed_on"] = c["Listed On"]

    entity.notes = "\n".join(notes) or None
    props["regimes"] = [{"regime": k, **v} for k, v in regimes.items()]
    listed: list[date] = []
    for row_regime in regimes.values():
        d = dmy_to_date(row_regime["listed_on"] or "")
        if d is None and row_regime["listed_on"]:
            result.warn(
                first.file, first.line, f"unparseable Listed On {row_regime['listed_on']!r}"
            )
        elif d:
            listed.append(d)
    if len(refs) > 1:
        result.warn(
            first.file, first.line, f"group {group_id} has several UK refs {refs}; first kept"
        )
    entity.designate(
        authority="UK",
        list_ref=refs[0] if refs else group_id,
        programme="; ".join(regimes) or None,
        legal_basis="; ".join(_LEGAL_BASIS[r] for r in regimes if r in _LEGAL_BASIS) or None,
        listed_on=min(listed) if listed else None,
        measures=["specified ship"] if etype == "vessel" else ["asset freeze"],
        reasons="\n\n".join(reasons) or None,
        source_url=_SOURCE_URL,
    )
    if len(refs) == 0:
        props["list_ref_is_group_id"] = True
    return entity


def _address(entity: ImportedEntity, row: _Row, result: ParseResult) -> None:
    c = row.cells
    lines = [c.get(f"Address {i}", "") for i in range(1, 7)]
    postal, country_name = c.get("Post/Zip Code", ""), c.get("Country", "")
    if not any(lines) and not postal and not country_name:
        return
    code = to_iso2(country_name) if country_name else ""
    if code is None:
        result.warn(row.file, row.line, f"unknown country {country_name!r} in address")
    full = ", ".join(p for p in [*lines, postal, country_name] if p)
    if any(a.full == full for a in entity.addresses):
        return
    # OFSI's address lines have no fixed meaning; line 6 is most often the town.
    entity.add_address(
        full=full,
        street=", ".join(p for p in lines[:5] if p) or None,
        city=lines[5] or None,
        postal_code=postal or None,
        country=code or None,
    )


def _other_properties(
    entity: ImportedEntity, info: dict[str, list[str]], row: _Row, result: ParseResult
) -> None:
    props = entity.properties
    for gender in info.get("Gender", []):
        if gender.lower() in ("male", "female"):
            entity.gender = gender.lower()
    for kind in info.get("Type of entity", []):
        if kind:
            add_unique(props.setdefault("entity_type", []), kind)
            if entity.type == "company" and _ORG_WORDS.search(kind):
                entity.type = "organization"
    for key, scheme in (
        ("Email address", "email"),
        ("Website", "website"),
        ("Business Reg No", "company_registration"),
        ("IMO number", "imo"),
    ):
        for value in info.get(key, []):
            for part in _numbered(value) if scheme != "website" else [value]:
                entity.add_identifier(ImportedIdentifier(scheme, part))
    for key, prop in (
        ("Phone number", "phones"),
        ("Tel", "phones"),
        ("Fax", "fax"),
        ("UN Ref", "un_ref"),
        ("Parent company", "parent_company"),
        ("Subsidiaries", "subsidiaries"),
        ("Previous flags", "previous_flags"),
        ("Website", "websites"),
    ):
        for value in info.get(key, []):
            add_unique(props.setdefault(prop, []), value)
    for key, prop in (
        ("Type of ship", "vessel_type"),
        ("Tonnage of ship", "tonnage"),
        ("Length of ship", "length"),
        ("Year built", "build_year"),
        ("Current owners", "owner"),
    ):
        for value in info.get(key, []):
            props[prop] = value
    for flag in info.get("Flag of ship", []):
        code = to_iso2(flag)
        if code is None:
            result.warn(row.file, row.line, f"unknown country {flag!r} in Flag of ship")
        props["flag"] = code or flag


def parse_uk(paths: list[Source] | Source) -> ParseResult:
    """Parse one or more OFSI ConList CSV files (parts of one list) into one ParseResult."""
    result = ParseResult()
    groups: dict[str, _Group] = {}
    for name, text in text_files(paths, "an OFSI consolidated list CSV"):
        _read(name, text, groups, result)
    result.stats.pop("last_updated_rows", None)
    result.stats["groups"] = len(groups)
    result.entities = [_build(gid, g, result) for gid, g in groups.items()]
    result.stats["multi_regime_groups"] = sum(
        1 for e in result.entities if len(e.properties["regimes"]) > 1
    )
    return result


# One part of the UK list says nothing about the other regimes: delist per programme.
delisting_scope = by_programme

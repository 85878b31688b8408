"""OFAC legacy CSV files: sdn.csv / alt.csv / add.csv / sdn_comments.csv and the
consolidated non-SDN cons_prim / cons_alt / cons_add / cons_comments.

The files have no header, use `-0-` for empty, CRLF, and end with a Ctrl-Z byte. Which file is
which is known only from its name. Both lists are authority "OFAC"; ent_num is unique across them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from ._source import Source, as_list, csv_rows, read_bytes, reject_binary, source_name
from .countries import to_iso2
from .ofac_remarks import apply_remarks
from .scope import DelistingScope, Listing
from .shape import (
    ImportedEntity,
    ImportedIdentifier,
    ImportFormatError,
    ParseResult,
)

# (kind, expected column count). "prim" = the main entry files.
_FILE_KINDS: list[tuple[re.Pattern[str], str, str, int]] = [
    (re.compile(r"^(sdn|cons_prim)\b.*\.csv$"), "prim", "", 12),
    (re.compile(r"^(sdn|cons)_comments\b.*\.csv$"), "comments", "", 2),
    (re.compile(r"^(cons_)?alt\b.*\.csv$"), "alt", "", 5),
    (re.compile(r"^(cons_)?add\b.*\.csv$"), "add", "", 6),
]
# Entry files first (SDN before consolidated, so an entry on both lists keeps its SDN row),
# then the overflow comments, then the files that point at entries.
_ORDER = {
    ("prim", "sdn"): 0,
    ("prim", "cons"): 1,
    ("comments", "sdn"): 2,
    ("comments", "cons"): 2,
    ("alt", "sdn"): 3,
    ("alt", "cons"): 3,
    ("add", "sdn"): 4,
    ("add", "cons"): 4,
}

_TYPES = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "": "company"}
_ALT_KINDS = {"aka": "aka", "fka": "fka", "nka": "nka"}

# Programmes made of organisations rather than businesses: terrorist groups, militias.
# An OFAC "entity" row under only these programmes, with no company-register number or
# "Organization Type", is typed "organization"; every other entity row is a "company".
_ORG_PROGRAMMES = {"SDGT", "FTO", "SDT", "TCO", "HRIT-SY", "HRIT-IR"}
_COMPANY_EVIDENCE = {"company_registration", "tax_id", "uscc", "lei", "swift_bic"}

# What each consolidated (non-SDN) programme restricts; SDN entries are blocked.
_CONS_MEASURES = {
    "SSI": "sectoral sanctions (directives)",
    "FSE": "transactions prohibited (foreign sanctions evader)",
    "NS-PLC": "non-SDN (Palestinian Legislative Council)",
    "CMIC": "securities investment prohibited (CMIC)",
    "NS-MBS": "menu-based sanctions",
    "CAPTA": "correspondent/payable-through account restrictions",
    "NS-ISA": "menu-based sanctions (ISA)",
}
_DETAILS_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={}"
# The measure of every SDN entry; it tells the SDN list's designations from the others.
SDN_MEASURE = "blocking (asset freeze)"


@dataclass
class _File:
    name: str
    kind: str
    list_name: str  # "sdn" | "cons"
    rows: list[tuple[int, list[str]]]


def _kind(name: str) -> tuple[str, str, int] | None:
    """(kind, list, column count) of a file, from its name; None for an unknown name."""
    lower = PurePath(name).name.lower()
    for pattern, kind, _, ncols in _FILE_KINDS:
        if pattern.match(lower):
            return kind, ("cons" if lower.startswith("cons") else "sdn"), ncols
    return None


def _classify(name: str) -> tuple[str, str, int]:
    found = _kind(name)
    if found is not None:
        return found
    raise ImportFormatError(
        f"{name}: not an OFAC legacy CSV file name (expected sdn.csv, alt.csv, add.csv, "
        "sdn_comments.csv or cons_prim/cons_alt/cons_add/cons_comments.csv)"
    )


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


def _read(src: Source) -> _File:
    name = source_name(src)
    kind, list_name, ncols = _classify(name)
    data = read_bytes(src)
    reject_binary(name, data, "an OFAC CSV file")
    # OFAC files are ASCII; newer ones may carry UTF-8. latin-1 never fails, so it is the
    # fallback that keeps an odd accented byte from rejecting a whole file.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    text = text.rstrip("\x1a\r\n ")
    rows: list[tuple[int, list[str]]] = []
    for line, row in csv_rows(name, text):
        if not row or (len(row) == 1 and not row[0].strip("\x1a ")):
            continue
        if len(row) != ncols:
            raise ImportFormatError(
                f"{name}: line {line} has {len(row)} columns, expected {ncols} "
                f"(truncated, or not an OFAC {kind} file)"
            )
        if not row[0].strip().isdigit():
            raise ImportFormatError(
                f"{name}: line {line} starts with {row[0][:30]!r}, not an ent_num "
                "(not an OFAC legacy CSV file?)"
            )
        rows.append((line, row))
    if not rows:
        raise ImportFormatError(f"{name}: empty file, no OFAC rows")
    return _File(name, kind, list_name, rows)


def _programmes(value: str) -> list[str]:
    # Several programmes arrive as "SDGT] [IRGC" (the file's own bracket artefact).
    return [p.strip(" []") for p in _cell(value).split("] [") if p.strip(" []")]


def _entity(
    f: _File, line: int, row: list[str], result: ParseResult, remarks: str
) -> ImportedEntity:
    ent_num = row[0].strip()
    raw_type = _cell(row[2]).lower()
    etype = _TYPES.get(raw_type)
    if etype is None:
        result.warn(f.name, line, f"unknown SDN_Type {raw_type!r}; treated as company")
        etype = "company"
    name = " ".join(_cell(row[1]).split())
    entity = ImportedEntity(source_key=f"OFAC:{ent_num}", type=etype, name=name)
    entity.add_name(name, "primary")

    def warn(message: str) -> None:
        result.warn(f.name, line, message)

    if remarks:
        entity.notes = remarks
        apply_remarks(entity, remarks, warn)

    props = entity.properties
    props["list"] = "SDN" if f.list_name == "sdn" else "Consolidated (non-SDN)"
    if title := _cell(row[4]):
        props["title"] = title
    call_sign, vess_type, tonnage, grt, flag, owner = (_cell(v) for v in row[5:11])
    if call_sign:
        props["call_sign"] = call_sign
        entity.add_identifier(ImportedIdentifier("call_sign", call_sign))
    if vess_type:
        props["vessel_type"] = vess_type
    if tonnage:
        props["tonnage"] = tonnage
    if grt:
        props["gross_registered_tonnage"] = grt
    if owner:
        props["owner"] = owner
    if flag:
        code = to_iso2(flag)
        if code is None:
            warn(f"unknown country {flag!r} in Vess_flag")
        props["flag"] = code or flag

    programmes = _programmes(row[3])
    if etype == "company" and programmes and set(programmes) <= _ORG_PROGRAMMES:
        schemes = {i.scheme for i in entity.identifiers}
        if not schemes & _COMPANY_EVIDENCE and "organization_type" not in props:
            entity.type = "organization"
    if props.get("target_type") == "Government Entity" and etype == "company":
        entity.type = "organization"

    if f.list_name == "sdn":
        measures = [SDN_MEASURE]
    else:
        measures = [_CONS_MEASURES[p] for p in programmes if p in _CONS_MEASURES]
    entity.designate(
        authority="OFAC",
        list_ref=ent_num,
        programme="; ".join(programmes) or None,
        measures=measures,
        source_url=_DETAILS_URL.format(ent_num),
    )
    return entity


def parse_ofac(paths: list[Source] | Source) -> ParseResult:
    """Parse any combination of OFAC legacy CSV files into one ParseResult."""
    files = sorted(
        (_read(src) for src in as_list(paths)), key=lambda f: _ORDER[(f.kind, f.list_name)]
    )
    result = ParseResult()
    if not any(f.kind == "prim" for f in files):
        names = ", ".join(f.name for f in files) or "no files"
        raise ImportFormatError(f"{names}: no sdn.csv or cons_prim.csv given; nothing to attach to")

    comments: dict[str, list[str]] = {}
    prim_ents: set[str] = {r[0].strip() for f in files if f.kind == "prim" for _, r in f.rows}
    for f in files:
        if f.kind != "comments":
            continue
        for _, row in f.rows:
            result.count(f"{f.list_name}_comments_rows")
            ent_num = row[0].strip()
            if ent_num not in prim_ents:
                result.count(f"dangling_{f.list_name}_comments_rows")
            comments.setdefault(ent_num, []).append(row[1])

    by_num: dict[str, ImportedEntity] = {}
    for f in files:
        if f.kind == "prim":
            for line, row in f.rows:
                result.count(f"{f.list_name}_rows")
                ent_num = row[0].strip()
                # The comments file holds the cut-off tail of Remarks: it continues mid-word.
                remarks = _cell(row[11]) + "".join(comments.get(ent_num, []))
                entity = _entity(f, line, row, result, remarks)
                if ent_num in by_num:
                    # OFAC numbers entries once across its lists: the same ent_num in sdn.csv
                    # and cons_prim.csv is one party on both lists (e.g. SDN + SSI banks).
                    _merge(by_num[ent_num], entity)
                    result.count("entries_on_both_lists")
                else:
                    by_num[ent_num] = entity
        elif f.kind in ("alt", "add"):
            _attach(f, by_num, result)

    result.entities = list(by_num.values())
    dangling = {k: v for k, v in result.stats.items() if k.startswith("dangling_") and v}
    if dangling:
        # One summary line, not thousands: the alt/add files are often newer than sdn.csv.
        detail = ", ".join(
            f"{v} {k.removeprefix('dangling_').replace('_', ' ')}" for k, v in dangling.items()
        )
        result.warn(
            ", ".join(f.name for f in files if f.kind != "prim"),
            "-",
            f"rows referencing ent_nums absent from the entry files were skipped: {detail}",
        )
    return result


def delisting_scope(file_names: Sequence[str], listed: Iterable[Listing]) -> DelistingScope:
    """By list file. Designations with the SDN measure belong to the SDN list and are in scope
    when sdn.csv was imported; all others (consolidated non-SDN entries, and hand-entered OFAC
    designations without that measure) when cons_prim.csv was. Importing sdn.csv alone never
    delists consolidated entries."""
    lists = {found[1] for found in map(_kind, file_names) if found is not None and found[0] == "prim"}
    sdn, cons = "sdn" in lists, "cons" in lists
    note = f"OFAC lists: {', '.join(x for x, y in (('SDN', sdn), ('consolidated', cons)) if y)}"
    return DelistingScope(note, lambda row: sdn if SDN_MEASURE in (row["measures"] or []) else cons)


def _merge(into: ImportedEntity, other: ImportedEntity) -> None:
    """Fold a second row for the same ent_num (the other list's copy) into the first."""
    for n in other.names:
        into.add_name(n.name, n.kind if n.kind != "primary" or n.name == into.name else "aka")
    for ident in other.identifiers:
        into.add_identifier(ident)
    ours, theirs = into.designations[0], other.designations[0]
    programmes = (ours.programme or "").split("; ") + (theirs.programme or "").split("; ")
    ours.programme = "; ".join(dict.fromkeys(p for p in programmes if p)) or None
    ours.measures = list(dict.fromkeys(ours.measures + theirs.measures))
    lists = [into.properties["list"], other.properties["list"]]
    into.properties["list"] = "; ".join(dict.fromkeys(lists))


def _attach(f: _File, by_num: dict[str, ImportedEntity], result: ParseResult) -> None:
    for line, row in f.rows:
        result.count(f"{f.list_name}_{f.kind}_rows")
        entity = by_num.get(row[0].strip())
        if entity is None:
            result.count(f"dangling_{f.list_name}_{f.kind}_rows")
            continue
        if f.kind == "alt":
            alt_type = _cell(row[2]).lower()
            kind = _ALT_KINDS.get(alt_type)
            if kind is None:
                result.warn(f.name, line, f"unknown alt_type {alt_type!r}; treated as aka")
                kind = "aka"
            # OFAC marks weak aliases in alt_remarks ("Low quality a.k.a.") in some releases.
            if "low quality" in _cell(row[4]).lower():
                kind = "weak_alias"
            entity.add_name(_cell(row[3]), kind)
        else:
            street, city, country_name, remarks = (_cell(v) for v in row[2:6])
            code = to_iso2(country_name) if country_name else ""
            if code is None:
                result.warn(f.name, line, f"unknown country {country_name!r} in address")
            if not (street or city or country_name):
                continue  # OFAC writes an all-empty address row for "no address known"
            entity.add_address(
                full=", ".join(p for p in (street, city, country_name) if p),
                street=street or None,
                city=city or None,
                country=code or None,
            )
            if remarks:
                entity.properties.setdefault("address_remarks", []).append(remarks)

"""How an imported list entry meets the records: matching rules and who owns which field.

Pure functions over small in-memory states (no queries here); ``imports.py`` loads the states
in bulk, calls these, and writes what changed.

Matching, in order:
1. a designation with the same (authority, list_ref) exists: its entity is updated in place;
2. a non-archived entity shares a strong identifier (see ``STRONG_SCHEMES``), has a
   compatible type (person / company-or-organization / vessel / aircraft) and compatible
   birth dates (equal at their shared precision; none on either side = compatible), and
   holds no designation of the same authority yet: the entry is merged into it as one more
   designation ("one person, several lists");
3. otherwise a new entity. Entries of one file are never merged with each other: the
   authority listed them separately.

Ownership. An entity created by an import remembers it in ``properties["import_source"]``
(e.g. ``"OFAC:47814"``); later imports of that entry own its scalar fields (primary name,
type, gender, notes, property values). For every other entity (seeded, hand-entered, or
created from another list) an import only fills blanks: the primary name is never replaced
(a different listed name becomes an ``aka``), notes and gender only when empty, property keys
only when absent. Lists (names, identifiers, birth dates, places of birth, nationalities,
countries, addresses) are merged as a union for everyone: nothing is ever removed, so a name
once published by an authority stays screenable. A PUT that drops ``import_source`` hands
the entity back to people. Designations matched by reference are the authority's: each field
the file has a value for replaces the stored one.

With these rules every import is idempotent, also when lists are imported in turns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..imports import ImportedDesignation, ImportedEntity

# scheme -> whether both sides must state the (same) issuing country for it to identify.
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
TYPE_GROUPS = {"person": "person", "company": "org", "organization": "org", "vessel": "vessel",
               "aircraft": "aircraft"}
LIST_FIELDS = ("birth_dates", "places_of_birth", "nationalities", "countries", "addresses")
ENTITY_FIELDS = ("type", "name", *LIST_FIELDS, "gender", "notes", "properties", "source_urls")
DESIGNATION_FIELDS = ("programme", "legal_basis", "listed_on", "delisted_on", "measures",
                      "reasons", "source_urls")
OWNER_KEY = "import_source"

# Column sizes (models): longer values are cut rather than failing a whole list.
_LIMITS = {"name": 255, "script": 64, "lang": 16, "scheme": 32, "value": 255, "notes": 1024,
           "programme": 255, "legal_basis": 1024, "list_ref": 64, "measure": 64}
_IDENT_JUNK = re.compile(r"[\s\-./]")


def clip(text: str | None, kind: str) -> str | None:
    """Drop NULs (PostgreSQL refuses them) and cut to the column size."""
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    return text[: _LIMITS[kind]] if text else None


def jsonable(value: Any) -> Any:
    """What a JSON column gives back: lists for tuples, strings for dates."""
    return json.loads(json.dumps(value, default=str))


def norm_ident(value: str) -> str:
    return _IDENT_JUNK.sub("", value).upper()


@dataclass
class NameRow:
    name: str
    kind: str
    script: str | None = None
    lang: str | None = None
    id: int | None = None  # None: to insert
    renamed_from: str | None = None  # set when an existing primary row gets a new name


@dataclass
class IdentRow:
    scheme: str
    value: str
    country: str | None = None
    notes: str | None = None
    id: int | None = None


@dataclass
class DesignationState:
    authority: str
    list_ref: str
    values: dict[str, Any]
    id: int | None = None
    entity_id: int | None = None
    version: int = 1
    archived: bool = False
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return f"{self.authority}:{self.list_ref}"

    def changes(self) -> dict[str, dict[str, Any]]:
        return {f: {"before": jsonable(self.before.get(f)), "after": jsonable(self.values.get(f))}
                for f in DESIGNATION_FIELDS if self.before.get(f) != self.values.get(f)}


@dataclass
class EntityState:
    values: dict[str, Any]
    names: list[NameRow]
    identifiers: list[IdentRow]
    id: int | None = None
    version: int = 1
    before: dict[str, Any] = field(default_factory=dict)
    designations: list[DesignationState] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # entries of this import merged in
    merged: bool = False  # matched by identifier rather than by reference

    def snapshot(self) -> None:
        # Merging only appends to lists and sets dict keys, so shallow copies are enough.
        self.before = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                       for k, v in self.values.items()}
        self.before["_names"] = [_name_label(n) for n in self.names]
        self.before["_identifiers"] = [_ident_label(i) for i in self.identifiers]

    def changes(self) -> dict[str, dict[str, Any]]:
        out = {f: {"before": jsonable(self.before.get(f)), "after": jsonable(self.values.get(f))}
               for f in ENTITY_FIELDS if self.before.get(f) != self.values.get(f)}
        names = [_name_label(n) for n in self.names]
        if names != self.before.get("_names"):
            out["names"] = {"before": self.before.get("_names"), "after": names}
        idents = [_ident_label(i) for i in self.identifiers]
        if idents != self.before.get("_identifiers"):
            out["identifiers"] = {"before": self.before.get("_identifiers"), "after": idents}
        return out

    @property
    def fields_changed(self) -> bool:
        return any(self.before.get(f) != self.values.get(f) for f in ENTITY_FIELDS)


def _name_label(n: NameRow) -> str:
    return f"{n.name} [{n.kind}]"


def _ident_label(i: IdentRow) -> str:
    return f"{i.scheme}: {i.value}" + (f" ({i.country})" if i.country else "")


# -- matching --------------------------------------------------------------------------------

def strong_keys(idents: list[IdentRow]) -> list[tuple[str, str, str | None]]:
    keys = []
    for i in idents:
        need_country = STRONG_SCHEMES.get(i.scheme)
        if need_country is None or (need_country and not i.country):
            continue
        value = norm_ident(i.value)
        if len(value) >= MIN_STRONG_LENGTH:
            keys.append((i.scheme, value, i.country))
    return keys


def same_identifier(scheme: str, country: str | None, other_country: str | None) -> bool:
    if STRONG_SCHEMES[scheme]:
        return country is not None and country == other_country
    return not (country and other_country and country != other_country)


def types_compatible(a: str, b: str) -> bool:
    return TYPE_GROUPS.get(a, a) == TYPE_GROUPS.get(b, b)


def dates_compatible(ours: list[str], theirs: list[str]) -> bool:
    """Partial dates agree when equal at the precision both have; no dates agrees with all."""
    if not ours or not theirs:
        return True
    return any(a[: min(len(a), len(b))] == b[: min(len(a), len(b))] for a in ours for b in theirs)


# -- from parser records to states -----------------------------------------------------------

def entity_from_import(e: ImportedEntity) -> EntityState:
    """A new entity's state, cleaned to the columns' rules."""
    name = clip(" ".join(e.name.split()), "name") or "(no name)"
    names = [NameRow(name, "primary")]
    seen = {(name, "primary")}
    for n in e.names:
        text = clip(n.name, "name")
        kind = n.kind if n.kind != "primary" or text == name else "aka"
        # Same rule as the parsers: a name once per kind, the primary once.
        if text and (text, kind) not in seen:
            seen.add((text, kind))
            names.append(NameRow(text, kind, clip(n.script, "script"), clip(n.lang, "lang")))
    idents: list[IdentRow] = []
    for i in e.identifiers:
        value = clip(i.value, "value")
        if value:
            _add_ident(idents, IdentRow(i.scheme[:32], value, (i.country or None) and i.country[:2],
                                        clip(i.notes, "notes")))
    urls = list(dict.fromkeys(d.source_url for d in e.designations if d.source_url))
    addresses = [{k: v for k, v in vars(a).items() if v} for a in e.addresses]
    values: dict[str, Any] = {
        "type": e.type,
        "name": name,
        "birth_dates": list(dict.fromkeys(e.birth_dates)),
        "places_of_birth": list(dict.fromkeys(p for p in e.places_of_birth if p)),
        "nationalities": list(dict.fromkeys(e.nationalities)),
        "countries": list(dict.fromkeys(e.countries)),
        "addresses": jsonable(_unique_addresses(addresses)),
        "gender": e.gender,
        "notes": (e.notes or "").replace("\x00", "") or None,
        "properties": jsonable({**e.properties, OWNER_KEY: e.source_key}),
        "source_urls": urls,
    }
    return EntityState(values=values, names=names, identifiers=idents, references=[e.source_key])


def designation_values(d: ImportedDesignation) -> dict[str, Any]:
    return {
        "programme": clip(d.programme, "programme"),
        "legal_basis": clip(d.legal_basis, "legal_basis"),
        "listed_on": d.listed_on,
        "measures": [m for m in (clip(x, "measure") for x in d.measures) if m],
        "reasons": (d.reasons or "").replace("\x00", "") or None,
        "source_urls": [d.source_url] if d.source_url else [],
    }


# -- merging ---------------------------------------------------------------------------------

def merge_entity(state: EntityState, incoming: EntityState, *, owner: bool) -> None:
    """Fold an imported entry into an existing entity, by the ownership rules above."""
    cur, new = state.values, incoming.values
    if owner:
        for key in ("type", "gender", "notes"):
            if new[key] is not None and cur[key] != new[key]:
                cur[key] = new[key]
        if new["name"] != cur["name"]:
            _rename(state, new["name"])
        props = dict(cur["properties"] or {})
        props.update(new["properties"])
        cur["properties"] = props
    else:
        for key in ("gender", "notes"):
            if cur[key] is None and new[key] is not None:
                cur[key] = new[key]
        props = dict(cur["properties"] or {})
        for key, value in new["properties"].items():
            if key != OWNER_KEY and key not in props:
                props[key] = value
        cur["properties"] = props
    for n in incoming.names:
        kind = "aka" if n.kind == "primary" else n.kind
        _add_name(state.names, NameRow(n.name, kind, n.script, n.lang))
    for i in incoming.identifiers:
        _add_ident(state.identifiers, i)
    for key in LIST_FIELDS:
        values = list(cur[key] or [])
        for item in new[key]:
            if key == "addresses":
                if not any(_address_key(a) == _address_key(item) for a in values):
                    values.append(item)
            elif key == "birth_dates":
                # A vaguer date adds nothing to one that it prefixes ("1985" vs "1985-11-12").
                if not any(v.startswith(item) for v in values):
                    values.append(item)
            elif item not in values:
                values.append(item)
        cur[key] = values


def merge_designation(state: DesignationState, incoming: dict[str, Any]) -> None:
    """The authority's own listing: each field the file has replaces the stored one."""
    cur = state.values
    for key in ("programme", "legal_basis", "listed_on", "reasons"):
        if incoming[key] is not None:
            cur[key] = incoming[key]
    if incoming["measures"]:
        cur["measures"] = incoming["measures"]
    cur["source_urls"] = list(dict.fromkeys([*(cur["source_urls"] or []), *incoming["source_urls"]]))
    cur["delisted_on"] = None  # on the list again (or still)


def delist(state: DesignationState, on: date) -> None:
    state.values["delisted_on"] = on


def _rename(state: EntityState, name: str) -> None:
    """The owning list renamed the entry: the old primary name stays as an aka."""
    old = state.values["name"]
    state.values["name"] = name
    for row in state.names:
        if row.kind == "primary" and row.name == old:
            row.renamed_from, row.name = old, name
            break
    _add_name(state.names, NameRow(old, "aka"))


def _add_name(names: list[NameRow], row: NameRow) -> None:
    if not any(n.name == row.name for n in names):
        names.append(row)


def _add_ident(idents: list[IdentRow], row: IdentRow) -> None:
    value = norm_ident(row.value)
    for i in idents:
        if i.scheme == row.scheme and norm_ident(i.value) == value and (
            i.country == row.country or i.country is None or row.country is None
        ):
            return
    idents.append(row)


def _address_key(address: dict[str, Any]) -> str:
    text = address.get("full") or ", ".join(
        str(address[k]) for k in ("street", "city", "region", "postal_code", "country") if address.get(k)
    )
    return " ".join(text.casefold().split())


def _unique_addresses(addresses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for a in addresses:
        if a and not any(_address_key(b) == _address_key(a) for b in out):
            out.append(a)
    return out

"""Who owns which field: folding a list entry into the records.

An entity created by an import remembers it in ``properties["import_source"]`` (e.g.
``"OFAC:47814"``); later imports of that entry own its scalar fields (primary name, type,
gender, notes, property values). For every other entity (seeded, hand-entered, or created
from another list) an import only fills blanks: the primary name is never replaced (a
different listed name becomes an ``aka``), notes and gender only when empty, property keys
only when absent. Lists (names, identifiers, birth dates, places of birth, nationalities,
countries, addresses) are merged as a union for everyone: nothing is ever removed, so a name
once published by an authority stays screenable. A PUT that drops ``import_source`` hands
the entity back to people. Designations matched by reference are the authority's: each field
the file has a value for replaces the stored one.

With these rules every import is idempotent, also when lists are imported in turns.
"""

from __future__ import annotations

from typing import Any

from ...imports import ImportedDesignation, ImportedEntity
from ...vocabulary import norm_ident
from .state import (
    LIST_FIELDS,
    OWNER_KEY,
    DesignationState,
    EntityState,
    Entry,
    IdentRow,
    NameRow,
    Progress,
    Workspace,
    clip,
    jsonable,
)

# -- from parser records to states -----------------------------------------------------------

def entry_from_import(imported: ImportedEntity) -> Entry | None:
    """The entry's state and its designations; None when no designation has a reference
    (nothing could ever match it again)."""
    keys = [((d.authority, clip(d.list_ref, "list_ref") or ""), designation_values(d))
            for d in imported.designations if d.list_ref]
    if not keys:
        return None
    return Entry(entity_from_import(imported), keys)


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

def merge_entries(entries: list[Entry], ws: Workspace, progress: Progress | None) -> None:
    """Fold each matched entry into its target and its designations into theirs."""
    total = len(entries)
    for done, entry in enumerate(entries, 1):
        target = entry.target
        state = ws.states[target] if isinstance(target, int) else target
        assert state is not None
        if state is not entry.state:
            owner = (state.values["properties"] or {}).get(OWNER_KEY) in entry.state.references
            merge_entity(state, entry.state, owner=owner)
            state.references.extend(entry.state.references)
            state.merged = state.merged or entry.via_identifier
        for key, values in entry.designations:
            if key in ws.existing:
                merge_designation(ws.designation_state(key), values)
            elif not any((d.authority, d.list_ref) == key for d in state.designations):
                state.designations.append(DesignationState(
                    authority=key[0], list_ref=key[1], values={**values, "delisted_on": None}))
        if progress and (done % 500 == 0 or done == total):
            progress("merge", done, total)


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

"""Which record each list entry is: read what the import needs, then match.

Matching, in order:
1. a designation with the same (authority, list_ref) exists: its entity is updated in place;
2. a non-archived entity shares a strong identifier (the rule of service/vocabulary.py), has a
   compatible type (person / company-or-organization / vessel / aircraft) and compatible
   birth dates (equal at their shared precision; none on either side = compatible), and
   holds no designation of the same authority yet: the entry is merged into it as one more
   designation ("one person, several lists");
3. otherwise a new entity. Entries of one file are never merged with each other: the
   authority listed them separately.

Reads are a handful of Core SELECTs into the :class:`Workspace`, never one per entry.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, select

from ...models import Designation, Entity, EntityIdentifier, EntityName
from ...vocabulary import (
    STRONG_SCHEMES,
    StrongKey,
    norm_ident,
    same_identifier,
    strong_key,
    types_compatible,
)
from ..common import in_lists
from .state import (
    ENTITY_FIELDS,
    LIST_FIELDS,
    CrossBatch,
    EntityState,
    Entry,
    IdentRow,
    NameRow,
    Workspace,
)

E = cast(Table, Entity.__table__)
N = cast(Table, EntityName.__table__)
I = cast(Table, EntityIdentifier.__table__)  # noqa: E741
D = cast(Table, Designation.__table__)
IdentIndex = dict[tuple[str, str], list[dict[str, Any]]]


def load_designations(conn: Connection, ws: Workspace, entries: list[Entry]) -> None:
    """Every designation of the entries' authorities not read yet, and who holds them. Read
    before the first entry of an authority is matched, so before the import writes any of
    its designations."""
    authorities = sorted({k[0] for e in entries for k, _ in e.designations} - ws.authorities)
    ws.authorities.update(authorities)
    if not authorities:
        return
    for row in conn.execute(select(D).where(D.c.authority.in_(authorities))).mappings():
        ws.existing[(row["authority"], row["list_ref"])] = dict(row)
        ws.holders.setdefault(row["entity_id"], set()).add(row["authority"])


def match_entries(conn: Connection, entries: list[Entry], ws: Workspace) -> None:
    """Set each entry's target: an entity id, an entry of this run, or itself (new).
    Raises CrossBatch when the target, or a designation the entry changes, is a record an
    earlier batch of the run wrote."""
    claimed = ws.claimed
    for entry in entries:
        for key, _ in entry.designations:
            if key in claimed:
                entry.target = claimed[key]
                break
            if ws.prior_claims and hash(key) in ws.prior_claims:
                raise CrossBatch(f"{key} claimed by an earlier batch")
            if key in ws.existing:
                entry.target = ws.existing[key]["entity_id"]
                break
        if entry.target is None:
            keys = [k for i in entry.state.identifiers if (k := strong_key(i.scheme, i.value, i.country))]
            if keys:
                if ws.identifiers is None:
                    ws.identifiers = _identifier_index(conn, ws)
                entry.target = _by_identifier(entry, keys, ws.identifiers, ws)
                entry.via_identifier = entry.target is not None
        if ws.prior_entities and (
            (isinstance(entry.target, int) and entry.target in ws.prior_entities)
            or any(ws.existing[k]["entity_id"] in ws.prior_entities for k, _ in entry.designations
                   if k in ws.existing)
        ):
            raise CrossBatch(f"entity {entry.target} written by an earlier batch")
        if entry.target is None:
            entry.target = entry.state
            ws.new_states.append(entry.state)
        authorities = {k[0] for k, _ in entry.designations}
        if isinstance(entry.target, int):
            ws.holders.setdefault(entry.target, set()).update(authorities)
        for key, _ in entry.designations:
            if key not in ws.existing:
                claimed.setdefault(key, entry.target)


def dates_compatible(ours: list[str], theirs: list[str]) -> bool:
    """Partial dates agree when equal at the precision both have; no dates agrees with all."""
    if not ours or not theirs:
        return True
    return any(a[: min(len(a), len(b))] == b[: min(len(a), len(b))] for a in ours for b in theirs)


def _identifier_index(conn: Connection, ws: Workspace) -> IdentIndex:
    """Strong identifiers of the entities as they were before the import: the ones it
    created are left out (entries of one run are never merged with each other), and one it
    already changed starts it again in one batch."""
    index: IdentIndex = {}
    stmt = (
        select(I.c.scheme, I.c.value, I.c.country, I.c.entity_id, E.c.type, E.c.birth_dates)
        .join(E, E.c.id == I.c.entity_id)
        .where(I.c.scheme.in_(list(STRONG_SCHEMES)), E.c.archived_at.is_(None))
    )
    for row in conn.execute(stmt).mappings():
        if ws.created and ws.created_here(row["entity_id"]):
            continue
        if row["entity_id"] in ws.touched:
            raise CrossBatch(f"entity {row['entity_id']} written by an earlier batch")
        index.setdefault((row["scheme"], norm_ident(row["value"])), []).append(dict(row))
    return index


def _by_identifier(entry: Entry, keys: list[StrongKey], index: IdentIndex, ws: Workspace) -> int | None:
    authorities = {k[0] for k, _ in entry.designations}
    values = entry.state.values
    hits: dict[int, int] = {}
    for scheme, value, country in keys:
        for row in index.get((scheme, value), []):
            eid = row["entity_id"]
            if (same_identifier(scheme, country, row["country"])
                    and types_compatible(values["type"], row["type"])
                    and dates_compatible(values["birth_dates"], row["birth_dates"] or [])
                    and not ws.holders.get(eid, set()) & authorities):
                hits[eid] = hits.get(eid, 0) + 1
    if not hits:
        return None
    return min(hits, key=lambda eid: (-hits[eid], eid))


def load_states(conn: Connection, ws: Workspace, entries: list[Entry]) -> None:
    """The matched existing entities, with their names and identifiers."""
    ids = sorted({e.target for e in entries if isinstance(e.target, int)})
    for chunk in in_lists(ids):
        for row in conn.execute(select(E).where(E.c.id.in_(chunk)).order_by(E.c.id)).mappings():
            values = {f: row[f] for f in ENTITY_FIELDS}
            for f in (*LIST_FIELDS, "source_urls"):
                values[f] = values[f] or []
            values["properties"] = values["properties"] or {}
            ws.states[row["id"]] = EntityState(values=values, names=[], identifiers=[],
                                               id=row["id"], version=row["version"])
        for row in conn.execute(select(N).where(N.c.entity_id.in_(chunk)).order_by(N.c.id)).mappings():
            ws.states[row["entity_id"]].names.append(
                NameRow(row["name"], row["kind"], row["script"], row["lang"], id=row["id"]))
        for row in conn.execute(select(I).where(I.c.entity_id.in_(chunk)).order_by(I.c.id)).mappings():
            ws.states[row["entity_id"]].identifiers.append(
                IdentRow(row["scheme"], row["value"], row["country"], row["notes"], id=row["id"]))
    for state in ws.states.values():
        state.snapshot()

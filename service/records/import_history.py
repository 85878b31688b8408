"""History rows for what an import wrote.

The importer writes with bulk Core statements (no ORM objects), so the history hook in
records/history.py does not see it; this module writes the same kind of rows, action
``import``, from the importer's own before/after states.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert

from ..models import HistoryEntry, utcnow
from .merge import DESIGNATION_FIELDS, ENTITY_FIELDS, DesignationState, EntityState, jsonable


def _names(state: EntityState) -> list[dict[str, Any]]:
    return [{"name": n.name, "kind": n.kind, "script": n.script, "lang": n.lang} for n in state.names]


def _identifiers(state: EntityState) -> list[dict[str, Any]]:
    return [{"scheme": i.scheme, "value": i.value, "country": i.country, "notes": i.notes, "issued_on": None}
            for i in state.identifiers]


def _entity_snapshot(state: EntityState, version: int) -> dict[str, Any]:
    snap = {f: jsonable(state.values.get(f)) for f in ENTITY_FIELDS}
    snap.update(id=state.id, version=version, names=_names(state), identifiers=_identifiers(state))
    return snap


def _designation_snapshot(d: DesignationState, version: int) -> dict[str, Any]:
    snap = {f: jsonable(d.values.get(f)) for f in DESIGNATION_FIELDS}
    snap.update(id=d.id, entity_id=d.entity_id, authority=d.authority, list_ref=d.list_ref, version=version)
    return snap


def write_import_history(
    conn: Connection, *, actor: dict[str, Any], added: Iterable[EntityState], changed: Iterable[EntityState],
    designations: Iterable[DesignationState],
) -> int:
    """One row per entity added or changed and per existing designation changed or delisted."""
    now = utcnow()
    base = {"action": "import", "at": now, "key_id": actor.get("key_id"), "key_name": actor.get("key_name"),
            "request_id": actor.get("request_id")}
    rows: list[dict[str, Any]] = []
    for s in added:
        snap = _entity_snapshot(s, 1)
        changes = {k: [None, v] for k, v in snap.items() if k not in {"id", "version"} and v not in (None, [], {})}
        changes["designations"] = [None, [d.reference for d in s.designations]]
        rows.append({**base, "record_type": "entity", "record_id": s.id, "version": 1, "changes": changes,
                     "snapshot": snap})
    for s in changed:
        changes = {f: [diff["before"], diff["after"]] for f, diff in s.changes().items()}
        if s.designations:
            changes["designations added"] = [None, [d.reference for d in s.designations]]
        rows.append({**base, "record_type": "entity", "record_id": s.id, "version": s.version + 1,
                     "changes": changes, "snapshot": _entity_snapshot(s, s.version + 1)})
    for d in designations:
        if d.id is None:
            continue
        changes = {f: [diff["before"], diff["after"]] for f, diff in d.changes().items()}
        rows.append({**base, "record_type": "designation", "record_id": d.id, "version": d.version + 1,
                     "changes": changes, "snapshot": _designation_snapshot(d, d.version + 1)})
    for start in range(0, len(rows), 2000):
        conn.execute(insert(HistoryEntry), rows[start:start + 2000])
    return len(rows)

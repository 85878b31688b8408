"""Writing only what changed, with executemany INSERT/UPDATEs.

Updates are versioned (``WHERE version = <as read>``): a record changed by someone else while
the import ran fails the whole import with a 409 rather than being overwritten. An entity
whose designation changed grows its version too, as in records/designations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, update

from ...errors import Conflict
from ..bulk import insert_returning_ids, insert_rows
from ..common import WRITE_BATCH, chunks, in_lists
from .match import D, E, I, N
from .state import (
    DESIGNATION_FIELDS,
    ENTITY_FIELDS,
    DesignationState,
    EntityState,
    IdentRow,
    NameRow,
    Workspace,
)


@dataclass
class Written:
    touched: set[int]  # every entity id whose record or designations changed
    changed: list[EntityState]  # existing entities updated
    designations: list[DesignationState]  # existing designations updated (delisted ones too)
    by_entity: dict[int | None, list[DesignationState]]  # those not delisted, by entity id


def write(conn: Connection, ws: Workspace, delisted: list[DesignationState], now: datetime) -> Written:
    touched: set[int] = set()
    _insert_new(conn, ws.new_states, now)
    touched.update(s.id for s in ws.new_states if s.id is not None)

    des_changed = [d for d in ws.des_states.values() if d.changes()]
    delisted_ids = {id(d) for d in delisted}
    by_entity: dict[int | None, list[DesignationState]] = {}
    for d in des_changed:
        if id(d) not in delisted_ids:
            by_entity.setdefault(d.entity_id, []).append(d)
    changed = [s for s in ws.states.values() if s.id in by_entity or s.is_changed]
    _update(conn, E, ENTITY_FIELDS, [(s.id, s.version, s.values) for s in changed], now, "entities")
    touched.update(s.id for s in changed if s.id is not None)

    name_rows, ident_rows, des_rows, renames = [], [], [], []
    for s in changed:
        name_rows += [_name_row(s.id, n) for n in s.names if n.id is None]
        renames += [{"b_id": n.id, "b_name": n.name} for n in s.names if n.id and n.renamed_from]
        ident_rows += [_ident_row(s.id, i) for i in s.identifiers if i.id is None]
        des_rows += [_des_row(s.id, d, now) for d in s.designations]
    insert_rows(conn, N, name_rows)
    insert_rows(conn, I, ident_rows)
    insert_rows(conn, D, des_rows)
    if renames:
        conn.execute(update(N).where(N.c.id == bindparam("b_id")).values(name=bindparam("b_name")), renames)

    _update(conn, D, DESIGNATION_FIELDS, [(d.id, d.version, d.values) for d in des_changed], now, "designations")
    # An entity an earlier batch of the run wrote has its version grown already: once per import.
    others = sorted({d.entity_id for d in des_changed if d.entity_id is not None} - touched - ws.touched)
    for chunk in in_lists(others):
        conn.execute(update(E).where(E.c.id.in_(chunk)).values(version=E.c.version + 1, updated_at=now))
    touched.update(others)
    return Written(touched, changed, des_changed, by_entity)


def _insert_new(conn: Connection, new_states: list[EntityState], now: datetime) -> None:
    if not new_states:
        return
    rows = [{**s.values, "version": 1, "created_at": now, "updated_at": now} for s in new_states]
    ids = insert_returning_ids(conn, E, rows)
    for state, new_id in zip(new_states, ids, strict=True):
        state.id = new_id
    insert_rows(conn, N, [_name_row(s.id, n) for s in new_states for n in s.names])
    insert_rows(conn, I, [_ident_row(s.id, i) for s in new_states for i in s.identifiers])
    insert_rows(conn, D, [_des_row(s.id, d, now) for s in new_states for d in s.designations])


def _update(conn: Connection, table: Any, fields: tuple[str, ...],
            records: list[tuple[int | None, int, dict[str, Any]]], now: datetime, what: str) -> None:
    """Versioned executemany UPDATE of (id, version as read, values) records."""
    stmt = (update(table).where(table.c.id == bindparam("b_id"), table.c.version == bindparam("b_version"))
            .values({f: bindparam(f"v_{f}") for f in (*fields, "version", "updated_at")}))
    rows = [{"b_id": rid, "b_version": version, "v_version": version + 1, "v_updated_at": now,
             **{f"v_{f}": values[f] for f in fields}} for rid, version, values in records]
    for chunk in chunks(rows, WRITE_BATCH):
        result = conn.execute(stmt, chunk)
        if conn.dialect.supports_sane_multi_rowcount and result.rowcount != len(chunk):
            raise Conflict(f"Some {what} changed while the import ran; nothing was imported. Run it again.")


def _name_row(entity_id: int | None, n: NameRow) -> dict[str, Any]:
    return {"entity_id": entity_id, "name": n.name, "kind": n.kind, "script": n.script, "lang": n.lang}


def _ident_row(entity_id: int | None, i: IdentRow) -> dict[str, Any]:
    return {"entity_id": entity_id, "scheme": i.scheme, "value": i.value, "country": i.country,
            "notes": i.notes, "issued_on": None}


def _des_row(entity_id: int | None, d: DesignationState, now: datetime) -> dict[str, Any]:
    return {"entity_id": entity_id, "authority": d.authority, "list_ref": d.list_ref,
            **{f: d.values[f] for f in DESIGNATION_FIELDS}, "version": 1,
            "created_at": now, "updated_at": now}

"""The list-state counter and change log: how every process knows what to re-screen against.

A session hook, inside the same transaction as any change to the records (API, seed,
import), grows the counter once and logs the ids of the entities touched. A screening index
in any worker compares the counter (one row) per request and re-reads only those entities.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..models import (
    RECORD_TYPES,
    Entity,
    EntityIdentifier,
    EntityName,
    ListChange,
    ListState,
    utcnow,
)
from .bulk import insert_rows
from .common import listen_once

# Every record, and an entity's names and identifiers: what screening reads.
TRACKED: tuple[type, ...] = (*RECORD_TYPES, EntityName, EntityIdentifier)


def _touched_entity_ids(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Entity):
            ids.add(obj.id)
        elif isinstance(obj, TRACKED) and (entity_id := getattr(obj, "entity_id", None)) is not None:
            ids.add(entity_id)
    ids.discard(None)  # type: ignore[arg-type]
    return ids


def _after_flush(session: Session, flush_context: Any) -> None:
    # Pre-flush state is still visible here, and new rows have their ids.
    if not any(isinstance(o, TRACKED) for o in (*session.new, *session.dirty, *session.deleted)):
        return
    record_entity_changes(session, _touched_entity_ids(session))


def record_entity_changes(session: Session, ids: set[int]) -> None:
    """Grow the counter (once per transaction) and log the entities touched. The ORM hook
    calls this; so does the importer, whose bulk Core writes the hook cannot see."""
    conn = session.connection()
    counter = session.info.get("list_counter")
    if counter is None:
        # Once per transaction: readers only need "changed since I looked".
        counter = conn.execute(
            update(ListState).where(ListState.id == 1)
            .values(counter=ListState.counter + 1, changed_at=utcnow())
            .returning(ListState.counter)
        ).scalar()
        if counter is None:
            counter = 1
            conn.execute(insert(ListState).values(id=1, counter=1, changed_at=utcnow()))
        session.info["list_counter"] = counter
    logged = session.info.setdefault("list_logged", set())
    fresh = sorted(ids - logged)
    insert_rows(conn, ListChange.__table__, [{"counter": counter, "entity_id": i} for i in fresh])  # type: ignore[arg-type]
    logged.update(fresh)


def _end_transaction(session: Session, *args: Any) -> None:
    session.info.pop("list_counter", None)
    session.info.pop("list_logged", None)


def install_list_state_hooks() -> None:
    listen_once(Session, [("after_flush", _after_flush), ("after_commit", _end_transaction),
                          ("after_rollback", _end_transaction)])


def current_state(session: Session) -> tuple[int, str]:
    """(counter, fingerprint) of the records as committed now."""
    row = session.execute(select(ListState.counter, ListState.changed_at).where(ListState.id == 1)).first()
    counter, changed_at = (row[0], row[1]) if row else (0, None)
    return counter, fingerprint(counter, changed_at)


def fingerprint(counter: int, changed_at: Any) -> str:
    return hashlib.sha256(f"{counter}:{changed_at}".encode()).hexdigest()[:16]


def changed_since(session: Session, counter: int) -> set[int]:
    return set(session.scalars(select(ListChange.entity_id).where(ListChange.counter > counter)))

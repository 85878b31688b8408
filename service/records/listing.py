"""The list-state counter: one number that grows with every committed change to the records.

A session hook bumps it inside the same transaction as the change, whatever wrote it (API,
seed, import), so a screening index in any worker can tell it is stale by reading one row.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from ..models import (
    Case,
    CaseDefendant,
    Charge,
    Designation,
    Entity,
    EntityIdentifier,
    EntityName,
    ListState,
    ThreatGroup,
    ThreatGroupMember,
    utcnow,
)

TRACKED = (
    Entity, EntityName, EntityIdentifier, Designation, ThreatGroup, ThreatGroupMember,
    Case, CaseDefendant, Charge,
)
_installed = False


def _touches_records(session: Session) -> bool:
    return any(isinstance(obj, TRACKED) for obj in (*session.new, *session.dirty, *session.deleted))


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    if _touches_records(session):
        session.info["records_changed"] = True


def _after_flush(session: Session, flush_context: Any) -> None:
    # Once per transaction is enough: readers only need "changed since I looked".
    if session.info.pop("records_changed", False) and not session.info.get("list_bumped"):
        session.info["list_bumped"] = True
        conn = session.connection()
        result = conn.execute(
            update(ListState)
            .where(ListState.id == 1)
            .values(counter=ListState.counter + 1, changed_at=utcnow())
        )
        if result.rowcount == 0:
            conn.execute(insert(ListState).values(id=1, counter=1, changed_at=utcnow()))


def _end_transaction(session: Session, *args: Any) -> None:
    session.info.pop("list_bumped", None)
    session.info.pop("records_changed", None)


def install_list_state_hooks() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _end_transaction)
    event.listen(Session, "after_rollback", _end_transaction)
    _installed = True


def current_state(session: Session) -> tuple[int, str]:
    """(counter, fingerprint) of the records as committed now."""
    row = session.execute(select(ListState.counter, ListState.changed_at).where(ListState.id == 1)).first()
    counter, changed_at = (row[0], row[1]) if row else (0, None)
    digest = hashlib.sha256(f"{counter}:{changed_at}".encode()).hexdigest()[:16]
    return counter, digest

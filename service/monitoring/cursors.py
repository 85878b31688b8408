"""Named counters in the database (:class:`~service.models.MonitoringCursor`): the change-log
cursor and the portfolio counter."""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..models import MonitoringCursor, utcnow

CHANGES = "changes"
PORTFOLIO = "portfolio"


def read(session: Session, name: str) -> int:
    return session.scalar(select(MonitoringCursor.value).where(MonitoringCursor.name == name)) or 0


def bump(session: Session, name: str) -> int:
    """Grow the counter by one and return it. The UPDATE holds the row's lock until commit, so
    writers serialise here and values become visible in order (as the list-state counter)."""
    value = session.execute(
        update(MonitoringCursor).where(MonitoringCursor.name == name)
        .values(value=MonitoringCursor.value + 1, updated_at=utcnow()).returning(MonitoringCursor.value)
    ).scalar()
    if value is None:
        value = 1
        session.execute(insert(MonitoringCursor).values(name=name, value=value, updated_at=utcnow()))
    return int(value)


def advance(session: Session, name: str, expected: int, value: int) -> bool:
    """Move the counter from ``expected`` to ``value``; False when another worker moved it first
    (the caller then rolls back: that worker did the same work)."""
    if expected == 0 and session.get(MonitoringCursor, name) is None:
        session.execute(insert(MonitoringCursor).values(name=name, value=value, updated_at=utcnow()))
        return True
    done = session.execute(
        update(MonitoringCursor).where(MonitoringCursor.name == name, MonitoringCursor.value == expected)
        .values(value=value, updated_at=utcnow())
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]

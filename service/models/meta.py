"""A single-row counter that grows with every committed write to the records.

Screening indexes in every worker process compare it per request to know whether they are
stale (read-your-writes across processes without a message bus).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ListState(Base):
    __tablename__ = "list_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListChange(Base):
    """Which entities changed under which list-state counter value.

    Written in the same transaction as the change. Writers serialise on the list_state row
    (its UPDATE takes a row lock until commit), so counter values become visible in order and
    a reader that has seen counter N can fetch exactly what changed after N.
    """

    __tablename__ = "list_changes"
    __table_args__ = (Index("ix_list_changes_counter", "counter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(Integer)
    entity_id: Mapped[int] = mapped_column(Integer)

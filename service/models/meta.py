"""A single-row counter that grows with every committed write to the records.

Screening indexes in every worker process compare it per request to know whether they are
stale (read-your-writes across processes without a message bus).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ListState(Base):
    __tablename__ = "list_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

"""One run of ``sanctions import`` / ``POST /imports``: what was read, what it changed.

A log, not a record: no version, no archiving. A failed run is written too (in its own
transaction, after the import's rollback), with the error.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class ImportRun(Base):
    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(16), index=True)
    origin: Mapped[str] = mapped_column(String(16), default="cli")
    status: Mapped[str] = mapped_column(String(16), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # [{"name", "sha256", "size"}] in the order given.
    files: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Authorities whose designations the file carried (OFAC, UK ...).
    authorities: Mapped[list[str]] = mapped_column(default=list)

    # Entities: new, changed (incl. merged into an existing record), identical.
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    # Existing entities matched by a strong identifier rather than by list reference.
    merged: Mapped[int] = mapped_column(Integer, default=0)
    # Designations gone from the list (delisted_on set) and back on it (delisted_on cleared).
    delisted: Mapped[int] = mapped_column(Integer, default=0)
    relisted: Mapped[int] = mapped_column(Integer, default=0)
    # What the files held.
    designations: Mapped[int] = mapped_column(Integer, default=0)
    names: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    change_count: Mapped[int] = mapped_column(Integer, default=0)

    # Parser statistics and the delisting scope, for the curious.
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Row-level warnings [{"file", "row", "message"}], the first MAX_STORED only.
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Per-entity changes [{"action", "entity_id", "reference", "name", "fields"}], capped too.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 3)

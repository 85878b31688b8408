"""Who may call the API, what changed (history), what was screened (evidence) and what the
analysts decided (dispositions). Each of these rows names who acted: an API key
(``key_id``/``key_name``) or a signed-in user (``user_id``/``user_name``), see
:class:`service.records.actor.Actor`. Rows here are written once and never updated through the
API, except an API key's revocation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..permissions import ROLES as ROLES  # API-key roles: defined with what each may do
from .base import MEDIUM, Attribution, Base, utcnow

DECISIONS = ("true_match", "false_positive", "needs_review")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(MEDIUM)
    role: Mapped[str] = mapped_column(String(16))
    # The first characters of the token, to find the row; the token itself is never stored.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class HistoryEntry(Attribution, Base):
    """One change to one record: who, when, in which request, each field before and after,
    and the record as it stood afterwards (for ``?as_of=`` reads)."""

    __tablename__ = "history"
    __table_args__ = (Index("ix_history_record", "record_type", "record_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))  # create, update, archive, import
    version: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ScreeningLog(Base):
    """Evidence of one screening: the input, the list state and the results."""

    __tablename__ = "screening_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # single, batch, job, csv
    batch_key: Mapped[str | None] = mapped_column(String(128), default=None)
    key_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    key_name: Mapped[str | None] = mapped_column(MEDIUM, default=None)
    user_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    user_name: Mapped[str | None] = mapped_column(String(64), default=None)
    # The input as sent, or with the name replaced by a keyed hash when so configured.
    subject: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subject_key: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    threshold: Mapped[float] = mapped_column()
    algorithm: Mapped[str] = mapped_column(String(32))
    algorithm_version: Mapped[str] = mapped_column(String(16))
    list_version: Mapped[int] = mapped_column(Integer)
    list_fingerprint: Mapped[str] = mapped_column(String(32))
    had_match: Mapped[bool] = mapped_column(default=False, index=True)
    results: Mapped[list[dict[str, Any]]] = mapped_column(default=list)

    hits: Mapped[list[ScreeningHit]] = relationship(cascade="all, delete-orphan")


class ScreeningHit(Base):
    """The entities a logged screening returned, for filtering the log by entity."""

    __tablename__ = "screening_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[int] = mapped_column(ForeignKey("screening_log.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    score: Mapped[float] = mapped_column()
    match: Mapped[bool] = mapped_column()


class DecisionFields:
    """What a decision says (a disposition, or a four-eyes proposal of one): the screened
    subject (its key, and as stored), the listed entity and its version when decided, the
    decision and the comment."""

    subject_key: Mapped[str] = mapped_column(String(64))
    subject: Mapped[dict[str, Any]] = mapped_column(default=dict)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    entity_version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text, default=None)


class Disposition(Attribution, DecisionFields, Base):
    """An analyst's decision on a (screened subject, listed entity) pair. Each decision is a
    new row; the latest one for the pair is in force."""

    __tablename__ = "dispositions"
    __table_args__ = (Index("ix_dispositions_pair", "subject_key", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

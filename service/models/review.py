"""The review queue's own rows: the matched rows of finished screening jobs (a job's per-row
results otherwise live only in its files), who is working on which (subject, entity) pair,
and the four-eyes proposals, each with who proposed it and who approved or rejected it.

A pair is what a disposition decides: the screened subject (its ``subject_key``, see
:func:`service.records.evidence.subject_key`) and the listed entity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .audit import DecisionFields
from .base import Attribution, Base, utcnow

PROPOSAL_STATES = ("pending", "approved", "rejected")


class ReviewJobMatch(Base):
    """One (row, listed entity) match of a finished job, kept for review: the row's subject as
    screened, the score, and the job and row number it came from."""

    __tablename__ = "review_job_matches"
    __table_args__ = (UniqueConstraint("job_id", "row", "entity_id"),
                      Index("ix_review_job_matches_pair", "subject_key", "entity_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("screening_jobs.id", ondelete="CASCADE"), index=True)
    row: Mapped[int] = mapped_column(Integer)
    subject: Mapped[dict[str, Any]] = mapped_column(default=dict)
    subject_key: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReviewAssignment(Base):
    """Who is reviewing a pair (one reviewer at a time; assigning again replaces them)."""

    __tablename__ = "review_assignments"
    __table_args__ = (UniqueConstraint("subject_key", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_key: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    user_name: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewProposal(Attribution, DecisionFields, Base):
    """A true-match or false-positive decision awaiting a second reviewer (four-eyes review);
    its attribution columns name who proposed it (a user, or an API key), its decision fields
    what the disposition will say (the subject as it will store it: a keyed hash of the name
    when so configured).
    The disposition in force is written only when another user approves it
    (``disposition_id``); a rejection leaves the pair undecided."""

    __tablename__ = "review_proposals"
    __table_args__ = (Index("ix_review_proposals_pair", "subject_key", "entity_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Who approved or rejected it, when, and why.
    reviewer_user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    reviewer_user_name: Mapped[str | None] = mapped_column(String(64), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    review_comment: Mapped[str | None] = mapped_column(Text, default=None)
    disposition_id: Mapped[int | None] = mapped_column(ForeignKey("dispositions.id"), default=None)

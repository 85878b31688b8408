"""Bulk screening jobs: one uploaded CSV file, screened in parts by background workers.

A job, not a record: no version, no archiving. The input and the results live as files in
the job's folder (``folder``, relative to JOB_DIR); the database holds the state, the
progress and where each part's results end, so a restarted worker resumes a part from its
last committed chunk and finished results are never lost.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

JOB_STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE_STATUSES = ("queued", "running")


class WorkState:
    """What a job and each of its parts keep alike: their state, who works on them, and how
    many rows are done and how they came out. A job's counters are kept up to date with its
    parts' (in the same transaction as the part's own)."""

    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set by whoever works on it; a stale heartbeat means it died.
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    worker: Mapped[str | None] = mapped_column(String(128), default=None)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_matched: Mapped[int] = mapped_column(Integer, default=0)
    rows_clear: Mapped[int] = mapped_column(Integer, default=0)
    rows_error: Mapped[int] = mapped_column(Integer, default=0)
    # List-state counter the screening index was built from.
    list_version: Mapped[int | None] = mapped_column(Integer, default=None)


class ScreeningJob(WorkState, Base):
    __tablename__ = "screening_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    backend: Mapped[str] = mapped_column(String(16), default="embedded")

    folder: Mapped[str] = mapped_column(String(255), default="")
    filename: Mapped[str | None] = mapped_column(String(255), default=None)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # What was detected in the file and how its columns are read.
    encoding: Mapped[str | None] = mapped_column(String(32), default=None)
    delimiter: Mapped[str | None] = mapped_column(String(4), default=None)
    header: Mapped[list[str]] = mapped_column(default=list)
    columns: Mapped[dict[str, Any]] = mapped_column(default=dict)
    threshold: Mapped[float] = mapped_column(Float)
    match_limit: Mapped[int] = mapped_column(Integer, default=10)
    output_format: Mapped[str] = mapped_column(String(8), default="csv")
    # dmy or mdy: how to read ambiguous dates like 03/04/1985 (None: keep only the year).
    date_order: Mapped[str | None] = mapped_column(String(3), default=None)

    # Set once the file has been scanned (rows counted, split into parts).
    rows_total: Mapped[int | None] = mapped_column(Integer, default=None)
    parts_total: Mapped[int] = mapped_column(Integer, default=0)
    # With ``list_version``: the list state the job's index was built from when it started.
    list_fingerprint: Mapped[str | None] = mapped_column(String(32), default=None)
    # Who submitted it, for the screening evidence log written when the job finishes.
    key_id: Mapped[int | None] = mapped_column(Integer, default=None)
    key_name: Mapped[str | None] = mapped_column(String(255), default=None)
    user_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    user_name: Mapped[str | None] = mapped_column(String(64), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)

    parts: Mapped[list[ScreeningJobPart]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="ScreeningJobPart.number",
        passive_deletes=True,
    )

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or utcnow()
        return round((end - self.started_at).total_seconds(), 3)


class ScreeningJobPart(WorkState, Base):
    """A slice of the input (``rows`` records from byte ``start_offset``), screened by one
    worker into its own results files; resumable from ``in_offset`` / ``*_bytes``."""

    __tablename__ = "screening_job_parts"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("screening_jobs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    # Where the slice starts in the (UTF-8) input: byte offset, physical line, record index.
    start_offset: Mapped[int] = mapped_column(BigInteger)
    start_line: Mapped[int] = mapped_column(Integer)
    # Resume point (with ``rows_done`` and the other counters): the input position and result
    # file sizes at the last committed chunk.
    in_offset: Mapped[int] = mapped_column(BigInteger)
    in_line: Mapped[int] = mapped_column(Integer)
    csv_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    jsonl_bytes: Mapped[int] = mapped_column(BigInteger, default=0)

    job: Mapped[ScreeningJob] = relationship(back_populates="parts")

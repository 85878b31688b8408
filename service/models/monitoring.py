"""Ongoing monitoring: the organisation's own customers and vendors (monitored subjects), the
alerts raised when one of them matches a listed entity, each alert's events, the monitoring
runs, the cursor over the list change log, and the webhook outbox.

An alert is keyed by what caused it: the pair (subject, entity) and the versions of both sides
when it was raised. The database refuses a second alert for the same key, so a re-import, a
repeated run or two workers racing never duplicate one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import MEDIUM, Attribution, Base, utcnow

SUBJECT_STATUSES = ("active", "paused")
# held: created while the storm guard was on; a reviewer releases it (-> open).
ALERT_STATES = ("held", "open", "under_review", "escalated", "true_match", "false_positive")
FINAL_STATES = ("true_match", "false_positive")
RUN_KINDS = ("delta", "subjects", "full")
RUN_STATUSES = ("running", "done", "failed")


class MonitoredSubject(Base):
    """A customer or vendor of the organisation, screened on every list change.

    ``version`` grows when anything that changes its screening changes (names, birth date,
    country, identifiers, type, threshold, being resumed); ``screened_version`` is the version
    whose screening against the whole lists has been committed (behind: pending). ``seq`` is
    the portfolio counter value of its last write, so an in-memory subject index refreshes
    only what changed. Deleting sets ``deleted_at``: the row (and its alerts) stay."""

    __tablename__ = "monitored_subjects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    type: Mapped[str | None] = mapped_column(String(16), default=None)
    name: Mapped[str] = mapped_column(String(500))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    birth_date: Mapped[str | None] = mapped_column(String(10), default=None)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    identifiers: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    threshold: Mapped[float | None] = mapped_column(Float, default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    version: Mapped[int] = mapped_column(Integer, default=1)
    screened_version: Mapped[int | None] = mapped_column(Integer, default=None)
    seq: Mapped[int] = mapped_column(Integer, default=0, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class MonitoringAlert(Base):
    """A subject that matches a listed entity, for a reviewer to decide."""

    __tablename__ = "monitoring_alerts"
    __table_args__ = (
        UniqueConstraint("subject_id", "entity_id", "entity_version", "subject_version",
                         name="uq_monitoring_alerts_cause"),
        Index("ix_monitoring_alerts_pair", "subject_id", "entity_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("monitored_subjects.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    entity_version: Mapped[int] = mapped_column(Integer)
    subject_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)
    score: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    matched_name: Mapped[str] = mapped_column(MEDIUM)
    entity_name: Mapped[str] = mapped_column(MEDIUM)
    references: Mapped[list[str]] = mapped_column(default=list)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # What caused it: {"kind": "import" | "edit" | "subject" | "full", "import_run_id", "list_counter", ...}
    cause: Mapped[dict[str, Any]] = mapped_column(default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_runs.id"), default=None, index=True)
    # The false positive this alert reopens (the entity changed since that decision).
    previous_alert_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_alerts.id"), default=None)
    disposition_id: Mapped[int | None] = mapped_column(ForeignKey("dispositions.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Grows with every event: the ETag a transition's If-Match is checked against.
    version: Mapped[int] = mapped_column(Integer, default=1)

    subject: Mapped[MonitoredSubject] = relationship(lazy="joined")
    events: Mapped[list[AlertEvent]] = relationship(order_by="AlertEvent.id", cascade="all, delete-orphan")


class AlertEvent(Attribution, Base):
    """One thing that happened to an alert: created, a transition, the entity or subject
    changed, the entity was delisted, held or released."""

    __tablename__ = "monitoring_alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("monitoring_alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16), default=None)
    to_state: Mapped[str | None] = mapped_column(String(16), default=None)
    comment: Mapped[str | None] = mapped_column(Text, default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MonitoringRun(Base):
    """One pass of monitoring: a delta rescreen over a range of the change log, the screening
    of new or changed subjects, or a full rescreen of the portfolio (resumable: ``resume_after``
    is the last subject id done)."""

    __tablename__ = "monitoring_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    from_change_id: Mapped[int | None] = mapped_column(Integer, default=None)
    to_change_id: Mapped[int | None] = mapped_column(Integer, default=None)
    changes_considered: Mapped[int] = mapped_column(Integer, default=0)
    entities_rescreened: Mapped[int] = mapped_column(Integer, default=0)
    subjects_screened: Mapped[int] = mapped_column(Integer, default=0)
    pairs_scored: Mapped[int] = mapped_column(Integer, default=0)
    alerts_opened: Mapped[int] = mapped_column(Integer, default=0)
    alerts_held: Mapped[int] = mapped_column(Integer, default=0)
    events_added: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    notice: Mapped[str | None] = mapped_column(Text, default=None)
    # Earliest commit of a list change this run handled, and how long after it the alerts came.
    first_change_at: Mapped[datetime | None] = mapped_column(default=None)
    lag_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    resume_after: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class MonitoringCursor(Base):
    """Named counters: ``changes`` (the last list change id processed) and ``portfolio`` (grows
    with every write to the subjects; a subject's ``seq``)."""

    __tablename__ = "monitoring_cursors"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonitoredEntityState(Base):
    """A listed entity as monitoring last saw it: a fingerprint of what matching reads
    (names, identifiers, birth dates, countries, type) and its active references, so that a
    changed note raises nothing and a delisting is told apart from a change."""

    __tablename__ = "monitored_entity_states"

    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    references: Mapped[list[str]] = mapped_column(default=list)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListCommit(Attribution, Base):
    """When the list change of one list-state counter value was committed, and by what (an
    import run, or a request's key or user): an alert's cause and a run's lag."""

    __tablename__ = "monitoring_list_commits"

    counter: Mapped[int] = mapped_column(Integer, primary_key=True)
    committed_at: Mapped[datetime] = mapped_column(default=utcnow)
    import_run_id: Mapped[int | None] = mapped_column(Integer, default=None)


class WebhookOutbox(Base):
    """Events to deliver to webhook endpoints, written in the transaction that caused them."""

    __tablename__ = "webhook_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)

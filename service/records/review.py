"""The review queue: matches that no one has decided yet, from every source, newest first.

Three sources feed it, read straight from their tables (one SQL union, filtered and paged in
the database):

- ``screening``: screenings (``/screen``, ``/screen/batch``, the web interface's screen page)
  whose evidence row has a match, once per (subject, entity) pair: its latest screening;
- ``job``: the matched rows of finished screening jobs (:func:`add_job_matches`, called when a
  job's evidence row is written; files screened at once, ``/screen/csv`` and ``sanctions
  screen``, go back to the caller whole and are not queued);
- ``monitoring``: monitoring alerts not yet decided (open, under review or escalated). Their
  workflow is :mod:`service.monitoring.alerts` (a layer above this one, so not imported here):
  the queue lists them and links to them; assignment and the four-eyes rule below are for
  the other two sources.

A pair is decided when its latest disposition is a true match, or a false positive made
against the entity's current version (a change to the entity reopens it, as screening does).
``needs_review`` keeps it in the queue. A pair may be assigned to one reviewer
(:func:`assign`); four-eyes proposals are in :mod:`.decisions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from ..errors import Invalid, NotFound
from ..models import (
    Designation,
    Disposition,
    Entity,
    MonitoredSubject,
    MonitoringAlert,
    ReviewAssignment,
    ReviewJobMatch,
    ReviewProposal,
    ScreeningHit,
    ScreeningLog,
    utcnow,
)
from .actor import Actor
from .bulk import insert_rows
from .common import Page, in_lists
from .evidence import LogSettings, stored_subject, subject_key

SOURCES = ("screening", "job", "monitoring")
# Screenings of one subject each (a file's row, kind "job" or "file", describes the whole file).
SUBJECT_KINDS = ("single", "batch")
# Monitoring alerts still waiting for a decision.
UNDECIDED_ALERT_STATES = ("open", "under_review", "escalated")
ASSIGNED = ("mine", "unassigned")


@dataclass
class QueueFilters:
    assigned: str | None = None  # "mine" (needs ``user_id``) or "unassigned"
    user_id: int | None = None
    authority: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    source: str | None = None


@dataclass
class QueueItem:
    source: str
    ref_id: int  # the screening log row, the job match row or the monitoring alert
    subject_key: str | None
    entity_id: int
    score: float
    at: datetime
    subject: dict[str, Any] = field(default_factory=dict)
    entity: Entity | None = None
    assignment: ReviewAssignment | None = None
    pending: ReviewProposal | None = None
    job_id: int | None = None
    row: int | None = None
    alert_state: str | None = None
    external_id: str | None = None  # a monitored subject's own id

    @property
    def pair(self) -> tuple[str, int] | None:
        return (self.subject_key, self.entity_id) if self.subject_key is not None else None


def _sources() -> Any:
    """Every undecided candidate as (source, ref_id, subject_key, entity_id, score, at)."""
    latest = (
        select(func.max(ScreeningHit.id).label("hit_id"))
        .join(ScreeningLog, ScreeningLog.id == ScreeningHit.log_id)
        .where(ScreeningHit.match.is_(True), ScreeningLog.kind.in_(SUBJECT_KINDS),
               ScreeningLog.subject_key.is_not(None))
        .group_by(ScreeningLog.subject_key, ScreeningHit.entity_id)
        .subquery()
    )
    screenings = (
        select(literal("screening", String(16)).label("source"), ScreeningLog.id.label("ref_id"),
               ScreeningLog.subject_key.label("subject_key"), ScreeningHit.entity_id.label("entity_id"),
               ScreeningHit.score.label("score"), ScreeningLog.at.label("at"))
        .join(latest, latest.c.hit_id == ScreeningHit.id)
        .join(ScreeningLog, ScreeningLog.id == ScreeningHit.log_id)
    )
    jobs = select(literal("job", String(16)), ReviewJobMatch.id, ReviewJobMatch.subject_key,
                  ReviewJobMatch.entity_id, ReviewJobMatch.score, ReviewJobMatch.created_at)
    alerts = (select(literal("monitoring", String(16)), MonitoringAlert.id, cast(null(), String(64)),
                     MonitoringAlert.entity_id, MonitoringAlert.score, MonitoringAlert.created_at)
              .where(MonitoringAlert.state.in_(UNDECIDED_ALERT_STATES)))
    return union_all(screenings, jobs, alerts).subquery("queue")


def decided(key: ColumnElement[Any], entity_id: ColumnElement[Any]) -> ColumnElement[bool]:
    """The pair's latest disposition is in force: a true match, or a false positive about the
    entity as it still is."""
    d, d2 = aliased(Disposition), aliased(Disposition)
    # Correlated explicitly: the pair's columns come from the query two levels up, which
    # automatic correlation (the enclosing SELECT only) would join in as a FROM of its own.
    latest_id = (select(func.max(d2.id)).where(d2.subject_key == key, d2.entity_id == entity_id)
                 .correlate_except(d2).scalar_subquery())
    current = select(Entity.version).where(Entity.id == entity_id).correlate_except(Entity).scalar_subquery()
    return exists().where(d.id == latest_id, or_(
        d.decision == "true_match", and_(d.decision == "false_positive", d.entity_version == current))
    ).correlate_except(d)


def _assigned_to(q: Any, user_id: int | None = None) -> ColumnElement[bool]:
    cond = [ReviewAssignment.subject_key == q.c.subject_key, ReviewAssignment.entity_id == q.c.entity_id]
    if user_id is not None:
        cond.append(ReviewAssignment.user_id == user_id)
    return exists().where(*cond)


def _filtered(filters: QueueFilters) -> tuple[Any, list[ColumnElement[bool]]]:
    q = _sources()
    where: list[ColumnElement[bool]] = [~decided(q.c.subject_key, q.c.entity_id)]
    if filters.source:
        if filters.source not in SOURCES:
            raise Invalid(f"Unknown source {filters.source!r}.", errors={"source": [f"One of: {', '.join(SOURCES)}."]})
        where.append(q.c.source == filters.source)
    if filters.assigned == "mine":
        if filters.user_id is None:
            raise Invalid("'mine' needs a signed-in user.")
        where.append(_assigned_to(q, filters.user_id))
    elif filters.assigned == "unassigned":
        where.append(~_assigned_to(q))
    elif filters.assigned is not None:
        raise Invalid(f"Unknown assignment filter {filters.assigned!r}.", errors={"assigned": ["mine or unassigned."]})
    if filters.authority:
        where.append(exists().where(Designation.entity_id == q.c.entity_id,
                                    func.upper(Designation.authority) == filters.authority.upper()))
    if filters.min_score is not None and filters.max_score is not None and filters.min_score > filters.max_score:
        raise Invalid("The lowest score is above the highest.", errors={"min_score": ["Above max_score."]})
    if filters.min_score is not None:
        where.append(q.c.score >= filters.min_score)
    if filters.max_score is not None:
        where.append(q.c.score <= filters.max_score)
    return q, where


def queue(*, session: Session, filters: QueueFilters, page: int, page_size: int) -> Page:
    """One page of undecided matches, newest first, with what a reviewer needs to read them."""
    q, where = _filtered(filters)
    total = session.scalar(select(func.count()).select_from(q).where(*where)) or 0
    rows = session.execute(
        select(q).where(*where).order_by(q.c.at.desc(), q.c.source, q.c.ref_id.desc())
        .limit(page_size).offset((page - 1) * page_size)).all()
    items = [QueueItem(source=r.source, ref_id=r.ref_id, subject_key=r.subject_key, entity_id=r.entity_id,
                       score=r.score, at=r.at) for r in rows]
    _hydrate(session, items)
    return Page(items=items, total=total, page=page, page_size=page_size)


def _by_id(session: Session, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for part in in_lists(sorted(set(ids))):
        found.update({row.id: row for row in session.scalars(select(model).where(model.id.in_(part)))})
    return found


def _hydrate(session: Session, items: Sequence[QueueItem]) -> None:
    """The subject, entity, assignee and pending proposal of each item (a few queries a page)."""
    logs = _by_id(session, ScreeningLog, (i.ref_id for i in items if i.source == "screening"))
    jobs = _by_id(session, ReviewJobMatch, (i.ref_id for i in items if i.source == "job"))
    alerts = _by_id(session, MonitoringAlert, (i.ref_id for i in items if i.source == "monitoring"))
    entities = _by_id(session, Entity, (i.entity_id for i in items))
    pairs = [p for p in (i.pair for i in items) if p is not None]
    assignments = assignments_for(session, pairs)
    pending = pending_for(session, pairs)
    for item in items:
        item.entity = entities.get(item.entity_id)
        if item.source == "screening":
            item.subject = logs[item.ref_id].subject
        elif item.source == "job":
            match = jobs[item.ref_id]
            item.subject, item.job_id, item.row = match.subject, match.job_id, match.row
        else:
            alert = alerts[item.ref_id]
            subject: MonitoredSubject = alert.subject
            item.subject = {"name": subject.name, "birth_date": subject.birth_date, "country": subject.country}
            item.alert_state, item.external_id = alert.state, subject.external_id
        if item.pair is not None:
            item.assignment = assignments.get(item.pair)
            item.pending = pending.get(item.pair)


def _for_pairs(session: Session, model: Any, pairs: Sequence[tuple[str, int]], *where: Any) -> dict[tuple[str, int], Any]:
    """The row of ``model`` for each of ``pairs`` that has one (read by subject key in bounded
    IN lists; the last row read wins)."""
    wanted = set(pairs)
    found: dict[tuple[str, int], Any] = {}
    for part in in_lists(sorted({k for k, _ in wanted})):
        for row in session.scalars(select(model).where(model.subject_key.in_(part), *where).order_by(model.id)):
            if (row.subject_key, row.entity_id) in wanted:
                found[(row.subject_key, row.entity_id)] = row
    return found


def assignments_for(session: Session, pairs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], ReviewAssignment]:
    return _for_pairs(session, ReviewAssignment, pairs)


def pending_for(session: Session, pairs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], ReviewProposal]:
    """The proposal awaiting approval on each pair that has one."""
    return _for_pairs(session, ReviewProposal, pairs, ReviewProposal.state == "pending")


# --- one item: resolving it, assigning it ------------------------------------------------------

@dataclass(frozen=True)
class Pair:
    """What a decision on a queue item is about: the subject as stored and its key, the entity."""

    subject_key: str
    subject: dict[str, Any]
    entity_id: int
    # Where the queue found it (for the page that shows it).
    score: float | None = None
    log_id: int | None = None
    job_id: int | None = None
    row: int | None = None


def resolve(*, session: Session, source: str, ref_id: int, entity_id: int, settings: LogSettings) -> Pair:
    """The pair a screening or job item decides (the entity must be one the item matched)."""
    if source == "screening":
        log = session.get(ScreeningLog, ref_id)
        if log is None or log.subject_key is None or log.kind not in SUBJECT_KINDS:
            raise NotFound(f"No screening with id {ref_id} to review.")
        score = session.scalar(select(func.max(ScreeningHit.score)).where(
            ScreeningHit.log_id == log.id, ScreeningHit.entity_id == entity_id))
        if score is None:
            raise NotFound(f"Screening {ref_id} did not return entity {entity_id}.")
        # The subject as the log keeps it is already in its stored form.
        return Pair(log.subject_key, log.subject, entity_id, score=score, log_id=log.id)
    if source == "job":
        match = session.get(ReviewJobMatch, ref_id)
        if match is None or match.entity_id != entity_id:
            raise NotFound(f"No job match with id {ref_id} for entity {entity_id}.")
        return Pair(match.subject_key, stored_subject(match.subject, settings), entity_id, score=match.score,
                    job_id=match.job_id, row=match.row)
    raise Invalid(f"Items from {source!r} are not decided here.",
                  errors={"source": ["screening or job (monitoring alerts have their own workflow)."]})


def assign(*, session: Session, pair: Pair, actor: Actor) -> ReviewAssignment:
    """Assign the pair to the signed-in user (replacing whoever had it)."""
    if actor.user_id is None or actor.user_name is None:
        raise Invalid("Only a signed-in user can take a review.")
    row = session.scalar(select(ReviewAssignment).where(ReviewAssignment.subject_key == pair.subject_key,
                                                        ReviewAssignment.entity_id == pair.entity_id))
    if row is None:
        row = ReviewAssignment(subject_key=pair.subject_key, entity_id=pair.entity_id,
                               user_id=actor.user_id, user_name=actor.user_name)
        session.add(row)
    else:
        row.user_id, row.user_name = actor.user_id, actor.user_name
    session.flush()
    return row


def authorities(session: Session) -> list[str]:
    """The authorities that list anyone (the queue's authority filter offers them)."""
    return sorted(session.scalars(select(Designation.authority).distinct()))


# --- job rows --------------------------------------------------------------------------------

def add_job_matches(*, session: Session, job_id: int, matches: Iterable[tuple[int, dict[str, Any], int, float]]) -> int:
    """Queue a finished job's matched rows: (row number, the row's subject, entity, score) each.
    Returns how many were added. Written as plain rows (COPY on PostgreSQL): a job of 20,000
    rows queues about 10,000, which the ORM's unit of work took most of a second to insert."""
    now = utcnow()
    rows = [{"job_id": job_id, "row": row, "subject": subject, "subject_key": subject_key(subject),
             "entity_id": entity_id, "score": score, "created_at": now}
            for row, subject, entity_id, score in matches]
    session.flush()  # the job's own pending changes first, as the ORM would order them
    insert_rows(session.connection(), ReviewJobMatch.__table__, rows)  # type: ignore[arg-type]
    return len(rows)

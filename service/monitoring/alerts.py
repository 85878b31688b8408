"""The alert store and its review workflow.

An alert is raised once per cause: (subject, entity, entity version, subject version), unique
in the database. The versions are the ones that matter for matching: the entity's as of its
last change that matters (:mod:`.delta`), the subject's as of its last screening-relevant write.

States: ``open`` -> ``under_review`` -> ``true_match`` | ``false_positive`` | ``escalated``
(-> ``true_match`` | ``false_positive``); ``held`` (storm guard) -> ``open``. Every move is an
event with its actor, time and comment; a final decision also writes a disposition, so
``/screen`` carries it for the same subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict, Invalid, NotFound
from ..models import AlertEvent, MonitoredSubject, MonitoringAlert, utcnow
from ..models.monitoring import ALERT_STATES, FINAL_STATES
from ..records.actor import NOBODY, Actor
from ..records.common import Page, in_lists, json_text_icontains, paginate
from ..records.evidence import LogSettings, record_disposition
from ..screening import Match
from .outbox import emit
from .subjects import screening_data

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "held": ("open",),
    "open": ("under_review",),
    "under_review": ("true_match", "false_positive", "escalated"),
    "escalated": ("true_match", "false_positive"),
}
# Alerts a change to the entity is told to (an event), rather than raising a new alert.
LIVE_STATES = ("held", "open", "under_review", "escalated", "true_match")


@dataclass(frozen=True)
class Hit:
    """One scored (subject, entity) pair; ``match`` is None when the pair no longer scores."""

    subject_id: int
    subject_version: int
    entity_id: int
    entity_version: int
    match: Match | None
    cause: dict[str, Any]

    @property
    def key(self) -> tuple[int, int, int, int]:
        return self.subject_id, self.entity_id, self.entity_version, self.subject_version


@dataclass
class Plan:
    """What a set of hits does to the alerts: new alerts (with the false positive each
    reopens) and events on existing ones."""

    create: list[tuple[Hit, int | None]]
    events: list[tuple[int, str, dict[str, Any]]]


def latest_alerts(session: Session, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], MonitoringAlert]:
    """The newest alert of each (subject, entity) pair that has one."""
    wanted = set(pairs)
    by_subject: dict[int, set[int]] = {}
    for sid, eid in wanted:
        by_subject.setdefault(sid, set()).add(eid)
    found: dict[tuple[int, int], MonitoringAlert] = {}
    for part in in_lists(sorted(by_subject)):
        eids = sorted({e for s in part for e in by_subject[s]})
        for eid_part in in_lists(eids):
            rows = session.scalars(select(MonitoringAlert).where(
                MonitoringAlert.subject_id.in_(part), MonitoringAlert.entity_id.in_(eid_part))
                .order_by(MonitoringAlert.id))
            for alert in rows:
                pair = (alert.subject_id, alert.entity_id)
                if pair in wanted:
                    found[pair] = alert  # later ids overwrite earlier ones
    return found


def _key(alert: MonitoringAlert) -> tuple[int, int, int, int]:
    return alert.subject_id, alert.entity_id, alert.entity_version, alert.subject_version


def plan_pairs(hits: Iterable[Hit], latest: dict[tuple[int, int], MonitoringAlert]) -> Plan:
    """Decide per pair: a first match opens an alert; a match after a false positive, caused
    by a change that matters (new versions), opens a new one linked to it; a change to a pair
    whose alert is still live, or a true match, is an event on that alert; the same cause
    again (a re-run, a decided pair in a full rescreen) does nothing."""
    plan = Plan([], [])
    for hit in hits:
        alert = latest.get((hit.subject_id, hit.entity_id))
        matched = hit.match is not None and hit.match.match
        if alert is not None and _key(alert) == hit.key:
            continue
        if alert is None or alert.state == "false_positive":
            if matched:
                plan.create.append((hit, alert.id if alert is not None else None))
            continue
        if alert.state in LIVE_STATES:
            detail = {"match": matched, "score": hit.match.score if hit.match else None,
                      "entity_version": hit.entity_version, "subject_version": hit.subject_version,
                      "cause": hit.cause}
            plan.events.append((alert.id, "rescreened", detail))
    return plan


def _insert_alert(session: Session, values: dict[str, Any]) -> int | None:
    """Insert unless an alert with the same cause exists (another worker raised it first)."""
    dialect = session.get_bind().dialect.name
    table: Any = MonitoringAlert.__table__
    stmt = (postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)).values(**values)
    stmt = stmt.on_conflict_do_nothing(index_elements=["subject_id", "entity_id", "entity_version", "subject_version"])
    return session.execute(stmt.returning(table.c.id)).scalar()


def alert_payload(alert: MonitoringAlert, external_id: str | None = None) -> dict[str, Any]:
    """The alert as a webhook event carries it (``alert_id``, as in ``alert.updated`` events)."""
    return {"alert_id": alert.id, "state": alert.state, "subject": external_id or alert.subject.external_id,
            "entity_id": alert.entity_id, "entity_version": alert.entity_version, "score": alert.score,
            "references": list(alert.references), "version": alert.version}


def write_plan(session: Session, plan: Plan, *, held: bool, run_id: int | None) -> tuple[list[int], int]:
    """Write a plan: the new alerts (``held`` by the storm guard, else open) with their first
    event, and the events on existing alerts. Returns (ids of the alerts created, events added).
    The caller commits."""
    now = utcnow()
    created: list[int] = []
    state = "held" if held else "open"
    for hit, previous in plan.create:
        m = hit.match
        assert m is not None
        alert_id = _insert_alert(session, {
            "subject_id": hit.subject_id, "entity_id": hit.entity_id, "entity_version": hit.entity_version,
            "subject_version": hit.subject_version, "state": state, "score": m.score,
            "threshold": m.explanation.get("threshold"), "matched_name": m.matched_name[:255],
            "entity_name": m.name[:255], "references": list(m.references), "explanation": m.explanation,
            "cause": hit.cause, "run_id": run_id, "previous_alert_id": previous, "created_at": now,
            "updated_at": now, "version": 1,
        })
        if alert_id is None:
            continue
        created.append(alert_id)
        session.add(AlertEvent(alert_id=alert_id, at=now, kind="created", to_state=state,
                               detail={"cause": hit.cause, "score": m.score, "previous_alert_id": previous}))
    for alert_id, kind, detail in plan.events:
        add_event(session, alert_id, kind, detail, at=now)
    session.flush()
    for alert in get_many(session=session, ids=created):
        emit(session, "alert.created", alert_payload(alert))
    return created, len(plan.events)


def add_event(session: Session, alert_id: int, kind: str, detail: dict[str, Any], *, at: datetime | None = None,
              actor: Actor = NOBODY, comment: str | None = None, from_state: str | None = None,
              to_state: str | None = None) -> None:
    """One event on an alert; its version grows (its ETag changes) and webhooks hear of it."""
    at = at or utcnow()
    session.add(AlertEvent(alert_id=alert_id, at=at, kind=kind, detail=detail, comment=comment,
                           from_state=from_state, to_state=to_state, **actor.columns()))
    session.execute(update(MonitoringAlert).where(MonitoringAlert.id == alert_id)
                    .values(version=MonitoringAlert.version + 1, updated_at=at))
    emit(session, "alert.updated", {"alert_id": alert_id, "event": kind, "detail": detail,
                                    "from_state": from_state, "to_state": to_state})


def get_many(*, session: Session, ids: Sequence[int]) -> list[MonitoringAlert]:
    out: list[MonitoringAlert] = []
    for part in in_lists(sorted(ids)):
        out.extend(session.scalars(select(MonitoringAlert).where(MonitoringAlert.id.in_(part))))
    return out


def hold_run_alerts(session: Session, run_id: int) -> int:
    """The storm guard tripped part-way through a run: its alerts still open are held too."""
    ids = list(session.scalars(select(MonitoringAlert.id).where(
        MonitoringAlert.run_id == run_id, MonitoringAlert.state == "open")))
    for part in in_lists(ids):
        session.execute(update(MonitoringAlert).where(MonitoringAlert.id.in_(part)).values(state="held"))
    for alert_id in ids:
        add_event(session, alert_id, "held", {"run_id": run_id}, from_state="open", to_state="held")
    return len(ids)


def release_run(*, session: Session, run_id: int, actor: Actor, comment: str | None) -> int:
    """Open every alert a run holds (a reviewer judged the storm real)."""
    ids = list(session.scalars(select(MonitoringAlert.id).where(
        MonitoringAlert.run_id == run_id, MonitoringAlert.state == "held")))
    for part in in_lists(ids):
        session.execute(update(MonitoringAlert).where(MonitoringAlert.id.in_(part)).values(state="open"))
    for alert_id in ids:
        add_event(session, alert_id, "transition", {"run_id": run_id}, actor=actor, comment=comment,
                  from_state="held", to_state="open")
    session.flush()
    return len(ids)


# --- reading and reviewing ---------------------------------------------------------------------

def get_alert(*, session: Session, alert_id: int) -> MonitoringAlert:
    alert = session.scalar(select(MonitoringAlert).options(selectinload(MonitoringAlert.events))
                           .where(MonitoringAlert.id == alert_id))
    if alert is None:
        raise NotFound(f"No monitoring alert with id {alert_id}.")
    return alert


@dataclass
class AlertFilters:
    state: str | None = None
    subject: str | None = None  # external id
    entity_id: int | None = None
    authority: str | None = None
    created_since: datetime | None = None
    run_id: int | None = None


def _query(filters: AlertFilters) -> Select[Any]:
    stmt = select(MonitoringAlert)
    if filters.state:
        stmt = stmt.where(MonitoringAlert.state == filters.state)
    if filters.subject:
        stmt = stmt.join(MonitoredSubject, MonitoredSubject.id == MonitoringAlert.subject_id).where(
            MonitoredSubject.external_id == filters.subject)
    if filters.entity_id is not None:
        stmt = stmt.where(MonitoringAlert.entity_id == filters.entity_id)
    if filters.authority:
        # References are "AUTHORITY:LISTREF" strings in a JSON list.
        stmt = stmt.where(json_text_icontains(MonitoringAlert.references, f'"{filters.authority}:'))
    if filters.created_since:
        stmt = stmt.where(MonitoringAlert.created_at >= filters.created_since)
    if filters.run_id is not None:
        stmt = stmt.where(MonitoringAlert.run_id == filters.run_id)
    return stmt.order_by(MonitoringAlert.id.desc())


def list_alerts(*, session: Session, filters: AlertFilters, page: int, page_size: int) -> Page:
    return paginate(session, _query(filters), page=page, page_size=page_size)


def transition(
    *, session: Session, alert: MonitoringAlert, to: str, comment: str | None, actor: Actor, settings: LogSettings,
) -> MonitoringAlert:
    """Move an alert to ``to`` (with the actor, time and comment); a final decision also
    records a disposition. The caller has checked If-Match and commits."""
    if to not in ALERT_STATES:
        raise Invalid(f"Unknown state {to!r}.", errors={"to": [f"One of: {', '.join(ALERT_STATES)}."]})
    allowed = TRANSITIONS.get(alert.state, ())
    if to not in allowed:
        hint = f"next: {', '.join(allowed)}" if allowed else "it is final"
        raise Conflict(f"An alert in state {alert.state!r} cannot move to {to!r} ({hint}).")
    detail: dict[str, Any] = {}
    if to in FINAL_STATES:
        disposition = record_disposition(session=session, subject=screening_data(alert.subject),
                                         entity_id=alert.entity_id, decision=to, comment=comment, actor=actor,
                                         settings=settings)
        alert.disposition_id = disposition.id
        detail["disposition_id"] = disposition.id
    previous, alert.state = alert.state, to
    session.flush()
    add_event(session, alert.id, "transition", detail, actor=actor, comment=comment, from_state=previous, to_state=to)
    session.flush()
    session.refresh(alert)
    return alert

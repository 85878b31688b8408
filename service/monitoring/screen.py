"""Subjects screened against the whole lists: a new or changed subject (at once after the
request commits, or in a background run for a file), and the full rescreen of the portfolio.

Each subject is screened exactly as ``/screen`` screens it (its name, and each alias, the best
per entity kept) against the service's list index; matches become alerts through the one
decision of :func:`.alerts.plan_pairs`, which skips pairs already decided for the same cause.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..models import Entity, MonitoredEntityState, MonitoredSubject, MonitoringRun, utcnow
from ..records.common import in_lists
from ..screening import DEFAULT_THRESHOLD, Match, ScreeningIndex
from .alerts import Hit, latest_alerts, plan_pairs, write_plan
from .context import MonitorContext
from .runs import fail_stale, finish, write_guarded
from .subjects import portfolio_size, queries

log = logging.getLogger(__name__)

#: Matches kept per subject and query (``/screen`` returns 10 by default; monitoring keeps more).
MATCH_LIMIT = 50


def best_matches(index: ScreeningIndex, subject: Any, threshold: float) -> dict[int, Match]:
    """The subject's best match per entity over its name and aliases."""
    best: dict[int, Match] = {}
    for query in queries(subject):
        for m in index.screen(query, threshold=threshold, limit=MATCH_LIMIT):
            if m.entity_id not in best or m.score > best[m.entity_id].score:
                best[m.entity_id] = m
    return best


def entity_versions(session: Session, ids: Collection[int]) -> dict[int, int]:
    """Each entity's version as monitoring counts it: as of its last change that mattered for
    matching (its monitored state), else its record's version."""
    out: dict[int, int] = {}
    ordered = sorted(ids)
    for part in in_lists(ordered):
        out.update((r[0], r[1]) for r in session.execute(select(Entity.id, Entity.version).where(Entity.id.in_(part))))
    for part in in_lists(ordered):
        out.update((r[0], r[1]) for r in session.execute(select(MonitoredEntityState.entity_id, MonitoredEntityState.version)
                                                     .where(MonitoredEntityState.entity_id.in_(part))))
    return out


def subject_hits(session: Session, index: ScreeningIndex, subjects: Sequence[MonitoredSubject],
                 cause: dict[str, Any]) -> tuple[list[Hit], int]:
    """(matching pairs, pairs scored) of these subjects against the whole lists."""
    found: list[tuple[MonitoredSubject, Match]] = []
    scored = 0
    for subject in subjects:
        threshold = subject.threshold if subject.threshold is not None else DEFAULT_THRESHOLD
        best = best_matches(index, subject, threshold)
        scored += len(best)
        found.extend((subject, m) for m in best.values() if m.match)
    versions = entity_versions(session, {m.entity_id for _, m in found})
    return [Hit(s.id, s.version, m.entity_id, versions[m.entity_id], m, cause)
            for s, m in found if m.entity_id in versions], scored


def _pending(session: Session, ids: Collection[int] | None, limit: int) -> list[MonitoredSubject]:
    stmt = select(MonitoredSubject).where(
        MonitoredSubject.deleted_at.is_(None), MonitoredSubject.status == "active",
        or_(MonitoredSubject.screened_version.is_(None), MonitoredSubject.screened_version < MonitoredSubject.version))
    if ids is not None:
        stmt = stmt.where(MonitoredSubject.id.in_(sorted(ids)))
    return list(session.scalars(stmt.order_by(MonitoredSubject.id).limit(limit)))


def _mark_screened(session: Session, subjects: Sequence[MonitoredSubject]) -> None:
    for s in subjects:
        # Only the version screened: a write meanwhile leaves the subject pending.
        session.execute(update(MonitoredSubject).where(MonitoredSubject.id == s.id,
                                                       MonitoredSubject.version == s.version)
                        .values(screened_version=s.version))


def screen_now(*, session: Session, ctx: MonitorContext, subject_ids: Collection[int]) -> list[int]:
    """Screen these subjects (those still pending) at once, after the write that created or
    changed them was committed; returns the alerts opened. The caller commits."""
    created: list[int] = []
    ids = sorted(subject_ids)
    for part in in_lists(ids):
        subjects = _pending(session, part, len(part))
        if not subjects:
            continue
        state = ctx.lists.current(session=session)
        hits, _ = subject_hits(session, state.index, subjects, {"kind": "subject"})
        plan = plan_pairs(hits, latest_alerts(session, {(h.subject_id, h.entity_id) for h in hits}))
        created += write_plan(session, plan, held=False, run_id=None)[0]
        _mark_screened(session, subjects)
    return created


def run_subjects(ctx: MonitorContext) -> int | None:
    """Screen every pending subject in a background run (after a file upload, or what a request
    could not finish), a chunk per transaction; returns the run's id (None: nothing pending)."""
    session = ctx.sessions()
    try:
        fail_stale(session, "subjects", ctx.settings.stale_seconds)
        session.commit()
        run: MonitoringRun | None = None
        limit = ctx.settings.storm_limit(portfolio_size(session))
        while subjects := _pending(session, None, ctx.settings.chunk_subjects):
            if run is None:
                run = MonitoringRun(kind="subjects", status="running", started_at=utcnow())
                session.add(run)
            run.heartbeat_at = utcnow()
            state = ctx.lists.current(session=session)
            hits, scored = subject_hits(session, state.index, subjects, {"kind": "subject"})
            plan = plan_pairs(hits, latest_alerts(session, {(h.subject_id, h.entity_id) for h in hits}))
            write_guarded(session, run, plan, limit=limit)
            run.subjects_screened += len(subjects)
            run.pairs_scored += scored
            _mark_screened(session, subjects)
            session.commit()
            ctx.settings.pause()
        if run is None:
            return None
        finish(session, run)
        session.commit()
        return run.id
    finally:
        session.close()


def run_full(ctx: MonitorContext, run_id: int, progress: Callable[[int], Any] | None = None) -> None:
    """The full rescreen: every active subject against the whole lists, in chunks that each
    commit their alerts with the run's resume point (so a crashed run resumes where it was).
    ``progress`` hears the run's subjects screened after each chunk."""
    session = ctx.sessions()
    try:
        limit = ctx.settings.storm_limit(portfolio_size(session))
        while True:
            run = session.get(MonitoringRun, run_id)
            if run is None or run.status != "running":
                return
            subjects = list(session.scalars(select(MonitoredSubject).where(
                MonitoredSubject.id > run.resume_after, MonitoredSubject.deleted_at.is_(None),
                MonitoredSubject.status == "active").order_by(MonitoredSubject.id).limit(ctx.settings.chunk_subjects)))
            if not subjects:
                finish(session, run)
                session.commit()
                return
            # Claim the chunk: another worker that resumed the same run moves on or stops here.
            claimed = session.execute(update(MonitoringRun).where(
                MonitoringRun.id == run_id, MonitoringRun.resume_after == run.resume_after)
                .values(resume_after=subjects[-1].id, heartbeat_at=utcnow()))
            if not claimed.rowcount:  # type: ignore[attr-defined]
                session.rollback()
                continue
            session.refresh(run)
            state = ctx.lists.current(session=session)
            hits, scored = subject_hits(session, state.index, subjects, {"kind": "full", "run_id": run_id})
            plan = plan_pairs(hits, latest_alerts(session, {(h.subject_id, h.entity_id) for h in hits}))
            write_guarded(session, run, plan, limit=limit)
            run.subjects_screened += len(subjects)
            run.pairs_scored += scored
            session.commit()
            if progress is not None:
                progress(run.subjects_screened)
            ctx.settings.pause()
    finally:
        session.close()

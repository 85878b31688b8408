"""Run records (the evidence that monitoring kept up) and the storm guard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import (
    ListChange,
    ListCommit,
    MonitoredSubject,
    MonitoringAlert,
    MonitoringRun,
    utcnow,
)
from ..records.common import Page, paginate
from . import cursors
from .alerts import Plan, hold_run_alerts, write_plan
from .outbox import emit

STORM_NOTICE = ("Storm guard: this run would open {count} alerts, more than the limit of {limit} "
                "(MONITORING_STORM_*), so its alerts are held. Review a sample, then release them "
                "(POST /api/v1/monitoring/runs/{run_id}/release) or leave them held.")


def run_payload(run: MonitoringRun) -> dict[str, Any]:
    return {"id": run.id, "kind": run.kind, "status": run.status, "changes_considered": run.changes_considered,
            "pairs_scored": run.pairs_scored, "alerts_opened": run.alerts_opened, "alerts_held": run.alerts_held,
            "held": run.held, "lag_seconds": run.lag_seconds, "notice": run.notice}


def write_guarded(session: Session, run: MonitoringRun, plan: Plan, *, limit: int, more: int = 0) -> list[int]:
    """Write a plan under the storm guard: when the run's alerts (those opened already, these,
    and ``more`` still to come in this transaction) exceed ``limit``, they are created held,
    the run's earlier open ones are held too, and one notice (and one ``run.held`` event) says
    so. Counts the run's alerts and events."""
    wanted = run.alerts_opened + len(plan.create) + more
    if not run.held and wanted > limit:
        session.flush()  # the run needs its id for the notice
        run.held = True
        run.notice = STORM_NOTICE.format(count=wanted, limit=limit, run_id=run.id)
        run.alerts_held += hold_run_alerts(session, run.id)
        emit(session, "run.held", run_payload(run))
    created, events = write_plan(session, plan, held=run.held, run_id=run.id)
    run.alerts_opened += len(created)
    run.alerts_held += len(created) if run.held else 0
    run.events_added += events
    return created


def finish(session: Session, run: MonitoringRun) -> None:
    """Close the run (the caller commits): end time, lag, ``run.completed``."""
    run.status = "done"
    run.finished_at = utcnow()
    if run.first_change_at is not None:
        run.lag_seconds = round((run.finished_at - run.first_change_at).total_seconds(), 3)
    session.flush()
    emit(session, "run.completed", run_payload(run))


def fail_stale(session: Session, kind: str, stale_seconds: float) -> list[int]:
    """Runs of ``kind`` whose worker stopped sending heartbeats: failed, so a new one starts
    (delta and subject runs redo nothing: their work is committed with their progress)."""
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    ids = list(session.scalars(select(MonitoringRun.id).where(
        MonitoringRun.kind == kind, MonitoringRun.status == "running", MonitoringRun.heartbeat_at < cutoff)))
    if ids:
        session.execute(update(MonitoringRun).where(MonitoringRun.id.in_(ids))
                        .values(status="failed", finished_at=utcnow(), error="worker stopped (no heartbeat)"))
    return ids


@dataclass
class RunFilters:
    kind: str | None = None
    status: str | None = None


def list_runs(*, session: Session, filters: RunFilters, page: int, page_size: int) -> Page:
    stmt = select(MonitoringRun)
    if filters.kind:
        stmt = stmt.where(MonitoringRun.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(MonitoringRun.status == filters.status)
    return paginate(session, stmt.order_by(MonitoringRun.id.desc()), page=page, page_size=page_size)


def get_run(*, session: Session, run_id: int) -> MonitoringRun:
    run = session.get(MonitoringRun, run_id)
    if run is None:
        raise NotFound(f"No monitoring run with id {run_id}.")
    return run


def start_full(*, session: Session) -> MonitoringRun:
    """A full rescreen of the portfolio, queued (the caller commits, then submits it)."""
    if session.scalar(select(MonitoringRun.id).where(MonitoringRun.kind == "full",
                                                     MonitoringRun.status == "running")):
        raise Conflict("A full rescreen is already running; wait for it to finish.")
    run = MonitoringRun(kind="full", status="running", started_at=utcnow(), heartbeat_at=utcnow())
    session.add(run)
    session.flush()
    return run


def status(*, session: Session, last_runs: int = 5) -> dict[str, Any]:
    """Where monitoring stands: the cursor against the end of the change log (and how long the
    oldest change waiting has waited), the portfolio, alerts by state and the last runs."""
    cursor = cursors.read(session, cursors.CHANGES)
    end = session.scalar(select(func.max(ListChange.id))) or 0
    waiting = session.scalar(select(func.count()).select_from(ListChange).where(ListChange.id > cursor)) or 0
    oldest = session.scalar(select(ListCommit.committed_at).where(ListCommit.counter == select(
        func.min(ListChange.counter)).where(ListChange.id > cursor).scalar_subquery()))
    live = MonitoredSubject.deleted_at.is_(None)
    behind = (MonitoredSubject.screened_version.is_(None)) | (MonitoredSubject.screened_version < MonitoredSubject.version)
    subjects: dict[str, int] = {status: n for status, n in session.execute(
        select(MonitoredSubject.status, func.count()).where(live).group_by(MonitoredSubject.status))}
    pending = session.scalar(select(func.count()).select_from(MonitoredSubject).where(
        live, MonitoredSubject.status == "active", behind)) or 0
    alerts: dict[str, int] = {state: n for state, n in session.execute(
        select(MonitoringAlert.state, func.count()).group_by(MonitoringAlert.state))}
    runs = session.scalars(select(MonitoringRun).order_by(MonitoringRun.id.desc()).limit(last_runs))
    return {
        "cursor": cursor, "end": end, "changes_waiting": waiting,
        "waiting_seconds": round((utcnow() - oldest).total_seconds(), 3) if waiting and oldest else 0.0,
        "subjects": {"active": subjects.get("active", 0), "paused": subjects.get("paused", 0), "pending": pending},
        "alerts": alerts,
        "runs": [{**run_payload(r), "started_at": r.started_at.isoformat(),
                  "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                  "subjects_screened": r.subjects_screened, "error": r.error} for r in runs],
    }

"""Who holds a job or a part: claiming it in the database, so that exactly one worker runs
each step, taking over what a gone or stale worker held, and finding such work for recovery.

A worker id is ``host:pid:thread``. A step's claim sets the row's ``worker`` and
``heartbeat_at``; every write of a running part checks that this worker still holds it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import ScreeningJob, ScreeningJobPart, utcnow
from .context import Context

log = logging.getLogger(__name__)

# Worker ids (host:pid:thread) of the steps this process is running now: a job or part held
# by an id of this process that is not here was left by a step that ended (an error, a lost
# database), and may be taken over at once rather than after stale_seconds.
_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


@contextmanager
def working(ctx: Context) -> Iterator[str]:
    """Mark this thread's worker id as running a step while the block runs."""
    worker = ctx.worker_id()
    with _ACTIVE_LOCK:
        _ACTIVE.add(worker)
    try:
        yield worker
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.discard(worker)


def _process_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            # "pid (comm) S ...": a zombie (Z) or dead (X) process works no more.
            return f.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False


def owner_gone(ctx: Context, worker: str | None) -> bool:
    """True when ``worker`` visibly no longer works on what it holds: a thread of this
    process not running a step, or an exited process on this host. (A worker on another
    host is only known gone when its heartbeat goes stale.)"""
    if not worker:
        return False
    process, _, _ = worker.rpartition(":")
    host, _, pid = process.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if process == ctx.process_id:
        with _ACTIVE_LOCK:
            return worker not in _ACTIVE
    return _process_gone(int(pid))


def _takeover(ctx: Context, model: Any, *, queued: bool, gone: Iterable[str] = ()) -> Any:
    """Rows a worker may claim: queued ones (if ``queued``), and running ones whose heartbeat
    is stale, whose owner is in ``gone``, or that this very worker holds (a step run again
    after the database came back)."""
    stale = utcnow() - timedelta(seconds=ctx.stale_seconds)
    holders = [ctx.worker_id(), *gone]
    running = and_(model.status == "running",
                   or_(model.heartbeat_at.is_(None), model.heartbeat_at < stale, model.worker.in_(holders)))
    return or_(model.status == "queued", running) if queued else running


def _gone_holder(session: Session, ctx: Context, model: Any, *where: Any) -> list[str]:
    holder = session.scalar(select(model.worker).where(*where, model.status == "running"))
    return [holder] if holder and owner_gone(ctx, holder) else []


def claim_job(session: Session, ctx: Context, job_id: int) -> bool:
    """Take the job's prepare step (queued, or left by a gone worker); commits."""
    where = (ScreeningJob.id == job_id,)
    gone = _gone_holder(session, ctx, ScreeningJob, *where)
    stmt = (update(ScreeningJob)
            .where(*where, ScreeningJob.parts_total == 0, ScreeningJob.rows_total.is_(None),
                   ScreeningJob.cancel_requested.is_(False), _takeover(ctx, ScreeningJob, queued=True, gone=gone))
            .values(status="running", worker=ctx.worker_id(), heartbeat_at=utcnow())
            .execution_options(synchronize_session=False))
    claimed = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return claimed


def claim_part(session: Session, ctx: Context, job_id: int, number: int) -> bool:
    """Take a part (queued, or left by a gone worker); commits."""
    now = utcnow()
    where = (ScreeningJobPart.job_id == job_id, ScreeningJobPart.number == number)
    gone = _gone_holder(session, ctx, ScreeningJobPart, *where)
    stmt = (update(ScreeningJobPart)
            .where(*where, _takeover(ctx, ScreeningJobPart, queued=True, gone=gone))
            .values(status="running", worker=ctx.worker_id(), heartbeat_at=now, started_at=now)
            .execution_options(synchronize_session=False))
    claimed = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return claimed


def set_part(session: Session, ctx: Context, part: ScreeningJobPart, **values: Any) -> bool:
    """Update the part only while this worker still holds it (another may have taken it over
    after this one's heartbeat went stale); False, and nothing written, when it does not."""
    held = session.execute(
        update(ScreeningJobPart)
        .where(ScreeningJobPart.id == part.id, ScreeningJobPart.worker == ctx.worker_id(),
               ScreeningJobPart.status == "running")
        .values(**values).execution_options(synchronize_session=False)).rowcount == 1  # type: ignore[attr-defined]
    if not held:
        session.rollback()
        log.warning("screening job %s part %s: taken over by another worker; this one stops",
                    part.job_id, part.number)
        return False
    for key, value in values.items():
        set_committed_value(part, key, value)
    return True


# --- recovery ------------------------------------------------------------------------------

def recoverable(ctx: Context, *, include_queued: bool) -> tuple[list[int], list[tuple[int, int]]]:
    """Jobs to prepare and parts to run whose worker is gone (stale heartbeat, or visibly
    gone: see :func:`owner_gone`) or, with ``include_queued``, that no worker has claimed."""
    with ctx.sessions() as session:
        held = [w for w in session.scalars(
            select(ScreeningJob.worker).where(ScreeningJob.status == "running").distinct()
            .union(select(ScreeningJobPart.worker).where(ScreeningJobPart.status == "running").distinct()))
            if w is not None and owner_gone(ctx, w)]
        jobs = list(session.scalars(select(ScreeningJob.id).where(
            _takeover(ctx, ScreeningJob, queued=include_queued, gone=held), ScreeningJob.rows_total.is_(None),
            ScreeningJob.cancel_requested.is_(False)).order_by(ScreeningJob.id)))
        parts = [(j, n) for j, n in session.execute(
            select(ScreeningJobPart.job_id, ScreeningJobPart.number).join(ScreeningJob)
            .where(_takeover(ctx, ScreeningJobPart, queued=include_queued, gone=held),
                   ScreeningJob.status == "running")
            .order_by(ScreeningJobPart.job_id, ScreeningJobPart.number))]
    return jobs, parts


def stuck_parts(ctx: Context) -> list[tuple[int, int]]:
    """Parts that a thread of this process holds but has sent no heartbeat for stale_seconds."""
    stale = utcnow() - timedelta(seconds=ctx.stale_seconds)
    with ctx.sessions() as session:
        return [(j, n) for j, n in session.execute(
            select(ScreeningJobPart.job_id, ScreeningJobPart.number)
            .where(ScreeningJobPart.status == "running", ScreeningJobPart.worker.startswith(f"{ctx.process_id}:"),
                   ScreeningJobPart.heartbeat_at < stale))]

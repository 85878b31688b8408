"""Where monitoring runs: a thread of the service (the default), or Celery workers
(``SANCTIONS_JOB_BACKEND=celery``, the same workers and queue as screening jobs). Either way
the state is in the database (the change-log cursor, pending subjects, a full run's resume
point), so any process can pick up where another stopped.

Runs start after every commit of a list change (:mod:`.hooks`), after subject writes a
request could not screen at once (a file), on request (a full rescreen), and on a periodic
poll that catches up on anything missed (a crash, a command-line import).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from ..models import ListChange, MonitoredSubject, MonitoringRun
from ..periodic import Periodic
from ..records.outage import database_unavailable
from ..records.screening import IndexCache
from . import cursors, hooks
from .context import DELTA_TASK, FULL_TASK, SUBJECTS_TASK, MonitorContext, MonitorSettings
from .delta import run_delta
from .screen import run_full, run_subjects

log = logging.getLogger(__name__)


def catch_up(ctx: MonitorContext) -> int:
    """Delta runs until the cursor reaches the end of the change log; returns how many ran."""
    count = 0
    while run_delta(ctx) is not None:
        count += 1
        ctx.settings.pause()
    return count


class Monitor:
    """Schedules monitoring work; :class:`EmbeddedMonitor` and :class:`CeleryMonitor` run it."""

    name = "base"

    def __init__(self, ctx: MonitorContext) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._poller = Periodic("monitoring-poller", self.poll, failure="monitoring poll skipped", wait_first=True)

    def notify(self) -> None:
        """The lists changed: run the delta rescreen."""
        raise NotImplementedError

    def subjects_written(self) -> None:
        """Subjects are pending: screen them."""
        raise NotImplementedError

    def submit_full(self, run_id: int) -> None:
        raise NotImplementedError

    def poll(self) -> None:
        """Start what the database says is owed: changes past the cursor, pending subjects, full
        runs whose worker stopped."""
        session = self.ctx.sessions()
        try:
            if (session.scalar(select(func.max(ListChange.id))) or 0) > cursors.read(session, cursors.CHANGES):
                self.notify()
            pending = session.scalar(select(MonitoredSubject.id).where(
                MonitoredSubject.deleted_at.is_(None), MonitoredSubject.status == "active",
                or_(MonitoredSubject.screened_version.is_(None),
                    MonitoredSubject.screened_version < MonitoredSubject.version)).limit(1))
            if pending is not None:
                self.subjects_written()
            for run_id in session.scalars(select(MonitoringRun.id).where(
                    MonitoringRun.kind == "full", MonitoringRun.status == "running")):
                self.submit_full(run_id)
        finally:
            session.close()

    def start_poller(self, interval: float) -> None:
        self._poller.start(interval)

    def drain(self, timeout: float = 60.0) -> bool:
        """Wait until the work handed to this process is done (tests, benchmarks)."""
        return True

    def shutdown(self) -> None:
        self._stop.set()
        self._poller.stop()


class EmbeddedMonitor(Monitor):
    """One thread of this process runs the work, one kind at a time; a request for work
    already waiting is merged with it."""

    name = "embedded"

    def __init__(self, ctx: MonitorContext) -> None:
        super().__init__(ctx)
        self._cv = threading.Condition()
        self._waiting: dict[tuple[str, int], Callable[[], Any]] = {}
        self._busy = False
        self._thread: threading.Thread | None = None

    def _schedule(self, key: tuple[str, int], work: Callable[[], Any]) -> None:
        with self._cv:
            self._waiting.setdefault(key, work)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="monitoring", daemon=True)
                self._thread.start()
            self._cv.notify_all()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with self._cv:
                if not self._waiting:
                    self._thread = None
                    self._cv.notify_all()
                    return
                key = next(iter(self._waiting))
                work = self._waiting.pop(key)
                self._busy = True
            try:
                work()
            except Exception as exc:
                if database_unavailable(exc):
                    # An outage is reported once, where requests notice it (api/problems.py); the
                    # cursor has not moved, so the next poll after it picks the work up again.
                    log.debug("monitoring %s deferred until the database answers again", key[0])
                else:
                    log.exception("monitoring %s failed; the next poll retries", key[0])
            finally:
                with self._cv:
                    self._busy = False
                    self._cv.notify_all()

    def notify(self) -> None:
        self._schedule(("delta", 0), lambda: catch_up(self.ctx))

    def subjects_written(self) -> None:
        self._schedule(("subjects", 0), lambda: run_subjects(self.ctx))

    def submit_full(self, run_id: int) -> None:
        self._schedule(("full", run_id), lambda: run_full(self.ctx, run_id))

    def drain(self, timeout: float = 60.0) -> bool:
        with self._cv:
            return self._cv.wait_for(lambda: not self._waiting and not self._busy, timeout)


class IdleMonitor(EmbeddedMonitor):
    """A command's app: it leaves the work to the service (whose poll finds it) and runs
    nothing in the background of a process about to exit."""

    name = "idle"

    def _schedule(self, key: tuple[str, int], work: Callable[[], Any]) -> None:
        return None


class CeleryMonitor(Monitor):
    """The work as Celery tasks, on the screening jobs' queue (see :mod:`.tasks`)."""

    name = "celery"

    def __init__(self, ctx: MonitorContext, celery: Callable[[], Any], queue: str) -> None:
        super().__init__(ctx)
        self._celery = celery
        self.queue = queue

    def notify(self) -> None:
        self._celery().send_task(DELTA_TASK, queue=self.queue)

    def subjects_written(self) -> None:
        self._celery().send_task(SUBJECTS_TASK, queue=self.queue)

    def submit_full(self, run_id: int) -> None:
        self._celery().send_task(FULL_TASK, args=[run_id], queue=self.queue)


def init_monitoring(app: Any) -> Monitor:
    """The app's monitor (``app.extensions["monitoring"]``). ``app`` is the Flask app, used
    only for its config and extensions: this package stays free of Flask."""
    engine = app.extensions["sqlalchemy_engine"]
    sessions: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)
    lists: IndexCache = app.extensions["screening_index"]
    ctx = MonitorContext(sessions=sessions, lists=lists, settings=MonitorSettings.from_config(app.config))
    monitor: Monitor
    serving = app.config["JOB_RECOVERY"] or app.testing
    if app.config["SANCTIONS_JOB_BACKEND"] == "celery":
        jobs = app.extensions["screening_jobs"]
        monitor = CeleryMonitor(ctx, lambda: jobs.celery, app.config["JOB_QUEUE"])
    else:
        monitor = EmbeddedMonitor(ctx) if serving else IdleMonitor(ctx)
    hooks.install_monitoring_hooks()
    hooks.register(engine, monitor.notify)
    app.extensions["monitoring"] = monitor
    if app.config["JOB_RECOVERY"] and not app.testing and app.config["MONITORING_POLL_INTERVAL"] > 0:
        monitor.start_poller(app.config["MONITORING_POLL_INTERVAL"])
    return monitor

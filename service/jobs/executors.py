"""Where jobs run: a thread pool inside the service (the default), or Celery workers fed
through Redis (``SANCTIONS_JOB_BACKEND=celery``). Both run the same :mod:`.runner` steps and
keep all state in the database (claims: :mod:`.claims`), so either recovers a job whose worker died.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from ..periodic import Periodic
from ..screening.parallel import processes as processes_for
from .claims import recoverable, stuck_parts
from .context import PART, PREPARE, Context, context_from_config
from .runner import prepare, run_part

log = logging.getLogger(__name__)

BACKENDS = ("embedded", "celery")


class Executor:
    name = "base"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._recovered_queued = False
        self._watchdog = Periodic("screening-jobs-watchdog", self._recover_round,
                                  failure="screening job recovery skipped")

    def submit(self, job_id: int) -> None:
        raise NotImplementedError

    def submit_part(self, job_id: int, number: int) -> None:
        raise NotImplementedError

    def recover(self, *, include_queued: bool) -> tuple[list[int], list[tuple[int, int]]]:
        """Hand out again what no live worker holds; returns what was handed out."""
        jobs, parts = self._recoverable(include_queued)
        for job_id in jobs:
            self.submit(job_id)
        for job_id, number in parts:
            self.submit_part(job_id, number)
        if jobs or parts:
            log.info("screening jobs: took over %d jobs and %d parts", len(jobs), len(parts))
        return jobs, parts

    def _recoverable(self, include_queued: bool) -> tuple[list[int], list[tuple[int, int]]]:
        return recoverable(self.ctx, include_queued=include_queued)

    def start_watchdog(self, interval: float) -> None:
        """Recover at start-up (queued work included), then every ``interval`` seconds (work
        whose worker stopped sending heartbeats)."""
        self._watchdog.start(interval)

    def _recover_round(self) -> None:
        self.recover(include_queued=not self._recovered_queued)
        self._recovered_queued = True

    def shutdown(self) -> None:
        self._watchdog.stop()


class EmbeddedExecutor(Executor):
    """Jobs in a thread pool of this process. Each part's thread reads and writes while
    processes forked from the service screen its rows (see :mod:`..screening.parallel`):
    JOB_PROCESSES in all, split over the JOB_THREADS parts that run at once.

    The executor knows what it holds (steps waiting for a thread, steps running), so its
    watchdog can also hand out work that sits queued in the database with nobody to run it
    (its process died before running it), and can replace a pool whose thread is stuck."""

    name = "embedded"

    def __init__(self, ctx: Context, threads: int) -> None:
        super().__init__(ctx)
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        # Steps handed to the pool, by (job id, part number or -1 for the prepare step).
        self._held: dict[tuple[int, int], Future[None]] = {}

    def _run(self, key: tuple[int, int], fn: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            if key in self._held and not self._held[key].done():
                return  # already waiting or running here
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="screening-job")
            future = self._pool.submit(self._guard, fn, *args)
            self._held[key] = future
        future.add_done_callback(lambda f: self._forget(key, f))

    def _forget(self, key: tuple[int, int], future: Future[None]) -> None:
        with self._lock:
            if self._held.get(key) is future:
                del self._held[key]

    @staticmethod
    def _guard(fn: Callable[..., Any], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            log.exception("screening job step %s%r failed", fn.__name__, args)

    def submit(self, job_id: int) -> None:
        self._run((job_id, -1), self._prepare_then_parts, job_id)

    def _prepare_then_parts(self, job_id: int) -> None:
        for number in prepare(self.ctx, job_id):
            self.submit_part(job_id, number)

    def submit_part(self, job_id: int, number: int) -> None:
        self._run((job_id, number), run_part, self.ctx, job_id, number)

    def _recoverable(self, include_queued: bool) -> tuple[list[int], list[tuple[int, int]]]:
        # Queued work in the database that this process does not hold was handed to a process
        # that is gone: take it too (the claim in the database keeps it from running twice).
        self._replace_stuck_pool()
        jobs, parts = recoverable(self.ctx, include_queued=True)
        with self._lock:
            held = set(self._held)
        return [j for j in jobs if (j, -1) not in held], [p for p in parts if p not in held]

    def _replace_stuck_pool(self) -> None:
        """A part that this process runs but whose heartbeat went stale has a stuck thread: run
        everything waiting on a new pool (the stuck part is then taken over as stale)."""
        stuck = stuck_parts(self.ctx)
        if not stuck:
            return
        with self._lock:
            for key in stuck:  # let recovery hand them out again
                self._held.pop(key, None)
            old, self._pool = self._pool, None
            waiting = [(key, f) for key, f in self._held.items() if not f.running() and not f.done()]
        log.error("screening jobs: parts %s stopped sending heartbeats in this process; moving %d waiting "
                  "steps to new threads", stuck, len(waiting))
        for key, future in waiting:
            if future.cancel():
                self._forget(key, future)
                if key[1] < 0:
                    self.submit(key[0])
                else:
                    self.submit_part(*key)
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        super().shutdown()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


class CeleryExecutor(Executor):
    """Jobs on Celery workers (``sanctions worker``), one task per step and part."""

    name = "celery"

    def __init__(self, ctx: Context, config: dict[str, Any]) -> None:
        super().__init__(ctx)
        self.config = config
        self._celery: Any = None

    @property
    def celery(self) -> Any:
        if self._celery is None:
            # Celery is an optional dependency (the embedded backend needs none) and costs about
            # 0.2 s to import (measured): loaded when this backend first sends a task.
            from .celery_app import make_celery

            self._celery = make_celery(self.config)
        return self._celery

    def submit(self, job_id: int) -> None:
        self.celery.send_task(PREPARE, args=[job_id], queue=self.config["JOB_QUEUE"])

    def submit_part(self, job_id: int, number: int) -> None:
        self.celery.send_task(PART, args=[job_id, number], queue=self.config["JOB_QUEUE"])


def init_jobs(app: Flask) -> Executor:
    """The app's executor (``app.extensions["screening_jobs"]``); recovery starts with it
    when JOB_RECOVERY is on and the app is not under test."""
    engine = app.extensions["sqlalchemy_engine"]
    sessions: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)
    backend = app.config["SANCTIONS_JOB_BACKEND"]
    # JOB_PROCESSES screening processes in all, split over the JOB_THREADS parts that run at
    # once (each part's own thread reads and writes). Celery workers are daemon processes,
    # which may not fork: they screen in-process and scale out by running more of them.
    processes = 0
    if backend == "embedded":
        processes = max(1, processes_for(app.config["JOB_PROCESSES"]) // max(1, app.config["JOB_THREADS"]))
    ctx = context_from_config(app.config, sessions, app.extensions["screening_index"], processes)
    if backend not in BACKENDS:
        raise SystemExit(f"invalid value for SANCTIONS_JOB_BACKEND: {backend!r} (use {' or '.join(BACKENDS)})")
    executor: Executor = (CeleryExecutor(ctx, dict(app.config)) if backend == "celery"
                          else EmbeddedExecutor(ctx, app.config["JOB_THREADS"]))
    app.extensions["screening_jobs"] = executor
    if app.config["JOB_RECOVERY"] and not app.testing:
        executor.start_watchdog(app.config["JOB_RECOVERY_INTERVAL"])
    return executor

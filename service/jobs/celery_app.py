"""The Celery side of screening jobs: the app (Redis broker), the two tasks, and the worker's
own database engine and screening index, created in each worker process on first use.

Workers read the same settings as the service (DATABASE_URL, CELERY_BROKER_URL, JOB_QUEUE,
JOB_DIR ...) and must see the same job folder (a shared disk when they run elsewhere).
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery
from sqlalchemy.orm import Session, sessionmaker

from ..records.engine import make_engine
from ..records.screening import IndexCache
from .context import PART, PREPARE, Context, context_from_config
from .runner import prepare, run_part

log = logging.getLogger(__name__)

_context: Context | None = None


def make_celery(config: dict[str, Any]) -> Celery:
    app = Celery("sanctions", broker=config["CELERY_BROKER_URL"], set_as_current=False)
    transport: dict[str, Any] = {}
    if config.get("JOB_KEY_PREFIX"):
        transport["global_keyprefix"] = config["JOB_KEY_PREFIX"]
    app.conf.update(
        task_default_queue=config["JOB_QUEUE"],
        # A task is acknowledged when done: a worker killed mid-part gets it redelivered (and
        # the part's claim in the database makes a duplicate delivery a no-op).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.user_options["sanctions_config"] = config  # type: ignore[index]

    @app.task(name=PREPARE)
    def prepare_task(job_id: int) -> None:
        ctx = worker_context(config)
        for number in prepare(ctx, job_id):
            app.send_task(PART, args=[job_id, number], queue=config["JOB_QUEUE"])

    @app.task(name=PART)
    def part_task(job_id: int, number: int) -> None:
        run_part(worker_context(config), job_id, number)

    return app


def worker_context(config: dict[str, Any]) -> Context:
    """One engine, session factory and index cache per worker process (after the fork)."""
    global _context
    if _context is None:
        engine = make_engine(config["DATABASE_URL"])
        sessions: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)
        _context = context_from_config(config, sessions, IndexCache(bulk=True))
    return _context


"""Monitoring on Celery workers: the three tasks, registered on the screening jobs' Celery app
(``sanctions worker`` runs both), and each worker process's own engine and indexes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ..records.engine import make_engine
from ..records.screening import IndexCache
from .context import DELTA_TASK, FULL_TASK, SUBJECTS_TASK, MonitorContext, MonitorSettings
from .executor import catch_up
from .screen import run_full, run_subjects

_context: MonitorContext | None = None


def worker_context(config: dict[str, Any]) -> MonitorContext:
    """One engine and set of indexes per worker process (after the fork)."""
    global _context
    if _context is None:
        engine = make_engine(config["DATABASE_URL"])
        sessions: sessionmaker[Session] = sessionmaker(bind=engine, expire_on_commit=False)
        _context = MonitorContext(sessions=sessions, lists=IndexCache(), settings=MonitorSettings.from_config(config))
    return _context


def register_tasks(app: Any, config: dict[str, Any]) -> None:
    """Add the monitoring tasks to a Celery app. A task is acknowledged when done
    (``task_acks_late``): one whose worker was killed is redelivered, and the database's
    cursor, pending flags and resume point make the redelivery pick up where it stopped."""

    @app.task(name=DELTA_TASK)
    def delta_task() -> None:
        catch_up(worker_context(config))

    @app.task(name=SUBJECTS_TASK)
    def subjects_task() -> None:
        run_subjects(worker_context(config))

    @app.task(name=FULL_TASK)
    def full_task(run_id: int) -> None:
        run_full(worker_context(config), run_id)

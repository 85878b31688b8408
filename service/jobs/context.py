"""What a job worker needs (:class:`Context`, made from the settings), where a job's files live,
and the names of its Celery tasks. No Flask, no Celery."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models import ScreeningJob
from ..records.screening import IndexCache

#: Celery task names of the two steps (the tasks are in :mod:`.celery_app`).
PREPARE = "sanctions.jobs.prepare"
PART = "sanctions.jobs.part"


@dataclass
class Context:
    """What a worker needs: a session factory, its index cache and where job files live."""

    sessions: Callable[[], Session]
    cache: IndexCache
    jobs_dir: Path
    part_rows: int = 25_000
    # A job is cut into this many parts at least (rows permitting): as many as run at once,
    # so a file under part_rows x parts is not screened by one worker while the others idle.
    parts: int = 1
    progress_seconds: float = 1.0
    progress_rows: int = 5_000
    stale_seconds: float = 60.0
    # Processes forked to screen one part's rows (sharing the index); 0: the part's thread
    # screens them itself.
    processes: int = 0
    # How long a step waits for an unreachable database before leaving its work to recovery.
    outage_seconds: float = 300.0
    # host:pid of this process; empty: read when asked (a context made before a fork
    # must not name the parent).
    worker: str = ""

    @property
    def process_id(self) -> str:
        return self.worker or f"{socket.gethostname()}:{os.getpid()}"

    def worker_id(self) -> str:
        return f"{self.process_id}:{threading.get_ident()}"


def job_path(jobs_dir: Path, job: ScreeningJob, *parts: str) -> Path:
    return jobs_dir.joinpath(job.folder, *parts)


def part_files(jobs_dir: Path, job: ScreeningJob, number: int) -> tuple[Path, Path]:
    base = job_path(jobs_dir, job, "results")
    return base / f"part-{number:05d}.csv", base / f"part-{number:05d}.jsonl"


def context_from_config(config: dict[str, Any], sessions: Callable[[], Session], cache: IndexCache,
                        processes: int = 0) -> Context:
    """A worker's context from the service's settings (JOB_DIR, JOB_PART_ROWS ...)."""
    return Context(
        sessions=sessions, cache=cache, jobs_dir=Path(config["JOB_DIR"]), part_rows=config["JOB_PART_ROWS"],
        progress_seconds=config["JOB_PROGRESS_SECONDS"], stale_seconds=config["JOB_STALE_SECONDS"],
        outage_seconds=config["JOB_OUTAGE_SECONDS"],
        processes=processes,
        # The embedded executor runs JOB_THREADS parts at once; Celery workers are counted
        # nowhere, so one part per core of the machine that prepares the job.
        parts=config["JOB_THREADS"] if config["SANCTIONS_JOB_BACKEND"] == "embedded" else os.cpu_count() or 1,
    )

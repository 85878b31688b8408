"""The work of a screening job, as plain functions: no Flask, no Celery.

A job runs in two steps, each claimed in the database so that exactly one worker does it
(and a worker whose heartbeat went stale is taken over: see :mod:`.claims`):

1. :func:`prepare` makes the input readable by byte offset (UTF-8), counts the records and
   splits them into parts of ``part_rows``;
2. :func:`run_part` screens one part (through :mod:`.pipeline`, as ``/screen/csv`` and
   ``sanctions screen`` do) into its own results files, committing its progress (and the
   resume point) every second; between chunks it stops if the job was cancelled.

The same functions run in the service's thread pool and on Celery workers.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import IO, Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ..models import ScreeningJob, ScreeningJobPart, utcnow
from ..records.outage import database_unavailable
from .claims import claim_job, claim_part, set_part, working
from .context import Context, job_path, part_files
from .csvio import NotCsv, records, scan, utf8_input
from .evidence import log_job
from .pipeline import Formatted, screen_formatted
from .rows import Columns

log = logging.getLogger(__name__)


def _with_database(ctx: Context, what: str, step: Callable[[], Any]) -> Any:
    """Run ``step``; while the database is unreachable, wait and run it again: it claims what
    this worker already holds and resumes from its last commit, so nothing is done twice.
    After ``outage_seconds`` the work is left to recovery, which takes it over at once."""
    deadline = time.monotonic() + ctx.outage_seconds
    delay, warned = 0.25, False
    with working(ctx):
        while True:
            try:
                return step()
            except Exception as exc:
                if not database_unavailable(exc):
                    raise
                reason = str(exc).splitlines()[0][:200]
                if time.monotonic() >= deadline:
                    log.error("screening %s: database unavailable for %.0f s (%s); left to recovery",
                              what, ctx.outage_seconds, reason)
                    return None
                if not warned:
                    log.warning("screening %s: database unavailable (%s); resuming when it is back", what, reason)
                    warned = True
            time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
            delay = min(delay * 2, 5.0)


def fail_job(session: Session, job_id: int, message: str) -> None:
    session.rollback()
    session.execute(update(ScreeningJob).where(ScreeningJob.id == job_id, ScreeningJob.status.in_(("queued", "running")))
                    .values(status="failed", error=message[:2000], finished_at=utcnow()))
    session.commit()


def _finish_if_complete(session: Session, job_id: int, jobs_dir: Path) -> None:
    # Run by every part after committing its own "done": the last one to commit sees all
    # parts done (each statement sees what was committed before it started).
    open_parts = exists().where(ScreeningJobPart.job_id == job_id, ScreeningJobPart.status != "done")
    result = session.execute(update(ScreeningJob)
                             .where(ScreeningJob.id == job_id, ScreeningJob.status == "running",
                                    ScreeningJob.parts_total > 0, ~open_parts)
                             .values(status="done", finished_at=utcnow()))
    if result.rowcount == 1:  # type: ignore[attr-defined]  # this process finished the job: it writes the evidence
        job = session.get(ScreeningJob, job_id)
        assert job is not None
        session.refresh(job)
        log_job(session, job, [part_files(jobs_dir, job, n)[1] for n in range(job.parts_total)])
    session.commit()


# --- step 1: prepare -----------------------------------------------------------------------

def prepare(ctx: Context, job_id: int) -> list[int]:
    """Scan the input and create the parts; returns the part numbers to run."""
    return _with_database(ctx, f"job {job_id}", lambda: _prepare(ctx, job_id)) or []


def _prepare(ctx: Context, job_id: int) -> list[int]:
    with ctx.sessions() as session:
        if not claim_job(session, ctx, job_id):
            return []
        job = session.get(ScreeningJob, job_id)
        assert job is not None
        job.started_at = job.started_at or utcnow()
        try:
            src = job_path(ctx.jobs_dir, job, "input.csv")
            if not src.exists():
                raise NotCsv(f"The uploaded file is gone from the job folder ({src}).")
            path, offset = utf8_input(src, job.encoding or "utf-8", src.parent)
            total, slices = scan(path, job.delimiter or ",", offset=offset, part_rows=ctx.part_rows,
                                 parts=ctx.parts)
            job_path(ctx.jobs_dir, job, "results").mkdir(parents=True, exist_ok=True)
            for number, sl in enumerate(slices):
                session.add(ScreeningJobPart(job_id=job.id, number=number, rows=sl.rows, start_offset=sl.offset,
                                             start_line=sl.line, in_offset=sl.offset, in_line=sl.line))
            job.rows_total, job.parts_total = total, len(slices)
            job.heartbeat_at = utcnow()
            if not slices:
                job.status, job.finished_at = "done", utcnow()
            session.commit()
        except Exception as exc:
            if database_unavailable(exc):
                raise
            log.exception("screening job %s: preparing failed", job_id)
            fail_job(session, job_id, _message(exc))
            return []
        return list(range(len(slices)))


def _message(exc: Exception) -> str:
    if isinstance(exc, NotCsv):
        return exc.detail
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".strip()


# --- step 2: screen one part ---------------------------------------------------------------

def _open_result(path: Path, size: int) -> IO[bytes]:
    """The part's results file, cut back to what was committed (a resumed part rewrites
    the rows after its last committed chunk)."""
    f = path.open("r+b" if path.exists() else "w+b")
    f.truncate(size)
    f.seek(size)
    return f


class _PartWriter:
    def __init__(self, csv_path: Path, jsonl_path: Path, part: ScreeningJobPart) -> None:
        self.csv_raw = _open_result(csv_path, part.csv_bytes)
        self.jsonl_raw = _open_result(jsonl_path, part.jsonl_bytes)
        self.csv_text = io.TextIOWrapper(self.csv_raw, encoding="utf-8", newline="", write_through=False)
        self.jsonl_text = io.TextIOWrapper(self.jsonl_raw, encoding="utf-8", newline="\n", write_through=False)

    def write(self, lines: Formatted) -> None:
        self.csv_text.write(lines[0])
        self.jsonl_text.write(lines[1])

    def sync(self) -> tuple[int, int]:
        """Flush to disk; the byte sizes to record as the resume point."""
        for text, raw in ((self.csv_text, self.csv_raw), (self.jsonl_text, self.jsonl_raw)):
            text.flush()
            os.fsync(raw.fileno())
        return self.csv_raw.tell(), self.jsonl_raw.tell()

    def close(self) -> None:
        self.csv_text.close()
        self.jsonl_text.close()


def run_part(ctx: Context, job_id: int, number: int) -> None:
    """Screen one part, resuming from its last committed chunk."""
    _with_database(ctx, f"job {job_id} part {number}", lambda: _run_part(ctx, job_id, number))


def _run_part(ctx: Context, job_id: int, number: int) -> None:
    with ctx.sessions() as session:
        if not claim_part(session, ctx, job_id, number):
            return
        job = session.get(ScreeningJob, job_id)
        part = session.scalar(select(ScreeningJobPart).where(ScreeningJobPart.job_id == job_id,
                                                             ScreeningJobPart.number == number))
        assert job is not None and part is not None
        if job.status != "running" or job.cancel_requested:
            if set_part(session, ctx, part, status="cancelled", finished_at=utcnow()):
                session.commit()
            return
        try:
            _screen_part(ctx, session, job, part)
        except Exception as exc:
            if database_unavailable(exc):
                raise  # not the job's fault: run again once the database is back
            log.exception("screening job %s part %s failed", job_id, number)
            fail_job(session, job_id, _message(exc))
            if set_part(session, ctx, part, status="failed", finished_at=utcnow()):
                session.commit()
            return
        if part.status == "done":
            _finish_if_complete(session, job_id, ctx.jobs_dir)


def _screen_part(ctx: Context, session: Session, job: ScreeningJob, part: ScreeningJobPart) -> None:
    src = job_path(ctx.jobs_dir, job, "input.csv")
    utf8 = job_path(ctx.jobs_dir, job, "input.utf8.csv")
    path = utf8 if utf8.exists() else src
    columns = Columns.from_json(job.columns)
    csv_path, jsonl_path = part_files(ctx.jobs_dir, job, part.number)
    writer = _PartWriter(csv_path, jsonl_path, part)
    counts = {"match": 0, "clear": 0, "error": 0}
    pending, last = 0, time.monotonic()
    position = (part.in_offset, part.in_line)
    left = part.rows - part.rows_done
    try:
        with ctx.cache.pinned(session=session) as state:
            if not set_part(session, ctx, part, list_version=state.list_version):
                return
            session.execute(update(ScreeningJob).where(ScreeningJob.id == job.id, ScreeningJob.list_version.is_(None))
                            .values(list_version=state.list_version, list_fingerprint=state.fingerprint)
                            .execution_options(synchronize_session=False))
            recs = records(path, job.delimiter or ",", offset=part.in_offset, line=part.in_line)
            limited = (rec for _, rec in zip(range(left), recs, strict=False))
            screened = screen_formatted(state.index, limited, columns, job.header, threshold=job.threshold,
                                        limit=job.match_limit, date_order=job.date_order, processes=ctx.processes)
            with closing(screened):  # stops its screening processes on any exit
                for rec, lines in screened:
                    writer.write(lines)
                    kind = lines[2]
                    counts["clear" if kind == "possible" else kind] += 1
                    pending += 1
                    position = (rec.end_offset, rec.end_line)
                    now = time.monotonic()
                    first = part.rows_done == 0 and pending >= 100
                    if first or pending >= ctx.progress_rows or now - last >= ctx.progress_seconds:
                        if not _commit_progress(session, ctx, job, part, writer, position, pending, counts):
                            return  # cancelled, failed or taken over elsewhere
                        pending, last = 0, now
                        counts = dict.fromkeys(counts, 0)
            if pending or part.rows_done < part.rows:
                if not _commit_progress(session, ctx, job, part, writer, position, pending, counts):
                    return
            if part.rows_done != part.rows:
                raise NotCsv(f"Part {part.number} ended after {part.rows_done} of {part.rows} rows: "
                             "the input file changed while the job ran.")
            if set_part(session, ctx, part, status="done", finished_at=utcnow()):
                session.commit()
    finally:
        writer.close()


def _commit_progress(session: Session, ctx: Context, job: ScreeningJob, part: ScreeningJobPart,
                     writer: _PartWriter, position: tuple[int, int], pending: int, counts: dict[str, int]) -> bool:
    """Record the chunk (files first, then the counters and the resume point in one
    transaction, while this worker still holds the part); False when the job has been
    cancelled or has failed meanwhile, or the part was taken over."""
    csv_bytes, jsonl_bytes = writer.sync()
    if not set_part(session, ctx, part, csv_bytes=csv_bytes, jsonl_bytes=jsonl_bytes, in_offset=position[0],
                     in_line=position[1], rows_done=part.rows_done + pending,
                     rows_matched=part.rows_matched + counts["match"], rows_clear=part.rows_clear + counts["clear"],
                     rows_error=part.rows_error + counts["error"], heartbeat_at=utcnow()):
        return False
    session.execute(update(ScreeningJob).where(ScreeningJob.id == job.id).values(
        rows_done=ScreeningJob.rows_done + pending, rows_matched=ScreeningJob.rows_matched + counts["match"],
        rows_clear=ScreeningJob.rows_clear + counts["clear"], rows_error=ScreeningJob.rows_error + counts["error"],
    ).execution_options(synchronize_session=False))
    session.commit()
    status, cancel = session.execute(
        select(ScreeningJob.status, ScreeningJob.cancel_requested).where(ScreeningJob.id == job.id)).one()
    if status != "running" or cancel:
        ended = "cancelled" if status == "cancelled" or cancel else "failed"
        if set_part(session, ctx, part, status=ended, finished_at=utcnow()):
            session.commit()
        return False
    return True

"""The work of a screening job, as plain functions: no Flask, no Celery.

A job runs in two steps, each claimed in the database so that exactly one worker does it
(and a worker whose heartbeat went stale is taken over):

1. :func:`prepare` makes the input readable by byte offset (UTF-8), counts the records and
   splits them into parts of ``part_rows``;
2. :func:`run_part` screens one part into its own results files, committing its progress
   (and the resume point) every second; between chunks it stops if the job was cancelled.

The same functions run in the service's thread pool and on Celery workers.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session

from ..models import ScreeningJob, ScreeningJobPart, utcnow
from ..records.screening import IndexCache
from ..screening import Match, ScreeningIndex, Subject
from ..screening.parallel import map_batches, screen_batches
from .csvio import NotCsv, Record, records, scan, utf8_input
from .evidence import log_job
from .rows import Columns, Parsed, csv_row, decision, jsonl_line, to_subject

log = logging.getLogger(__name__)

Screened = tuple[Record, list[Match], str | None, list[str]]
#: Rows sent to the screening processes at a time (the first progress update comes after one).
BATCH_ROWS = 200


@dataclass
class Context:
    """What a worker needs: a session factory, its index cache and where job files live."""

    sessions: Callable[[], Session]
    cache: IndexCache
    jobs_dir: Path
    part_rows: int = 25_000
    progress_seconds: float = 1.0
    progress_rows: int = 5_000
    stale_seconds: float = 60.0
    # Processes forked to screen one part's rows (sharing the index); 0: the part's thread
    # screens them itself.
    processes: int = 0
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def worker_id(self) -> str:
        return f"{self.worker}:{threading.get_ident()}"


def job_path(jobs_dir: Path, job: ScreeningJob, *parts: str) -> Path:
    return jobs_dir.joinpath(job.folder, *parts)


def part_files(jobs_dir: Path, job: ScreeningJob, number: int) -> tuple[Path, Path]:
    base = job_path(jobs_dir, job, "results")
    return base / f"part-{number:05d}.csv", base / f"part-{number:05d}.jsonl"


def _batched(recs: Iterable[Record], size: int | None) -> Iterator[list[Record]]:
    """Consecutive lists of ``size`` records (BATCH_ROWS by default), read as they come."""
    it = iter(recs)
    while batch := list(itertools.islice(it, size or BATCH_ROWS)):
        yield batch


def screen_records(
    index: ScreeningIndex, recs: Iterable[Record], columns: Columns, *, threshold: float, limit: int,
    date_order: str | None, processes: int = 0, batch_rows: int | None = None,
) -> Generator[Screened, None, None]:
    """(record, matches, error, notes) per record, in order; a bad row gets its error and no
    matches. With ``processes > 0`` the screening runs in that many forked processes (see
    :mod:`..screening.parallel`) while this thread reads and parses the next rows."""

    def batches() -> Iterator[tuple[list[tuple[Record, Parsed]], list[Subject]]]:
        for batch in _batched(recs, batch_rows):
            parsed = [(rec, to_subject(rec.cells, columns, date_order=date_order)) for rec in batch]
            yield parsed, [p.subject for _, p in parsed if p.subject is not None]

    results = screen_batches(index, batches(), threshold=threshold, limit=limit, processes=processes)
    with closing(results):  # a cancelled part stops the processes
        for parsed, matches in results:
            found = iter(matches)
            for rec, p in parsed:
                if p.subject is None:
                    yield rec, [], p.error, p.notes
                else:
                    yield rec, next(found), None, p.notes


Formatted = tuple[str, str, str]  # (CSV line, JSON line, decision) of one row
RowsPayload = tuple[list[tuple[list[str], int]], Columns, list[str], float, int, str | None]


def format_rows(index: ScreeningIndex, payload: RowsPayload) -> list[Formatted]:
    """Screen a batch of rows and format their results (CSV line, JSON line, decision). It
    runs where the screening runs (a forked process, or the part's thread), so the part's
    thread only reads input and writes these lines."""
    rows, columns, header, threshold, limit, date_order = payload
    buf = io.StringIO()
    writer = csv.writer(buf)
    out: list[Formatted] = []
    for cells, line in rows:
        parsed = to_subject(cells, columns, date_order=date_order)
        matches = [] if parsed.subject is None else index.screen(parsed.subject, threshold=threshold, limit=limit)
        writer.writerow(csv_row(cells, len(header), line, matches, parsed.error, parsed.notes))
        out.append((buf.getvalue(), jsonl_line(header, cells, line, matches, parsed.error, parsed.notes),
                    decision(matches, parsed.error)))
        buf.seek(0)
        buf.truncate()
    return out


def screen_formatted(
    index: ScreeningIndex, recs: Iterable[Record], columns: Columns, header: list[str], *, threshold: float,
    limit: int, date_order: str | None, processes: int = 0, batch_rows: int | None = None,
) -> Generator[tuple[Record, Formatted], None, None]:
    """(record, its formatted results) per record, in order, screened by :func:`format_rows`
    in ``processes`` forked processes (0: in this thread)."""
    def batches() -> Iterator[tuple[list[Record], RowsPayload]]:
        for batch in _batched(recs, batch_rows):
            rows = [(rec.cells, rec.line) for rec in batch]
            yield batch, (rows, columns, header, threshold, limit, date_order)

    results = map_batches(index, batches(), format_rows, processes=processes)
    with closing(results):  # a cancelled part stops the processes
        for batch, lines in results:
            yield from zip(batch, lines, strict=True)


# --- claiming ------------------------------------------------------------------------------

def _stale_or(ctx: Context, model: Any, *queued: Any) -> Any:
    stale = utcnow() - timedelta(seconds=ctx.stale_seconds)
    running = and_(model.status == "running", or_(model.heartbeat_at.is_(None), model.heartbeat_at < stale))
    return or_(*queued, running)


def _claim_job(session: Session, ctx: Context, job_id: int) -> bool:
    now = utcnow()
    stmt = (update(ScreeningJob)
            .where(ScreeningJob.id == job_id, ScreeningJob.parts_total == 0, ScreeningJob.rows_total.is_(None),
                   ScreeningJob.cancel_requested.is_(False),
                   _stale_or(ctx, ScreeningJob, ScreeningJob.status == "queued"))
            .values(status="running", worker=ctx.worker_id(), heartbeat_at=now)
            .execution_options(synchronize_session=False))
    claimed = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return claimed


def _claim_part(session: Session, ctx: Context, job_id: int, number: int) -> bool:
    now = utcnow()
    stmt = (update(ScreeningJobPart)
            .where(ScreeningJobPart.job_id == job_id, ScreeningJobPart.number == number,
                   _stale_or(ctx, ScreeningJobPart, ScreeningJobPart.status == "queued"))
            .values(status="running", worker=ctx.worker_id(), heartbeat_at=now, started_at=now)
            .execution_options(synchronize_session=False))
    claimed = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
    session.commit()
    return claimed


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
    with ctx.sessions() as session:
        if not _claim_job(session, ctx, job_id):
            return []
        job = session.get(ScreeningJob, job_id)
        assert job is not None
        job.started_at = job.started_at or utcnow()
        try:
            src = job_path(ctx.jobs_dir, job, "input.csv")
            if not src.exists():
                raise NotCsv(f"The uploaded file is gone from the job folder ({src}).")
            path, offset = utf8_input(src, job.encoding or "utf-8", src.parent)
            total, slices = scan(path, job.delimiter or ",", offset=offset, part_rows=ctx.part_rows)
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
    with ctx.sessions() as session:
        if not _claim_part(session, ctx, job_id, number):
            return
        job = session.get(ScreeningJob, job_id)
        part = session.scalar(select(ScreeningJobPart).where(ScreeningJobPart.job_id == job_id,
                                                             ScreeningJobPart.number == number))
        assert job is not None and part is not None
        if job.status != "running" or job.cancel_requested:
            part.status = "cancelled"
            session.commit()
            return
        try:
            _screen_part(ctx, session, job, part)
        except Exception as exc:
            log.exception("screening job %s part %s failed", job_id, number)
            message = _message(exc)
            fail_job(session, job_id, message)
            session.execute(update(ScreeningJobPart).where(ScreeningJobPart.id == part.id)
                            .values(status="failed", finished_at=utcnow()))
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
            part.list_version = state.list_version
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
                        if not _commit_progress(session, job, part, writer, position, pending, counts):
                            return  # cancelled or failed elsewhere
                        pending, last = 0, now
                        counts = dict.fromkeys(counts, 0)
            if pending or part.rows_done < part.rows:
                if not _commit_progress(session, job, part, writer, position, pending, counts):
                    return
            if part.rows_done != part.rows:
                raise NotCsv(f"Part {part.number} ended after {part.rows_done} of {part.rows} rows: "
                             "the input file changed while the job ran.")
            part.status, part.finished_at = "done", utcnow()
            session.commit()
    finally:
        writer.close()


def _commit_progress(session: Session, job: ScreeningJob, part: ScreeningJobPart, writer: _PartWriter,
                     position: tuple[int, int], pending: int, counts: dict[str, int]) -> bool:
    """Record the chunk (files first, then the counters and the resume point in one
    transaction); False when the job has been cancelled or has failed meanwhile."""
    part.csv_bytes, part.jsonl_bytes = writer.sync()
    part.in_offset, part.in_line = position
    part.rows_done += pending
    part.rows_matched += counts["match"]
    part.rows_clear += counts["clear"]
    part.rows_error += counts["error"]
    part.heartbeat_at = utcnow()
    session.execute(update(ScreeningJob).where(ScreeningJob.id == job.id).values(
        rows_done=ScreeningJob.rows_done + pending, rows_matched=ScreeningJob.rows_matched + counts["match"],
        rows_clear=ScreeningJob.rows_clear + counts["clear"], rows_error=ScreeningJob.rows_error + counts["error"],
    ).execution_options(synchronize_session=False))
    session.commit()
    status, cancel = session.execute(
        select(ScreeningJob.status, ScreeningJob.cancel_requested).where(ScreeningJob.id == job.id)).one()
    if status != "running" or cancel:
        part.status, part.finished_at = "cancelled" if status == "cancelled" or cancel else "failed", utcnow()
        session.commit()
        return False
    return True


# --- recovery ------------------------------------------------------------------------------

def recoverable(ctx: Context, *, include_queued: bool) -> tuple[list[int], list[tuple[int, int]]]:
    """Jobs to prepare and parts to run whose worker is gone (stale heartbeat) or, with
    ``include_queued`` (at start-up), that no worker has picked up."""
    with ctx.sessions() as session:
        job_cond = _stale_or(ctx, ScreeningJob, *([ScreeningJob.status == "queued"] if include_queued else []))
        jobs = list(session.scalars(select(ScreeningJob.id).where(
            job_cond, ScreeningJob.rows_total.is_(None), ScreeningJob.cancel_requested.is_(False))
            .order_by(ScreeningJob.id)))
        part_cond = _stale_or(ctx, ScreeningJobPart,
                              *([ScreeningJobPart.status == "queued"] if include_queued else []))
        parts = [(j, n) for j, n in session.execute(
            select(ScreeningJobPart.job_id, ScreeningJobPart.number).join(ScreeningJob)
            .where(part_cond, ScreeningJob.status == "running")
            .order_by(ScreeningJobPart.job_id, ScreeningJobPart.number))]
    return jobs, parts

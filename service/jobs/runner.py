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
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import ScreeningJob, ScreeningJobPart, utcnow
from ..records.outage import database_unavailable
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


# --- owners and claiming -------------------------------------------------------------------

# Worker ids (host:pid:thread) of the steps this process is running now: a job or part held
# by an id of this process that is not here was left by a step that ended (an error, a lost
# database), and may be taken over at once rather than after stale_seconds.
_ACTIVE: set[str] = set()
_ACTIVE_LOCK = threading.Lock()


@contextmanager
def _working(ctx: Context) -> Iterator[str]:
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


def _claim_job(session: Session, ctx: Context, job_id: int) -> bool:
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


def _claim_part(session: Session, ctx: Context, job_id: int, number: int) -> bool:
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


def _set_part(session: Session, ctx: Context, part: ScreeningJobPart, **values: Any) -> bool:
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


def _with_database(ctx: Context, what: str, step: Callable[[], Any]) -> Any:
    """Run ``step``; while the database is unreachable, wait and run it again: it claims what
    this worker already holds and resumes from its last commit, so nothing is done twice.
    After ``outage_seconds`` the work is left to recovery, which takes it over at once."""
    deadline = time.monotonic() + ctx.outage_seconds
    delay, warned = 0.25, False
    with _working(ctx):
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
        if not _claim_part(session, ctx, job_id, number):
            return
        job = session.get(ScreeningJob, job_id)
        part = session.scalar(select(ScreeningJobPart).where(ScreeningJobPart.job_id == job_id,
                                                             ScreeningJobPart.number == number))
        assert job is not None and part is not None
        if job.status != "running" or job.cancel_requested:
            if _set_part(session, ctx, part, status="cancelled", finished_at=utcnow()):
                session.commit()
            return
        try:
            _screen_part(ctx, session, job, part)
        except Exception as exc:
            if database_unavailable(exc):
                raise  # not the job's fault: run again once the database is back
            log.exception("screening job %s part %s failed", job_id, number)
            fail_job(session, job_id, _message(exc))
            if _set_part(session, ctx, part, status="failed", finished_at=utcnow()):
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
            if not _set_part(session, ctx, part, list_version=state.list_version):
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
            if _set_part(session, ctx, part, status="done", finished_at=utcnow()):
                session.commit()
    finally:
        writer.close()


def _commit_progress(session: Session, ctx: Context, job: ScreeningJob, part: ScreeningJobPart,
                     writer: _PartWriter, position: tuple[int, int], pending: int, counts: dict[str, int]) -> bool:
    """Record the chunk (files first, then the counters and the resume point in one
    transaction, while this worker still holds the part); False when the job has been
    cancelled or has failed meanwhile, or the part was taken over."""
    csv_bytes, jsonl_bytes = writer.sync()
    if not _set_part(session, ctx, part, csv_bytes=csv_bytes, jsonl_bytes=jsonl_bytes, in_offset=position[0],
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
        if _set_part(session, ctx, part, status=ended, finished_at=utcnow()):
            session.commit()
        return False
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

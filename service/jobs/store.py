"""Jobs as the API sees them: create from an upload, read, list, cancel, delete, and the
results as a byte stream. Plain functions: the caller passes the session and the job folder
root, and commits."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..csvcells import csv_start
from ..errors import Conflict, NotFound, TooLarge
from ..models import ScreeningJob, ScreeningJobPart, utcnow
from ..records.actor import Actor
from ..records.common import Page, paginate
from .context import job_path, part_files
from .pipeline import RESULTS_BOM, inspect
from .rows import csv_header

COPY_CHUNK = 1024 * 1024


def save_upload(source: IO[bytes], dest: Path, *, max_bytes: int) -> int:
    """Stream an upload to ``dest`` in 1 MB chunks; 413 past ``max_bytes``."""
    size = 0
    with dest.open("wb") as out:
        while chunk := source.read(COPY_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge(f"The file is larger than this service accepts ({max_bytes:,} bytes; MAX_UPLOAD_BYTES).")
            out.write(chunk)
    return size


def create_job(
    *, session: Session, jobs_dir: Path, source: IO[bytes], filename: str | None, options: dict[str, Any],
    max_bytes: int, backend: str, actor: Actor,
) -> ScreeningJob:
    """Save the upload in a new job folder, check it is a CSV file with a name column, and
    add the queued job submitted by ``actor`` (the caller commits, then hands the job to an
    executor)."""
    folder = uuid.uuid4().hex
    work = jobs_dir / folder
    work.mkdir(parents=True)
    try:
        size = save_upload(source, work / "input.csv", max_bytes=max_bytes)
        layout, columns = inspect(work / "input.csv", options)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    job = ScreeningJob(
        folder=folder, filename=(filename or "")[:255] or None, size_bytes=size, encoding=layout.encoding,
        delimiter=layout.delimiter, header=layout.header, columns=columns.to_json(),
        threshold=options["threshold"], match_limit=options["limit"], output_format=options["format"],
        date_order=options.get("date_order"), backend=backend, **actor.columns(),
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int, owner: Actor | None = None) -> ScreeningJob:
    """A job; with ``owner``, only one that key or user submitted (others answer 404)."""
    stmt = select(ScreeningJob).where(ScreeningJob.id == job_id)
    if owner is not None:
        stmt = stmt.where(owner.owns(ScreeningJob))
    job = session.scalar(stmt)
    if job is None:
        raise NotFound(f"No screening job with id {job_id}.")
    return job


def list_jobs(*, session: Session, status: str | None, page: int, page_size: int, owner: Actor | None = None) -> Page:
    stmt = select(ScreeningJob).order_by(ScreeningJob.id.desc())
    if owner is not None:
        stmt = stmt.where(owner.owns(ScreeningJob))
    if status:
        stmt = stmt.where(ScreeningJob.status == status)
    return paginate(session, stmt, page=page, page_size=page_size)


def cancel_job(*, session: Session, job: ScreeningJob) -> None:
    """Mark an active job cancelled; its workers stop at their next chunk."""
    if job.status not in ("queued", "running"):
        raise Conflict(f"The job is already {job.status}.")
    session.execute(update(ScreeningJob).where(ScreeningJob.id == job.id, ScreeningJob.status.in_(("queued", "running")))
                    .values(status="cancelled", cancel_requested=True, finished_at=utcnow()))
    session.flush()
    session.refresh(job)


def delete_job(*, session: Session, jobs_dir: Path, job: ScreeningJob) -> None:
    """Forget a finished job and remove its files."""
    if job.status in ("queued", "running"):
        raise Conflict("The job is still active; cancel it first (DELETE cancels an active job).")
    folder = job_path(jobs_dir, job)
    session.delete(job)
    session.flush()
    if job.folder:
        shutil.rmtree(folder, ignore_errors=True)


def results_ready(job: ScreeningJob) -> None:
    if job.status != "done":
        raise Conflict(f"The job is {job.status}; results are available once it is done.")


def results_head(job: ScreeningJob) -> bytes:
    """The CSV results' first bytes: a BOM, so that spreadsheets read the UTF-8 names
    (Chinese, Cyrillic ...) correctly, then the header line (the parts hold the rows)."""
    return csv_start(csv_header(job.header), bom=RESULTS_BOM).encode("utf-8")


def result_chunks(*, session: Session, jobs_dir: Path, job: ScreeningJob, fmt: str) -> Iterator[bytes]:
    """The results file: the header, then each part's rows in input order, 64 KB at a time.
    Part paths and sizes are read now, so the generator needs no session later."""
    parts = session.execute(select(ScreeningJobPart.number, ScreeningJobPart.csv_bytes, ScreeningJobPart.jsonl_bytes)
                            .where(ScreeningJobPart.job_id == job.id).order_by(ScreeningJobPart.number)).all()
    files = []
    for number, csv_bytes, jsonl_bytes in parts:
        csv_path, jsonl_path = part_files(jobs_dir, job, number)
        files.append((csv_path, csv_bytes) if fmt == "csv" else (jsonl_path, jsonl_bytes))
    head = results_head(job) if fmt == "csv" else b""

    def generate() -> Iterator[bytes]:
        if head:
            yield head
        for path, size in files:
            with path.open("rb") as f:
                left = size
                while left > 0 and (chunk := f.read(min(65536, left))):
                    left -= len(chunk)
                    yield chunk

    return generate()

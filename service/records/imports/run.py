"""One import run: parse, match, merge, delist, write, report; all or nothing, one
:class:`ImportRun` per attempt (a failed one too, in a transaction of its own)."""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ...errors import DomainError, Invalid, NotFound
from ...imports import FORMATS, ImportedEntity, ImportFormatError
from ...models import ImportRun, utcnow
from ..common import Page, paginate
from ..listing import record_entity_changes
from .delist import delist_absent
from .match import load_designations, load_states, match_entries
from .merge import entry_from_import, merge_entries
from .report import Tally, delisted_items, fill_run, write_import_history
from .state import CrossBatch, DesignationState, Progress, Workspace
from .write import Written, write

log = logging.getLogger(__name__)
# Entries read, matched and written at a time: the import's memory is about one batch's.
BATCH_ENTRIES = 20_000


class ImportFailed(Invalid):
    """The files could not be imported (wrong format, truncated, wrong encoding)."""

    def __init__(self, detail: str, *, run_id: int | None) -> None:
        errors = {"file": [detail]}
        if run_id is not None:
            errors["import_run"] = [f"Recorded as failed import run {run_id}."]
        super().__init__(detail, errors=errors)
        self.run_id = run_id


def describe_files(paths: Sequence[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in paths:
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
        except OSError:
            out.append({"name": path.name, "sha256": None, "size": None})
            continue
        out.append({"name": path.name, "sha256": digest.hexdigest(), "size": size})
    return out


def run_import(
    *, session: Session, fmt: str, paths: Sequence[Path], origin: str = "cli",
    progress: Progress | None = None, today: date | None = None, batch_size: int = BATCH_ENTRIES,
) -> ImportRun:
    """Import the files as one list of format ``fmt``; all or nothing. Commits (it must: a
    failed import is rolled back and then recorded in a transaction of its own).

    The entries are read, matched, merged and written ``batch_size`` at a time, all in the one
    transaction, so a big file needs the memory of one batch, not of the whole list. When an
    entry would change a record an earlier batch wrote, the import is rolled back and run
    again in one batch: the records and history it leaves never depend on the batching."""
    if fmt not in FORMATS:
        raise Invalid(f"Unknown format {fmt!r}.", errors={"format": [f"One of: {', '.join(sorted(FORMATS))}."]})
    if not paths:
        raise Invalid("No files to import.", errors={"file": ["Give at least one file."]})
    started = utcnow()
    files = describe_files(paths)
    try:
        if progress:
            progress("parse", 0, 1)
        run = ImportRun(format=fmt, origin=origin, status="succeeded", started_at=started, files=files)
        args = (session, fmt, list(paths), run, today or date.today(), progress)
        try:
            _apply(*args, batch_size)
        except CrossBatch as exc:
            log.info("import in one batch: %s", exc)
            session.rollback()
            _apply(*args, None)
        run.finished_at = utcnow()
        session.add(run)
        session.commit()
        return run
    except Exception as exc:
        session.rollback()
        known = isinstance(exc, ImportFormatError | DomainError)
        message = str(exc) if known else f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
        run_id = _record_failure(session, fmt, origin, files, started, message)
        if isinstance(exc, ImportFormatError):
            raise ImportFailed(message, run_id=run_id) from exc
        raise


def _apply(session: Session, fmt: str, paths: list[Path], run: ImportRun, today: date,
           progress: Progress | None, batch_size: int | None) -> None:
    conn = session.connection()
    stream = FORMATS[fmt].open(list(paths))
    ws = Workspace()
    tally = Tally()
    now = utcnow()
    for batch in _batches(stream.entities, batch_size):
        entries = [entry for entry in map(entry_from_import, batch) if entry is not None]
        load_designations(conn, ws, entries)
        match_entries(conn, entries, ws)
        load_states(conn, ws, entries)
        merge_entries(entries, ws, _offset(progress, tally.entries + tally.skipped))
        written = _write(session, ws, [], now)
        tally.add_batch(ws, entries, len(batch) - len(entries), written)
        ws.end_batch(entries, written.touched)
        del batch, entries, written
    file_names = [p.name for p in paths]
    scope = FORMATS[fmt].delisting_scope(file_names, list(tally.listed.values()))
    delisted = delist_absent(ws, scope, today)
    if progress:
        progress("write", 0, 1)
    _write(session, ws, delisted, now)
    fill_run(run, result=stream.result, tally=tally, ws=ws, file_names=file_names,
             delisted=delisted_items(conn, delisted), scope=scope)


def _write(session: Session, ws: Workspace, delisted: list[DesignationState], now: datetime) -> Written:
    """Write what the workspace holds (a batch's entries, or the delistings at the end), with
    its history rows and, as the ORM hook would for ORM writes, the list-state counter and
    change log."""
    written = write(session.connection(), ws, delisted, now)
    write_import_history(session, ws, written)
    if written.touched:
        record_entity_changes(session, written.touched)
    return written


def _batches(entities: Iterator[ImportedEntity], size: int | None) -> Iterator[list[ImportedEntity]]:
    while batch := list(itertools.islice(entities, size)):
        yield batch


def _offset(progress: Progress | None, before: int) -> Progress | None:
    """Progress through the whole import from progress through one batch."""
    if progress is None:
        return None
    return lambda stage, done, total: progress(stage, before + done, before + total)


def _record_failure(session: Session, fmt: str, origin: str, files: list[dict[str, Any]],
                    started: Any, message: str) -> int | None:
    run = ImportRun(format=fmt, origin=origin, status="failed", started_at=started,
                    finished_at=utcnow(), files=files, error=message[:10_000])
    try:
        session.add(run)
        session.commit()
    except Exception:  # the database itself may be what failed
        session.rollback()
        log.exception("could not record the failed import")
        return None
    return run.id


def get_run(*, session: Session, run_id: int) -> ImportRun:
    run = session.get(ImportRun, run_id)
    if run is None:
        raise NotFound(f"No import run with id {run_id}.")
    return run


def list_runs(*, session: Session, page: int, page_size: int, fmt: str | None = None,
              status: str | None = None) -> Page:
    stmt: Select[Any] = select(ImportRun)
    if fmt:
        stmt = stmt.where(ImportRun.format == fmt)
    if status:
        stmt = stmt.where(ImportRun.status == status)
    return paginate(session, stmt.order_by(ImportRun.id.desc()), page=page, page_size=page_size)

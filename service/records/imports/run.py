"""One import run: parse, match, merge, delist, write, report; all or nothing, one
:class:`ImportRun` per attempt (a failed one too, in a transaction of its own)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ...errors import DomainError, Invalid, NotFound
from ...imports import FORMATS, ImportFormatError, ParseResult
from ...models import ImportRun, utcnow
from ..common import Page, paginate
from ..listing import record_entity_changes
from .delist import delist_absent, delisting_scope
from .match import load_designations, load_states, match_entries
from .merge import entry_from_import, merge_entries
from .report import changes, fill_run, write_import_history
from .state import Entry, Progress, Workspace
from .write import write

log = logging.getLogger(__name__)


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
    progress: Progress | None = None, today: date | None = None,
) -> ImportRun:
    """Import the files as one list of format ``fmt``; all or nothing. Commits (it must: a
    failed import is rolled back and then recorded in a transaction of its own)."""
    if fmt not in FORMATS:
        raise Invalid(f"Unknown format {fmt!r}.", errors={"format": [f"One of: {', '.join(sorted(FORMATS))}."]})
    if not paths:
        raise Invalid("No files to import.", errors={"file": ["Give at least one file."]})
    started = utcnow()
    files = describe_files(paths)
    try:
        if progress:
            progress("parse", 0, 1)
        result = FORMATS[fmt].parse(list(paths))
        run = ImportRun(format=fmt, origin=origin, status="succeeded", started_at=started, files=files)
        _apply(session, fmt, result, run, [p.name for p in paths], today or date.today(), progress)
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


def _apply(session: Session, fmt: str, result: ParseResult, run: ImportRun, file_names: list[str],
           today: date, progress: Progress | None) -> None:
    conn = session.connection()
    ws = Workspace()
    entries: list[Entry] = []
    for imported in result.entities:
        entry = entry_from_import(imported)
        if entry is not None:
            entries.append(entry)
    skipped = len(result.entities) - len(entries)
    authorities = sorted({k[0] for e in entries for k, _ in e.designations})
    load_designations(conn, ws, authorities)
    match_entries(conn, entries, ws)
    load_states(conn, ws, entries)
    merge_entries(entries, ws, progress)
    scope = delisting_scope(FORMATS[fmt], file_names, entries)
    delisted = delist_absent(ws, entries, scope, today)
    if progress:
        progress("write", 0, 1)
    written = write(conn, ws, delisted, utcnow())
    report = changes(conn, ws, written, delisted)
    write_import_history(session, ws, written)
    if written.touched:
        # The list-state counter and change log, as the ORM hook would for ORM writes.
        record_entity_changes(session, written.touched)
    fill_run(run, result=result, entries=entries, skipped=skipped, ws=ws, authorities=authorities,
             file_names=file_names, changes=report, delisted=delisted, scope=scope)


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

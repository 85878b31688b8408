"""A portfolio file: subjects from a CSV file read as bulk screening jobs read theirs (the
same reader: encodings, delimiters, loose headers, :mod:`service.jobs.pipeline`), plus a
column holding each subject's external id. Bad rows are reported one by one; the good ones
are created or replaced in chunks, and screened afterwards by a background run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..errors import Invalid
from ..jobs.pipeline import open_input
from ..jobs.rows import normalise_header, to_subject
from .subjects import external_id_problem, upsert_many

ID_HEADERS = ("external_id", "externalid", "id", "customer_id", "customer_number", "customer_no", "vendor_id",
              "vendor_number", "vendor_no", "supplier_id", "supplier_number", "client_id", "account_id",
              "account_number", "account", "reference", "ref", "party_id")
#: Rows written per chunk (and per portfolio counter value).
CHUNK = 1000
#: Bad rows listed in the report (the count covers them all).
MAX_ERRORS = 1000


@dataclass
class CsvReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    columns: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, external_id: str | None, error: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"line": line, "external_id": external_id, "error": error})


def _id_column(header: list[str], given: str | None) -> int:
    norm = [normalise_header(h) for h in header]
    if given:
        for i, (h, n) in enumerate(zip(header, norm, strict=True)):
            if given in (h, n) or normalise_header(given) == n:
                return i
        raise Invalid(f"There is no column {given!r} for the external id (columns: {', '.join(header)}).",
                      errors={"external_id_column": [f"No such column: {given!r}."]})
    for candidate in ID_HEADERS:
        if candidate in norm:
            return norm.index(candidate)
    raise Invalid(f"The file has no external id column (columns: {', '.join(header)}); say which column holds "
                  "it with external_id_column.", errors={"external_id_column": ["No external id column found."]})


def import_csv(*, session: Session, path: Path, options: Mapping[str, Any], work_dir: Path | None = None) -> CsvReport:
    """Create or replace the file's subjects (the caller commits, then starts the screening)."""
    report = CsvReport()
    with open_input(path, options, work_dir=work_dir) as inp:
        id_col = _id_column(inp.header, options.get("external_id_column"))
        report.columns = {"external_id": inp.header[id_col], **inp.columns.describe(inp.header)}
        seen: set[str] = set()
        batch: list[dict[str, Any]] = []
        for rec in inp.records():
            report.rows += 1
            ext = rec.cells[id_col].strip() if id_col < len(rec.cells) else ""
            parsed = to_subject(rec.cells, inp.columns, date_order=options.get("date_order"))
            if not ext:
                report.reject(rec.line, None, "external_id: Missing data (the cell is empty)")
            elif problem := external_id_problem(ext):
                report.reject(rec.line, ext[:40], f"external_id: {problem}")
            elif ext in seen:
                report.reject(rec.line, ext, "external_id: appears on an earlier line of the file")
            elif parsed.subject is None:
                report.reject(rec.line, ext, parsed.error or "not a subject")
            else:
                seen.add(ext)
                s = parsed.subject
                batch.append({"external_id": ext, "name": s.name, "type": s.type, "birth_date": s.birth_date,
                              "country": s.country,
                              "identifiers": [{"scheme": i[0], "value": i[1], "country": i[2]} for i in s.identifiers]})
            if len(batch) >= CHUNK:
                _write(session, batch, report)
        _write(session, batch, report)
    return report


def _write(session: Session, batch: list[dict[str, Any]], report: CsvReport) -> None:
    if not batch:
        return
    for done in upsert_many(session=session, items=batch, keep_objects=False):
        setattr(report, done.outcome, getattr(report, done.outcome) + 1)
    batch.clear()
    session.expunge_all()  # a file of a million rows must not pile up in the identity map

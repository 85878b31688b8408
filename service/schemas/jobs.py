"""Bulk screening jobs: upload options, the job as the API shows it, and its list."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from ..jobs.rows import Columns
from ..models import JOB_STATUSES
from ..screening import DEFAULT_THRESHOLD
from .common import Float, Integer, PageSize, Schema, page_of

FORMATS = ("csv", "jsonl")


def _column(role: str) -> fields.String:
    return fields.String(validate=validate.Length(min=1, max=255),
                         metadata={"description": f"Header of the column holding the {role} (default: recognised from the header)."})


class JobOptions(Schema):
    """Query-string options of an upload."""

    name_column = _column("name")
    birth_date_column = _column("birth date")
    country_column = _column("country")
    type_column = _column("type (person, company ...)")
    identifier_columns = fields.String(
        validate=validate.Length(min=1, max=1000),
        metadata={"description": "Comma-separated `column` or `column:scheme` (e.g. `Passport No:passport,VAT:tax_id`)."},
    )
    threshold = Float(
        load_default=DEFAULT_THRESHOLD, validate=validate.Range(min=0.0, max=1.0),
        metadata={"description": f"Score at or above which a row is a match (default {DEFAULT_THRESHOLD})."},
    )
    limit = Integer(load_default=10, validate=validate.Range(min=1, max=100),
                    metadata={"description": "Matches kept per row (all of them in JSON Lines)."})
    format = fields.String(load_default="csv", validate=validate.OneOf(FORMATS),
                           metadata={"description": "Results format: csv (default) or jsonl."})
    date_order = fields.String(
        validate=validate.OneOf(("dmy", "mdy")),
        metadata={"description": "How to read ambiguous dates like 03/04/1985; without it only the year is used."},
    )


class JobListArgs(Schema):
    page = Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = PageSize()
    status = fields.String(validate=validate.OneOf(JOB_STATUSES))


class ResultsArgs(Schema):
    format = fields.String(validate=validate.OneOf(FORMATS),
                           metadata={"description": "csv or jsonl; default: the Accept header, else the job's format."})


class Progress(Schema):
    rows_done = fields.Integer()
    rows_total = fields.Integer(allow_none=True, metadata={"description": "Known once the file has been scanned."})
    percent = fields.Float(allow_none=True)


class Counts(Schema):
    matched = fields.Integer(metadata={"description": "Rows with at least one match."})
    clear = fields.Integer(metadata={"description": "Rows screened without a match."})
    errors = fields.Integer(metadata={"description": "Rows that could not be screened (see their error in the results)."})


class ColumnsOut(Schema):
    name = fields.List(fields.String(), metadata={"description": "Joined with spaces when several (first + last name)."})
    birth_date = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    identifiers = fields.Dict(keys=fields.String(), values=fields.String())


class JobOut(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": " | ".join(JOB_STATUSES)})
    filename = fields.String(allow_none=True)
    size_bytes = fields.Integer()
    encoding = fields.String(allow_none=True, metadata={"description": "As detected."})
    delimiter = fields.String(allow_none=True, metadata={"description": "As detected."})
    columns = fields.Method("_columns", metadata={"description": "Which columns feed the screening."})
    threshold = fields.Float()
    limit = fields.Integer(attribute="match_limit")
    format = fields.String(attribute="output_format")
    date_order = fields.String(allow_none=True)
    progress = fields.Method("_progress")
    counts = fields.Method("_counts")
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    duration_seconds = fields.Float(allow_none=True)
    rows_per_second = fields.Method("_speed")
    backend = fields.String()
    list_version = fields.Integer(allow_none=True, metadata={"description": "List state the job started against."})
    error = fields.String(allow_none=True)
    results_url = fields.Method("_results_url")

    def _columns(self, job: Any) -> dict[str, Any]:
        return ColumnsOut().dump(Columns.from_json(job.columns).describe(job.header)) if job.columns else {}

    def _progress(self, job: Any) -> dict[str, Any]:
        total = job.rows_total
        percent = round(100.0 * job.rows_done / total, 1) if total else (100.0 if total == 0 else None)
        return {"rows_done": job.rows_done, "rows_total": total, "percent": percent}

    def _counts(self, job: Any) -> dict[str, int]:
        return {"matched": job.rows_matched, "clear": job.rows_clear, "errors": job.rows_error}

    def _speed(self, job: Any) -> float | None:
        seconds = job.duration_seconds
        return round(job.rows_done / seconds, 1) if seconds else None

    def _results_url(self, job: Any) -> str | None:
        return f"/api/v1/screening-jobs/{job.id}/results" if job.status == "done" else None


JobPage = page_of(JobOut, "JobPage", items_first=True)

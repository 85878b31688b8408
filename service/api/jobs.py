"""``/api/v1/screening-jobs`` (bulk CSV screening in the background) and ``/api/v1/screen/csv``
(small files, answered at once)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import IO, Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView

from ..errors import Invalid, TooLarge, UnsupportedMediaType
from ..extensions import Blueprint, db
from ..jobs import store
from ..jobs.executors import Executor
from ..jobs.pipeline import open_input, screen_file
from ..records.actor import Actor, jobs_owner
from ..schemas.jobs import JobListArgs, JobOptions, JobOut, JobPage, ResultsArgs
from .auth import current_actor
from .common import page_body
from .screening import index_cache

blp = Blueprint("screening-jobs", __name__, url_prefix="/api/v1",
                description="Bulk screening of CSV files: background jobs with progress, and small files at once.")

CSV_TYPES = {"text/csv", "application/csv", "text/plain", "text/tab-separated-values", "application/octet-stream"}
JSONL_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                           "properties": {"file": {"type": "string", "format": "binary"}}}},
        "text/csv": {"schema": {"type": "string", "format": "binary"}},
    },
}
RESULTS_DOC = {
    "200": {"description": "The results file: every input column, then the best match per row (CSV), or "
                           "every match in full per row (JSON Lines).",
            "content": {"text/csv": {"schema": {"type": "string"}},
                        "application/x-ndjson": {"schema": {"type": "string"}}}},
}


def executor() -> Executor:
    return current_app.extensions["screening_jobs"]  # type: ignore[no-any-return]


def jobs_dir() -> Path:
    path = Path(current_app.config["JOB_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload() -> tuple[IO[bytes], str | None]:
    """The uploaded file as a stream: multipart field ``file`` or a CSV body. Its own size
    limit (MAX_UPLOAD_BYTES), set before anything reads the body."""
    request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"]
    if request.mimetype == "multipart/form-data":
        file = request.files.get("file")
        if file is None:
            raise Invalid("Send the CSV file in the multipart form field 'file'.", errors={"file": ["Missing file."]})
        return file.stream, file.filename
    if request.mimetype in CSV_TYPES or not request.mimetype:
        return request.stream, None
    raise UnsupportedMediaType(f"Send the file as multipart/form-data (field 'file') or as a text/csv body "
                            f"(got {request.mimetype}).")


def owner() -> Actor | None:
    """Screener keys (vendor systems) see only their own jobs and results; analysts and up
    see every job."""
    return jobs_owner(current_actor())


@blp.route("/screening-jobs")
class ScreeningJobs(MethodView):
    @blp.arguments(JobListArgs, location="query")
    @blp.response(200, JobPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List screening jobs, newest first"""
        page = store.list_jobs(session=db.session, status=args.get("status"), page=args["page"],
                               page_size=args["page_size"], owner=owner())
        return page_body(page)

    @blp.arguments(JobOptions, location="query")
    @blp.doc(requestBody=UPLOAD_BODY)
    @blp.response(202, JobOut)
    def post(self, options: dict[str, Any]) -> Any:
        """Upload a CSV file to screen in the background (202; follow Location for progress)"""
        source, filename = upload()
        job = store.create_job(session=db.session, jobs_dir=jobs_dir(), source=source, filename=filename,
                               options=options, max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                               backend=executor().name, actor=current_actor())
        db.session.commit()
        executor().submit(job.id)
        return job, 202, {"Location": url_for("screening-jobs.ScreeningJobById", job_id=job.id)}


@blp.route("/screening-jobs/<int:job_id>")
class ScreeningJobById(MethodView):
    @blp.response(200, JobOut)
    def get(self, job_id: int) -> Any:
        """Read a job: status, progress, counts, timings"""
        return store.get_job(db.session, job_id, owner())

    @blp.response(202, JobOut)
    @blp.alt_response(204, description="The finished job and its files were deleted.")
    def delete(self, job_id: int) -> Any:
        """Cancel a queued or running job (202); delete a finished one and its files (204)"""
        job = store.get_job(db.session, job_id, owner())
        if job.status in ("queued", "running"):
            store.cancel_job(session=db.session, job=job)
            db.session.commit()
            return job
        store.delete_job(session=db.session, jobs_dir=jobs_dir(), job=job)
        db.session.commit()
        return Response(status=204)


def results_format(requested: str | None, default: str) -> str:
    if requested:
        return requested
    accept = request.accept_mimetypes
    jsonl = max(accept[t] for t in JSONL_TYPES) if any(accept[t] for t in JSONL_TYPES) else 0
    explicit = [mt for mt, _ in accept if mt != "*/*"]
    if jsonl and any(mt in JSONL_TYPES for mt in explicit) and jsonl >= accept["text/csv"]:
        return "jsonl"
    if "text/csv" in explicit:
        return "csv"
    return default


def _download(body: Any, fmt: str, name: str) -> Response:
    return Response(body, content_type=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@blp.route("/screening-jobs/<int:job_id>/results")
class ScreeningJobResults(MethodView):
    @blp.arguments(ResultsArgs, location="query")
    @blp.doc(responses=RESULTS_DOC)
    def get(self, args: dict[str, Any], job_id: int) -> Any:
        """Download a finished job's results (CSV, or JSON Lines with every match)"""
        job = store.get_job(db.session, job_id, owner())
        store.results_ready(job)
        fmt = results_format(args.get("format"), job.output_format)
        chunks = store.result_chunks(session=db.session, jobs_dir=jobs_dir(), job=job, fmt=fmt)
        return _download(chunks, fmt, f"screening-job-{job.id}-results")


@blp.route("/screen/csv")
class ScreenCsv(MethodView):
    @blp.arguments(JobOptions, location="query")
    @blp.doc(requestBody=UPLOAD_BODY, responses=RESULTS_DOC)
    def post(self, options: dict[str, Any]) -> Any:
        """Screen a small CSV file at once and get the results file back"""
        limit = current_app.config["SYNC_MAX_ROWS"]
        source, filename = upload()
        out = io.StringIO()
        with tempfile.TemporaryDirectory(dir=jobs_dir(), prefix="sync-") as tmp:
            path = Path(tmp) / "input.csv"
            store.save_upload(source, path, max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
            with open_input(path, options, work_dir=Path(tmp)) as inp:
                if inp.rows > limit:
                    raise TooLarge(f"The file has {inp.rows:,} rows; /screen/csv takes at most {limit:,} "
                                         "(SYNC_MAX_ROWS). Use POST /api/v1/screening-jobs for larger files.")
                screen_file(session=db.session, cache=index_cache(), inp=inp, options=options, write=out.write,
                            actor=current_actor(), source="screen/csv", filename=filename)
        db.session.commit()  # the evidence row
        return _download(out.getvalue().encode("utf-8"), options["format"], "screening-results")

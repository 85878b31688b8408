"""``/jobs``: bulk screening of a CSV file. Upload (kept as a draft), check the detected
encoding, delimiter, columns and first rows with the column mapping (editable), start the job
(the same :func:`service.jobs.store.create_job` and executor as ``POST /api/v1/screening-jobs``),
follow its progress bar (htmx polling, which stops when the job ends), then the flagged rows,
matches first, in a sortable table and the results file (the same bytes the API serves).

A screener sees only their own jobs (others' are 404), analysts and above every job
(:func:`service.records.actor.jobs_owner`, as for API keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, g, redirect, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from marshmallow import ValidationError

from ..errors import Invalid, TooLarge
from ..extensions import db
from ..jobs import store
from ..jobs.executors import Executor
from ..jobs.preview import discard_draft, draft_input, mapping_options, preview, save_draft
from ..jobs.results import SORT_KEYS, flagged_rows, job_progress, parse_sort
from ..jobs.rows import Columns
from ..models import ScreeningJob, utcnow
from ..permissions import SCREEN
from ..records.actor import Actor, jobs_owner
from ..schemas.jobs import FORMATS, JobOptions
from ..screening import DEFAULT_THRESHOLD
from ..vocabulary import ENTITY_TYPES
from .auth import login_required
from .core import nav_item, page

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
nav_item("Bulk screening", "ui.jobs.index", SCREEN, order=35)

PAGE_SIZE = 20
#: Rows of the results table per page.
TABLE_PAGE = 50
ACTIVE = ("queued", "running")
MIMETYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
#: The mapping and option fields of the preview form (JobOptions' names).
OPTION_FIELDS = ("name_column", "birth_date_column", "country_column", "type_column", "identifier_columns",
                 "threshold", "format", "date_order")


class UploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])


class StartForm(FlaskForm):
    """Only the CSRF token: the options are read with the API's schema (:class:`JobOptions`)."""


@bp.before_app_request
def _upload_limit() -> None:
    # Before the UI's CSRF check reads the form: an upload has its own, larger, limit.
    if request.endpoint == "ui.jobs.upload":
        request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"]


def jobs_dir() -> Path:
    path = Path(current_app.config["JOB_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def executor() -> Executor:
    return current_app.extensions["screening_jobs"]  # type: ignore[no-any-return]


def owner() -> Actor | None:
    return jobs_owner(g.actor)


def draft_owner() -> str:
    return f"user-{g.user.id}"


def job_list(page_number: int) -> Any:
    return store.list_jobs(session=db.session, status=None, page=page_number, page_size=PAGE_SIZE, owner=owner())


def page_number() -> int:
    raw = request.args.get("page", "1")
    # ASCII first, as the search page's check: "²" is a digit to str.isdigit(), not to int().
    return max(1, min(int(raw), 1_000_000)) if raw.isascii() and raw.isdigit() else 1


@bp.get("")
@login_required(SCREEN)
def index() -> Any:
    """The upload form and the past jobs, newest first."""
    return page("ui/jobs/index.html", form=UploadForm(), jobs=job_list(page_number()))


@bp.post("")
@login_required(SCREEN)
def upload() -> Any:
    """Keep the upload as a draft and show its preview; a file that is not CSV is refused here."""
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        file = form.file.data
        try:
            token = save_draft(jobs_dir=jobs_dir(), owner=draft_owner(), source=file.stream, filename=file.filename,
                               max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
        except (Invalid, TooLarge) as exc:
            error = exc.detail
        else:
            return redirect(url_for("ui.jobs.new", token=token))
    return page("ui/jobs/index.html", status=422, form=form, upload_error=error, jobs=job_list(1))


def sent_options(source: Any) -> dict[str, str]:
    """The option fields that were filled in (empty ones left out, as the API's client would)."""
    return {k: source.get(k, "").strip() for k in OPTION_FIELDS if source.get(k, "").strip()}


def preview_page(token: str, sent: dict[str, str], *, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    path, filename = draft_input(jobs_dir(), draft_owner(), token)
    mapping = {k: v for k, v in sent.items() if k.endswith(("_column", "_columns"))}
    shown = preview(path, mapping)
    detected = preview(path, {}).columns
    roles = shown.roles()
    values = {**(mapping_options(detected, shown.layout.header) if detected and not sent else {}), **sent}
    return page("ui/jobs/preview.html", partial="preview", status=status, token=token, filename=filename,
                preview=shown, roles=roles, used=[(h, r) for h, r in zip(shown.layout.header, roles, strict=True) if r],
                values=values, errors=errors or {}, form=StartForm(),
                formats=FORMATS, default_threshold=DEFAULT_THRESHOLD, types=ENTITY_TYPES)


@bp.get("/new/<token>")
@login_required(SCREEN)
def new(token: str) -> Any:
    """The draft's preview with the mapping for the options in the query string."""
    return preview_page(token, sent_options(request.args))


@bp.post("/new/<token>")
@login_required(SCREEN)
def start(token: str) -> Any:
    """Start the job with the mapping and options chosen (the API's options and checks)."""
    path, filename = draft_input(jobs_dir(), draft_owner(), token)
    sent = sent_options(request.form)
    try:
        options = JobOptions().load(sent)
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {}
        return preview_page(token, sent, errors={k: " ".join(map(str, v)) for k, v in messages.items()}, status=422)
    try:
        with path.open("rb") as source:
            job = store.create_job(session=db.session, jobs_dir=jobs_dir(), source=source, filename=filename,
                                   options=options, max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                                   backend=executor().name, actor=g.actor)
    except Invalid as exc:
        db.session.rollback()
        errors = {k: " ".join(map(str, v)) for k, v in (exc.errors or {}).items()} or {"form": exc.detail}
        return preview_page(token, sent, errors=errors, status=422)
    db.session.commit()
    executor().submit(job.id)
    discard_draft(jobs_dir(), draft_owner(), token)
    return redirect(url_for("ui.jobs.show", job_id=job.id))


def sort_link(current: str | None, key: str) -> str:
    """The column's sort address: ascending first, descending when already ascending (score:
    the other way round)."""
    now, descending = parse_sort(current)
    first_descending = key == "score"
    if now == key:
        target = f"{'' if descending else '-'}{key}"
    else:
        target = f"-{key}" if first_descending else key
    return url_for("ui.jobs.show", job_id=request.view_args["job_id"], sort=target)  # type: ignore[index]


def aria_sort(current: str | None, key: str) -> str | None:
    now, descending = parse_sort(current)
    return ("descending" if descending else "ascending") if now == key else None


@bp.get("/<int:job_id>")
@login_required(SCREEN)
def show(job_id: int) -> Any:
    """A job: progress while it runs (polled), then the flagged rows and the download."""
    job = store.get_job(db.session, job_id, owner())
    sort = request.args.get("sort")
    results = flagged_rows(session=db.session, jobs_dir=jobs_dir(), job=job, sort=sort) if job.status == "done" else None
    number, pages = page_number(), 1
    shown: list[Any] = []
    if results is not None:
        pages = max(1, -(-len(results.rows) // TABLE_PAGE))
        number = min(number, pages)
        shown = results.rows[(number - 1) * TABLE_PAGE : number * TABLE_PAGE]
    return page("ui/jobs/show.html", partial="status", job=job, progress=job_progress(job, utcnow()),
                active=job.status in ACTIVE, results=results, shown=shown, table_page=number, table_pages=pages,
                sort=sort, sort_keys=SORT_KEYS,
                sort_link=sort_link, aria_sort=aria_sort, columns=job_columns(job))


def job_columns(job: ScreeningJob) -> dict[str, Any]:
    """Which input columns feed the screening, by header name."""
    return Columns.from_json(job.columns).describe(job.header) if job.columns else {}


@bp.get("/<int:job_id>/results")
@login_required(SCREEN)
def results(job_id: int) -> Any:
    """The results file, as ``GET /api/v1/screening-jobs/<id>/results`` serves it."""
    job = store.get_job(db.session, job_id, owner())
    store.results_ready(job)
    fmt = request.args.get("format") or job.output_format
    if fmt not in FORMATS:
        raise Invalid(f"Unknown format {fmt!r}; use csv or jsonl.")
    chunks = store.result_chunks(session=db.session, jobs_dir=jobs_dir(), job=job, fmt=fmt)
    return Response(chunks, content_type=MIMETYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="screening-job-{job.id}-results.{fmt}"'})


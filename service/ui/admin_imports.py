"""List imports (the IMPORT permission: admins): upload the official files of a list and see
each run.

- ``/admin/imports`` (``ui.imports.index``): the upload form and the past runs, newest first;
- ``/admin/imports/<id>`` (``ui.imports.show``): one run: files, counts added / changed /
  delisted, warnings and the changes it made, or why it failed.

An upload runs the importer the CLI (``sanctions import``) and the API (``POST
/api/v1/imports``) run, :func:`service.records.imports.run_import`: all or nothing, so a file
that cannot be read leaves the records as they were (and is recorded as a failed run).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import MultipleFileField, SelectField
from wtforms.fields.choices import SelectChoice

from ..errors import DomainError
from ..extensions import db
from ..imports import FORMATS
from ..permissions import IMPORT
from ..records.imports import ImportFailed, get_run, list_runs, run_import
from ..uploads import save_uploads
from .auth import login_required
from .core import nav_item, page
from .edit_forms import PageForm
from .editing import attach_errors

bp = Blueprint("imports", __name__, url_prefix="/admin/imports")
nav_item("Imports", "ui.imports.index", IMPORT, order=92)

RUNS_PER_PAGE = 20
MAX_FILES = 20
SHOWN = 200  # warnings and changes listed on a run's page (the API gives up to 1000 and 2000)
DESCRIPTIONS = {
    "ofac": "OFAC (sdn.csv, alt.csv, add.csv, sdn_comments.csv, cons_*.csv)",
    "uk": "UK OFSI consolidated list (ConList.csv)",
    "un": "UN Security Council consolidated list (XML)",
    "eu": "EU financial sanctions list (XML or CSV)",
    "ftm": "FollowTheMoney entities (JSON lines)",
}
FORMAT_CHOICES = [SelectChoice(name, DESCRIPTIONS.get(name, name)) for name in FORMATS]


class ImportForm(PageForm):
    format = SelectField("List", choices=FORMAT_CHOICES, validate_choice=False)
    file = MultipleFileField("Files", description="The list's files as published; OFAC files keep their names.")


@bp.before_app_request
def _allow_big_uploads() -> None:
    """Lists are far bigger than a form: the upload gets MAX_IMPORT_BYTES (set before the CSRF
    check reads the body), and a larger one is refused with the limit named."""
    if request.endpoint != "ui.imports.index" or request.method != "POST":
        return
    limit = current_app.config["MAX_IMPORT_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(
            f"The upload is {request.content_length / 2**20:.1f} MB; the largest import this service takes is "
            f"{limit / 2**20:.0f} MB (MAX_IMPORT_BYTES).")
    request.max_content_length = limit


def render_index(form: ImportForm, status: int = 200, failed_run: int | None = None) -> Any:
    try:
        number = max(1, int(request.args.get("page", "1")))
    except ValueError:
        number = 1
    runs = list_runs(session=db.session, page=number, page_size=RUNS_PER_PAGE)
    return page("ui/admin/imports.html", form=form, runs=runs, status=status, failed_run=failed_run)


@bp.route("", methods=["GET", "POST"])
@login_required(IMPORT)
def index() -> Any:
    """The upload form and the past import runs."""
    form = ImportForm()
    if request.method == "GET":
        return render_index(form)
    uploads = [f for f in request.files.getlist("file") if f.filename]
    if not uploads:
        form.file.errors = ["Choose the list's files."]
    elif len(uploads) > MAX_FILES:
        form.file.errors = [f"At most {MAX_FILES} files at once."]
    if form.format.data not in FORMATS:
        form.format.errors = ["Choose one of the lists."]
    if form.file.errors or form.format.errors:
        form.problems.append("Nothing was imported: correct the fields marked below.")
        return render_index(form, 422)
    try:
        with tempfile.TemporaryDirectory(prefix="sanctions-upload-") as tmp:
            run = run_import(session=db.session, fmt=form.format.data, paths=save_uploads(uploads, Path(tmp)),
                             origin="ui")
    except ImportFailed as exc:
        form.problems.append(f"Nothing was imported: {exc.detail}")
        return render_index(form, 422, failed_run=exc.run_id)
    except DomainError as exc:
        db.session.rollback()
        form.problems.append(exc.detail)
        attach_errors(form, exc.errors or {}, {})
        return render_index(form, 422)
    flash(f"Imported {form.format.data.upper()}: {run.added} added, {run.changed} changed, {run.delisted} delisted, "
          f"{run.warning_count} warnings.", "success")
    return redirect(url_for("ui.imports.show", run_id=run.id))


@bp.get("/<int:run_id>")
@login_required(IMPORT)
def show(run_id: int) -> Any:
    """One import run: files, counts, warnings, changes, or its error."""
    run = get_run(session=db.session, run_id=run_id)
    return page("ui/admin/import_run.html", run=run, shown=SHOWN)

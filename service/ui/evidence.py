"""``/evidence``: the screening evidence log, filtered by time, user or key, outcome and entity
(the filters in the query string), one screening's page (its input, list fingerprint,
algorithm version and results) and the filtered log as CSV, the same file as
``GET /api/v1/screenings/export?format=csv``."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from flask import Blueprint, Response, g, request, stream_with_context
from wtforms import Form, SelectField
from wtforms.fields import DateField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from ..csvcells import utf8
from ..errors import NotFound
from ..extensions import db
from ..permissions import DISPOSITION, READ_LOGS, allows
from ..records.evidence import (
    LogFilters,
    iter_screenings,
    list_screenings,
    load_log,
    result_entities,
)
from ..records.keys import list_keys
from ..records.users import list_users
from ..schemas.audit import screening_log_csv
from .auth import login_required
from .core import nav_item, page
from .review import options

bp = Blueprint("evidence", __name__, url_prefix="/evidence")
nav_item("Evidence log", "ui.evidence.index", READ_LOGS, order=50)

PAGE_SIZE = 25
KINDS = ("single", "batch", "job", "file")


class LogForm(Form):
    """The log's filters, read from the query string (a shareable address)."""

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    who = SelectField("User or key", default="", validate_choice=False)
    outcome = SelectField("Outcome", choices=options(("", "Any"), ("match", "Match"), ("no_match", "No match")),
                          default="")
    kind = SelectField("Kind", choices=options(("", "Any"), *((k, k) for k in KINDS)), default="")
    entity_id = IntegerField("Listed entity id", validators=[Optional(), NumberRange(min=1)])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1)])


def _who_choices() -> list[SelectChoice]:
    users = [(f"user:{u.id}", f"{u.username} (user)") for u in list_users(session=db.session)]
    keys = [(f"key:{k.id}", f"{k.name} (API key)") for k in list_keys(session=db.session)]
    return options(("", "Anyone"), *users, *keys)


def _who_options(form: LogForm) -> list[SelectChoice]:
    return list(form.who.choices or [])  # type: ignore[arg-type]


def _form() -> tuple[LogForm, LogFilters | None]:
    """The filters from the query string, or None with the form's errors set."""
    form = LogForm(request.args)
    form.who.choices = _who_choices()
    valid = form.validate()
    if form.who.data and form.who.data not in {c.value for c in _who_options(form)}:
        form.who.errors = ["Choose a user or key from the list."]
        valid = False
    if valid and form.since.data and form.until.data and form.since.data > form.until.data:
        form.until.errors = ["The end date is before the start date."]
        valid = False
    if not valid:
        return form, None
    kind, _, ident = (form.who.data or "").partition(":")
    filters = LogFilters(
        since=datetime.combine(form.since.data, time.min, UTC) if form.since.data else None,
        # The whole day named: up to its last instant.
        until=datetime.combine(form.until.data, time.max, UTC) if form.until.data else None,
        key_id=int(ident) if kind == "key" else None, user_id=int(ident) if kind == "user" else None,
        had_match={"match": True, "no_match": False}.get(form.outcome.data or ""),
        entity_id=form.entity_id.data, kind=form.kind.data or None)
    return form, filters


@bp.get("")
@login_required(READ_LOGS)
def index() -> Any:
    """The log, newest first, filtered and paged by the query string."""
    form, filters = _form()
    if filters is None:
        return page("ui/evidence/index.html", partial="log", status=422, form=form, result=None)
    result = list_screenings(session=db.session, filters=filters, page=form.page.data or 1, page_size=PAGE_SIZE)
    export_args = {k: v for k, v in request.args.items() if k != "page"}
    return page("ui/evidence/index.html", partial="log", form=form, result=result, export_args=export_args)


@bp.get("/export.csv")
@login_required(READ_LOGS)
def export() -> Any:
    """The filtered log as CSV (every row, not one page), streamed."""
    form, filters = _form()
    if filters is None:
        return page("ui/evidence/index.html", status=422, form=form, result=None)
    lines = screening_log_csv(iter_screenings(session=db.session, filters=filters))
    body = (utf8(line) for line in lines)  # a stored lone surrogate must not cut the download short
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=screenings.csv"})


@bp.get("/<int:log_id>")
@login_required(READ_LOGS)
def show(log_id: int) -> Any:
    """One screening: who, when, the input, the list state, the algorithm and the results."""
    log = load_log(session=db.session, log_id=log_id)
    if log is None:
        raise NotFound(f"No screening with id {log_id} in the evidence log.")
    return page("ui/evidence/show.html", log=log, entities=result_entities(session=db.session, log=log),
                may_review=allows(g.user.role, DISPOSITION))

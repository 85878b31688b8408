"""How the editing pages save a form: the same rules and the same check as the API.

1. The form's input becomes the body a client would send (``payload``), loaded by the API's
   marshmallow schema; its messages go next to the fields they are about.
2. The version the form was read at (a hidden field) is compared with the record's
   (:func:`service.records.common.check_version`, the form's If-Match); a record changed
   meanwhile is never overwritten: the form comes back with the user's input, who changed
   the record and when, and the new version, so that a second, deliberate save may replace it.
3. The ``records/`` function the API calls writes it; its refusals (a duplicate list reference,
   dates out of order) go next to their fields too. Nothing is kept of a refused save.

The write is attributed to the signed-in user: the session's actor is set before the view runs
(:func:`.auth.load_user`), and the history hook stamps it on what the commit writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import marshmallow as ma
from flask import flash, redirect, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response
from wtforms import Field, FieldList, FormField

from ..errors import DomainError, PreconditionFailed
from ..extensions import db
from ..models import RECORD_TYPES, RecordMixin
from ..records.common import check_version, get_or_raise
from ..records.history import history_of
from .edit_forms import PageForm, RecordForm, Stale, rows

T = TypeVar("T")
M = TypeVar("M", bound=RecordMixin)

# marshmallow's wording, said for people filling in a form.
PLAIN_WORDS = {
    "Missing data for required field.": "Required.",
    "Field may not be null.": "Required.",
    "Shorter than minimum length 1.": "Required.",
    "Not a valid date.": "Not a date: use YYYY-MM-DD, e.g. 2024-03-25.",
    "Not a valid integer.": "Not a whole number.",
    "Not a valid URL.": "Not a web address (http:// or https://).",
}


def plain(message: Any) -> str:
    return PLAIN_WORDS.get(str(message), str(message))


def _messages(value: Any) -> list[str]:
    """The messages under one key of marshmallow's error dict, flattened."""
    if isinstance(value, Mapping):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [plain(value)]


def _add(field: Field, messages: list[str]) -> None:
    field.errors = [*field.errors, *messages]


def attach_errors(form: PageForm, errors: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
    """Put the schema's (or a records function's) messages next to the fields they name: in a
    row of a repeatable field, for one line of a one-per-line field, or, for what no field
    shows, at the top of the form."""
    for key, value in errors.items():
        field = form._fields.get(key)
        if field is None or key == "version":
            form.problems.extend(_messages(value))
        elif isinstance(field, FieldList) and isinstance(value, Mapping):
            filled = rows(field)
            for index, row_errors in value.items():
                row = filled[index] if isinstance(index, int) and index < len(filled) else None
                if row is None or not isinstance(row_errors, Mapping):
                    _add(field, _messages(row_errors))
                    continue
                for name, messages in row_errors.items():
                    sub = row._fields.get(name)
                    _add(sub if sub is not None else field, _messages(messages))
        elif isinstance(value, Mapping) and isinstance(payload.get(key), list):
            items = payload[key]
            for index, messages in value.items():
                item = items[index] if isinstance(index, int) and index < len(items) else None
                prefix = f"“{item}”: " if isinstance(item, str) and item not in str(messages) else ""
                _add(field, [prefix + m for m in _messages(messages)])
        else:
            _add(field, _messages(value))
    if any(f.errors for f in form) or any(_row_errors(f) for f in form):
        form.problems.append("Nothing was saved: correct the fields marked below.")


def _row_errors(field: Field) -> bool:
    if not isinstance(field, FieldList):
        return False
    return any(sub.errors for entry in field.entries if isinstance(entry, FormField) for sub in entry.form)


def load_for_edit(model: type[M], record_id: int, *, label: str) -> M:
    """The record an edit or archive page works on. A posted form loads it even when archived:
    a save made after someone archived it is then refused with a message, not answered 404."""
    return get_or_raise(db.session, model, record_id, include_archived=request.method == "POST", label=label)


def stale(record: RecordMixin) -> Stale:
    """Who last changed ``record`` (read afresh), for the message of a refused save."""
    db.session.refresh(record)
    entries = history_of(session=db.session, record_type=RECORD_TYPES[type(record)], record_id=record.id)
    last = entries[-1] if entries else None
    by = (last.user_name or last.key_name) if last is not None else None
    return Stale(by=by, at=last.at if last is not None else None, archived=record.archived)


def save(form: RecordForm, payload: dict[str, Any], *, schema: ma.Schema, write: Callable[[dict[str, Any]], T],
         record: RecordMixin | None = None, label: str = "record") -> T | None:
    """Validate ``payload`` with ``schema``, check the form's version against ``record`` (when
    editing one), ``write`` the loaded data and commit. On refusal: None, with the messages on
    the form (``form.problems``, the fields' errors) and, for a stale read, ``form.stale``."""
    form.stale = None
    body = {key: value for key, value in payload.items() if value != ""}  # blank required: "Required."
    try:
        data = schema.load(body)
    except ma.ValidationError as exc:
        attach_errors(form, exc.normalized_messages(), body)
        return None
    try:
        if record is not None:
            if record.archived:
                raise PreconditionFailed(f"This {label} has been archived; it can no longer be edited.")
            check_version(record, form.read_version(), label=label)
        result = write(data)
        db.session.commit()
    except (PreconditionFailed, StaleDataError):
        db.session.rollback()
        if record is None:
            raise
        form.stale = stale(record)
        # The form now stands on the current version: saving again is a deliberate overwrite.
        form.version.data = str(record.version)
        return None
    except DomainError as exc:
        db.session.rollback()
        form.problems.append(exc.detail)
        attach_errors(form, exc.errors or {}, body)
        return None
    return result


def submitted(form: RecordForm, payload: dict[str, Any], *, schema: ma.Schema, write: Callable[[dict[str, Any]], T],
              done: Callable[[T], tuple[str, str]], record: RecordMixin | None = None,
              label: str = "record") -> Response | None:
    """:func:`save`; once saved, ``done(result)`` says the message to flash and where to go
    (redirected there); None when refused (the view shows the form again)."""
    result = save(form, payload, schema=schema, write=write, record=record, label=label)
    if result is None:
        return None
    message, target = done(result)
    flash(message, "success")
    return redirect(target)


def form_page(form: RecordForm, render: Callable[[int], Any], payload: Callable[[], dict[str, Any]], *,
              schema: ma.Schema, write: Callable[[dict[str, Any]], T], done: Callable[[T], tuple[str, str]],
              record: RecordMixin | None = None, label: str = "record", saving: bool | None = None) -> Any:
    """An edit page's answer. A posted form (or as ``saving`` says) is :func:`submitted` with
    ``payload()``: a redirect once saved. Otherwise, and when the save is refused, the form
    again: ``render(status)``, 200 or the refusal's status."""
    if request.method == "POST" if saving is None else saving:
        saved = submitted(form, payload(), schema=schema, write=write, done=done, record=record, label=label)
        if saved is not None:
            return saved
        return render(refused_status(form))
    return render(200)


def refused_status(form: RecordForm) -> int:
    """409 for a save refused because the record changed meanwhile, else 422."""
    return 409 if form.stale is not None else 422

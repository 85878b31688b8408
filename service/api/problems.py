"""How the API's errors leave: RFC 9457 ``application/problem+json``, one handler per kind of
error (the table in :func:`init_app`), for the API's requests only.

Domain exceptions (:mod:`service.errors`) carry their status; werkzeug/flask-smorest errors
(400, 404, 405, 413, 415, 422 from webargs, 428, 412, 429), an unreachable database (503 with
Retry-After) and anything unexpected (500) are answered the same way. Requests that are not the
API's (the web interface, the docs) get the web interface's error pages (service/ui/errors.py).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, json, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db
from ..records.outage import database_unavailable
from ..schemas.common import PROBLEM_MIMETYPE

log = logging.getLogger(__name__)

# Every route under this prefix is the API's, known or not (an unknown one answers 404 as
# problem+json, and a resource registered without the Api still needs a key).
API_PREFIX = "/api/"
# What a 503 asks clients to wait before retrying: long enough for a restart or failover to
# finish, short enough that nobody gives up.
RETRY_AFTER_SECONDS = 5
UNEXPECTED = "An unexpected error occurred; it has been logged."
# What an HTTP error says when the exception brings nothing better.
HTTP_DETAILS = {
    412: "The record has changed since you read it (If-Match does not match its ETag).",
    413: "The request body is larger than this service accepts.",
    428: "This request needs an If-Match header with the record's current ETag.",
}


def is_api_request() -> bool:
    """Whether this request is the API's: routed to a blueprint registered on the Api, or
    aimed under API_PREFIX."""
    registered = current_app.extensions["flask-smorest"]["blp_name_to_api"]
    return request.blueprint in registered or request.path.startswith(API_PREFIX)


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    try:
        body["instance"] = request.path
    except RuntimeError:  # outside a request
        pass
    if errors:
        body["errors"] = errors
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


class DatabaseOutage:
    """One log line per database outage, not a traceback per request: a warning when the
    first request finds the database unreachable, another when a connection is next handed
    out ("reachable again"). One per app, shared by its request and job threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self.refused = 0

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self.refused += 1
            if self.down_since is not None:
                return
            self.down_since = time.monotonic()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:300]
        log.warning("database unavailable (%s: %s); answering 503 until it is reachable again",
                    type(error).__name__, reason)

    def reachable(self) -> None:
        if self.down_since is None:  # the common case: no lock
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds, refused = time.monotonic() - self.down_since, self.refused
            self.down_since, self.refused = None, 0
        # Same level as the outage line, so whoever sees one sees the other.
        log.warning("database reachable again after %.1f s (%d requests answered 503)", seconds, refused)


def unavailable(error: BaseException, detail: str | None = None) -> Response:
    """503 for a database that cannot be reached now (down, restarting, connections dropped,
    pool exhausted, SQLite file locked): the request was fine and may be retried."""
    outage: DatabaseOutage | None = current_app.extensions.get("database_outage")
    if outage is not None:
        outage.failed(error)
    return problem_response(
        503, detail or "The database is unavailable; retry in a few seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def http_problem(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or error.description
    if error.code == 422 and errors:
        detail = "The request failed validation; see errors for each field."
        errors = _flatten_webargs(errors)
    elif error.code == 400 and errors:
        errors = _flatten_webargs(errors)
        if errors.get("json") == ["Invalid JSON body."]:
            detail = "The request body is not valid JSON."
    elif error.code in HTTP_DETAILS:
        detail = HTTP_DETAILS[error.code]
    if error.code == 304:
        return Response(status=304)
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
    return problem_response(error.code or 500, detail, errors=errors, headers=headers)


def _flatten_webargs(errors: Any) -> dict[str, Any]:
    """webargs nests messages by location ({"json": {...}}); keep the location only when it
    says something (query string vs body)."""
    if not isinstance(errors, dict):
        return {"_": errors}
    if set(errors) == {"json"} and isinstance(errors["json"], dict):
        return errors["json"]
    return errors


def _rollback() -> None:
    # The connection may be dead: discard it and the transaction, whatever the rollback says.
    with contextlib.suppress(Exception):
        db.session.rollback()


def _domain(error: DomainError) -> Response:
    _rollback()
    return problem_response(error.status, error.detail, title=error.title, errors=error.errors)


def _integrity(error: IntegrityError) -> Response:
    _rollback()
    log.info("integrity error: %s", error.orig)
    return problem_response(409, "The change conflicts with an existing record (a duplicate or a broken link).")


def _database(error: DBAPIError) -> Response:
    _rollback()
    if database_unavailable(error):
        return unavailable(error)
    log.error("unhandled error", exc_info=error)  # a bug (bad SQL, a value the column refuses)
    return problem_response(500, UNEXPECTED)


def _pool_timeout(error: PoolTimeout) -> Response:
    # Every connection busy for pool_timeout seconds: the database is as good as down.
    _rollback()
    return unavailable(error)


def _stale(error: StaleDataError) -> Response:
    _rollback()
    return problem_response(412, "The record was changed by another request; read it again.")


def _unexpected(error: Exception) -> Response:
    _rollback()
    log.exception("unhandled error")
    return problem_response(500, UNEXPECTED)


HANDLERS: dict[type[Exception], Callable[[Any], Response]] = {
    DomainError: _domain,
    IntegrityError: _integrity,
    DBAPIError: _database,
    PoolTimeout: _pool_timeout,
    StaleDataError: _stale,
    HTTPException: http_problem,
    Exception: _unexpected,
}


def _api_only(answer: Callable[[Any], Response]) -> Callable[[Exception], Any]:
    """``answer`` for the API's requests; anything else goes to the app's error pages (the web
    interface registers them as ``app.extensions["error_page"]``), or without them is left to
    Flask, as if no handler were registered (an HTTP error renders its own page, any other
    error propagates)."""

    def handler(error: Exception) -> Any:
        if is_api_request():
            return answer(error)
        error_page = current_app.extensions.get("error_page")
        if error_page is not None:
            return error_page(error)
        if isinstance(error, HTTPException):
            return error
        raise error

    return handler


def init_app(app: Flask) -> None:
    """Register the table above (Flask picks the most specific class) and the outage log."""
    for kind, answer in HANDLERS.items():
        app.register_error_handler(kind, _api_only(answer))
    # A connection handed out (after its pre-ping) is the database answering again: the
    # outage, if there was one, is over.
    outage = app.extensions["database_outage"] = DatabaseOutage()
    event.listen(app.extensions["sqlalchemy_engine"], "checkout", lambda *args: outage.reachable())

"""Error pages a person can read (no stack trace), for every request that is not the API's:
the API keeps problem+json (service/api/problems.py hands other requests to
:func:`error_page`, registered as ``app.extensions["error_page"]``)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from flask import Response, g, make_response, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from ..extensions import db
from ..records.outage import database_unavailable
from .auth import load_user
from .security import add_security_headers

log = logging.getLogger(__name__)

TITLES = {
    400: "The request could not be understood",
    401: "Please sign in",
    403: "You may not do this",
    404: "Page not found",
    405: "Not allowed here",
    409: "Conflict",
    412: "Changed meanwhile",
    413: "Too large",
    422: "Not accepted",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
MESSAGES = {
    403: "Your role does not allow this page or action. Ask an administrator if you need it.",
    404: "There is no page at this address. Check the link, or start again from the search page.",
    405: "This address does not accept that kind of request.",
    500: "An unexpected error occurred. It has been logged; please try again, and tell an administrator "
         "if it happens again.",
    503: "The database is unavailable at the moment. Please try again in a few seconds.",
}
CSRF_MESSAGE = ("This form could not be accepted: its security token is missing or no longer valid. "
                "Reload the page and submit it again.")


def error_page(error: Exception) -> Any:
    """The page for ``error``; redirects and other non-errors pass through unchanged."""
    headers: dict[str, str] = {}
    if isinstance(error, CSRFError):
        status, message = 403, CSRF_MESSAGE
        log.warning("CSRF check failed: %s", error.description)
    elif isinstance(error, HTTPException):
        if error.code is None or error.code < 400:
            return error
        status, message = error.code, MESSAGES.get(error.code, error.description or "")
        headers = dict(error.get_headers()) if error.code in (405, 429) else {}
        headers.pop("Content-Type", None)
    elif isinstance(error, DomainError):
        _rollback()
        status, message = error.status, error.detail
    elif isinstance(error, PoolTimeout) or (isinstance(error, DBAPIError) and database_unavailable(error)):
        _rollback()
        status, message, headers = 503, MESSAGES[503], {"Retry-After": "5"}
    else:
        _rollback()
        log.exception("unhandled error", exc_info=error)
        status, message = 500, MESSAGES[500]
    return render_error(status, message, headers)


def render_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if "user" not in g and status not in (500, 503):
        # An address no UI route matched: the hooks did not run; show the navigation anyway.
        with contextlib.suppress(Exception):
            load_user()
    try:
        body = render_template("ui/error.html", status=status, title=TITLES.get(status, "Error"), message=message)
    except Exception:  # the page itself failed (a broken template, the database): plain text
        log.exception("error page failed")
        body = f"{status} {TITLES.get(status, 'Error')}\n\n{message}\n"
        headers = {**(headers or {}), "Content-Type": "text/plain; charset=utf-8"}
    response = make_response(body, status)
    response.headers.update(headers or {})
    return add_security_headers(response)


def _rollback() -> None:
    with contextlib.suppress(Exception):
        db.session.rollback()

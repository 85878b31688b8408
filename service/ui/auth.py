"""Who is signed in: the session's user, loaded before every UI request; the idle timeout; the
:func:`login_required` decorator; sign-in and sign-out with rate-limited attempts.

The session cookie holds the user's id, a stamp that changes when the password is reset
(:func:`service.records.users.session_stamp`) and the time of the last request. A session ends
when it has been idle for SESSION_IDLE_MINUTES, when the user is disabled or gone, or when the
password was reset: at its next request, whatever the cookie says.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_limiter.util import get_remote_address
from limits import parse

from ..extensions import db
from ..models import User
from ..permissions import allows
from ..records.actor import Actor
from ..records.users import session_stamp

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
# The last-request time in the cookie is rewritten at most this often (seconds), not on every
# request, so that concurrent htmx requests rarely race on the cookie.
SEEN_RESOLUTION = 30.0


def current_user() -> User | None:
    return g.get("user")  # type: ignore[no-any-return]


def load_user() -> None:
    """Before every UI request: the signed-in user (or None) in ``g.user``, and, for a user, the
    actor the records functions stamp on what this request writes."""
    g.user = None
    user_id = session.get("uid")
    if user_id is None:
        return
    now = time.time()
    idle = now - float(session.get("seen", 0))
    if idle > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        end_session("Your session ended after a period of inactivity; please sign in again.")
        return
    user = db.session.get(User, user_id)
    if user is None or user.disabled or session.get("stamp") != session_stamp(user):
        end_session("Your session has ended; please sign in again.")
        return
    if idle > SEEN_RESOLUTION:
        session["seen"] = now
    g.user = user
    g.actor = db.session.info["actor"] = Actor.of_user(user, g.get("request_id"))


def end_session(message: str | None = None) -> None:
    session.clear()
    g.user = None
    if message:
        flash(message, "info")


def sign_in(user: User) -> None:
    """A fresh session for ``user`` (nothing of the signed-out session is kept: no fixation)."""
    session.clear()
    session["uid"] = user.id
    session["stamp"] = session_stamp(user)
    session["seen"] = time.time()
    log.info("sign-in: %s (%s) from %s", user.username, user.role, get_remote_address())


def login_required(permission: str | None = None) -> Callable[[F], F]:
    """The view needs a signed-in user whose role grants ``permission`` (any signed-in user
    when None). Signed out: to the sign-in page and back (htmx: a full-page redirect); a role
    that may not: the 403 page."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                target = url_for("ui.account.login", next=request.full_path.rstrip("?"))
                if request.headers.get("HX-Request") == "true":
                    return "", 401, {"HX-Redirect": target}
                return redirect(target)
            if permission is not None and not allows(user.role, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return cast(F, wrapper)

    return decorate


def public(view: F) -> F:
    """Mark a view open to anyone (the sign-in page); every other UI view uses login_required."""
    view.required_permission = "public"  # type: ignore[attr-defined]
    return view


def login_throttled(username: str) -> float | None:
    """Count a sign-in attempt from this address and for this user name; None while within
    LOGIN_RATE_LIMIT for both, else the seconds until the next attempt is allowed."""
    config = current_app.config
    if not config["RATELIMIT_ENABLED"]:
        return None
    limiter = current_app.extensions["rate_limiter"].limiter
    item = parse(config["LOGIN_RATE_LIMIT"])
    prefix = config["RATE_LIMIT_KEY_PREFIX"]
    keys = [(prefix, "login-ip", get_remote_address()), (prefix, "login-user", username.strip().casefold()[:64])]
    refused = [key for key in keys if not limiter.hit(item, *key)]
    if not refused:
        return None
    return max(limiter.get_window_stats(item, *key).reset_time for key in refused) - time.time()

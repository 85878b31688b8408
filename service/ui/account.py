"""Signing in and out: ``/login`` (a plain form: ``username``, ``password`` and the CSRF token)
and ``/logout`` (POST)."""

from __future__ import annotations

import logging
import math
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, redirect, request, url_for
from flask_limiter.util import get_remote_address

from ..extensions import db
from ..records.users import authenticate
from .auth import current_user, end_session, login_throttled, public, sign_in
from .core import page
from .forms import LoginForm

log = logging.getLogger(__name__)
bp = Blueprint("account", __name__)

FAILED = "The user name or password is not right."


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (never another host)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target \
            and not urlsplit(target).netloc:
        return target
    return url_for("ui.search.home")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """The sign-in form; a signed-in user goes straight on."""
    target = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(target)
    form = LoginForm()
    if request.method == "POST":
        username = (form.username.data or "")[:64]
        wait = login_throttled(username)
        if wait is not None:
            seconds = math.ceil(max(wait, 1))
            log.warning("sign-in refused for %r from %s: too many attempts", username, get_remote_address())
            response = page("ui/login.html", form=form, next=target, status=429,
                            error=f"Too many sign-in attempts. Try again in {seconds} seconds.")
            response.headers["Retry-After"] = str(seconds)
            return response
        if form.validate():
            result = authenticate(session=db.session, username=username, password=form.password.data or "")
            if result.user is not None:
                db.session.commit()  # the sign-in time, and a new hash when the parameters changed
                sign_in(result.user)
                return redirect(target)
            log.warning("sign-in failed for %r from %s: %s", username, get_remote_address(), result.failure)
            return page("ui/login.html", form=form, next=target, error=FAILED, status=422)
        return page("ui/login.html", form=form, next=target, status=422)
    return page("ui/login.html", form=form, next=target)


@bp.post("/logout")
@public
def logout() -> Any:
    """Sign out (POST with the CSRF token, so another site cannot sign anyone out)."""
    user = current_user()
    end_session("You are signed out." if user is not None else None)
    if user is not None:
        log.info("sign-out: %s", user.username)
    return redirect(url_for("ui.account.login"))

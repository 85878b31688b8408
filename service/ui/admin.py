"""Administration pages (admin role): the users of the web interface and the API keys.

- ``/admin/users`` (``ui.admin.users``): every user, with buttons to disable, enable and reset
  a password; ``/admin/users/new`` (``ui.admin.new_user``): create one with a role;
- ``/admin/keys`` (``ui.admin.keys``): every key; create one with a name and role; revoke.

Secrets (a generated password, a new key) are shown once, in the answer to the POST that made
them, and never stored in the session or a redirect; those answers are not cached.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, request, url_for
from wtforms import PasswordField, SelectField, StringField

from ..errors import DomainError
from ..extensions import db
from ..models import ApiKey
from ..permissions import ADMIN, ROLES
from ..records import users as user_records
from ..records.keys import create_key, list_keys, revoke_key
from .auth import login_required
from .core import nav_item, page
from .edit_forms import PageForm
from .editing import attach_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")
nav_item("Users", "ui.admin.users", ADMIN, order=90)
nav_item("API keys", "ui.admin.keys", ADMIN, order=91)

ROLE_CHOICES = list(ROLES)


class UserForm(PageForm):
    username = StringField("User name", description="Letters, digits and . _ @ - (up to 64).")
    role = SelectField("Role", choices=ROLE_CHOICES, default="analyst", validate_choice=False)
    password = PasswordField("Password", description="At least 12 characters; leave blank for a random one, "
                                                     "shown once.")


class KeyForm(PageForm):
    name = StringField("Name", description="Who or what uses the key, e.g. vendor-portal.")
    role = SelectField("Role", choices=ROLE_CHOICES, default="screener", validate_choice=False)


class ConfirmForm(PageForm):
    """A confirmation: only the CSRF token."""


def secret_page(template: str, **context: Any) -> Response:
    """A page that shows a secret once: never cached, never kept in history by a proxy."""
    response = page(template, **context)
    response.headers["Cache-Control"] = "no-store"
    return response


def refused(form: PageForm, error: DomainError) -> None:
    db.session.rollback()
    form.problems.append(error.detail)
    attach_errors(form, error.errors or {}, {})


@bp.get("/users")
@login_required(ADMIN)
def users() -> Any:
    """Every user, with role, state and last sign-in."""
    return page("ui/admin/users.html", users=user_records.list_users(session=db.session), form=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@login_required(ADMIN)
def new_user() -> Any:
    """Create a user with a role (and a password, or a random one shown once)."""
    form = UserForm()
    if request.method == "POST":
        password = form.password.data or user_records.new_password()
        try:
            user = user_records.create_user(session=db.session, username=form.username.data or "",
                                            role=form.role.data or "", password=password)
            db.session.commit()
        except DomainError as exc:
            refused(form, exc)
            return page("ui/admin/user_form.html", form=form, status=422)
        flash(f"Created the user {user.username} ({user.role}).", "success")
        if form.password.data:
            return redirect(url_for("ui.admin.users"))
        return secret_page("ui/admin/secret.html", title=f"User {user.username} created", secret=password,
                           what="password", back=url_for("ui.admin.users"), username=user.username)
    return page("ui/admin/user_form.html", form=form)


@bp.post("/users/<username>/<any(disable, enable):action>")
@login_required(ADMIN)
def set_state(username: str, action: str) -> Any:
    """Disable a user (their sessions end at their next request) or enable them again."""
    user = user_records.get_user(session=db.session, username=username)
    if action == "disable" and user.id == g.user.id:
        flash("You cannot disable your own account: ask another administrator.", "error")
        return redirect(url_for("ui.admin.users"))
    user_records.set_disabled(session=db.session, username=user.username, disabled=action == "disable")
    db.session.commit()
    flash(f"{'Disabled' if action == 'disable' else 'Enabled'} the user {user.username}.", "success")
    return redirect(url_for("ui.admin.users"))


@bp.route("/users/<username>/reset-password", methods=["GET", "POST"])
@login_required(ADMIN)
def reset(username: str) -> Any:
    """Give a user a new random password (shown once); their open sessions end."""
    user = user_records.get_user(session=db.session, username=username)
    form = ConfirmForm()
    if request.method == "POST":
        password = user_records.new_password()
        user_records.reset_password(session=db.session, username=user.username, password=password)
        db.session.commit()
        return secret_page("ui/admin/secret.html", title=f"New password for {user.username}", secret=password,
                           what="password", back=url_for("ui.admin.users"), username=user.username)
    return page("ui/admin/confirm.html", form=form, title=f"Reset the password of {user.username}?",
                action="Reset the password", back=url_for("ui.admin.users"),
                text="A new random password is made and shown to you once; the user's open sessions end.")


# --- API keys -------------------------------------------------------------------------------

@bp.route("/keys", methods=["GET", "POST"])
@login_required(ADMIN)
def keys() -> Any:
    """Every API key (never its secret); a form to create one, shown once."""
    form = KeyForm()
    if request.method == "POST":
        try:
            key, token = create_key(session=db.session, name=form.name.data or "", role=form.role.data or "")
            db.session.commit()
        except DomainError as exc:
            refused(form, exc)
            return page("ui/admin/keys.html", form=form, keys=list_keys(session=db.session), status=422)
        return secret_page("ui/admin/secret.html", title=f"API key “{key.name}” created ({key.role})",
                           secret=token, what="key", back=url_for("ui.admin.keys"))
    return page("ui/admin/keys.html", form=form, keys=list_keys(session=db.session))


@bp.route("/keys/<int:key_id>/revoke", methods=["GET", "POST"])
@login_required(ADMIN)
def revoke(key_id: int) -> Any:
    """Revoke an API key (after a confirmation): it stops working at once."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    if request.method == "POST":
        revoke_key(session=db.session, key_id=key_id)
        db.session.commit()
        # Keys recently authenticated are remembered by each process (API_KEY_CACHE_SECONDS):
        # this one forgets it at once, the others within that bound.
        current_app.extensions["api_keys"].forget(key_id)
        flash(f"Revoked the API key “{key.name}” ({key.prefix}…).", "success")
        return redirect(url_for("ui.admin.keys"))
    return page("ui/admin/confirm.html", form=ConfirmForm(), title=f"Revoke the API key “{key.name}”?",
                action="Revoke the key", back=url_for("ui.admin.keys"),
                text=f"The key {key.prefix}… ({key.role}) stops working at once; this cannot be undone.")

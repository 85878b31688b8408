"""Administration pages (admin role): the users of the web interface."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..extensions import db
from ..permissions import ADMIN
from ..records.users import list_users
from .auth import login_required
from .core import nav_item, page

bp = Blueprint("admin", __name__, url_prefix="/admin")
nav_item("Users", "ui.admin.users", ADMIN, order=90)


@bp.get("/users")
@login_required(ADMIN)
def users() -> Any:
    """Every user, with role, state and last sign-in."""
    return page("ui/admin/users.html", users=list_users(session=db.session))

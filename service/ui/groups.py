"""The threat-group page (``/threat-groups/<id>``: aliases, MITRE id, members with their
roles, designations and charges, and the group's cases) and the case page (``/cases/<id>``:
court, docket, defendants and the charges against each)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from ..extensions import db
from ..permissions import READ
from ..records.cases import load_case_page
from ..records.threat_groups import load_group_page
from .auth import login_required
from .core import page

bp = Blueprint("groups", __name__, url_prefix="/threat-groups")
cases_bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/<int:group_id>")
@login_required(READ)
def show(group_id: int) -> Any:
    """A threat group and everyone linked to it."""
    return page("ui/groups/show.html", group=load_group_page(session=db.session, group_id=group_id))


@cases_bp.get("/<int:case_id>", endpoint="show")
@login_required(READ)
def show_case(case_id: int) -> Any:
    """A criminal case, its defendants and the charges against each."""
    return page("ui/groups/case.html", case=load_case_page(session=db.session, case_id=case_id))

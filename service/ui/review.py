"""``/review``: the review queue (matches no one has decided yet, newest first; filters in the
query string), one match's page (assign it to me, decide with a comment) and, with four-eyes
review (FOUR_EYES_REVIEW), approving or rejecting another user's proposal.

The rules live in :mod:`service.records.review` (the queue, assignment) and
:mod:`service.records.decisions` (decide, approve, reject, the four-eyes rule); these views
read the form, call them, commit and redirect.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from werkzeug.routing import BuildError
from wtforms import Form, SelectField
from wtforms.fields import DecimalField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from ..errors import DomainError
from ..extensions import db
from ..models import DECISIONS
from ..monitoring.alerts import get_alert
from ..permissions import DISPOSITION
from ..records import decisions
from ..records.review import SOURCES, QueueFilters, authorities, queue, resolve
from ..records.review import assign as assign_pair
from ..records.screening import log_settings
from .auth import login_required
from .core import nav_item, page

bp = Blueprint("review", __name__, url_prefix="/review")
nav_item("Review", "ui.review.index", DISPOSITION, order=40)

PAGE_SIZE = 25
DECISION_LABELS = {"true_match": "True match", "false_positive": "False positive", "needs_review": "Needs review"}


def options(*pairs: tuple[str, str]) -> list[SelectChoice]:
    """A select's options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class QueueForm(Form):
    """The queue's filters, read from the query string (a shareable address)."""

    assigned = SelectField("Assigned", choices=options(("", "Anyone or no one"), ("mine", "To me"),
                                                       ("unassigned", "To no one")), default="")
    source = SelectField("Source", choices=options(("", "Any"), *((s, s.capitalize()) for s in SOURCES)), default="")
    authority = SelectField("Authority", default="", validate_choice=False)
    min_score = DecimalField("Lowest score", places=None, validators=[Optional(), NumberRange(0, 1)])
    max_score = DecimalField("Highest score", places=None, validators=[Optional(), NumberRange(0, 1)])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1)])


def entity_url(entity_id: int) -> str | None:
    """The entity page, when the web interface has one."""
    try:
        return url_for("ui.entities.show", entity_id=entity_id)
    except BuildError:
        return None


bp.add_app_template_global(entity_url, "entity_url")


def four_eyes() -> bool:
    return bool(current_app.config["FOUR_EYES_REVIEW"])


@bp.get("")
@login_required(DISPOSITION)
def index() -> Any:
    """The queue, filtered and paged by the query string."""
    form = QueueForm(request.args)
    known = authorities(db.session)
    form.authority.choices = options(("", "Any"), *((a, a) for a in known))
    result = None
    status = 200
    if form.validate() and (not form.authority.data or form.authority.data in known):
        filters = QueueFilters(
            assigned=form.assigned.data or None, user_id=g.user.id, authority=form.authority.data or None,
            min_score=float(form.min_score.data) if form.min_score.data is not None else None,
            max_score=float(form.max_score.data) if form.max_score.data is not None else None,
            source=form.source.data or None)
        try:
            result = queue(session=db.session, filters=filters, page=form.page.data or 1, page_size=PAGE_SIZE)
        except DomainError as exc:
            form.form_errors.append(str(exc))
            status = 422
    else:
        if form.authority.data and form.authority.data not in known:
            form.authority.errors = [f"No authority {form.authority.data!r} lists anyone."]
        status = 422
    return page("ui/review/queue.html", partial="queue", status=status, form=form, result=result,
                four_eyes=four_eyes(), labels=DECISION_LABELS)


def _back(default: str, target: str | None = None) -> str:
    """Where to return: the queue as it was filtered (a path under /review only)."""
    target = request.form.get("back", "") if target is None else target
    parts = urlsplit(target)
    if target.startswith("/review") and not parts.netloc and "\\" not in target:
        return target
    return default


@bp.get("/<source>/<int:ref_id>/<int:entity_id>")
@login_required(DISPOSITION)
def item(source: str, ref_id: int, entity_id: int) -> Any:
    """One match: the subject, the entity, who has it, proposals and decisions so far."""
    pair = resolve(session=db.session, source=source, ref_id=ref_id, entity_id=entity_id,
                   settings=log_settings(current_app.config))
    return page("ui/review/item.html", source=source, ref_id=ref_id, pair=pair,
                record=decisions.pair_record(session=db.session, pair=pair), four_eyes=four_eyes(),
                labels=DECISION_LABELS, back=_back("", request.args.get("back", "")))


@bp.get("/alerts/<int:alert_id>")
@login_required(DISPOSITION)
def alert(alert_id: int) -> Any:
    """A monitoring alert as the queue lists it: the subject, the entity, the score and its
    events (its workflow is the monitoring API's, ``PATCH /api/v1/monitoring/alerts/{id}``)."""
    return page("ui/review/alert.html", alert=get_alert(session=db.session, alert_id=alert_id))


@bp.post("/<source>/<int:ref_id>/<int:entity_id>/assign")
@login_required(DISPOSITION)
def assign(source: str, ref_id: int, entity_id: int) -> Any:
    """Assign a match to the signed-in user."""
    pair = resolve(session=db.session, source=source, ref_id=ref_id, entity_id=entity_id,
                   settings=log_settings(current_app.config))
    assign_pair(session=db.session, pair=pair, actor=g.actor)
    db.session.commit()
    flash("The match is assigned to you.", "success")
    return redirect(_back(url_for("ui.review.item", source=source, ref_id=ref_id, entity_id=entity_id)))


@bp.post("/<source>/<int:ref_id>/<int:entity_id>/decide")
@login_required(DISPOSITION)
def decide(source: str, ref_id: int, entity_id: int) -> Any:
    """Record a decision with a comment (with four-eyes review, a true match or false positive
    is a proposal for a second reviewer)."""
    here = url_for("ui.review.item", source=source, ref_id=ref_id, entity_id=entity_id)
    decision = request.form.get("decision", "")
    if decision not in DECISIONS:
        flash("Choose a decision: true match, false positive or needs review.", "error")
        return redirect(here)
    pair = resolve(session=db.session, source=source, ref_id=ref_id, entity_id=entity_id,
                   settings=log_settings(current_app.config))
    done = decisions.decide(session=db.session, pair=pair, decision=decision, comment=request.form.get("comment"),
                            actor=g.actor, four_eyes=four_eyes())
    db.session.commit()
    label = DECISION_LABELS[decision].lower()
    if done.in_force:
        flash(f"Decision recorded: {label}.", "success")
        return redirect(_back(url_for("ui.review.index")))
    flash(f"Decision proposed: {label}. It takes effect when a second reviewer approves it.", "success")
    return redirect(here)


def _close(approve: bool, proposal_id: int) -> Any:
    act = decisions.approve if approve else decisions.reject
    proposal = act(session=db.session, proposal_id=proposal_id, actor=g.actor, comment=request.form.get("comment"))
    db.session.commit()
    label = DECISION_LABELS.get(proposal.decision, proposal.decision).lower()
    if approve:
        flash(f"Approved: the {label} decision is in force.", "success")
    else:
        flash(f"Rejected: the proposed {label} does not take effect; the match stays in the queue.", "success")
    return redirect(_back(url_for("ui.review.index")))


@bp.post("/proposals/<int:proposal_id>/approve")
@login_required(DISPOSITION)
def approve(proposal_id: int) -> Any:
    """Approve another user's proposal (four-eyes review)."""
    return _close(True, proposal_id)


@bp.post("/proposals/<int:proposal_id>/reject")
@login_required(DISPOSITION)
def reject(proposal_id: int) -> Any:
    """Reject another user's proposal (four-eyes review)."""
    return _close(False, proposal_id)

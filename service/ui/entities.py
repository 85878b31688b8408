"""The entity page (``/entities/<id>``): every name in its script, identifiers, dates, places;
designations, charges and threat groups; the history of the record and what hangs on it; and
the record as it stood on a past day (``?as_of=2024-03-01``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, request

from ..errors import Invalid
from ..extensions import db
from ..permissions import READ
from ..records.highlight import detect_script
from ..records.timeline import entity_timeline, entity_view, load_entity
from .auth import login_required
from .core import page

bp = Blueprint("entities", __name__, url_prefix="/entities")

# Address parts in the order a reader expects them, when no one-line form was given.
ADDRESS_PARTS = ("street", "city", "postal_code", "region", "country")


def read_day(value: str | None) -> date | None:
    """The ``as_of`` day of the query string; refused with a message when it is not a date."""
    if not value or not value.strip():
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"“{value[:40]}” is not a date: give the day as YYYY-MM-DD, e.g. 2024-03-25.") from None
    if day > date.today():
        raise Invalid(f"{day.isoformat()} is in the future: the history can only say how a record stood until today.")
    return day


@bp.get("/<int:entity_id>")
@login_required(READ)
def show(entity_id: int) -> Any:
    """A person, company, vessel or aircraft, now or (``as_of``) at the end of a past day."""
    day = read_day(request.args.get("as_of"))
    entity = load_entity(session=db.session, entity_id=entity_id)
    view = entity_view(session=db.session, entity=entity, day=day)
    timeline = entity_timeline(session=db.session, entity=entity)
    return page("ui/entities/show.html", entity=entity, view=view, day=day, timeline=timeline,
                today=date.today().isoformat())


@bp.app_template_filter("script_of")
def script_of(name: Any) -> str | None:
    """A name's script as the list gave it, else as its letters say."""
    return getattr(name, "script", None) or detect_script(getattr(name, "name", "") or "")


@bp.app_template_filter("address_text")
def address_text(address: dict[str, Any]) -> str:
    if address.get("full"):
        return str(address["full"])
    return ", ".join(str(address[k]) for k in ADDRESS_PARTS if address.get(k))


@bp.app_template_filter("change_text")
def change_text(value: Any) -> str:
    """A history value as a line of text: lists item by item, records by their non-empty fields."""
    if value is None or value in ([], {}, ""):
        return "—"
    if isinstance(value, list):
        return "; ".join(change_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(str(v) if k in ("name", "value", "full") else f"{k.replace('_', ' ')} {v}"
                         for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)

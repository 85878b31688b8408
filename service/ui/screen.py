"""``/screen``: screen one name with every field ``POST /api/v1/screen`` takes (name, type,
birth date, country, identifiers, threshold), results ranked with their explanation in words.

The form is a GET form, so a screening has a shareable address; each screening (each load of
such an address) is a screening, and leaves its evidence-log row attributed to the signed-in
user, through the same function the API uses (:func:`service.records.screening.screen_and_log`).
Input is checked by the API's own schema, with its messages shown beside the fields.
"""

from __future__ import annotations

from typing import Any

import pycountry
from flask import Blueprint, current_app, g, request, url_for
from marshmallow import ValidationError
from werkzeug.routing import BuildError

from ..extensions import db
from ..permissions import READ, SCREEN, allows
from ..records.screening import log_settings, screen_and_log
from ..schemas.screening import ScreenRequest
from ..screening import DEFAULT_THRESHOLD
from ..vocabulary import ENTITY_TYPES, IDENTIFIER_SCHEMES
from .auth import login_required
from .core import nav_item, page
from .explain import describe
from .search import index_cache

bp = Blueprint("screen", __name__)
nav_item("Screen", "ui.screen.screen", SCREEN, order=30)

#: Identifier rows the form offers.
IDENTIFIER_ROWS = 2
#: Results shown per screening.
RESULT_LIMIT = 10
FIELDS = ("name", "type", "birth_date", "country", "threshold")
COUNTRIES = sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])
COUNTRIES.append(("XK", "Kosovo"))
COUNTRIES.sort(key=lambda c: c[1])


def form_values() -> dict[str, Any]:
    """The form's fields as sent (strings), identifiers as rows."""
    args = request.args
    values: dict[str, Any] = {key: args.get(key, "").strip() for key in FIELDS}
    schemes, ids, countries = args.getlist("id_scheme"), args.getlist("id_value"), args.getlist("id_country")
    rows = []
    for i in range(max(IDENTIFIER_ROWS, len(ids))):
        rows.append({"scheme": (schemes[i] if i < len(schemes) else "").strip(),
                     "value": (ids[i] if i < len(ids) else "").strip(),
                     "country": (countries[i] if i < len(countries) else "").strip()})
    values["identifiers"] = rows
    return values


def request_data(values: dict[str, Any]) -> dict[str, Any]:
    """The API's request body from the form: empty fields left out, as a client would."""
    data: dict[str, Any] = {key: values[key] for key in ("name", "type", "birth_date", "country") if values[key]}
    if values["threshold"]:
        data["threshold"] = values["threshold"]
    data["identifiers"] = [
        {k: v for k, v in (("scheme", row["scheme"] or "other"), ("value", row["value"]), ("country", row["country"]))
         if v}
        for row in values["identifiers"] if row["value"]
    ]
    data["limit"] = RESULT_LIMIT
    return data


def field_errors(messages: dict[str, Any], values: dict[str, Any]) -> dict[str, str]:
    """The schema's messages by form field (``identifiers.0.value`` -> ``id_value_0``)."""
    errors: dict[str, str] = {}
    sent = [i for i, row in enumerate(values["identifiers"]) if row["value"]]
    for key, value in messages.items():
        if key == "identifiers" and isinstance(value, dict):
            for index, fields in value.items():
                row = sent[int(index)] if str(index).isdigit() and int(index) < len(sent) else 0
                if isinstance(fields, dict):
                    for name, text in fields.items():
                        errors[f"id_{name}_{row}"] = " ".join(text) if isinstance(text, list) else str(text)
                else:
                    errors["identifiers"] = " ".join(map(str, fields))
        else:
            errors[key] = " ".join(map(str, value)) if isinstance(value, list) else str(value)
    return errors


def entity_link(entity_id: int) -> str | None:
    """The entity page's address, for users who may read the records and once that page
    exists (another area of the interface provides it)."""
    if not allows(g.user.role, READ):
        return None
    try:
        return url_for("ui.entities.show", entity_id=entity_id)
    except BuildError:
        return None


@bp.get("/screen")
@login_required(SCREEN)
def screen() -> Any:
    """The screening form; with a name, the ranked results and their explanations."""
    values = form_values()
    errors: dict[str, str] = {}
    result = None
    screened = any(values[k] for k in FIELDS) or any(r["value"] for r in values["identifiers"])
    if screened:
        try:
            data = ScreenRequest().load(request_data(values))
        except ValidationError as exc:
            errors = field_errors(exc.messages if isinstance(exc.messages, dict) else {}, values)
        else:
            threshold, limit = data.pop("threshold"), data.pop("limit")
            result = screen_and_log(session=db.session, cache=index_cache(), subjects={"q": data},
                                    threshold=threshold, limit=limit, kind="single", actor=g.actor,
                                    settings=log_settings(current_app.config))["q"]
            db.session.commit()
            for match in result["matches"]:
                entity = match.get("entity")
                match["reading"] = describe(match["explanation"], entity_type=entity.type if entity else None)
                match["link"] = entity_link(match["entity_id"])
    status = 422 if errors else 200
    return page("ui/screen.html", status=status, values=values, errors=errors, result=result,
                types=ENTITY_TYPES, schemes=IDENTIFIER_SCHEMES, countries=COUNTRIES,
                default_threshold=DEFAULT_THRESHOLD)

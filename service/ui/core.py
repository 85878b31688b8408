"""What every page shares: the ``ui`` blueprint that holds the templates and static files and
runs the per-request hooks (see the package docstring), the navigation registry and
:func:`page`, which renders a whole page or, for an htmx request, one block of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, g, make_response, render_template, request

from ..permissions import allows

ui = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/ui/static")


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: str | None  # None: any signed-in user
    order: int


NAV: list[NavItem] = []


def nav_item(label: str, endpoint: str, permission: str | None, *, order: int) -> None:
    """Add a link to the main navigation, shown to users whose role grants ``permission``."""
    if not any(item.endpoint == endpoint for item in NAV):
        NAV.append(NavItem(label, endpoint, permission, order))
        NAV.sort(key=lambda item: item.order)


def nav_items() -> Iterator[NavItem]:
    """The navigation links the signed-in user may follow."""
    user = g.get("user")
    if user is None:
        return
    for item in NAV:
        if item.permission is None or allows(user.role, item.permission):
            yield item


def is_partial_request() -> bool:
    """An htmx request for a part of the page (not a boosted link or a history restore,
    which need the whole page)."""
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def render_block(template_name: str, block: str, **context: Any) -> str:
    """One ``{% block %}`` of a template, rendered with the same context a whole page gets."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.get_template(template_name)
    app.update_template_context(context)
    return "".join(template.blocks[block](template.new_context(context)))


def page(template_name: str, *, partial: str | None = None, status: int = 200, **context: Any) -> Response:
    """The page ``template_name``; for an htmx request, only its block ``partial`` (when given).
    Responses that differ by ``HX-Request`` say so, for caches."""
    if partial is not None and is_partial_request():
        response = make_response(render_block(template_name, partial, **context), status)
    else:
        response = make_response(render_template(template_name, **context), status)
    if partial is not None:
        response.vary.add("HX-Request")
    return response


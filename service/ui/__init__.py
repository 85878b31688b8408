"""The web interface for compliance staff: server-rendered pages beside the JSON API.

Pages call ``records/``, ``screening/`` and ``jobs/`` directly (never the HTTP API), sign people
in with a session cookie (users, not keys: :mod:`service.records.users`) and answer errors
with pages (:mod:`.errors`); the API keeps header auth and problem+json.

How to add a page
-----------------
1. **A blueprint per area**, in its own module here (``service/ui/entities.py``)::

       bp = Blueprint("entities", __name__, url_prefix="/entities")
       nav_item("Entities", "ui.entities.index", READ, order=20)   # optional: a main-menu link

   and one line in :data:`AREAS` below. Area blueprints are nested in the ``ui`` blueprint
   (:mod:`.core`), so endpoints are ``ui.<area>.<view>`` (``url_for("ui.entities.show", ...)``)
   and every request runs its hooks: the signed-in user is loaded (``g.user``), a CSRF token is
   required on POST/PUT/PATCH/DELETE, and the security headers are added.
2. **Every view is protected**: ``@login_required(PERMISSION)`` from :mod:`.auth`, below the
   route decorator, with a permission of :mod:`service.permissions` (``login_required()``:
   any signed-in user). A test (tests/ui/test_ui_routes.py) fails for a view without it.
   The view's writes are attributed to the user: ``g.actor`` (a
   :class:`~service.records.actor.Actor`) is also the session's ``info["actor"]``, which the
   history hook reads; pass ``actor=g.actor`` to records functions that take one, and commit.
3. **Templates** live in ``service/ui/templates/ui/`` (``ui/<area>/<page>.html``) and extend
   ``ui/base.html``, filling ``{% block title %}`` and ``{% block content %}`` (``{% block
   head %}`` for extra ``<link>`` tags). The page starts with one ``<h1>``. Render with
   :func:`.core.page` (``page("ui/entities/show.html", entity=e)``).
4. **htmx partials**: name a block of the page's template for the part that changes
   (``{% block results %}``) and render with ``page(template, partial="results", ...)``: an
   htmx request (``HX-Request``) gets that block alone, a normal request (a shared link, a
   reload, a history restore) the whole page, from the same view and the same URL. Keep the
   state in the query string (``hx-get`` with ``hx-push-url="true"``), so every view has a
   shareable address. A refused form re-renders with status 422 (htmx is configured to swap
   422 responses); other 4xx/5xx answers are not swapped.
5. **CSRF**: forms are Flask-WTF ``FlaskForm`` classes (:mod:`.forms`) with
   ``{{ form.csrf_token }}``, or a hand-written ``<input type="hidden" name="csrf_token"
   value="{{ csrf_token() }}">``. htmx requests carry the token in the ``X-CSRFToken`` header:
   ``static/app.js`` reads ``<meta name="csrf-token">`` and sets ``hx-headers`` on ``<body>``,
   so nothing is needed per element. A request without a valid token gets the 403 page.
6. **Strict CSP** (``default-src 'self'; script-src 'self'; style-src 'self'``): no inline
   ``<script>``, no ``style="..."`` attributes, no ``hx-on`` or ``js:`` (htmx runs with
   ``allowEval: false``). Styles go in ``static/app.css``; behaviour in a static ``.js`` file;
   widths and progress use ``<progress>``/``<meter>`` or CSS classes.
7. **Flash messages**: ``flash("Decision recorded.", "success")`` (categories ``info``,
   ``success``, ``error``); ``ui/base.html`` shows them at the top of ``<main>`` in a live
   region. For an htmx partial, include ``ui/_flashes.html`` in the block.
8. **Accessibility**: label every control, use ``<table>`` with ``<th scope>`` for tables,
   ``dir="auto"`` around names in any script, and keep the focus styles. Browser tests
   (tests/browser) run axe-core on each page type: add yours.
"""

from __future__ import annotations

from flask import Flask, Response, request

from . import (
    account,
    admin,
    admin_imports,
    edit,
    edit_cases,
    entities,
    evidence,
    groups,
    jobs,
    review,
    screen,
    search,
)
from .auth import load_user
from .core import nav_items, ui
from .errors import error_page
from .security import add_security_headers, csrf, init_security

# The areas, nested in the ``ui`` blueprint (their endpoints: ``ui.<area>.<view>``).
AREAS = (account.bp, search.bp, entities.bp, groups.bp, groups.cases_bp, screen.bp, jobs.bp, review.bp, evidence.bp, admin.bp,
         admin_imports.bp, edit.bp, edit_cases.bp)
for _area in AREAS:
    ui.register_blueprint(_area)

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@ui.before_request
def _before() -> None:
    if request.endpoint == "ui.static":
        return  # no database read for a stylesheet; static files stay cacheable
    load_user()
    if request.method in UNSAFE_METHODS:
        csrf.protect()


@ui.after_request
def _after(response: Response) -> Response:
    return add_security_headers(response)


def init_app(app: Flask) -> None:
    """Sessions, CSRF, the pages and their error pages."""
    init_security(app)
    app.register_blueprint(ui)
    app.jinja_env.globals["nav_items"] = nav_items
    app.extensions["error_page"] = error_page

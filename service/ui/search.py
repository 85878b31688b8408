"""The home page and ``/search``: fuzzy search of the records as you type, with facets.

The engine ranks as ``GET /api/v1/search`` does (:func:`~service.records.screening.search_hits`);
the record filters narrow; :class:`~service.records.facets.FacetCache` counts what each filter
value would keep. Everything is in the query string (``q``, ``type``, ``authority``,
``programme``, ``country``, ``threat_group``, ``status``, ``page``), so a search is a link. With
no query the page lists the records that changed last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, request, url_for

from ..errors import Invalid
from ..extensions import db
from ..models import ENTITY_TYPES
from ..permissions import READ, allows
from ..records.common import Page
from ..records.entities import EntityFilters
from ..records.facets import FacetCache, Facets
from ..records.highlight import highlight, matched_tokens
from ..records.screening import IndexCache, search_hits
from .auth import current_user, login_required
from .core import is_partial_request, nav_item, page

bp = Blueprint("search", __name__)
nav_item("Search", "ui.search.search", READ, order=10)

MIN_SCORE = 0.6  # as the API's search
PAGE_SIZE = 20
MAX_QUERY = 500
MAX_FILTER = 200
MAX_PAGE = 10_000
FILTERS = ("type", "authority", "programme", "country", "threat_group", "status")
STATUSES = {"active": True, "delisted": False}
FACET_TITLES = {"type": "Type", "authority": "Authority", "programme": "Programme", "country": "Country",
                "threat_group": "Threat group", "status": "Designations"}
STATUS_LABELS = {"active": "Active designation", "delisted": "Delisted only"}
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
# Characters a query string keeps unescaped, as url_for (werkzeug) leaves them.
URL_SAFE = "!$'()*,/:;?@"


def search_path() -> str:
    """The search page's path, looked up once per request."""
    if "search_path" not in g:
        g.search_path = url_for("ui.search.search")
    return g.search_path  # type: ignore[no-any-return]


def index_cache() -> IndexCache:
    return current_app.extensions["screening_index"]  # type: ignore[no-any-return]


def facet_cache() -> FacetCache:
    return index_cache().facets


@bp.get("/")
@login_required()
def home() -> Any:
    """The search page for those who may read the records; otherwise the pages they may use."""
    user = current_user()
    assert user is not None
    if allows(user.role, READ):
        return search_page()
    return page("ui/home.html")


@bp.get("/search")
@login_required(READ)
def search() -> Any:
    """Search results for ``q`` and the filters (the search box sends them here as you type)."""
    return search_page()


@dataclass
class SearchArgs:
    q: str
    chosen: dict[str, str]  # the filters set, by query-string name
    page: int

    def filters(self) -> EntityFilters:
        c = self.chosen
        return EntityFilters(
            types=(c["type"],) if "type" in c else ENTITY_TYPES, authority=c.get("authority"),
            programme=c.get("programme"), programme_exact=True, country=c.get("country"), threat_group=c.get("threat_group"),
            active=STATUSES.get(c.get("status", "")),
        )

    def url(self, **changes: str | int | None) -> str:
        """This search with some arguments changed (None removes one); back to page 1 unless
        ``page`` is given. Encoded as ``url_for`` would (a page has some sixty of these links:
        the route is looked up once)."""
        args: dict[str, Any] = {"q": self.q or None, **self.chosen}
        args.update(changes)
        if args.get("page") == 1:
            args["page"] = None
        query = urlencode([(k, v) for k, v in args.items() if v not in (None, "")], safe=URL_SAFE)
        return f"{search_path()}?{query}" if query else search_path()


def read_args() -> SearchArgs:
    """The search's arguments from the query string; a value the filters cannot take is refused
    with a message (422 page), never silently dropped."""
    args = request.args
    q = " ".join(args.get("q", "").split())[:MAX_QUERY]
    chosen = {}
    for name in FILTERS:
        value = args.get(name, "").strip()
        if value:
            chosen[name] = value[:MAX_FILTER]
    if "type" in chosen and chosen["type"] not in ENTITY_TYPES:
        raise Invalid(f"Unknown type {chosen['type']!r}: use one of {', '.join(ENTITY_TYPES)}.")
    if "status" in chosen and chosen["status"] not in STATUSES:
        raise Invalid(f"Unknown status {chosen['status']!r}: use active or delisted.")
    if "country" in chosen:
        if not COUNTRY.match(chosen["country"]):
            raise Invalid(f"Country {chosen['country']!r} is not a two-letter code such as CN or GB.")
        chosen["country"] = chosen["country"].upper()
    if "authority" in chosen:
        chosen["authority"] = chosen["authority"].upper()
    raw_page = args.get("page", "1").strip() or "1"
    if not raw_page.isascii() or not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise Invalid(f"Page {raw_page!r} is not a page number (1 to {MAX_PAGE}).")
    return SearchArgs(q=q, chosen=chosen, page=int(raw_page))


def run_search(args: SearchArgs) -> tuple[Page, Facets]:
    """The page of results and the facets of all of them: the filters are read once, the rows
    shown and counted come from the list state's :class:`FacetCache`."""
    session = db.session
    filters = args.filters()
    if not args.q:
        listing = facet_cache().listing(session=session, filters=filters)
        items: list[dict[str, Any]] = [
            {"score": None, "matched_name": None, "entity": row, "explanation": None}
            for row in listing.window(args.page, PAGE_SIZE)]
        return Page(items=items, total=len(listing.ids), page=args.page, page_size=PAGE_SIZE), listing.facets
    hits = search_hits(session=session, cache=index_cache(), q=args.q, type=args.chosen.get("type"),
                       filters=filters, min_score=MIN_SCORE)
    listing = facet_cache().of_ids(session=session, ids=[h.entity_id for h in hits])
    window = hits[(args.page - 1) * PAGE_SIZE : args.page * PAGE_SIZE]
    items = [{"score": m.score, "matched_name": m.matched_name, "entity": listing.rows[m.entity_id],
              "explanation": m.explanation} for m in window if m.entity_id in listing.rows]
    return Page(items=items, total=len(hits), page=args.page, page_size=PAGE_SIZE), listing.facets


def search_page() -> Any:
    args = read_args()
    results, facets = run_search(args)
    for item in results.items:
        item["pieces"] = (highlight(item["matched_name"], matched_tokens(item["explanation"]))
                          if item["matched_name"] else None)
    return page("ui/search.html", partial="results", args=args, q=args.q, results=results, facets=facets,
                partial_request=is_partial_request(), facet_titles=FACET_TITLES, status_labels=STATUS_LABELS)

"""``/api/v1/screen``, ``/api/v1/screen/batch`` and ``/api/v1/search``."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from ..errors import DomainError
from ..extensions import Blueprint, db
from ..models import ENTITY_TYPES
from ..records.entities import EntityFilters
from ..records.screening import IndexCache, screen_subjects, search
from ..schemas.screening import (
    MAX_BATCH,
    BatchRequest,
    BatchResult,
    ScreenRequest,
    ScreenResult,
    SearchArgs,
    SearchPage,
)
from .common import page_body

blp = Blueprint("screening", __name__, url_prefix="/api/v1",
                description="Fuzzy, cross-script name screening against the records, with explanations.")


class TooManyQueries(DomainError):
    status = 413


def index_cache() -> IndexCache:
    return current_app.extensions["screening_index"]  # type: ignore[no-any-return]


@blp.route("/screen")
class Screen(MethodView):
    @blp.arguments(ScreenRequest)
    @blp.response(200, ScreenResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Screen one name (with optional type, birth date, country, identifiers)"""
        threshold, limit = data.pop("threshold"), data.pop("limit")
        results = screen_subjects(session=db.session, cache=index_cache(), subjects={"q": data},
                                  threshold=threshold, limit=limit)
        return results["q"]


@blp.route("/screen/batch")
class ScreenBatch(MethodView):
    @blp.arguments(BatchRequest)
    @blp.response(200, BatchResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Screen up to 1000 subjects keyed by your own ids"""
        if len(data["queries"]) > MAX_BATCH:
            raise TooManyQueries(
                f"At most {MAX_BATCH} queries per batch request; this one has {len(data['queries'])}. "
                "Split it, or use a bulk screening job."
            )
        responses = screen_subjects(session=db.session, cache=index_cache(), subjects=data["queries"],
                                    threshold=data["threshold"], limit=data["limit"])
        return {"responses": responses}


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(SearchArgs, location="query")
    @blp.response(200, SearchPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Fuzzy search of the records by name, with record filters, ranked by score"""
        kind = args.get("type")
        types: tuple[str, ...] = (kind,) if kind else ENTITY_TYPES
        keys = ("country", "authority", "programme", "threat_group", "active", "include_archived")
        filters = EntityFilters(types=types, **{k: args[k] for k in keys if k in args})
        page = search(session=db.session, cache=index_cache(), q=args["q"], type=kind, filters=filters,
                      min_score=args["min_score"], page=args["page"], page_size=args["page_size"])
        return page_body(page)

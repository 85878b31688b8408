"""``/api/v1/screen``, ``/api/v1/screen/batch`` and ``/api/v1/search``."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from ..errors import TooLarge
from ..extensions import Blueprint, db
from ..models import ENTITY_TYPES
from ..records.entities import EntityFilters
from ..records.evidence import LogSettings
from ..records.screening import IndexCache, screen_and_log, search
from ..records.screening import log_settings as records_log_settings
from ..schemas import screening as s
from .auth import current_actor
from .common import page_body

blp = Blueprint("screening", __name__, url_prefix="/api/v1",
                description="Fuzzy, cross-script name screening against the records, with explanations.")


def index_cache() -> IndexCache:
    return current_app.extensions["screening_index"]  # type: ignore[no-any-return]


def log_settings() -> LogSettings:
    return records_log_settings(current_app.config)


def _screen_and_log(subjects: dict[str, Any], *, threshold: float, limit: int, kind: str) -> dict[str, Any]:
    """Screen, then write the evidence rows in the same request; both or neither."""
    results = screen_and_log(session=db.session, cache=index_cache(), subjects=subjects, threshold=threshold,
                             limit=limit, kind=kind, actor=current_actor(), settings=log_settings())
    db.session.commit()
    return results


@blp.route("/screen")
class Screen(MethodView):
    @blp.arguments(s.ScreenRequest)
    @blp.response(200, s.ScreenResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Screen one name (with optional type, birth date, country, identifiers)"""
        threshold, limit = data.pop("threshold"), data.pop("limit")
        return _screen_and_log({"q": data}, threshold=threshold, limit=limit, kind="single")["q"]


@blp.route("/screen/batch")
class ScreenBatch(MethodView):
    @blp.arguments(s.BatchRequest)
    @blp.response(200, s.BatchResult)
    def post(self, data: dict[str, Any]) -> Any:
        """Screen up to 1000 subjects keyed by your own ids"""
        if len(data["queries"]) > s.MAX_BATCH:
            raise TooLarge(
                f"At most {s.MAX_BATCH} queries per batch request; this one has {len(data['queries'])}. "
                "Split it, or use a bulk screening job."
            )
        responses = _screen_and_log(data["queries"], threshold=data["threshold"], limit=data["limit"], kind="batch")
        return {"responses": responses}


@blp.route("/search")
class Search(MethodView):
    @blp.arguments(s.SearchArgs, location="query")
    @blp.response(200, s.SearchPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Fuzzy search of the records by name, with record filters, ranked by score"""
        kind = args.get("type")
        types: tuple[str, ...] = (kind,) if kind else ENTITY_TYPES
        keys = ("country", "authority", "programme", "threat_group", "active", "include_archived")
        filters = EntityFilters(types=types, **{k: args[k] for k in keys if k in args})
        page = search(session=db.session, cache=index_cache(), q=args["q"], type=kind, filters=filters,
                      min_score=args["min_score"], page=args["page"], page_size=args["page_size"])
        return page_body(page)

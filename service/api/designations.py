"""``/api/v1/designations``: sanctions listings."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..extensions import Blueprint, db
from ..models import Designation
from ..records import designations as records
from ..records.common import get_or_raise
from ..schemas.common import ItemArgs
from ..schemas.designation import (
    DesignationIn,
    DesignationListArgs,
    DesignationOut,
    DesignationPage,
)
from .audit import add_history_route
from .common import commit, created, page_body, partial_schema, read_item

blp = Blueprint("designations", __name__, url_prefix="/api/v1/designations",
                description="Sanctions designations: who is listed by which authority, since when, under which programme.")


def _load(designation_id: int, include_archived: bool = False) -> Designation:
    return get_or_raise(db.session, Designation, designation_id, include_archived=include_archived,
                        label="designation")


@blp.route("")
class Designations(MethodView):
    @blp.etag
    @blp.arguments(DesignationListArgs, location="query")
    @blp.response(200, DesignationPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List designations (filter by authority, programme, active, listed-on range ...)"""
        keys = ("entity_id", "authority", "programme", "list_ref", "active", "listed_from",
                "listed_to", "name", "include_archived")
        filters = records.DesignationFilters(**{k: args[k] for k in keys if k in args})
        page = records.list_designations(session=db.session, filters=filters, page=args["page"],
                                         page_size=args["page_size"], sort=args["sort"])
        return page_body(page)

    @blp.etag
    @blp.arguments(DesignationIn)
    @blp.response(201, DesignationOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Record a designation of an entity (409 if the authority already uses the list reference)"""
        designation = records.create_designation(session=db.session, data=data)
        return created(designation, "designations.DesignationById", designation_id=designation.id)


@blp.route("/<int:designation_id>")
class DesignationById(MethodView):
    @blp.etag
    @blp.arguments(ItemArgs, location="query")
    @blp.response(200, DesignationOut)
    def get(self, args: dict[str, Any], designation_id: int) -> Any:
        """Read a designation"""
        return read_item(args, lambda: _load(designation_id, args["include_archived"]),
                         record_type="designation", record_id=designation_id, label="designation")

    @blp.etag
    @blp.arguments(DesignationIn)
    @blp.response(200, DesignationOut)
    def put(self, data: dict[str, Any], designation_id: int) -> Any:
        """Replace a designation (If-Match required)"""
        designation = _load(designation_id)
        blp.check_etag(designation, DesignationOut)
        records.update_designation(session=db.session, designation=designation, data=data, replace=True)
        return commit(designation)

    @blp.etag
    @blp.arguments(partial_schema(DesignationIn))
    @blp.response(200, DesignationOut)
    def patch(self, data: dict[str, Any], designation_id: int) -> Any:
        """Change some fields of a designation, e.g. set delisted_on (If-Match required)"""
        designation = _load(designation_id)
        blp.check_etag(designation, DesignationOut)
        records.update_designation(session=db.session, designation=designation, data=data, replace=False)
        return commit(designation)

    @blp.etag
    @blp.response(204)
    def delete(self, designation_id: int) -> None:
        """Archive a designation entered in error (If-Match required); to end a listing, set delisted_on"""
        designation = _load(designation_id)
        blp.check_etag(designation, DesignationOut)
        records.archive_designation(session=db.session, designation=designation)
        db.session.commit()


add_history_route(blp, "/<int:designation_id>", "designation", "designation", "designation_id")

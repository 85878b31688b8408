"""``/api/v1/designations``: sanctions listings."""

from __future__ import annotations

from typing import Any

from ..extensions import Blueprint, db
from ..models import Designation
from ..records import designations as records
from ..records.common import Page, filters_from, get_or_raise
from ..schemas import designation as s
from .resources import collection_resource, history_resources, item_resource

blp = Blueprint("designations", __name__, url_prefix="/api/v1/designations",
                description="Sanctions designations: who is listed by which authority, since when, under which programme.")


def _load(designation_id: int, include_archived: bool = False) -> Designation:
    return get_or_raise(db.session, Designation, designation_id, include_archived=include_archived,
                        label="designation")


def _list(args: dict[str, Any]) -> Page:
    return records.list_designations(session=db.session, filters=filters_from(records.DesignationFilters, args),
                                     page=args["page"], page_size=args["page_size"], sort=args["sort"])


def _update(designation: Designation, data: dict[str, Any], replace: bool) -> None:
    records.update_designation(session=db.session, designation=designation, data=data, replace=replace)


collection_resource(
    blp, "", "Designations", list_args=s.DesignationListArgs, page=s.DesignationPage, body=s.DesignationIn,
    out=s.DesignationOut, item=("DesignationById", "designation_id"), list_page=_list,
    create=lambda data: records.create_designation(session=db.session, data=data),
    summaries={
        "get": "List designations (filter by authority, programme, active, listed-on range ...)",
        "post": "Record a designation of an entity (409 if the authority already uses the list reference)",
    },
)
designation = item_resource(
    blp, "/<int:designation_id>", "DesignationById", record_type="designation", label="designation",
    out=s.DesignationOut, body=s.DesignationIn, load=_load, update=_update,
    archivable=True,
    summaries={
        "get": "Read a designation",
        "patch": "Change some fields of a designation, e.g. set delisted_on (If-Match required)",
        "delete": "Archive a designation entered in error (If-Match required); to end a listing, set delisted_on",
    },
)
history_resources(blp, designation)

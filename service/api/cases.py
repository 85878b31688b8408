"""``/api/v1/cases`` with nested defendants and charges."""

from __future__ import annotations

from typing import Any

from ..extensions import Blueprint, db
from ..models import Case, Charge
from ..records import cases as records
from ..records.common import Page, filters_from, get_or_raise
from ..schemas import case as s
from .resources import collection_resource, history_resources, item_resource, link_resources

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases",
                description="Criminal cases (indictments), their defendants and the charges against each.")


def _case(case_id: int, include_archived: bool = False) -> Case:
    return get_or_raise(db.session, Case, case_id, include_archived=include_archived, label="case")


def _list_cases(args: dict[str, Any]) -> Page:
    return records.list_cases(session=db.session, filters=filters_from(records.CaseFilters, args),
                              page=args["page"], page_size=args["page_size"], sort=args["sort"])


collection_resource(
    blp, "", "Cases", list_args=s.CaseListArgs, page=s.CasePage, body=s.CaseIn, out=s.CaseOut,
    item=("CaseById", "case_id"), list_page=_list_cases, create=lambda data: records.create_case(session=db.session, data=data),
    summaries={"get": "List cases (filter by status, court, threat group, defendant, filing dates)",
               "post": "Create a case"},
)


case = item_resource(
    blp, "/<int:case_id>", "CaseById", record_type="case", label="case", out=s.CaseOut, body=s.CaseIn, load=_case,
    update=lambda case, data, replace: records.update_case(session=db.session, case=case, data=data, replace=replace),
    archivable=True,
    summaries={"get": "Read a case with its defendants and the charges against each"},
)


defendant = link_resources(
    blp, "/<int:case_id>/defendants", ("Defendants", "Defendant"), parent=_case, record_type="case_defendant",
    label="defendant", page=s.DefendantPage, body=s.DefendantIn, out=s.DefendantOut, links=records.DEFENDANTS,
    summaries={"list": "List a case's defendants with their charges",
               "add": "Add a person or company as a defendant",
               "get": "Read one defendant of a case", "delete": "Archive a defendant link (If-Match required)"},
)


def _list_charges(args: dict[str, Any], case_id: int) -> Page:
    return records.list_charges(session=db.session, case=_case(case_id), entity_id=args.get("entity_id"),
                                status=args.get("status"), include_archived=args["include_archived"],
                                page=args["page"], page_size=args["page_size"], sort=args["sort"])


collection_resource(
    blp, "/<int:case_id>/charges", "Charges", list_args=s.ChargeListArgs, page=s.ChargePage, body=s.ChargeIn,
    out=s.ChargeOut, item=("ChargeById", "charge_id"), list_page=_list_charges,
    create=lambda data, case_id: records.add_charge(session=db.session, case=_case(case_id), data=data),
    summaries={"get": "List the charges in a case", "post": "Add a charge (count) against a defendant of the case"},
)


def _charge(case_id: int, charge_id: int, include_archived: bool = False) -> Charge:
    return records.get_charge(session=db.session, case=_case(case_id), charge_id=charge_id,
                              include_archived=include_archived)


charge = item_resource(
    blp, "/<int:case_id>/charges/<int:charge_id>", "ChargeById", record_type="charge", label="charge",
    out=s.ChargeOut, body=s.ChargeIn, load=_charge,
    update=lambda charge, data, replace: records.update_charge(session=db.session, charge=charge, data=data,
                                                                replace=replace),
    archivable=True,
    summaries={"get": "Read a charge", "patch": "Change some fields of a charge, e.g. its status (If-Match required)"},
)


history_resources(blp, case, defendant, charge)

"""``/api/v1/cases`` with nested defendants and charges."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..extensions import Blueprint, db
from ..models import Case
from ..records import cases as records
from ..records.common import archive, get_or_raise
from ..schemas.case import (
    CaseIn,
    CaseListArgs,
    CaseOut,
    CasePage,
    ChargeIn,
    ChargeListArgs,
    ChargeOut,
    ChargePage,
    DefendantIn,
    DefendantOut,
    DefendantPage,
)
from ..schemas.common import ItemArgs, PageArgs
from .audit import add_history_route
from .common import commit, created, page_body, partial_schema, read_item

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases",
                description="Criminal cases (indictments), their defendants and the charges against each.")


def _case(case_id: int, include_archived: bool = False) -> Case:
    return get_or_raise(db.session, Case, case_id, include_archived=include_archived, label="case")


@blp.route("")
class Cases(MethodView):
    @blp.etag
    @blp.arguments(CaseListArgs, location="query")
    @blp.response(200, CasePage)
    def get(self, args: dict[str, Any]) -> Any:
        """List cases (filter by status, court, threat group, defendant, filing dates)"""
        keys = ("q", "status", "court", "threat_group", "defendant", "filed_from", "filed_to", "include_archived")
        filters = records.CaseFilters(**{k: args[k] for k in keys if k in args})
        page = records.list_cases(session=db.session, filters=filters, page=args["page"],
                                  page_size=args["page_size"], sort=args["sort"])
        return page_body(page)

    @blp.etag
    @blp.arguments(CaseIn)
    @blp.response(201, CaseOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a case"""
        case = records.create_case(session=db.session, data=data)
        return created(case, "cases.CaseById", case_id=case.id)


@blp.route("/<int:case_id>")
class CaseById(MethodView):
    @blp.etag
    @blp.arguments(ItemArgs, location="query")
    @blp.response(200, CaseOut)
    def get(self, args: dict[str, Any], case_id: int) -> Any:
        """Read a case with its defendants and the charges against each"""
        return read_item(args, lambda: _case(case_id, args["include_archived"]),
                         record_type="case", record_id=case_id, label="case")

    @blp.etag
    @blp.arguments(CaseIn)
    @blp.response(200, CaseOut)
    def put(self, data: dict[str, Any], case_id: int) -> Any:
        """Replace a case (If-Match required)"""
        case = _case(case_id)
        blp.check_etag(case, CaseOut)
        records.update_case(session=db.session, case=case, data=data, replace=True)
        return commit(case)

    @blp.etag
    @blp.arguments(partial_schema(CaseIn))
    @blp.response(200, CaseOut)
    def patch(self, data: dict[str, Any], case_id: int) -> Any:
        """Change some fields of a case (If-Match required)"""
        case = _case(case_id)
        blp.check_etag(case, CaseOut)
        records.update_case(session=db.session, case=case, data=data, replace=False)
        return commit(case)

    @blp.etag
    @blp.response(204)
    def delete(self, case_id: int) -> None:
        """Archive a case (If-Match required)"""
        case = _case(case_id)
        blp.check_etag(case, CaseOut)
        archive(session=db.session, record=case)
        db.session.commit()


@blp.route("/<int:case_id>/defendants")
class Defendants(MethodView):
    @blp.etag
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, DefendantPage)
    def get(self, args: dict[str, Any], case_id: int) -> Any:
        """List a case's defendants with their charges"""
        page = records.list_defendants(session=db.session, case=_case(case_id),
                                       include_archived=args["include_archived"],
                                       page=args["page"], page_size=args["page_size"])
        return page_body(page)

    @blp.etag
    @blp.arguments(DefendantIn)
    @blp.response(201, DefendantOut)
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Add a person or company as a defendant"""
        defendant = records.add_defendant(session=db.session, case=_case(case_id), data=data)
        return created(defendant, "cases.Defendant", case_id=case_id, defendant_id=defendant.id)


@blp.route("/<int:case_id>/defendants/<int:defendant_id>")
class Defendant(MethodView):
    @blp.etag
    @blp.arguments(ItemArgs, location="query")
    @blp.response(200, DefendantOut)
    def get(self, args: dict[str, Any], case_id: int, defendant_id: int) -> Any:
        """Read one defendant of a case"""
        return read_item(args, lambda: records.get_defendant(session=db.session, case=_case(case_id),
                                                             defendant_id=defendant_id,
                                                             include_archived=args["include_archived"]),
                         record_type="case_defendant", record_id=defendant_id, label="defendant")

    @blp.etag
    @blp.response(204)
    def delete(self, case_id: int, defendant_id: int) -> None:
        """Archive a defendant link (If-Match required)"""
        defendant = records.get_defendant(session=db.session, case=_case(case_id),
                                          defendant_id=defendant_id, include_archived=False)
        blp.check_etag(defendant, DefendantOut)
        records.archive_defendant(session=db.session, defendant=defendant)
        db.session.commit()


@blp.route("/<int:case_id>/charges")
class Charges(MethodView):
    @blp.etag
    @blp.arguments(ChargeListArgs, location="query")
    @blp.response(200, ChargePage)
    def get(self, args: dict[str, Any], case_id: int) -> Any:
        """List the charges in a case"""
        page = records.list_charges(session=db.session, case=_case(case_id), entity_id=args.get("entity_id"),
                                    status=args.get("status"), include_archived=args["include_archived"],
                                    page=args["page"], page_size=args["page_size"], sort=args["sort"])
        return page_body(page)

    @blp.etag
    @blp.arguments(ChargeIn)
    @blp.response(201, ChargeOut)
    def post(self, data: dict[str, Any], case_id: int) -> Any:
        """Add a charge (count) against a defendant of the case"""
        charge = records.add_charge(session=db.session, case=_case(case_id), data=data)
        return created(charge, "cases.ChargeById", case_id=case_id, charge_id=charge.id)


@blp.route("/<int:case_id>/charges/<int:charge_id>")
class ChargeById(MethodView):
    def _load(self, case_id: int, charge_id: int, include_archived: bool = False) -> Any:
        return records.get_charge(session=db.session, case=_case(case_id), charge_id=charge_id,
                                  include_archived=include_archived)

    @blp.etag
    @blp.arguments(ItemArgs, location="query")
    @blp.response(200, ChargeOut)
    def get(self, args: dict[str, Any], case_id: int, charge_id: int) -> Any:
        """Read a charge"""
        return read_item(args, lambda: self._load(case_id, charge_id, args["include_archived"]),
                         record_type="charge", record_id=charge_id, label="charge")

    @blp.etag
    @blp.arguments(ChargeIn)
    @blp.response(200, ChargeOut)
    def put(self, data: dict[str, Any], case_id: int, charge_id: int) -> Any:
        """Replace a charge (If-Match required)"""
        charge = self._load(case_id, charge_id)
        blp.check_etag(charge, ChargeOut)
        records.update_charge(session=db.session, charge=charge, data=data, replace=True)
        return commit(charge)

    @blp.etag
    @blp.arguments(partial_schema(ChargeIn))
    @blp.response(200, ChargeOut)
    def patch(self, data: dict[str, Any], case_id: int, charge_id: int) -> Any:
        """Change some fields of a charge, e.g. its status (If-Match required)"""
        charge = self._load(case_id, charge_id)
        blp.check_etag(charge, ChargeOut)
        records.update_charge(session=db.session, charge=charge, data=data, replace=False)
        return commit(charge)

    @blp.etag
    @blp.response(204)
    def delete(self, case_id: int, charge_id: int) -> None:
        """Archive a charge (If-Match required)"""
        charge = self._load(case_id, charge_id)
        blp.check_etag(charge, ChargeOut)
        records.archive_charge(session=db.session, charge=charge)
        db.session.commit()


add_history_route(blp, "/<int:case_id>", "case", "case", "case_id")
add_history_route(blp, "/<int:case_id>/defendants/<int:defendant_id>", "case_defendant", "defendant", "defendant_id")
add_history_route(blp, "/<int:case_id>/charges/<int:charge_id>", "charge", "charge", "charge_id")

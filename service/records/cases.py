"""Criminal cases, their defendants and charges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..errors import Conflict, Invalid, NotFound
from ..models import Case, CaseDefendant, Charge, Entity
from .common import (
    LinkRecords,
    Page,
    Writable,
    apply_sort,
    bump_versions,
    check_group_exists,
    check_order,
    check_unique,
    ensure_entity_exists,
    get_child,
    icontains,
    list_children,
    paginate,
    resolve_group_ids,
)
from .listing import record_entity_changes

SORTABLE = ("filed_on", "unsealed_on", "title", "court", "status", "created_at", "updated_at", "id")


@dataclass
class CaseFilters:
    q: str | None = None
    status: str | None = None
    court: str | None = None
    threat_group: str | None = None
    defendant: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    include_archived: bool = False


def _check(session: Session, data: dict[str, Any], exclude: int | None) -> None:
    check_group_exists(session=session, group_id=data.get("threat_group_id"))
    check_order(data, earlier="filed_on", later="unsealed_on")
    if data.get("case_number"):
        check_unique(session, Case, Case.court == data["court"], Case.case_number == data["case_number"],
                     exclude=exclude, field="case_number", detail="Duplicate for this court.",
                     message=lambda clash: f"Case {data['case_number']!r} already exists in {data['court']} "
                                           f"(case id {clash}).")


CASES = Writable(
    Case,
    fields=(
        "title", "court", "case_number", "prosecuting_authority", "filed_on", "unsealed_on",
        "status", "summary", "threat_group_id", "source_urls",
    ),
    check=_check,
)


def create_case(*, session: Session, data: dict[str, Any]) -> Case:
    return CASES.create(session, data)


def update_case(*, session: Session, case: Case, data: dict[str, Any], replace: bool) -> Case:
    return CASES.update(session, case, data, replace=replace)


def list_cases(*, session: Session, filters: CaseFilters, page: int, page_size: int, sort: str | None) -> Page:
    stmt: Select[Any] = select(Case)
    if not filters.include_archived:
        stmt = stmt.where(Case.archived_at.is_(None))
    if filters.q:
        stmt = stmt.where(icontains(Case.title, filters.q) | icontains(Case.case_number, filters.q))
    if filters.status:
        stmt = stmt.where(Case.status == filters.status)
    if filters.court:
        stmt = stmt.where(icontains(Case.court, filters.court))
    if filters.threat_group:
        stmt = stmt.where(Case.threat_group_id.in_(resolve_group_ids(session=session, ref=filters.threat_group)))
    if filters.defendant is not None:
        stmt = stmt.where(
            exists().where(
                CaseDefendant.case_id == Case.id,
                CaseDefendant.entity_id == filters.defendant,
                CaseDefendant.archived_at.is_(None),
            )
        )
    if filters.filed_from:
        stmt = stmt.where(Case.filed_on >= filters.filed_from)
    if filters.filed_to:
        stmt = stmt.where(Case.filed_on <= filters.filed_to)
    stmt = apply_sort(stmt, Case, sort, allowed=SORTABLE, default="-filed_on")
    return paginate(session, stmt, page=page, page_size=page_size)


# --- defendants -------------------------------------------------------------------------

def add_defendant(session: Session, case: Case, data: dict[str, Any]) -> CaseDefendant:
    entity = ensure_entity_exists(session=session, entity_id=data["entity_id"])
    # Both parents' versions grow; first, so a concurrent add waits and then sees this one.
    bump_versions(session, case, entity)
    clash = session.scalar(
        select(CaseDefendant).where(CaseDefendant.case_id == case.id, CaseDefendant.entity_id == entity.id)
    )
    if clash is not None:
        raise Conflict(
            f"Entity {entity.id} is already a defendant in case {case.id} (defendant id {clash.id}"
            f"{', archived' if clash.archived else ''}).",
            errors={"entity_id": ["Already a defendant in this case."]},
        )
    defendant = CaseDefendant(case=case, entity_id=entity.id, notes=data.get("notes"),
                              source_urls=data.get("source_urls", []))
    session.add(defendant)
    session.flush()
    return defendant


def get_defendant(session: Session, case: Case, defendant_id: int, *, include_archived: bool) -> CaseDefendant:
    return get_child(session, CaseDefendant, defendant_id, parent=case, parent_key="case_id",
                     include_archived=include_archived, label="defendant", parent_label="case")


# --- charges ----------------------------------------------------------------------------

CHARGES = Writable(
    Charge,
    fields=("entity_id", "count_number", "statute", "description", "status", "max_penalty", "source_urls"),
)


def _check_charge(session: Session, case: Case, data: dict[str, Any], exclude: int | None) -> None:
    is_defendant = session.scalar(
        select(CaseDefendant.id).where(
            CaseDefendant.case_id == case.id,
            CaseDefendant.entity_id == data["entity_id"],
            CaseDefendant.archived_at.is_(None),
        )
    )
    if not is_defendant:
        raise Invalid(
            f"Entity {data['entity_id']} is not a defendant in case {case.id}; add it as a defendant first.",
            errors={"entity_id": ["Not a defendant in this case."]},
        )
    if data.get("count_number") is not None:
        check_unique(
            session, Charge, Charge.case_id == case.id, Charge.entity_id == data["entity_id"],
            Charge.count_number == data["count_number"], exclude=exclude, field="count_number",
            detail="Duplicate count for this defendant.",
            message=lambda clash: f"Count {data['count_number']} against entity {data['entity_id']} already exists "
                                  f"(charge id {clash}).",
        )


def add_charge(*, session: Session, case: Case, data: dict[str, Any]) -> Charge:
    # The case's version grows (the entity's below); first, so a concurrent add waits and
    # then sees this charge.
    bump_versions(session, case)
    _check_charge(session, case, data, None)
    bump_versions(session, ensure_entity_exists(session=session, entity_id=data["entity_id"]))
    return CHARGES.create(session, data, case=case)


def get_charge(*, session: Session, case: Case, charge_id: int, include_archived: bool) -> Charge:
    return get_child(session, Charge, charge_id, parent=case, parent_key="case_id",
                     include_archived=include_archived, label="charge", parent_label="case")


def update_charge(*, session: Session, charge: Charge, data: dict[str, Any], replace: bool) -> Charge:
    data = CHARGES.incoming(data, replace=replace)
    merged = CHARGES.merged(charge, data)
    _check_charge(session, charge.case, merged, charge.id)
    entities = [charge.entity]
    if merged["entity_id"] != charge.entity_id:  # moved to another defendant
        entities.append(session.get_one(Entity, merged["entity_id"]))  # a defendant: checked above
    if CHARGES.apply(charge, data):
        bump_versions(session, *entities)
    session.flush()
    if len(entities) > 1:
        record_entity_changes(session, {entities[0].id})  # screening must re-read the one it left
    return charge


def list_defendants(session: Session, case: Case, *, include_archived: bool, page: int, page_size: int) -> Page:
    return list_children(session, CaseDefendant, CaseDefendant.case_id == case.id, include_archived=include_archived,
                         page=page, page_size=page_size)


DEFENDANTS = LinkRecords(list=list_defendants, add=add_defendant, get=get_defendant)


def list_charges(
    *, session: Session, case: Case, entity_id: int | None, status: str | None,
    include_archived: bool, page: int, page_size: int, sort: str | None,
) -> Page:
    stmt = select(Charge).where(Charge.case_id == case.id)
    if not include_archived:
        stmt = stmt.where(Charge.archived_at.is_(None))
    if entity_id is not None:
        stmt = stmt.where(Charge.entity_id == entity_id)
    if status:
        stmt = stmt.where(Charge.status == status)
    stmt = apply_sort(stmt, Charge, sort, allowed=("entity_id", "count_number", "status", "id"), default="entity_id,count_number")
    return paginate(session, stmt, page=page, page_size=page_size)


def load_case_page(*, session: Session, case_id: int) -> Case:
    """A case (archived too) with its defendants, their designations and its charges loaded."""
    case = session.scalars(select(Case).where(Case.id == case_id).options(
        selectinload(Case.defendants).joinedload(CaseDefendant.entity, innerjoin=True)
        .selectinload(Entity.designations),
        selectinload(Case.charges), joinedload(Case.threat_group),
    )).one_or_none()
    if case is None:
        raise NotFound(f"No case with id {case_id}.")
    return case

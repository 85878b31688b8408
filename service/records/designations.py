"""Sanctions designations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..models import Designation, Entity, EntityName
from .common import (
    Page,
    Writable,
    apply_sort,
    bump_versions,
    check_order,
    check_unique,
    ensure_entity_exists,
    icontains,
    paginate,
)
from .listing import record_entity_changes

SORTABLE = ("listed_on", "delisted_on", "authority", "programme", "list_ref", "created_at", "updated_at", "id")


@dataclass(kw_only=True)
class ListingFilters:
    """The filters the designations list and the entity list (and search) share: designations
    by an ``authority``, under a ``programme``, listed from/to a date, active now or not; an
    entity with a name containing ``name``; archived records only with ``include_archived``.
    A designation is kept when it passes them, an entity when one of its designations does."""

    authority: str | None = None
    programme: str | None = None
    active: bool | None = None
    listed_from: date | None = None
    listed_to: date | None = None
    name: str | None = None
    include_archived: bool = False


def listing_conditions(filters: ListingFilters, *, programme: Callable[[str], Any] | None = None) -> list[Any]:
    """The conditions ``filters`` put on a designation's own columns (authority, programme,
    listing dates); ``programme`` tests the programme instead of "contains"."""
    conds = []
    if filters.authority:
        conds.append(Designation.authority == filters.authority.upper())
    if filters.programme:
        conds.append((programme or partial(icontains, Designation.programme))(filters.programme))
    if filters.listed_from:
        conds.append(Designation.listed_on >= filters.listed_from)
    if filters.listed_to:
        conds.append(Designation.listed_on <= filters.listed_to)
    return conds


@dataclass
class DesignationFilters(ListingFilters):
    entity_id: int | None = None
    list_ref: str | None = None


def _check(session: Session, data: dict[str, Any], exclude: int | None) -> None:
    check_order(data, earlier="listed_on", later="delisted_on")
    if data.get("list_ref"):
        check_unique(
            session, Designation, Designation.authority == data["authority"],
            Designation.list_ref == data["list_ref"], exclude=exclude, field="list_ref",
            detail="Duplicate for this authority.",
            message=lambda clash: f"{data['authority']} already has a designation with list reference "
                                  f"{data['list_ref']!r} (designation id {clash}).",
        )


DESIGNATIONS = Writable(
    Designation,
    fields=(
        "entity_id", "authority", "programme", "legal_basis", "list_ref", "listed_on",
        "delisted_on", "measures", "reasons", "source_urls",
    ),
    check=_check,
)


def create_designation(*, session: Session, data: dict[str, Any]) -> Designation:
    entity = ensure_entity_exists(session=session, entity_id=data["entity_id"])
    # The entity's sanctions change: its version grows too. First, so that a concurrent
    # request for the same entity waits here and the duplicate check below sees its row.
    bump_versions(session, entity)
    return DESIGNATIONS.create(session, data)


def update_designation(
    *, session: Session, designation: Designation, data: dict[str, Any], replace: bool
) -> Designation:
    data = DESIGNATIONS.incoming(data, replace=replace)
    merged = DESIGNATIONS.merged(designation, data)
    entities = [designation.entity]
    if merged["entity_id"] != designation.entity_id:  # moved to another entity
        entities.append(ensure_entity_exists(session=session, entity_id=merged["entity_id"]))
    _check(session, merged, designation.id)
    if DESIGNATIONS.apply(designation, data):
        bump_versions(session, *entities)
    session.flush()
    if len(entities) > 1:
        # The entity it left changed too: screening indexes must re-read it.
        record_entity_changes(session, {entities[0].id})
    return designation


def list_designations(
    *, session: Session, filters: DesignationFilters, page: int, page_size: int, sort: str | None
) -> Page:
    stmt: Select[Any] = select(Designation).join(Entity, Designation.entity_id == Entity.id)
    if not filters.include_archived:
        stmt = stmt.where(Designation.archived_at.is_(None), Entity.archived_at.is_(None))
    if filters.entity_id is not None:
        stmt = stmt.where(Designation.entity_id == filters.entity_id)
    stmt = stmt.where(*listing_conditions(filters))
    if filters.list_ref:
        stmt = stmt.where(Designation.list_ref == filters.list_ref)
    if filters.name:
        stmt = stmt.where(
            Designation.entity_id.in_(
                select(EntityName.entity_id).where(icontains(EntityName.name, filters.name))
            )
        )
    if filters.active is not None:
        stmt = stmt.where(Designation.active if filters.active else ~Designation.active)
    stmt = apply_sort(stmt, Designation, sort, allowed=SORTABLE, default="-listed_on")
    return paginate(session, stmt, page=page, page_size=page_size)

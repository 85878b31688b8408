"""Sanctions designations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid
from ..models import Designation, Entity, EntityName
from .common import (
    Page,
    Writable,
    apply_sort,
    archive,
    bump_versions,
    ensure_entity_exists,
    icontains,
    paginate,
    taken_by,
)
from .listing import record_entity_changes

SORTABLE = ("listed_on", "delisted_on", "authority", "programme", "list_ref", "created_at", "updated_at", "id")


@dataclass
class DesignationFilters:
    entity_id: int | None = None
    authority: str | None = None
    programme: str | None = None
    list_ref: str | None = None
    active: bool | None = None
    listed_from: date | None = None
    listed_to: date | None = None
    name: str | None = None
    include_archived: bool = False


def _check(session: Session, data: dict[str, Any], exclude: int | None) -> None:
    listed, delisted = data.get("listed_on"), data.get("delisted_on")
    if listed and delisted and delisted < listed:
        raise Invalid(
            "delisted_on is before listed_on.",
            errors={"delisted_on": ["Must not be before listed_on."]},
        )
    if data.get("list_ref"):
        clash = taken_by(
            session, Designation, Designation.authority == data["authority"],
            Designation.list_ref == data["list_ref"], exclude=exclude,
        )
        if clash:
            raise Conflict(
                f"{data['authority']} already has a designation with list reference "
                f"{data['list_ref']!r} (designation id {clash}).",
                errors={"list_ref": ["Duplicate for this authority."]},
            )


DESIGNATIONS = Writable(
    Designation,
    fields=(
        "entity_id", "authority", "programme", "legal_basis", "list_ref", "listed_on",
        "delisted_on", "measures", "reasons", "source_urls",
    ),
    put_defaults={
        "programme": None, "legal_basis": None, "list_ref": None, "listed_on": None,
        "delisted_on": None, "measures": [], "reasons": None, "source_urls": [],
    },
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


def archive_designation(*, session: Session, designation: Designation) -> None:
    """Archive a designation entered in error; its entity's version grows."""
    archive(session=session, record=designation, parents=(designation.entity,))


def list_designations(
    *, session: Session, filters: DesignationFilters, page: int, page_size: int, sort: str | None
) -> Page:
    stmt: Select[Any] = select(Designation).join(Entity, Designation.entity_id == Entity.id)
    if not filters.include_archived:
        stmt = stmt.where(Designation.archived_at.is_(None), Entity.archived_at.is_(None))
    if filters.entity_id is not None:
        stmt = stmt.where(Designation.entity_id == filters.entity_id)
    if filters.authority:
        stmt = stmt.where(Designation.authority == filters.authority.upper())
    if filters.programme:
        stmt = stmt.where(icontains(Designation.programme, filters.programme))
    if filters.list_ref:
        stmt = stmt.where(Designation.list_ref == filters.list_ref)
    if filters.listed_from:
        stmt = stmt.where(Designation.listed_on >= filters.listed_from)
    if filters.listed_to:
        stmt = stmt.where(Designation.listed_on <= filters.listed_to)
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

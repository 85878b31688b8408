"""Persons and companies: create, read, list, update, archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFound
from ..models import (
    Case,
    CaseDefendant,
    Designation,
    Entity,
    EntityIdentifier,
    EntityName,
    ThreatGroupMember,
)
from ..vocabulary import PERSON_TYPES
from .common import (
    Page,
    apply_fields,
    apply_sort,
    escape_like,
    get_or_raise,
    icontains,
    json_list_contains,
    paginate,
    resolve_group_ids,
)
from .designations import ListingFilters, listing_conditions

SCALAR_FIELDS = (
    "name", "type", "birth_dates", "places_of_birth", "nationalities", "countries",
    "addresses", "gender", "notes", "properties", "source_urls",
)
SORTABLE = ("name", "created_at", "updated_at", "id", "type")
# Several programmes in one designation arrive joined ("SDGT; IRGC", see imports/ofac.py).
PROGRAMME_SEPARATOR = "; "

# Defaults a PUT falls back to for fields it leaves out (full replacement).
PUT_DEFAULTS: dict[str, Any] = {
    "birth_dates": [], "places_of_birth": [], "nationalities": [], "countries": [],
    "addresses": [], "gender": None, "notes": None, "properties": {}, "source_urls": [],
    "names": [], "identifiers": [],
}


@dataclass
class EntityFilters(ListingFilters):
    types: tuple[str, ...]
    country: str | None = None
    # The API's programme filter is a substring ("CYBER" keeps CYBER2); the search page's
    # facets name one programme exactly (case aside), as one of a designation's joined ones.
    programme_exact: bool = False
    threat_group: str | None = None
    case_status: str | None = None
    identifier: str | None = None


def _label(types: tuple[str, ...]) -> str:
    return "person" if types == PERSON_TYPES else "company"


def get_entity(
    *, session: Session, entity_id: int, types: tuple[str, ...], include_archived: bool = False
) -> Entity:
    entity = get_or_raise(
        session, Entity, entity_id, include_archived=include_archived, label=_label(types)
    )
    if entity.type not in types:
        # The id exists but is another kind of record: same answer as an unknown id.
        raise NotFound(f"No {_label(types)} with id {entity_id}.")
    return entity


def _replace_names(entity: Entity, names: list[dict[str, Any]]) -> None:
    """Keep the primary name in the names table too, so screening reads one place."""
    wanted: list[tuple[str, str, str | None, str | None]] = [(entity.name, "primary", None, None)]
    seen = {(entity.name, "primary")}
    for item in names:
        key = (item["name"], item.get("kind") or "aka")
        if key[1] == "primary" and key[0] == entity.name:
            wanted[0] = (entity.name, "primary", item.get("script"), item.get("lang"))
            continue
        if key in seen:
            continue
        seen.add(key)
        wanted.append((key[0], key[1], item.get("script"), item.get("lang")))
    current = [(n.name, n.kind, n.script, n.lang) for n in entity.names]
    if current == wanted:
        return
    entity.names[:] = [
        EntityName(name=n, kind=k, script=s, lang=lang) for n, k, s, lang in wanted
    ]
    entity.touch()


def _replace_identifiers(entity: Entity, identifiers: list[dict[str, Any]]) -> None:
    wanted = []
    seen = set()
    for item in identifiers:
        key = (item["scheme"], item["value"], item.get("country"))
        if key in seen:
            continue
        seen.add(key)
        wanted.append((*key, item.get("notes"), item.get("issued_on")))
    current = [(i.scheme, i.value, i.country, i.notes, i.issued_on) for i in entity.identifiers]
    if current == wanted:
        return
    entity.identifiers[:] = [
        EntityIdentifier(scheme=s, value=v, country=c, notes=n, issued_on=d)
        for s, v, c, n, d in wanted
    ]
    entity.touch()


def create_entity(*, session: Session, data: dict[str, Any]) -> Entity:
    entity = Entity(**{k: data[k] for k in SCALAR_FIELDS if k in data})
    session.add(entity)
    _replace_names(entity, data.get("names", []))
    _replace_identifiers(entity, data.get("identifiers", []))
    session.flush()
    return entity


def update_entity(
    *, session: Session, entity: Entity, data: dict[str, Any], replace: bool
) -> Entity:
    """PUT (``replace=True``) resets what the body leaves out; PATCH changes only what it has."""
    if replace:
        data = {**PUT_DEFAULTS, "type": entity.type, **data}
    apply_fields(entity, data, fields=SCALAR_FIELDS)
    if "names" in data or "name" in data:
        names = data.get("names")
        if names is None:  # PATCH of the primary name alone keeps the other names
            names = [
                {"name": n.name, "kind": n.kind, "script": n.script, "lang": n.lang}
                for n in entity.names
                if n.kind != "primary"
            ]
        _replace_names(entity, names)
    if "identifiers" in data:
        _replace_identifiers(entity, data["identifiers"])
    session.flush()
    return entity


def _programme_is(programme: str) -> Any:
    """A designation's programme is ``programme``, alone or among its joined ones."""
    code, sep = escape_like(programme), PROGRAMME_SEPARATOR
    column = Designation.programme
    return or_(func.lower(column) == programme.lower(),
               *(column.ilike(pattern, escape="\\")
                 for pattern in (f"{code}{sep}%", f"%{sep}{code}", f"%{sep}{code}{sep}%")))


def _designation_clause(f: EntityFilters) -> Any | None:
    conds = listing_conditions(f, programme=_programme_is if f.programme_exact else None)
    if not conds and f.active is None:
        return None
    base = and_(Designation.entity_id == Entity.id, Designation.archived_at.is_(None), *conds)
    if f.active is True:
        return exists().where(base, Designation.active)
    if f.active is False:
        # Listed once (matching the other filters) but no such listing is active now.
        return and_(exists().where(base), ~exists().where(base, Designation.active))
    return exists().where(base)


def list_entities(
    *, session: Session, filters: EntityFilters, page: int, page_size: int, sort: str | None
) -> Page:
    stmt = apply_sort(filtered(session=session, filters=filters), Entity, sort, allowed=SORTABLE, default="name")
    stmt = stmt.options(selectinload(Entity.names), selectinload(Entity.identifiers))
    return paginate(session, stmt, page=page, page_size=page_size)


def filtered(*, session: Session, filters: EntityFilters, columns: Any = Entity) -> Select[Any]:
    """SELECT of the entities that pass ``filters`` (shared by lists and fuzzy search)."""
    stmt: Select[Any] = select(columns).where(Entity.type.in_(filters.types))
    if not filters.include_archived:
        stmt = stmt.where(Entity.archived_at.is_(None))
    if filters.name:
        stmt = stmt.where(
            exists().where(EntityName.entity_id == Entity.id, icontains(EntityName.name, filters.name))
        )
    if filters.country:
        code = filters.country.upper()
        stmt = stmt.where(
            or_(
                json_list_contains(Entity.nationalities, code),
                json_list_contains(Entity.countries, code),
            )
        )
    if filters.identifier:
        stmt = stmt.where(
            exists().where(
                EntityIdentifier.entity_id == Entity.id, EntityIdentifier.value == filters.identifier
            )
        )
    clause = _designation_clause(filters)
    if clause is not None:
        stmt = stmt.where(clause)
    if filters.threat_group:
        group_ids = resolve_group_ids(session=session, ref=filters.threat_group)
        stmt = stmt.where(
            exists().where(
                ThreatGroupMember.entity_id == Entity.id,
                ThreatGroupMember.group_id.in_(group_ids),
                ThreatGroupMember.archived_at.is_(None),
            )
        )
    if filters.case_status:
        stmt = stmt.where(
            exists().where(
                CaseDefendant.entity_id == Entity.id,
                CaseDefendant.archived_at.is_(None),
                CaseDefendant.case_id == Case.id,
                Case.status == filters.case_status,
                Case.archived_at.is_(None),
            )
        )
    return stmt


"""The listed entities as the screening engine takes them, read from the records.

Read in parts of entity ids, so that a caller building an index from them holds one part at
a time, never the whole list (a million entities' engine objects are about 1 GB).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from sys import intern
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Designation, Entity, EntityIdentifier, EntityName
from ..screening import ListedEntity, ListedName
from .common import in_lists

__all__ = ["READ_PART", "iter_listed_entities", "iter_listed_parts", "listed_count", "listed_entities",
           "listed_part", "listed_part_bounds"]

# Entities read per round of the full read.
READ_PART = 20_000


def listed_count(session: Session) -> int:
    """How many live entities the full read gives."""
    return session.scalar(select(func.count()).select_from(Entity).where(Entity.archived_at.is_(None))) or 0


def listed_part_bounds(*, session: Session, part: int = READ_PART) -> list[tuple[int, int]]:
    """The first and last entity id of each part of ``part`` live entities, in id order."""
    # Counted by the database: the ids themselves, a million Python ints, would stay in this
    # process's memory (freed to Python's allocator, not to the system) for the whole build.
    numbered = select(
        Entity.id, ((func.row_number().over(order_by=Entity.id) - 1) // part).label("part")
    ).where(Entity.archived_at.is_(None)).subquery()
    rows = session.execute(select(func.min(numbered.c.id), func.max(numbered.c.id))
                           .group_by(numbered.c.part).order_by(numbered.c.part))
    return [(first, last) for first, last in rows]


def listed_part(*, session: Session, bounds: tuple[int, int]) -> list[ListedEntity]:
    """The live entities with ids from ``bounds[0]`` to ``bounds[1]``, in the engine's shape."""
    return _part(session, _between(*bounds))


def iter_listed_parts(*, session: Session, part: int = READ_PART) -> Iterator[list[ListedEntity]]:
    """Every live entity in the engine's shape, ``part`` entities (a range of ids) at a time,
    in id order."""
    for bounds in listed_part_bounds(session=session, part=part):
        yield listed_part(session=session, bounds=bounds)


def iter_listed_entities(*, session: Session, part: int = READ_PART) -> Iterator[ListedEntity]:
    """Every live entity in the engine's shape, read ``part`` entities (a range of ids) at a
    time, so that only one part is held while the caller consumes it."""
    for entities in iter_listed_parts(session=session, part=part):
        yield from entities


def listed_entities(*, session: Session, ids: Collection[int] | None = None) -> list[ListedEntity]:
    """Every live entity (or those of ``ids``) in the engine's shape."""
    if ids is None:
        return list(iter_listed_entities(session=session))
    out: list[ListedEntity] = []
    for chunk in in_lists(sorted(ids)):
        out += _part(session, _among(chunk))
    return out


def _part(session: Session, where: Callable[[Any], Any]) -> list[ListedEntity]:
    """The live entities ``where(entity id column)`` selects, in the engine's shape, in four
    set-based reads. Plain column reads through the session's connection: the ORM's row
    handling cost about a sixth of a million entities' read, for nothing a column read needs."""
    conn = session.connection()
    names: dict[int, list[ListedName]] = defaultdict(list)
    for eid, name, kind in conn.execute(
        select(EntityName.entity_id, EntityName.name, EntityName.kind).where(where(EntityName.entity_id))
        .order_by(EntityName.id)
    ):
        # The few distinct kinds, schemes, countries and types as one string each, not one per
        # row: the index keeps them (a million names' kinds were 80 MB of equal strings).
        names[eid].append(ListedName(name, intern(kind)))
    idents: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    for eid, scheme, value, country in conn.execute(
        select(EntityIdentifier.entity_id, EntityIdentifier.scheme, EntityIdentifier.value,
               EntityIdentifier.country).where(where(EntityIdentifier.entity_id))
    ):
        idents[eid].append((intern(scheme), value, intern(country) if country else None))
    refs: dict[int, list[str]] = defaultdict(list)
    for eid, authority, list_ref in conn.execute(
        select(Designation.entity_id, Designation.authority, Designation.list_ref)
        .where(where(Designation.entity_id), Designation.archived_at.is_(None), Designation.active)
        .order_by(Designation.id)
    ):
        if list_ref:
            refs[eid].append(f"{authority}:{list_ref}")
    out = []
    for eid, etype, name, birth_dates, nationalities, countries, addresses in conn.execute(
        select(Entity.id, Entity.type, Entity.name, Entity.birth_dates, Entity.nationalities,
               Entity.countries, Entity.addresses).where(where(Entity.id), Entity.archived_at.is_(None))
        .order_by(Entity.id)
    ):
        all_countries = list(dict.fromkeys(
            [*nationalities, *countries, *(a.get("country") for a in addresses if a.get("country"))]
        ))
        out.append(ListedEntity(
            entity_id=eid, type=intern(etype), name=name, names=names.get(eid) or [ListedName(name, "primary")],
            birth_dates=list(birth_dates), countries=all_countries, identifiers=idents.get(eid, []),
            references=refs.get(eid, []),
        ))
    return out


def _between(lo: int, hi: int) -> Callable[[Any], Any]:
    return lambda column: column.between(lo, hi)


def _among(ids: Sequence[int]) -> Callable[[Any], Any]:
    return lambda column: column.in_(ids)

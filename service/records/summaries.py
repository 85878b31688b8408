"""What a screening result says about each matched entity (its active designations, charges
and threat groups), cached per process for one list state.

A screening system acts on a match without a second request, so every match carries its
entity's summary. Reading those from the database on every screen costs a round trip (it was
four before :func:`entities_by_id` joined them); the summaries only change when the records
do, and every change to the records moves the list-state counter (:mod:`.listing`). So a
process keeps the summaries it has read for the list state it last saw and drops them all when
the counter moves. Dropping all, not just the entities the change log names, because a renamed
or archived case or threat group changes the summaries of entities the log does not name.

The summaries are small frozen objects with the attributes the response schemas and pages read
from an :class:`~service.models.Entity` (``tests/api/test_caches.py`` checks they dump alike),
read as plain columns (:func:`briefs_by_id`), so no ORM object is built for them and nothing
ORM-bound outlives the request that loaded it.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, joinedload

from ..models import Case, Charge, Designation, Entity, ThreatGroup, ThreatGroupMember
from ..models.designation import listing_active
from ..screening.memo import drop_oldest
from .common import in_lists

# Entities whose summaries one process keeps (about 1 KB each); past it the oldest go first.
SUMMARY_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class DesignationBrief:
    id: int
    authority: str
    programme: str | None
    legal_basis: str | None
    list_ref: str | None
    listed_on: date | None
    delisted_on: date | None
    measures: tuple[str, ...]

    @property
    def active(self) -> bool:
        # As Designation.active: computed on reading, so a listing that starts or ends at
        # midnight shows so without any change to the records.
        return listing_active(self.listed_on, self.delisted_on, date.today())

    @property
    def reference(self) -> str | None:
        return f"{self.authority}:{self.list_ref}" if self.list_ref else None


@dataclass(frozen=True, slots=True)
class CaseBrief:
    title: str
    court: str
    case_number: str | None


@dataclass(frozen=True, slots=True)
class ChargeBrief:
    id: int
    case_id: int
    count_number: int | None
    statute: str
    description: str | None
    status: str
    max_penalty: str | None
    case: CaseBrief


@dataclass(frozen=True, slots=True)
class GroupBrief:
    name: str
    mitre_id: str | None


@dataclass(frozen=True, slots=True)
class GroupLinkBrief:
    id: int
    group_id: int
    role: str
    group: GroupBrief


@dataclass(frozen=True, slots=True)
class EntityBrief:
    """A listed entity as a match shows it: reads like an Entity for the schemas and pages."""

    id: int
    type: str
    name: str
    version: int
    live_designations: tuple[DesignationBrief, ...]
    live_charges: tuple[ChargeBrief, ...]
    live_group_links: tuple[GroupLinkBrief, ...]

    @property
    def active_designations(self) -> list[DesignationBrief]:
        return [d for d in self.live_designations if d.active]


def brief(entity: Entity) -> EntityBrief:
    """The summary of a loaded entity (designations, charges with their case, group links
    with their group)."""
    return EntityBrief(
        id=entity.id, type=entity.type, name=entity.name, version=entity.version,
        live_designations=tuple(
            DesignationBrief(id=d.id, authority=d.authority, programme=d.programme, legal_basis=d.legal_basis,
                             list_ref=d.list_ref, listed_on=d.listed_on, delisted_on=d.delisted_on,
                             measures=tuple(d.measures or ()))
            for d in entity.live_designations
        ),
        live_charges=tuple(
            ChargeBrief(id=c.id, case_id=c.case_id, count_number=c.count_number, statute=c.statute,
                        description=c.description, status=c.status, max_penalty=c.max_penalty,
                        case=CaseBrief(title=c.case.title, court=c.case.court, case_number=c.case.case_number))
            for c in entity.live_charges
        ),
        live_group_links=tuple(
            GroupLinkBrief(id=m.id, group_id=m.group_id, role=m.role,
                           group=GroupBrief(name=m.group.name, mitre_id=m.group.mitre_id))
            for m in entity.live_group_links
        ),
    )


def entities_by_id(session: Session, ids: Collection[int]) -> dict[int, Entity]:
    """The entities of ``ids`` with their designations, charges (and cases) and group links
    (and groups) loaded, in one read.

    One read joining all three, not one per collection (``selectinload``): on a million
    names most matches are summaries not yet held, and the three further round trips were
    half the time of a screen there. The join repeats an entity's row once per designation x
    charge x group link; listed entities have a few of each (APT31's two sanctioned officers:
    two designations, a few charges, one group), so that stays a few rows."""
    if not ids:
        return {}
    stmt = select(Entity).options(
        joinedload(Entity.designations),
        joinedload(Entity.charges).joinedload(Charge.case),
        joinedload(Entity.group_links).joinedload(ThreatGroupMember.group),
    )
    found: dict[int, Entity] = {}
    for part in in_lists(sorted(ids)):
        found.update((e.id, e) for e in session.scalars(stmt.where(Entity.id.in_(part))).unique())
    return found


def _briefs_statement() -> Any:
    """Entities with their live designations, live charges (of live cases) and live group
    links (to live groups), one row per combination, as columns (see :func:`briefs_by_id`)."""
    live_charge = Charge.__table__.join(
        Case.__table__, and_(Case.id == Charge.case_id, Case.archived_at.is_(None)))
    live_link = ThreatGroupMember.__table__.join(
        ThreatGroup.__table__, and_(ThreatGroup.id == ThreatGroupMember.group_id, ThreatGroup.archived_at.is_(None)))
    joined = (
        Entity.__table__
        .outerjoin(Designation.__table__, and_(Designation.entity_id == Entity.id, Designation.archived_at.is_(None)))
        .outerjoin(live_charge, and_(Charge.entity_id == Entity.id, Charge.archived_at.is_(None)))
        .outerjoin(live_link, and_(ThreatGroupMember.entity_id == Entity.id,
                                   ThreatGroupMember.archived_at.is_(None)))
    )
    return (
        select(Entity.id, Entity.type, Entity.name, Entity.version,
               Designation.id, Designation.authority, Designation.programme, Designation.legal_basis,
               Designation.list_ref, Designation.listed_on, Designation.delisted_on, Designation.measures,
               Charge.id, Charge.case_id, Charge.count_number, Charge.statute, Charge.description, Charge.status,
               Charge.max_penalty, Case.title, Case.court, Case.case_number,
               ThreatGroupMember.id, ThreatGroupMember.group_id, ThreatGroupMember.role,
               ThreatGroup.name, ThreatGroup.mitre_id)
        .select_from(joined)
        .order_by(Entity.id, Designation.id, Charge.id, ThreatGroupMember.id)
    )


_BRIEFS = _briefs_statement()


def briefs_by_id(session: Session, ids: Collection[int]) -> dict[int, EntityBrief]:
    """The summaries of the entities of ``ids`` (unknown ones left out), in one read of plain
    columns: what :func:`brief` makes of :func:`entities_by_id`'s entities, without building
    ORM objects (on a million names most matches are summaries not yet held, and the ORM's
    identity map and relationship loading were a fifth of a screen's time there)."""
    rows: dict[int, tuple[tuple[Any, ...], dict[int, DesignationBrief], dict[int, ChargeBrief],
                          dict[int, GroupLinkBrief]]] = {}
    for part in in_lists(sorted(ids)):
        for r in session.execute(_BRIEFS.where(Entity.id.in_(part))):
            eid = r[0]
            held = rows.get(eid)
            if held is None:
                held = rows[eid] = (tuple(r[0:4]), {}, {}, {})
            _, designations, charges, links = held
            if r[4] is not None and r[4] not in designations:
                designations[r[4]] = DesignationBrief(
                    id=r[4], authority=r[5], programme=r[6], legal_basis=r[7], list_ref=r[8], listed_on=r[9],
                    delisted_on=r[10], measures=tuple(r[11] or ()))
            if r[12] is not None and r[12] not in charges:
                charges[r[12]] = ChargeBrief(
                    id=r[12], case_id=r[13], count_number=r[14], statute=r[15], description=r[16], status=r[17],
                    max_penalty=r[18], case=CaseBrief(title=r[19], court=r[20], case_number=r[21]))
            if r[22] is not None and r[22] not in links:
                links[r[22]] = GroupLinkBrief(id=r[22], group_id=r[23], role=r[24],
                                              group=GroupBrief(name=r[25], mitre_id=r[26]))
    return {
        eid: EntityBrief(id=head[0], type=head[1], name=head[2], version=head[3],
                         live_designations=tuple(d.values()), live_charges=tuple(c.values()),
                         live_group_links=tuple(g.values()))
        for eid, (head, d, c, g) in rows.items()
    }


class SummaryCache:
    """The summaries read for one list state (counter and fingerprint); a newer state drops them."""

    def __init__(self, size: int = SUMMARY_CACHE_SIZE) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._state: tuple[int, str] | None = None
        self._items: dict[int, EntityBrief] = {}

    def get(self, *, session: Session, ids: Iterable[int], state: tuple[int, str]) -> dict[int, EntityBrief]:
        """The summaries of ``ids`` (unknown ones left out) as of ``state``, the
        list state the caller read in this transaction; read from the database when not held.

        What this transaction reads is never older than ``state``, so an entry kept under a
        state is never staler than it; a request still on an older state than the cache's
        reads for itself and keeps nothing."""
        wanted = set(ids)
        with self._lock:
            if self._state is None or state[0] > self._state[0] or (
                    state[0] == self._state[0] and state[1] != self._state[1]):
                self._state, self._items = state, {}
            current = self._state == state
            held = {i: self._items[i] for i in wanted if i in self._items} if current else {}
        missing = wanted - held.keys()
        if not missing:
            return held
        loaded = briefs_by_id(session, missing)
        if current:
            with self._lock:
                if self._state == state:
                    while len(self._items) + len(loaded) > self.size and self._items:
                        drop_oldest(self._items)  # the oldest share (screening.memo)
                    self._items.update(loaded)
        return {**held, **loaded}

    def clear(self) -> None:
        with self._lock:
            self._state, self._items = None, {}

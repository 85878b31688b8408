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
so nothing ORM-bound outlives the request that loaded it.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import Charge, Entity, ThreatGroupMember
from ..models.designation import listing_active
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
        loaded = {i: brief(e) for i, e in entities_by_id(session, missing).items()}
        if current:
            with self._lock:
                if self._state == state:
                    while len(self._items) + len(loaded) > self.size and self._items:
                        del self._items[next(iter(self._items))]  # the oldest first
                    self._items.update(loaded)
        return {**held, **loaded}

    def clear(self) -> None:
        with self._lock:
            self._state, self._items = None, {}

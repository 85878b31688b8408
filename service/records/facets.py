"""Facet counts for the search page: how many of a set of entities each filter value would
keep (type, authority, programme, country, threat group, active/delisted).

The set is either explicit ids (the fuzzy hits of a query, already filtered) or every entity
that passes :class:`~.entities.EntityFilters`. Each count is of entities, not rows: an entity
with two designations by the same authority counts once for it. The values are the ones the
filters take back (``authority=OFAC``, ``programme=CYBER2``, ``country=CN``, ``threat_group=APT31``,
``active=true``), so a facet is a link that narrows the search to its count.

Counting reads each live entity's row (:func:`entity_rows`: its facet values and what the
results table shows, in three set-based reads of the whole list) and counts in memory.
:class:`FacetCache` keeps those rows, and the ids and counts of the filter combinations asked
for lately, for one list state (the counter and fingerprint the screening index follows,
:mod:`.listing`) and one day (whether a listing is active depends on the date): every change
to the records moves the counter, so nothing kept outlives the records it was read from. A
search page then reads the counter, and the filters once (a query's hits, or the first time a
combination is asked for), instead of a pass over the list per facet and the shown records.
"""

from __future__ import annotations

import re
import threading
from array import array
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from datetime import date, datetime
from itertools import chain
from operator import attrgetter
from typing import NamedTuple

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from ..models import Designation, Entity, ThreatGroup, ThreatGroupMember, listing_active
from .entities import PROGRAMME_SEPARATOR, EntityFilters, filtered
from .listing import current_state

# A code in the JSON text of a country list.
_CODE = re.compile(r'"([A-Z]{2})"')
# Values shown per facet; the rest are summed up as "more".
FACET_LIMIT = 12
# Filter combinations whose ids and counts one process keeps per list state (each holds at
# most the list's ids, 8 bytes apiece).
LISTINGS_KEPT = 64


@dataclass
class Facet:
    """One facet: (value, count) pairs, the largest first, and how many values were left out."""

    name: str
    values: list[tuple[str, int]] = field(default_factory=list)
    more: int = 0


@dataclass
class Facets:
    type: Facet
    authority: Facet
    programme: Facet
    country: Facet
    threat_group: Facet
    status: Facet  # "active": an active designation; "delisted": designated once, none active now

    def __iter__(self) -> Iterator[Facet]:
        return iter((self.type, self.authority, self.programme, self.country, self.threat_group, self.status))


class EntityRow(NamedTuple):
    """One live entity as the search page lists it and counts it in the facets (each value
    once, in the order of the record). A named tuple: the list has one per entity, and a
    tuple is made several times faster than a frozen dataclass."""

    id: int
    name: str
    type: str
    updated_at: datetime
    countries: tuple[str, ...] = ()  # nationalities, then other countries
    authorities: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    references: tuple[str, ...] = ()  # of the active designations: "OFAC:12345", or the authority
    groups: tuple[str, ...] = ()
    status: str | None = None  # "active", "delisted", or None: never designated


def entity_rows(*, session: Session, today: date) -> dict[int, EntityRow]:
    """Every live entity's row, by id, in three reads whatever the list's size.

    Most entities share their country lists and programme strings with many others, so each
    distinct text is parsed once (a third of the time went to decoding the same JSON). Values
    are gathered in dicts (sets that keep the record's order) by entity id."""
    programmes_of: dict[str | None, list[str]] = {}
    authorities: dict[int, dict[str, None]] = defaultdict(dict)
    programmes: dict[int, dict[str, None]] = defaultdict(dict)
    references: dict[int, dict[str, None]] = defaultdict(dict)  # of the active designations
    for eid, authority, programme, list_ref, listed_on, delisted_on in session.execute(
        select(Designation.entity_id, Designation.authority, Designation.programme, Designation.list_ref,
               Designation.listed_on, Designation.delisted_on)
        .where(Designation.archived_at.is_(None)).order_by(Designation.id)
    ):
        authorities[eid][authority] = None
        if programme not in programmes_of:
            programmes_of[programme] = [p for p in (programme or "").split(PROGRAMME_SEPARATOR) if p]
        programmes[eid].update(dict.fromkeys(programmes_of[programme]))
        if listing_active(listed_on, delisted_on, today):
            references[eid][f"{authority}:{list_ref}" if list_ref else authority] = None
    groups: dict[int, dict[str, None]] = defaultdict(dict)
    for eid, name in session.execute(
        select(ThreatGroupMember.entity_id, ThreatGroup.name)
        .join(ThreatGroup, ThreatGroup.id == ThreatGroupMember.group_id)
        .where(ThreatGroupMember.archived_at.is_(None), ThreatGroup.archived_at.is_(None))
        .order_by(ThreatGroupMember.id)
    ):
        groups[eid][name] = None
    countries_of: dict[tuple[str | None, str | None], tuple[str, ...]] = {}
    rows = {}
    for eid, name, etype, updated_at, nationalities, countries in session.execute(
        select(Entity.id, Entity.name, Entity.type, Entity.updated_at, cast(Entity.nationalities, String),
               cast(Entity.countries, String)).where(Entity.archived_at.is_(None))
    ):
        places = countries_of.get((nationalities, countries))
        if places is None:
            places = countries_of[nationalities, countries] = tuple(dict.fromkeys(
                [*_codes(nationalities), *_codes(countries)]))
        listed_by = authorities.get(eid)
        rows[eid] = EntityRow(
            id=eid, name=name, type=etype, updated_at=updated_at, countries=places,
            authorities=tuple(listed_by or ()), programmes=tuple(programmes.get(eid, ())),
            references=tuple(references.get(eid, ())), groups=tuple(groups.get(eid, ())),
            status=None if not listed_by else "active" if eid in references else "delisted",
        )
    return rows


def _codes(json_text: str | None) -> list[str]:
    """The codes of a JSON list of country codes, as the database returns its text (codes are
    validated: two capitals, or XK)."""
    return _CODE.findall(json_text) if json_text else []


def count_facets(rows: Mapping[int, EntityRow], ids: Iterable[int], limit: int = FACET_LIMIT) -> Facets:
    """The facets of the entities ``ids`` (each counted once; ids without a row, archived or
    gone, are left out). Counted by C loops (map, chain, Counter) over the rows' fields: a
    Python loop per row took several times as long over the whole list."""
    selected = [row for row in map(rows.get, set(ids)) if row is not None]

    def each(name: str) -> Counter[str]:
        return Counter(chain.from_iterable(map(attrgetter(name), selected)))

    status = Counter(map(attrgetter("status"), selected))
    status.pop(None, None)  # never designated
    counters = {"type": Counter(map(attrgetter("type"), selected)), "authority": each("authorities"),
                "programme": each("programmes"), "country": each("countries"), "threat_group": each("groups"),
                "status": status}
    return Facets(**{name: _facet(name, counts, limit) for name, counts in counters.items()})


def _facet(name: str, counts: Counter[str], limit: int) -> Facet:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Facet(name, ranked[:limit], max(0, len(ranked) - limit))


def filtered_ids(*, session: Session, filters: EntityFilters) -> list[int]:
    """The ids of the entities passing ``filters``, the most recently changed first: one read,
    which gives the count, any page and the facets alike."""
    stmt = filtered(session=session, filters=filters, columns=Entity.id)
    return list(session.scalars(stmt.order_by(Entity.updated_at.desc(), Entity.id.desc())))


def facet_counts(
    *, session: Session, filters: EntityFilters, ids: Sequence[int] | None = None,
    limit: int = FACET_LIMIT, today: date | None = None,
) -> Facets:
    """The facets of the entities ``ids`` (when given; they are taken as already filtered) or of
    every entity passing ``filters``, read afresh (:class:`FacetCache` keeps them)."""
    rows = entity_rows(session=session, today=today or date.today())
    return count_facets(rows, filtered_ids(session=session, filters=filters) if ids is None else ids, limit)


@dataclass(frozen=True)
class Listing:
    """Entities in the order shown (ids), their facets, and the rows of the list state they
    were read in (every live entity's, by id)."""

    ids: Sequence[int]
    facets: Facets
    rows: Mapping[int, EntityRow]

    def window(self, page: int, page_size: int) -> list[EntityRow]:
        """The rows of one page (ids without a row, archived since, left out)."""
        return [self.rows[i] for i in self.ids[(page - 1) * page_size : page * page_size] if i in self.rows]


Key = tuple[int, str, date]


class FacetCache:
    """Per process: the row of every live entity and the listings of recent filter
    combinations, for one list state and day. A request that read an older state than the
    one kept (a transaction begun before a commit) reads for itself and keeps nothing."""

    def __init__(self, kept: int = LISTINGS_KEPT) -> None:
        self.kept = kept
        self._lock = threading.Lock()  # guards the fields below
        self._build = threading.Lock()  # one pass over the list at a time
        self._key: Key | None = None
        self._rows: dict[int, EntityRow] | None = None
        self._listings: OrderedDict[tuple[object, ...], Listing] = OrderedDict()

    def clear(self) -> None:
        with self._lock:
            self._key, self._rows, self._listings = None, None, OrderedDict()

    def _state(self, session: Session) -> tuple[Key, bool]:
        """The key of the state this transaction reads, and whether the cache holds (or now
        starts holding) that state."""
        counter, fingerprint = current_state(session)
        key = (counter, fingerprint, date.today())
        with self._lock:
            if self._key is None or counter > self._key[0] or (counter == self._key[0] and key != self._key):
                self._key, self._rows, self._listings = key, None, OrderedDict()
            return key, self._key == key

    def _rows_for(self, session: Session, key: Key, current: bool) -> dict[int, EntityRow]:
        if not current:
            return entity_rows(session=session, today=key[2])
        with self._build:
            with self._lock:
                rows = self._rows if self._key == key else None
            if rows is None:
                rows = entity_rows(session=session, today=key[2])
                with self._lock:
                    if self._key == key:
                        self._rows = rows
            return rows

    def of_ids(self, *, session: Session, ids: Sequence[int]) -> Listing:
        """The rows and facets of ``ids`` (the ranked hits of a query, already filtered)."""
        key, current = self._state(session)
        rows = self._rows_for(session, key, current)
        return Listing(ids, count_facets(rows, ids), rows)

    def listing(self, *, session: Session, filters: EntityFilters) -> Listing:
        """The entities passing ``filters``, the most recently changed first, and their
        facets: the filters are read once per list state."""
        key, current = self._state(session)
        wanted = astuple(filters)
        with self._lock:
            found = self._listings.get(wanted) if current and self._key == key else None
            if found is not None:
                self._listings.move_to_end(wanted)
                return found
        ids = filtered_ids(session=session, filters=filters)
        rows = self._rows_for(session, key, current)
        found = Listing(array("q", ids), count_facets(rows, ids), rows)
        if current:
            with self._lock:
                if self._key == key:
                    self._listings[wanted] = found
                    while len(self._listings) > self.kept:
                        self._listings.popitem(last=False)  # the least recently used
        return found

"""Facet counts for the search page: how many of a set of entities each filter value would
keep (type, authority, programme, country, threat group, active/delisted).

The set is either explicit ids (the fuzzy hits of a query, already filtered) or every entity
that passes :class:`~.entities.EntityFilters`. Each count is of entities, not rows: an entity
with two designations by the same authority counts once for it. The values are the ones the
filters take back (``authority=OFAC``, ``programme=CYBER2``, ``country=CN``, ``threat_group=APT31``,
``active=true``), so a facet is a link that narrows the search to its count.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from ..models import Designation, Entity, ThreatGroup, ThreatGroupMember, listing_active
from .common import in_lists
from .entities import EntityFilters, filtered

# Several programmes in one designation arrive joined ("SDGT; IRGC", see imports/ofac.py).
PROGRAMME_SEPARATOR = "; "
# Values shown per facet; the rest are summed up as "more".
FACET_LIMIT = 12
# A code in the JSON text of a country list (codes are validated: two capitals, or XK).
_CODE = re.compile(r'"([A-Z]{2})"')


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


@dataclass
class _Listed:
    """One entity's live designations, as the facets see them."""

    authorities: set[str] = field(default_factory=set)
    programmes: set[str] = field(default_factory=set)
    active: bool = False


def _facet(name: str, counts: Counter[str], limit: int) -> Facet:
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Facet(name, ranked[:limit], max(0, len(ranked) - limit))


def _scopes(session: Session, ids: Sequence[int] | None, filters: EntityFilters) -> Iterator[Any]:
    """Conditions on an entity id column, one per IN list (or the filters' subquery once):
    the parts partition the entities, so counts add up across them."""
    if ids is None:
        subquery = filtered(session=session, filters=filters, columns=Entity.id).scalar_subquery()
        yield lambda column: column.in_(subquery)
        return
    for part in in_lists(sorted(set(ids))):
        yield lambda column, part=part: column.in_(part)


def facet_counts(
    *, session: Session, filters: EntityFilters, ids: Sequence[int] | None = None,
    limit: int = FACET_LIMIT, today: date | None = None,
) -> Facets:
    """The facets of the entities ``ids`` (when given; they are taken as already filtered) or of
    every entity passing ``filters``."""
    today = today or date.today()
    types: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    authorities: Counter[str] = Counter()
    programmes: Counter[str] = Counter()
    groups: Counter[str] = Counter()
    status: Counter[str] = Counter()
    for scope in _scopes(session, ids, filters):
        # Entities sharing a type and country lists are counted in one row.
        for etype, nationalities, others, n in session.execute(
            select(Entity.type, cast(Entity.nationalities, String), cast(Entity.countries, String), func.count())
            .where(scope(Entity.id)).group_by(Entity.type, cast(Entity.nationalities, String),
                                              cast(Entity.countries, String))
        ):
            types[etype] += n
            for code in _codes(nationalities) | _codes(others):
                countries[code] += n
        listed: dict[int, _Listed] = defaultdict(_Listed)
        for eid, authority, programme, listed_on, delisted_on in session.execute(
            select(Designation.entity_id, Designation.authority, Designation.programme, Designation.listed_on,
                   Designation.delisted_on)
            .where(scope(Designation.entity_id), Designation.archived_at.is_(None))
        ):
            entry = listed[eid]
            entry.authorities.add(authority)
            entry.programmes.update(p for p in (programme or "").split(PROGRAMME_SEPARATOR) if p)
            entry.active = entry.active or listing_active(listed_on, delisted_on, today)
        for entry in listed.values():
            authorities.update(entry.authorities)
            programmes.update(entry.programmes)
            status["active" if entry.active else "delisted"] += 1
        for name, n in session.execute(
            select(ThreatGroup.name, func.count(func.distinct(ThreatGroupMember.entity_id)))
            .join(ThreatGroup, ThreatGroup.id == ThreatGroupMember.group_id)
            .where(scope(ThreatGroupMember.entity_id), ThreatGroupMember.archived_at.is_(None),
                   ThreatGroup.archived_at.is_(None))
            .group_by(ThreatGroup.name)
        ):
            groups[name] += n
    return Facets(
        type=_facet("type", types, limit), authority=_facet("authority", authorities, limit),
        programme=_facet("programme", programmes, limit), country=_facet("country", countries, limit),
        threat_group=_facet("threat_group", groups, limit), status=_facet("status", status, limit),
    )


def _codes(json_text: str | None) -> set[str]:
    """The codes of a JSON list of country codes, as the database returns its text."""
    if not json_text:
        return set()
    return set(_CODE.findall(json_text))



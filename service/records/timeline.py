"""An entity as the entity page shows it: now, or as it stood on a past day, with the history
of the entity and of the records that hang on it (its designations, charges, threat-group
links and case links), newest first, field by field.

Past states come from the history snapshots (:func:`.history.as_of`); the case and group a
past charge or link points at are shown as they are now (their own pages have their history).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from ..errors import NotFound
from ..models import CaseDefendant, Charge, Entity, HistoryEntry, RecordMixin, ThreatGroupMember
from .history import CHILD_MODELS, as_of

# Timeline entries shown on a page; an imported record with a long life has many.
TIMELINE_LIMIT = 200


@dataclass
class EntityView:
    """What the entity page shows. ``entity`` and the lists hold records, or for a past day
    namespaces with the same attribute names (the template reads both alike)."""

    entity: Any
    names: Sequence[Any]
    identifiers: Sequence[Any]
    designations: Sequence[Any]
    charges: Sequence[Any]
    group_links: Sequence[Any]
    moment: datetime | None = None


@dataclass
class Change:
    field: str
    before: Any
    after: Any


@dataclass
class TimelineEntry:
    at: datetime
    action: str  # create, update, archive, import
    record_type: str
    label: str  # which record: "the entity", "designation OFAC:123", ...
    actor: str | None  # user or key name; None for the system (seed, migration)
    changes: list[Change]


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` (UTC): "as of 25 March" includes that day's changes."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def load_entity(*, session: Session, entity_id: int) -> Entity:
    """The entity (archived ones too: the page says so) with what its page shows loaded: one
    read per list of child rows, the case or group each link points at joined to it."""
    entity = session.scalars(select(Entity).where(Entity.id == entity_id).options(
        selectinload(Entity.names), selectinload(Entity.identifiers), selectinload(Entity.designations),
        selectinload(Entity.charges).joinedload(Charge.case, innerjoin=True),
        selectinload(Entity.group_links).joinedload(ThreatGroupMember.group, innerjoin=True),
        selectinload(Entity.defendant_in).joinedload(CaseDefendant.case, innerjoin=True),
    )).one_or_none()
    if entity is None:
        raise NotFound(f"No record with id {entity_id}.")
    return entity


def entity_view(*, session: Session, entity: Entity, day: date | None = None) -> EntityView | None:
    """The entity now, or (``day``) as it stood at the end of that day: None if it did not
    exist yet."""
    if day is None:
        return EntityView(entity, entity.names, entity.identifiers, entity.live_designations,
                          entity.live_charges, entity.live_group_links)
    moment = end_of_day(day)
    snap = _past(session, "entity", entity, moment, keep_archived=True)
    if snap is None:
        return None
    designations = [d for d in (_past(session, "designation", r, moment) for r in entity.designations)
                    if d is not None and d.entity_id == entity.id]
    charges = _past_links(session, "charge", entity.charges, "case", entity.id, moment)
    links = _past_links(session, "threat_group_member", entity.group_links, "group", entity.id, moment)
    return EntityView(snap, snap.names, snap.identifiers, designations, charges, links, moment)


def _past_links(session: Session, record_type: str, records: Sequence[Any], target: str, entity_id: int,
                moment: datetime) -> list[Any]:
    """The entity's links (charges, group links) as they stood at ``moment``, each with the
    record it points at (``target``: its case or group) as it is now, unless archived."""
    out = []
    for record in records:
        past = _past(session, record_type, record, moment)
        pointed = getattr(record, target)
        if past is not None and past.entity_id == entity_id and not pointed.archived:
            setattr(past, target, pointed)
            out.append(past)
    return out


def _past(session: Session, record_type: str, record: RecordMixin, moment: datetime, *,
          keep_archived: bool = False) -> Any | None:
    """The record as it stood at ``moment``; None if it did not exist (or was archived)."""
    try:
        snap = as_of(session=session, record_type=record_type, record_id=record.id, moment=moment,
                     label=record_type)
    except NotFound:
        return None
    return None if snap["archived"] and not keep_archived else _namespace(snap)


def _namespace(snap: dict[str, Any]) -> SimpleNamespace:
    """Attributes for a snapshot and its child rows (names, identifiers); plain lists of
    dicts (addresses) stay dicts, as on the record."""
    fields = {k: [SimpleNamespace(**v) for v in value] if k in CHILD_MODELS and isinstance(value, list) else value
              for k, value in snap.items()}
    return SimpleNamespace(**fields)


def _labels(entity: Entity) -> dict[tuple[str, int], str]:
    labels = {("entity", entity.id): "the record"}
    for d in entity.designations:
        labels["designation", d.id] = f"designation {d.reference or d.authority}"
    for c in entity.charges:
        count = f"count {c.count_number}" if c.count_number is not None else "a charge"
        labels["charge", c.id] = f"{count} in {c.case.title}"
    for link in entity.group_links:
        labels["threat_group_member", link.id] = f"link to {link.group.name} ({link.role})"
    for defendant in entity.defendant_in:
        labels["case_defendant", defendant.id] = f"defendant in {defendant.case.title}"
    return labels


def entity_timeline(*, session: Session, entity: Entity, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """The changes to the entity and to the records that hang on it, newest first."""
    labels = _labels(entity)
    by_type: dict[str, list[int]] = {}
    for record_type, record_id in labels:
        by_type.setdefault(record_type, []).append(record_id)
    # One read: each term of the OR is a search of the (record_type, record_id, at) index
    # (SQLite's multi-index OR, PostgreSQL's bitmap OR; checked with EXPLAIN on the OFAC list).
    rows = session.scalars(
        select(HistoryEntry)
        .where(or_(*(and_(HistoryEntry.record_type == t, HistoryEntry.record_id.in_(ids))
                     for t, ids in by_type.items())))
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc()).limit(limit)).all()
    return [
        TimelineEntry(
            at=row.at, action=row.action, record_type=row.record_type,
            label=labels[row.record_type, row.record_id], actor=row.user_name or row.key_name,
            changes=[Change(name, *_pair(value)) for name, value in sorted((row.changes or {}).items())],
        )
        for row in rows[:limit]
    ]


def _pair(value: Any) -> tuple[Any, Any]:
    """A history change is [before, after]; anything else is shown as the value after."""
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None, value


"""The portfolio: the organisation's customers and vendors, keyed by the caller's external id.

A write that changes how a subject screens (any of :data:`FIELDS`) grows its ``version`` and
leaves it pending; the caller commits, then screens the pending subjects
(:func:`.screen.screen_pending`), at once for a request or in a background run for a file. So
a subject is screened against the lists as committed after it was, and a list change committed
after it finds it in the subject index: no list change slips between the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, insert, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import MonitoredSubject, utcnow
from ..records.common import Page, escape_like, in_lists, paginate
from ..screening import ListedEntity, ListedName, Subject
from . import cursors

FIELDS = ("type", "name", "aliases", "birth_date", "country", "identifiers", "threshold", "status")
DEFAULTS: dict[str, Any] = {"type": None, "aliases": [], "birth_date": None, "country": None,
                            "identifiers": [], "threshold": None, "status": "active"}
MAX_EXTERNAL_ID = 128
# ``/monitoring/subjects/batch`` and ``/subjects/csv`` are operations, so a subject with one of
# these ids could never be read or replaced at ``/subjects/<external_id>``: refuse them.
RESERVED_EXTERNAL_IDS = ("batch", "csv")


def external_id_problem(external_id: str) -> str | None:
    """Why ``external_id`` cannot name a subject, or None when it can."""
    if not 1 <= len(external_id) <= MAX_EXTERNAL_ID:
        return f"Length must be between 1 and {MAX_EXTERNAL_ID}."
    if external_id in RESERVED_EXTERNAL_IDS:
        return f"{external_id!r} is reserved (it names an operation under /monitoring/subjects/)."
    return None


@dataclass
class Upserted:
    subject: MonitoredSubject | None
    outcome: str  # created, updated, unchanged


def _is_pending(s: MonitoredSubject) -> bool:
    return s.screened_version is None or s.screened_version < s.version


def is_pending(subject: MonitoredSubject) -> bool:
    """Written since its last complete screening (its alerts may still come)."""
    return _is_pending(subject) and subject.status == "active" and subject.deleted_at is None


def _apply(subject: MonitoredSubject, data: dict[str, Any], seq: int) -> bool:
    values = {**DEFAULTS, **{k: data[k] for k in FIELDS if k in data}}
    changed = subject.deleted_at is not None
    for key in FIELDS:
        if getattr(subject, key) != values[key]:
            setattr(subject, key, values[key])
            changed = True
    if changed:
        subject.deleted_at = None
        subject.version += 1
        subject.updated_at = utcnow()
        subject.seq = seq
    return changed


def upsert_many(*, session: Session, items: Sequence[dict[str, Any]], keep_objects: bool = True) -> list[Upserted]:
    """Create or replace subjects (each with its ``external_id``); a replacement with the same
    fields changes nothing. Flushed; the caller commits and then screens what is pending.
    Without ``keep_objects`` new subjects are written in one bulk insert and come back as None
    (a file's chunk: only the counts matter)."""
    seq = cursors.bump(session, cursors.PORTFOLIO)
    ids = [item["external_id"] for item in items]
    found: dict[str, MonitoredSubject] = {}
    for part in in_lists(sorted(set(ids))):
        found.update((s.external_id, s) for s in session.scalars(
            select(MonitoredSubject).where(MonitoredSubject.external_id.in_(part))))
    out = []
    new_rows: list[dict[str, Any]] = []
    now = utcnow()
    for item in items:
        subject = found.get(item["external_id"])
        if subject is not None:
            out.append(Upserted(subject, "updated" if _apply(subject, item, seq) else "unchanged"))
            continue
        values = {**DEFAULTS, **{k: item[k] for k in FIELDS if k in item}}
        if keep_objects:
            subject = MonitoredSubject(external_id=item["external_id"], version=1, seq=seq, **values)
            session.add(subject)
            found[subject.external_id] = subject
        else:
            new_rows.append({"external_id": item["external_id"], "version": 1, "seq": seq, "created_at": now,
                             "updated_at": now, **values})
        out.append(Upserted(subject, "created"))
    if new_rows:
        session.execute(insert(MonitoredSubject), new_rows)
    session.flush()
    return out


def get_subject(*, session: Session, external_id: str, include_deleted: bool = False) -> MonitoredSubject:
    subject = session.scalar(select(MonitoredSubject).where(MonitoredSubject.external_id == external_id))
    if subject is None or (subject.deleted_at is not None and not include_deleted):
        raise NotFound(f"No monitored subject with external id {external_id!r}.")
    return subject


def delete_subject(*, session: Session, external_id: str) -> None:
    """Stop monitoring the subject; the row and its alerts stay (and it leaves the index)."""
    subject = get_subject(session=session, external_id=external_id)
    subject.deleted_at = utcnow()
    subject.updated_at = subject.deleted_at
    subject.seq = cursors.bump(session, cursors.PORTFOLIO)
    session.flush()


@dataclass
class SubjectFilters:
    status: str | None = None
    type: str | None = None
    country: str | None = None
    name: str | None = None
    pending: bool | None = None
    include_deleted: bool = False
    external_ids: list[str] = field(default_factory=list)


def _query(filters: SubjectFilters) -> Select[Any]:
    stmt = select(MonitoredSubject)
    if not filters.include_deleted:
        stmt = stmt.where(MonitoredSubject.deleted_at.is_(None))
    if filters.status:
        stmt = stmt.where(MonitoredSubject.status == filters.status)
    if filters.type:
        stmt = stmt.where(MonitoredSubject.type == filters.type)
    if filters.country:
        stmt = stmt.where(MonitoredSubject.country == filters.country)
    if filters.name:
        stmt = stmt.where(func.lower(MonitoredSubject.name).like(
            f"%{escape_like(filters.name.lower())}%", escape="\\"))
    if filters.pending is not None:
        behind = or_(MonitoredSubject.screened_version.is_(None),
                     MonitoredSubject.screened_version < MonitoredSubject.version)
        stmt = stmt.where(behind if filters.pending else ~behind)
    if filters.external_ids:
        stmt = stmt.where(MonitoredSubject.external_id.in_(filters.external_ids))
    return stmt.order_by(MonitoredSubject.id)


def list_subjects(*, session: Session, filters: SubjectFilters, page: int, page_size: int) -> Page:
    return paginate(session, _query(filters), page=page, page_size=page_size)


def portfolio_size(session: Session) -> int:
    """Subjects being monitored (active, not deleted)."""
    return session.scalar(select(func.count()).select_from(MonitoredSubject).where(
        MonitoredSubject.deleted_at.is_(None), MonitoredSubject.status == "active")) or 0


# --- the subject as the engine sees it ------------------------------------------------------

def screening_data(subject: Any) -> dict[str, Any]:
    """What a disposition (and the evidence log) records as the screened subject."""
    return {"name": subject.name, "type": subject.type, "birth_date": subject.birth_date,
            "country": subject.country, "identifiers": list(subject.identifiers or [])}


def queries(subject: Any) -> list[Subject]:
    """The subject as ``/screen`` queries: its name, then each alias (the best per entity wins)."""
    idents = [(i.get("scheme") or "other", i["value"], i.get("country")) for i in subject.identifiers or []]
    return [Subject(name=name, type=subject.type, birth_date=subject.birth_date, country=subject.country,
                    identifiers=idents)
            for name in dict.fromkeys([subject.name, *(subject.aliases or [])]) if name]


def as_listed(subject: Any, etype: str) -> ListedEntity:
    """The subject as an entry of the reverse index (its id standing for an entity id)."""
    names = [ListedName(subject.name, "primary"), *(ListedName(a, "aka") for a in subject.aliases or [])]
    return ListedEntity(
        entity_id=subject.id, type=etype, name=subject.name, names=names,
        birth_dates=[subject.birth_date] if subject.birth_date else [],
        countries=[subject.country] if subject.country else [],
        identifiers=[(i.get("scheme") or "other", i["value"], i.get("country")) for i in subject.identifiers or []],
    )


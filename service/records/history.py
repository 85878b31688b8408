"""Nothing changes without a trace: an immutable history row for every create, update,
archive and import of a record, written by a session hook in the same transaction.

Each row says who (API key or signed-in user), when, in which request, what changed (each field before and
after) and holds the record's own fields as they stood afterwards, so a record can be read
as of any past moment. The actor (an :class:`.actor.Actor`) comes from ``session.info["actor"]``
(set per request by the API and the UI, by the CLI for its commands). Imports write with bulk statements the hook cannot see and
tell :func:`write_history` themselves (action ``import``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import (
    RECORD_TYPES,
    Entity,
    EntityIdentifier,
    EntityName,
    HistoryEntry,
    RecordMixin,
    listing_active,
    utcnow,
)
from .actor import NOBODY, Actor
from .bulk import insert_rows
from .common import listen_once

MODELS = {name: model for model, name in RECORD_TYPES.items()}
# Bookkeeping columns: they change with every write and say nothing by themselves.
QUIET = {"id", "version", "created_at", "updated_at"}
CHILD_LISTS: dict[type, tuple[str, ...]] = {Entity: ("names", "identifiers")}
CHILD_MODELS: dict[str, type] = {"names": EntityName, "identifiers": EntityIdentifier}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _child(obj: Any) -> dict[str, Any]:
    cols = [c.key for c in inspect(obj).mapper.column_attrs if c.key not in {"id", "entity_id"}]
    return {c: _json(getattr(obj, c)) for c in cols}


def _changes(obj: RecordMixin, is_new: bool) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in QUIET:
            continue
        hist = state.attrs[attr.key].history
        if is_new:
            value = getattr(obj, attr.key)
            if value not in (None, [], {}):
                changes[attr.key] = [None, _json(value)]
        elif hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before != after:
                changes[attr.key] = [_json(before), _json(after)]
    for rel in CHILD_LISTS.get(type(obj), ()):
        hist = state.attrs[rel].history
        if hist.has_changes():
            before = [_child(c) for c in (*hist.unchanged, *hist.deleted)]
            after = [_child(c) for c in (*hist.unchanged, *hist.added)]
            if before != after:
                changes[rel] = [None if is_new else before, after]
    return changes


def _snapshot(obj: RecordMixin) -> dict[str, Any]:
    state = inspect(obj)
    snap = {a.key: _json(getattr(obj, a.key)) for a in state.mapper.column_attrs}
    for rel in CHILD_LISTS.get(type(obj), ()):
        snap[rel] = [_child(c) for c in getattr(obj, rel)]
    return snap


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    pending = session.info.setdefault("history_pending", [])
    for obj in session.new:
        if type(obj) in RECORD_TYPES:
            pending.append((obj, "create", _changes(obj, True)))
    for obj in session.dirty:
        if type(obj) not in RECORD_TYPES or not session.is_modified(obj):
            continue
        changes = _changes(obj, False)
        if "archived_at" in changes and changes["archived_at"][0] is None:
            action = "archive"
        elif not changes:
            continue  # only bookkeeping changed (e.g. touched because a child changed)
        else:
            action = "update"
        pending.append((obj, action, changes))


def _after_flush(session: Session, flush_context: Any) -> None:
    pending = session.info.pop("history_pending", [])
    write_history(session, [
        {"record_type": RECORD_TYPES[type(obj)], "record_id": obj.id, "action": action,
         "version": obj.version, "changes": changes, "snapshot": _snapshot(obj)}
        for obj, action, changes in pending
    ])


def write_history(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert history rows (record_type, record_id, action, version, changes, snapshot), each
    stamped with now and the session's actor: the one writer, for the ORM hook above and for
    the importer, whose bulk writes the hook cannot see."""
    if not rows:
        return
    actor: Actor = session.info.get("actor") or NOBODY
    stamp = {"at": utcnow(), **actor.columns()}
    insert_rows(session.connection(), HistoryEntry.__table__, [{**row, **stamp} for row in rows])  # type: ignore[arg-type]


def _discard(session: Session, *args: Any) -> None:
    session.info.pop("history_pending", None)


def install_history_hooks() -> None:
    listen_once(Session, [("before_flush", _before_flush), ("after_flush", _after_flush),
                          ("after_rollback", _discard)])


def history_of(*, session: Session, record_type: str, record_id: int, until: datetime | None = None) -> Sequence[HistoryEntry]:
    stmt = select(HistoryEntry).where(HistoryEntry.record_type == record_type, HistoryEntry.record_id == record_id)
    if until is not None:
        stmt = stmt.where(HistoryEntry.at <= until)
    return session.scalars(stmt.order_by(HistoryEntry.at, HistoryEntry.id)).all()


def as_of(*, session: Session, record_type: str, record_id: int, moment: datetime, label: str) -> dict[str, Any]:
    """The record's own fields as they stood at ``moment``."""
    entries = history_of(session=session, record_type=record_type, record_id=record_id, until=moment)
    if not entries:
        raise NotFound(f"The {label} with id {record_id} did not exist at {moment.isoformat()}.")
    snap = _revive(MODELS[record_type], dict(entries[-1].snapshot))
    for rel, child_model in CHILD_MODELS.items():
        if isinstance(snap.get(rel), list):
            snap[rel] = [_revive(child_model, dict(child)) for child in snap[rel]]
    snap["archived"] = snap.get("archived_at") is not None
    if record_type == "designation":
        snap["reference"] = f"{snap['authority']}:{snap['list_ref']}" if snap.get("list_ref") else None
        snap["active"] = listing_active(snap.get("listed_on"), snap.get("delisted_on"), moment.date())
    return snap


def _revive(model: type, snap: dict[str, Any]) -> dict[str, Any]:
    """Dates and times back from their JSON text, so the record schemas can dump a snapshot."""
    attr: Any
    for attr in inspect(model).column_attrs:
        value = snap.get(attr.key)
        if not isinstance(value, str):
            continue
        column_type = attr.columns[0].type
        # Our UTCDateTime decorator reports python_type as object; ask what it wraps.
        python_type = getattr(column_type, "impl_instance", column_type).python_type
        if python_type is datetime:
            snap[attr.key] = datetime.fromisoformat(value)
        elif python_type is date:
            snap[attr.key] = date.fromisoformat(value)
    return snap

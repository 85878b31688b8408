"""Helpers every record module uses: lookup, archive, paging, sorting, JSON-list filters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, String, cast, event, func, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import Invalid, NotFound
from ..models import RecordMixin, utcnow

M = TypeVar("M", bound=RecordMixin)
T = TypeVar("T")


@dataclass
class Page:
    items: Sequence[Any]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size if self.page_size else 0


def listen_once(target: Any, hooks: Sequence[tuple[str, Any]]) -> None:
    """Register event hooks unless already registered: ``create_app`` runs once per app and
    tests make many apps in one process."""
    for name, fn in hooks:
        if not event.contains(target, name, fn):
            event.listen(target, name, fn)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items (IN lists and executemany batches)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def get_or_raise(
    session: Session, model: type[M], record_id: int, *, include_archived: bool = False,
    label: str | None = None,
) -> M:
    obj = session.get(model, record_id)
    label = label or model.__name__.lower()
    if obj is None:
        raise NotFound(f"No {label} with id {record_id}.")
    if obj.archived and not include_archived:
        raise NotFound(
            f"The {label} with id {record_id} is archived; add include_archived=true to read it."
        )
    return obj


def archive(*, session: Session, record: RecordMixin) -> None:
    """Archive instead of delete: the record leaves lists and screening but stays readable."""
    if record.archived:
        return
    record.archived_at = utcnow()
    record.touch()
    session.flush()


def bump_versions(session: Session, *parents: RecordMixin) -> None:
    """Grow the version of records whose children changed (an entity when a designation is
    added, a case when a charge is) without the versioned UPDATE the ORM would issue.

    The ORM's ``UPDATE ... WHERE version = <as read>`` turns two requests adding different
    children to one parent into a 412 for the second, a precondition its client never set.
    ``version = version + 1`` instead waits for the other transaction's row lock and counts
    both. A client's own If-Match on the parent is still checked when it writes the parent.
    Parents are locked in one order (table, id) so that two such requests cannot deadlock.
    """
    now = utcnow()
    for parent in sorted(set(parents), key=lambda r: (type(r).__tablename__, r.id or 0)):  # type: ignore[attr-defined]
        state = inspect(parent)
        if state.pending or state.transient:
            continue  # not inserted yet: its INSERT sets the first version
        table = type(parent).__table__  # type: ignore[attr-defined]
        version = session.connection().execute(
            update(table).where(table.c.id == parent.id)
            .values(version=table.c.version + 1, updated_at=now)
            .returning(table.c.version)
        ).scalar_one()
        # The object now matches its row, so a later ORM UPDATE of it checks the new version.
        set_committed_value(parent, "version", version)
        set_committed_value(parent, "updated_at", now)


def apply_fields(record: Any, data: dict[str, Any], *, fields: Iterable[str]) -> bool:
    """Copy the given fields onto the record; True when anything changed."""
    changed = False
    for field in fields:
        if field in data and getattr(record, field) != data[field]:
            setattr(record, field, data[field])
            changed = True
    return changed


def paginate(session: Session, stmt: Select[Any], *, page: int, page_size: int) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return Page(items=items, total=total, page=page, page_size=page_size)


def apply_sort(
    stmt: Select[Any], model: Any, sort: str | None, *, allowed: Sequence[str], default: str
) -> Select[Any]:
    """``sort=name`` or ``sort=-listed_on``; comma-separated keys allowed. ``id`` breaks ties
    so pages are stable."""
    keys = [k.strip() for k in (sort or default).split(",") if k.strip()]
    order = []
    for key in keys:
        desc = key.startswith("-")
        name = key.lstrip("-+")
        if name not in allowed:
            raise Invalid(
                f"Cannot sort by {name!r}.",
                errors={"sort": [f"Must be one of: {', '.join(allowed)} (prefix - for descending)."]},
            )
        column = getattr(model, name)
        order.append(column.desc() if desc else column.asc())
    order.append(model.id.asc())
    return stmt.order_by(*order)


def json_list_contains(column: Any, value: str) -> Any:
    """Whether a JSON list-of-strings column holds ``value``, on SQLite and PostgreSQL alike.

    The lists hold validated codes (country codes), so matching the quoted token in the JSON
    text is exact and needs no backend-specific JSON operators.
    """
    return cast(column, String).like(f'%"{value}"%')


def json_text_icontains(column: Any, text: str) -> Any:
    return cast(column, String).ilike(f"%{escape_like(text)}%", escape="\\")


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def icontains(column: Any, text: str) -> Any:
    return column.ilike(f"%{escape_like(text)}%", escape="\\")


def any_of(*clauses: Any) -> Any:
    return or_(*clauses)


def visible(model: Any, include_archived: bool) -> Any:
    return True if include_archived else model.archived_at.is_(None)

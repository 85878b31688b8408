"""Helpers every record module uses: lookup, archive, paging, sorting, JSON-list filters.

The lookups of records that others point at (an entity by id, a threat group by id or
name) live here too, below the record modules that share them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, String, cast, event, func, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..errors import Conflict, Invalid, NotFound, PreconditionFailed
from ..models import Entity, RecordMixin, ThreatGroup, utcnow

M = TypeVar("M", bound=RecordMixin)
T = TypeVar("T")
F = TypeVar("F")

# Ids per IN (...) list: below SQLite's and PostgreSQL's bound-parameter limits.
IN_LIST_SIZE = 900
# Rows per executemany of a bulk write.
WRITE_BATCH = 5000


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


def in_lists(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    """``ids`` cut into IN (...) lists of a size every backend accepts."""
    return chunks(ids, IN_LIST_SIZE)


def filters_from(cls: type[F], args: Mapping[str, Any], **fixed: Any) -> F:
    """A filters dataclass from a list's query arguments: the keys it declares, no others."""
    names = {f.name for f in fields(cls)} - fixed.keys()  # type: ignore[arg-type]
    return cls(**{k: v for k, v in args.items() if k in names}, **fixed)


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


def ensure_entity_exists(*, session: Session, entity_id: int, field: str = "entity_id") -> Entity:
    """The live entity a new link points at; 422 (not 404) when there is none."""
    entity = session.get(Entity, entity_id)
    if entity is None or entity.archived:
        raise Invalid(
            f"No active person or company with id {entity_id}.",
            errors={field: [f"Unknown or archived entity id {entity_id}."]},
        )
    return entity


def check_group_exists(*, session: Session, group_id: int | None) -> None:
    if group_id is None:
        return
    group = session.get(ThreatGroup, group_id)
    if group is None or group.archived:
        raise Invalid(
            f"No active threat group with id {group_id}.",
            errors={"threat_group_id": [f"Unknown or archived threat group id {group_id}."]},
        )


def resolve_group_ids(*, session: Session, ref: str) -> list[int]:
    """A group given by id, name, MITRE id or any alias (case-insensitive)."""
    if ref.isascii() and ref.isdigit():  # not "²": str.isdigit() is true for it, int() fails
        group_id = int(ref)
        return [group_id] if group_id < 2**63 else []  # no integer column holds more
    wanted = ref.strip().casefold()
    ids = []
    for group in session.scalars(select(ThreatGroup).where(ThreatGroup.archived_at.is_(None))):
        names = [group.name, group.mitre_id or "", *group.aliases]
        if any(n.casefold() == wanted for n in names):
            ids.append(group.id)
    return ids


def check_order(data: Mapping[str, Any], *, earlier: str, later: str) -> None:
    """Refuse a body whose date ``later`` (e.g. delisted_on) comes before its date ``earlier``."""
    first, second = data.get(earlier), data.get(later)
    if first and second and second < first:
        raise Invalid(f"{later} is before {earlier}.", errors={later: [f"Must not be before {earlier}."]})


def taken_by(session: Session, model: Any, *key: Any, exclude: int | None) -> int | None:
    """The id of another record of ``model`` (not ``exclude``) that already has this natural
    key (the ``key`` conditions), if any."""
    return session.scalar(select(model.id).where(*key, model.id != (exclude or -1)))


def check_unique(session: Session, model: Any, *key: Any, exclude: int | None, field: str, detail: str,
                 message: Callable[[int], str]) -> None:
    """Refuse (409) a natural key another record already has (:func:`taken_by`): ``message``
    given that record's id, ``detail`` on ``field``."""
    clash = taken_by(session, model, *key, exclude=exclude)
    if clash:
        raise Conflict(message(clash), errors={field: [detail]})


def get_child(
    session: Session, model: type[M], record_id: int, *, parent: RecordMixin, parent_key: str,
    include_archived: bool, label: str, parent_label: str,
) -> M:
    """A record that belongs to ``parent`` (a case's charge, a group's member link)."""
    record = get_or_raise(session, model, record_id, include_archived=include_archived, label=label)
    if getattr(record, parent_key) != parent.id:
        raise NotFound(f"No {label} {record_id} in {parent_label} {parent.id}.")
    return record


def check_version(record: RecordMixin, version: int | None, *, label: str) -> None:
    """Refuse a write prepared against an older read of ``record``: ``version`` is the version
    the writer read (a form's hidden field; the API compares ETags, which grow with it).
    The ORM's versioned UPDATE still catches a change made between this check and the flush."""
    if version != record.version:
        raise PreconditionFailed(
            f"This {label} was changed by someone else after you opened it (it is now at version "
            f"{record.version}, you edited version {version}).",
            errors={"version": ["Changed meanwhile."]},
        )


def archive(*, session: Session, record: RecordMixin) -> None:
    """Archive instead of delete: the record leaves lists and screening but stays readable.
    The records it changes (:meth:`~service.models.RecordMixin.parents`: an entity whose
    designation goes, a group whose member goes) grow their versions too."""
    if record.archived:
        return
    bump_versions(session, *record.parents())
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


# Raises Invalid or Conflict when a record's fields (the record with the given id; None for a
# new one) break a rule: dates out of order, a natural key used twice.
Check = Callable[[Session, dict[str, Any], int | None], None]


@dataclass(frozen=True)
class Writable(Generic[M]):
    """One kind of record as clients write it: its fields and the rule they must keep."""

    model: type[M]
    fields: tuple[str, ...]
    check: Check | None = None

    def put_defaults(self) -> dict[str, Any]:
        """What a PUT (a full replacement) sets a field it leaves out to: the column's default,
        as on a new record, or None for a nullable column without one. A required field has
        none (the schema refuses a PUT without it)."""
        defaults: dict[str, Any] = {}
        for name in self.fields:
            column = self.model.__table__.c[name]  # type: ignore[attr-defined]
            if column.default is not None:
                # A callable default (``list``) makes a fresh value each time, as on insert.
                arg = column.default.arg
                defaults[name] = arg(None) if column.default.is_callable else arg
            elif column.nullable:
                defaults[name] = None
        return defaults

    def incoming(self, data: dict[str, Any], *, replace: bool) -> dict[str, Any]:
        """What a write sets: a PUT resets what it leaves out; a PATCH changes only what it has."""
        return {**self.put_defaults(), **data} if replace else data

    def merged(self, record: M, data: dict[str, Any]) -> dict[str, Any]:
        """The record's fields as they will stand after the write: what the rule looks at."""
        return {f: data.get(f, getattr(record, f)) for f in self.fields}

    def create(self, session: Session, data: dict[str, Any], **links: Any) -> M:
        """A new record (with its parents ``links``), flushed, once the rule accepts it."""
        if self.check is not None:
            self.check(session, data, None)
        return add_record(session, self.model, data, fields=self.fields, **links)

    def apply(self, record: M, data: dict[str, Any]) -> bool:
        """Copy the fields onto the record (its version grows); True when anything changed."""
        return apply_fields(record, data, fields=self.fields)

    def update(self, session: Session, record: M, data: dict[str, Any], *, replace: bool) -> M:
        """A PUT (``replace``) or PATCH of ``record``, flushed, once the rule accepts the
        fields as they will stand."""
        data = self.incoming(data, replace=replace)
        if self.check is not None:
            self.check(session, self.merged(record, data), record.id)
        self.apply(record, data)
        session.flush()
        return record


def add_record(session: Session, model: type[M], data: dict[str, Any], *, fields: Iterable[str], **links: Any) -> M:
    """A new record of ``model`` from the given fields of ``data`` (and its parents), flushed."""
    record = model(**links, **{k: data[k] for k in fields if k in data})
    session.add(record)
    session.flush()
    return record


def apply_fields(record: Any, data: dict[str, Any], *, fields: Iterable[str]) -> bool:
    """Copy the given fields onto the record, touching it when anything changed (so its
    version grows); True when anything changed."""
    changed = False
    for field in fields:
        if field in data and getattr(record, field) != data[field]:
            setattr(record, field, data[field])
            changed = True
    if changed:
        record.touch()
    return changed


def paginate(session: Session, stmt: Select[Any], *, page: int, page_size: int) -> Page:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return Page(items=items, total=total, page=page, page_size=page_size)


def list_children(
    session: Session, model: Any, of_parent: Any, *, include_archived: bool, page: int, page_size: int
) -> Page:
    """One page of a parent's links (``of_parent``: the SQL condition on the parent's key), oldest first."""
    stmt = select(model).where(of_parent)
    if not include_archived:
        stmt = stmt.where(model.archived_at.is_(None))
    return paginate(session, stmt.order_by(model.id), page=page, page_size=page_size)


@dataclass(frozen=True)
class LinkRecords:
    """The records functions of one kind of link between a parent and an entity (a case's
    defendants, a group's members), each taking the session and the parent (or the link) first,
    so one declaration serves every interface."""

    list: Callable[..., Page]
    add: Callable[..., Any]
    get: Callable[..., Any]
    update: Callable[..., Any] | None = None


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


def visible(model: Any, include_archived: bool) -> Any:
    return True if include_archived else model.archived_at.is_(None)

"""The declarative base, shared column types, the mixin every record carries and the columns
that name who acted (:class:`Attribution`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Stable constraint names, so Alembic migrations name things the same on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite has no time zones; storing naive UTC and re-attaching UTC on the way out keeps
    comparisons and JSON output identical on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        list[str]: JSON(),
        list[dict[str, Any]]: JSON(),
        dict[str, Any]: JSON(),
    }


class RecordMixin:
    """What every record has: timestamps, a version that grows with each change,
    provenance, and archiving instead of deletion."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # SQLAlchemy bumps this on every UPDATE (version_id_col) and refuses a stale write.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)
    source_urls: Mapped[list[str]] = mapped_column(default=list)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    def touch(self) -> None:
        """Mark the record changed; the UPDATE this causes grows ``version``."""
        self.updated_at = utcnow()

    def parents(self) -> tuple[RecordMixin, ...]:
        """The records whose version grows when this one is archived: what shows it (an
        entity its designations, a case its defendants). A record of its own has none."""
        return ()

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


R = TypeVar("R", bound=RecordMixin)


def live(records: Iterable[R], across: str | None = None) -> list[R]:
    """The records that are not archived: what readers and screening see by default. With
    ``across``, a link (a member, a defendant) whose record at that end is archived is left
    out too."""
    return [
        r for r in records
        if r.archived_at is None and (across is None or getattr(r, across).archived_at is None)
    ]


class Live(Generic[R]):
    """The live records of a relationship, read as an attribute: ``live_cases: Live[Case] =
    Live("cases")`` on a class whose ``cases`` relationship lists them (see :func:`live`)."""

    def __init__(self, relationship: str, *, across: str | None = None) -> None:
        self.relationship = relationship
        self.across = across

    @overload
    def __get__(self, obj: None, owner: type) -> Live[R]: ...
    @overload
    def __get__(self, obj: object, owner: type) -> list[R]: ...
    def __get__(self, obj: object | None, owner: type) -> Live[R] | list[R]:
        if obj is None:
            return self
        return live(getattr(obj, self.relationship), across=self.across)


SHORT = String(64)
MEDIUM = String(255)
LONG = String(1024)


class Attribution:
    """Who did it: an API key, a signed-in user or neither (a background run, the command line)."""

    key_id: Mapped[int | None] = mapped_column(Integer, default=None)
    key_name: Mapped[str | None] = mapped_column(MEDIUM, default=None)
    user_id: Mapped[int | None] = mapped_column(Integer, default=None)
    user_name: Mapped[str | None] = mapped_column(String(64), default=None)
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)

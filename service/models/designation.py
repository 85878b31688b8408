"""A sanctions designation: one authority's listing of one entity."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LONG, MEDIUM, Base, RecordMixin

if TYPE_CHECKING:
    from .entity import Entity


def listing_active(listed_on: date | None, delisted_on: date | None, on: date) -> bool:
    """Whether a listing with these dates is in force on ``on``: :attr:`Designation.active`
    as of any day, for plain values (a history snapshot)."""
    if delisted_on is not None and delisted_on <= on:
        return False
    return listed_on is None or listed_on <= on


class Designation(RecordMixin, Base):
    __tablename__ = "designations"
    # The list's own reference identifies a listing within an authority (OFAC ent_num,
    # UK list ref): the same pair twice is a duplicate. NULL refs are allowed repeatedly.
    # The second index answers "has a live (active) designation by this authority" for an
    # entity from the index alone: the record filters ask it once per entity listed.
    __table_args__ = (UniqueConstraint("authority", "list_ref"),
                      Index("ix_designations_entity_live", "entity_id", "archived_at", "authority", "listed_on",
                            "delisted_on"))

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    authority: Mapped[str] = mapped_column(String(32), index=True)
    programme: Mapped[str | None] = mapped_column(MEDIUM, default=None, index=True)
    legal_basis: Mapped[str | None] = mapped_column(LONG, default=None)
    list_ref: Mapped[str | None] = mapped_column(String(64), default=None)
    listed_on: Mapped[date | None] = mapped_column(default=None, index=True)
    delisted_on: Mapped[date | None] = mapped_column(default=None)
    measures: Mapped[list[str]] = mapped_column(default=list)
    reasons: Mapped[str | None] = mapped_column(Text, default=None)

    entity: Mapped[Entity] = relationship(back_populates="designations")

    def parents(self) -> tuple[RecordMixin, ...]:
        return (self.entity,)

    # The one "active" rule, in Python for a loaded row and in SQL for filters
    # (``where(Designation.active)``); :func:`listing_active` is its Python half.
    @hybrid_property
    def active(self) -> bool:
        """Listed (or listing date unknown) and not delisted, as of today."""
        return listing_active(self.listed_on, self.delisted_on, date.today())

    @active.inplace.expression
    @classmethod
    def _active_sql(cls) -> ColumnElement[bool]:
        today = date.today()
        return and_(
            or_(cls.delisted_on.is_(None), cls.delisted_on > today),
            or_(cls.listed_on.is_(None), cls.listed_on <= today),
        )

    @property
    def reference(self) -> str | None:
        return f"{self.authority}:{self.list_ref}" if self.list_ref else None

"""A sanctions designation: one authority's listing of one entity."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .base import LONG, MEDIUM, Base, RecordMixin

if TYPE_CHECKING:
    from .entity import Entity


class Designation(RecordMixin, Base):
    __tablename__ = "designations"
    # The list's own reference identifies a listing within an authority (OFAC ent_num,
    # UK list ref): the same pair twice is a duplicate. NULL refs are allowed repeatedly.
    __table_args__ = (UniqueConstraint("authority", "list_ref"),)

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

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}

    def is_active(self, on: date | None = None) -> bool:
        """Listed (or listing date unknown) and not delisted on or before ``on`` (today)."""
        on = on or date.today()
        if self.delisted_on is not None and self.delisted_on <= on:
            return False
        return self.listed_on is None or self.listed_on <= on

    @property
    def active(self) -> bool:
        return self.is_active()

    @property
    def reference(self) -> str | None:
        return f"{self.authority}:{self.list_ref}" if self.list_ref else None

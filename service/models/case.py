"""Criminal cases (indictments), their defendants and the charges against each."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LONG, MEDIUM, Base, Live, RecordMixin

if TYPE_CHECKING:
    from .entity import Entity
    from .threat_group import ThreatGroup


class Case(RecordMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (UniqueConstraint("court", "case_number"),)

    title: Mapped[str] = mapped_column(MEDIUM)
    court: Mapped[str] = mapped_column(MEDIUM)
    case_number: Mapped[str | None] = mapped_column(String(64), default=None)
    prosecuting_authority: Mapped[str | None] = mapped_column(MEDIUM, default=None)
    filed_on: Mapped[date | None] = mapped_column(default=None, index=True)
    unsealed_on: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    summary: Mapped[str | None] = mapped_column(Text, default=None)
    threat_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("threat_groups.id"), default=None, index=True
    )

    threat_group: Mapped[ThreatGroup | None] = relationship(back_populates="cases")
    defendants: Mapped[list[CaseDefendant]] = relationship(
        back_populates="case", order_by="CaseDefendant.id"
    )
    charges: Mapped[list[Charge]] = relationship(
        back_populates="case", order_by="(Charge.entity_id, Charge.count_number, Charge.id)"
    )

    live_defendants: Live[CaseDefendant] = Live("defendants", across="entity")
    live_charges: Live[Charge] = Live("charges")


class CaseDefendant(RecordMixin, Base):
    __tablename__ = "case_defendants"
    __table_args__ = (UniqueConstraint("case_id", "entity_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    notes: Mapped[str | None] = mapped_column(LONG, default=None)

    case: Mapped[Case] = relationship(back_populates="defendants")
    entity: Mapped[Entity] = relationship(back_populates="defendant_in")

    def parents(self) -> tuple[RecordMixin, ...]:
        return (self.case,)

    @property
    def live_charges(self) -> list[Charge]:
        """This defendant's charges in this case."""
        return [c for c in self.case.live_charges if c.entity_id == self.entity_id]


class Charge(RecordMixin, Base):
    """One count against one defendant."""

    __tablename__ = "charges"
    __table_args__ = (UniqueConstraint("case_id", "entity_id", "count_number"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    count_number: Mapped[int | None] = mapped_column(default=None)
    statute: Mapped[str] = mapped_column(MEDIUM)
    description: Mapped[str | None] = mapped_column(LONG, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    max_penalty: Mapped[str | None] = mapped_column(MEDIUM, default=None)

    case: Mapped[Case] = relationship(back_populates="charges")
    entity: Mapped[Entity] = relationship(back_populates="charges")

    def parents(self) -> tuple[RecordMixin, ...]:
        """The defendant's entity shows its charges."""
        return (self.entity,)

"""Screenable parties: persons, companies/organisations, vessels and aircraft."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LONG, MEDIUM, SHORT, Base, Live, RecordMixin, live

if TYPE_CHECKING:
    from .case import CaseDefendant, Charge
    from .designation import Designation
    from .threat_group import ThreatGroupMember


class Entity(RecordMixin, Base):
    __tablename__ = "entities"
    # The search page's list of live entities by type, the most recently changed first, read
    # from the index alone (the rows are wide).
    __table_args__ = (Index("ix_entities_listing", "type", "archived_at", "updated_at"),)

    type: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(MEDIUM, index=True)
    birth_dates: Mapped[list[str]] = mapped_column(default=list)
    places_of_birth: Mapped[list[str]] = mapped_column(default=list)
    nationalities: Mapped[list[str]] = mapped_column(default=list)
    countries: Mapped[list[str]] = mapped_column(default=list)
    addresses: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    gender: Mapped[str | None] = mapped_column(String(16), default=None)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    # Type-specific extras (a vessel's flag, an organisation's founding date ...).
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)

    names: Mapped[list[EntityName]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="EntityName.id"
    )
    identifiers: Mapped[list[EntityIdentifier]] = relationship(
        back_populates="entity", cascade="all, delete-orphan", order_by="EntityIdentifier.id"
    )
    designations: Mapped[list[Designation]] = relationship(
        back_populates="entity", order_by="Designation.id"
    )
    group_links: Mapped[list[ThreatGroupMember]] = relationship(
        back_populates="entity", order_by="ThreatGroupMember.id"
    )
    defendant_in: Mapped[list[CaseDefendant]] = relationship(
        back_populates="entity", order_by="CaseDefendant.id"
    )
    charges: Mapped[list[Charge]] = relationship(back_populates="entity", order_by="Charge.id")

    # "Live" = not archived: what readers and screening see by default.
    live_designations: Live[Designation] = Live("designations")

    @property
    def active_designations(self) -> list[Designation]:
        return [d for d in self.live_designations if d.active]

    live_charges: Live[Charge] = Live("charges", across="case")
    live_group_links: Live[ThreatGroupMember] = Live("group_links", across="group")

    @property
    def live_cases(self) -> list[Any]:
        return [d.case for d in live(self.defendant_in, across="case")]


class EntityName(Base):
    """One name of an entity. The primary name is repeated here so screening reads one table."""

    __tablename__ = "entity_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(MEDIUM)
    kind: Mapped[str] = mapped_column(String(16), default="aka")
    script: Mapped[str | None] = mapped_column(SHORT, default=None)
    lang: Mapped[str | None] = mapped_column(String(16), default=None)

    entity: Mapped[Entity] = relationship(back_populates="names")


class EntityIdentifier(Base):
    __tablename__ = "entity_identifiers"
    __table_args__ = (Index("ix_entity_identifiers_scheme_value", "scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"), index=True)
    scheme: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(MEDIUM)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    notes: Mapped[str | None] = mapped_column(LONG, default=None)
    issued_on: Mapped[date | None] = mapped_column(default=None)

    entity: Mapped[Entity] = relationship(back_populates="identifiers")

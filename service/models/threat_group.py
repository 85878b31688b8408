"""Threat groups (APT31 ...) and the entities linked to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import LONG, MEDIUM, Base, Live, RecordMixin

if TYPE_CHECKING:
    from .case import Case
    from .entity import Entity


class ThreatGroup(RecordMixin, Base):
    __tablename__ = "threat_groups"

    name: Mapped[str] = mapped_column(MEDIUM, unique=True)
    aliases: Mapped[list[str]] = mapped_column(default=list)
    mitre_id: Mapped[str | None] = mapped_column(String(16), default=None, unique=True)
    sponsor: Mapped[str | None] = mapped_column(MEDIUM, default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)

    members: Mapped[list[ThreatGroupMember]] = relationship(
        back_populates="group", order_by="ThreatGroupMember.id"
    )
    cases: Mapped[list[Case]] = relationship(back_populates="threat_group", order_by="Case.id")

    live_members: Live[ThreatGroupMember] = Live("members", across="entity")
    live_cases: Live[Case] = Live("cases")


class ThreatGroupMember(RecordMixin, Base):
    """Link entity <-> threat group, with the role and the source that says so."""

    __tablename__ = "threat_group_members"
    __table_args__ = (UniqueConstraint("group_id", "entity_id", "role"),)

    group_id: Mapped[int] = mapped_column(ForeignKey("threat_groups.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    role: Mapped[str] = mapped_column(String(32), default="member")
    notes: Mapped[str | None] = mapped_column(LONG, default=None)

    group: Mapped[ThreatGroup] = relationship(back_populates="members")
    entity: Mapped[Entity] = relationship(back_populates="group_links")

    def parents(self) -> tuple[RecordMixin, ...]:
        return (self.group,)

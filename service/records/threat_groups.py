"""Threat groups and their member links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid
from ..models import ThreatGroup, ThreatGroupMember
from .common import (
    Page,
    apply_fields,
    apply_sort,
    archive,
    bump_versions,
    icontains,
    json_text_icontains,
    paginate,
)

FIELDS = ("name", "aliases", "mitre_id", "sponsor", "description", "source_urls")
SORTABLE = ("name", "created_at", "updated_at", "id", "mitre_id")
PUT_DEFAULTS: dict[str, Any] = {
    "aliases": [], "mitre_id": None, "sponsor": None, "description": None, "source_urls": [],
}
MEMBER_FIELDS = ("role", "notes", "source_urls")


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


def _check_unique(session: Session, data: dict[str, Any], exclude: int | None) -> None:
    for field in ("name", "mitre_id"):
        value = data.get(field)
        if not value:
            continue
        column = getattr(ThreatGroup, field)
        clash = session.scalar(select(ThreatGroup.id).where(column == value, ThreatGroup.id != (exclude or -1)))
        if clash:
            raise Conflict(
                f"A threat group with {field} {value!r} already exists (id {clash}).",
                errors={field: ["Already used by another threat group."]},
            )


def create_group(*, session: Session, data: dict[str, Any]) -> ThreatGroup:
    _check_unique(session, data, None)
    group = ThreatGroup(**{k: data[k] for k in FIELDS if k in data})
    session.add(group)
    session.flush()
    return group


def update_group(
    *, session: Session, group: ThreatGroup, data: dict[str, Any], replace: bool
) -> ThreatGroup:
    if replace:
        data = {**PUT_DEFAULTS, **data}
    _check_unique(session, data, group.id)
    if apply_fields(group, data, fields=FIELDS):
        group.touch()
    session.flush()
    return group


def list_groups(
    *, session: Session, q: str | None, sponsor: str | None, include_archived: bool,
    page: int, page_size: int, sort: str | None,
) -> Page:
    stmt: Select[Any] = select(ThreatGroup)
    if not include_archived:
        stmt = stmt.where(ThreatGroup.archived_at.is_(None))
    if q:
        stmt = stmt.where(
            or_(
                icontains(ThreatGroup.name, q),
                icontains(ThreatGroup.mitre_id, q),
                json_text_icontains(ThreatGroup.aliases, q),
            )
        )
    if sponsor:
        stmt = stmt.where(icontains(ThreatGroup.sponsor, sponsor))
    stmt = apply_sort(stmt, ThreatGroup, sort, allowed=SORTABLE, default="name")
    return paginate(session, stmt, page=page, page_size=page_size)


def add_member(*, session: Session, group: ThreatGroup, data: dict[str, Any]) -> ThreatGroupMember:
    from .entities import ensure_entity_exists

    ensure_entity_exists(session=session, entity_id=data["entity_id"])
    # The group's version grows; first, so a concurrent add waits and then sees this link.
    bump_versions(session, group)
    role = data.get("role", "member")
    clash = session.scalar(
        select(ThreatGroupMember).where(
            ThreatGroupMember.group_id == group.id,
            ThreatGroupMember.entity_id == data["entity_id"],
            ThreatGroupMember.role == role,
        )
    )
    if clash is not None:
        if clash.archived:
            raise Conflict(
                f"This link existed and was archived (member id {clash.id}); archived links stay"
                " archived so the record of their removal is kept. Use another role or notes.",
            )
        raise Conflict(
            f"Entity {data['entity_id']} is already linked to this group as {role} (member id {clash.id}).",
            errors={"entity_id": ["Already linked with this role."]},
        )
    link = ThreatGroupMember(group=group, **{k: data[k] for k in ("entity_id", *MEMBER_FIELDS) if k in data})
    session.add(link)
    session.flush()
    return link


def archive_member(*, session: Session, link: ThreatGroupMember) -> None:
    if link.archived:
        return
    bump_versions(session, link.group)
    archive(session=session, record=link)


def get_member(*, session: Session, group: ThreatGroup, member_id: int, include_archived: bool) -> ThreatGroupMember:
    from .common import get_or_raise

    link = get_or_raise(session, ThreatGroupMember, member_id, include_archived=include_archived, label="member link")
    if link.group_id != group.id:
        from ..errors import NotFound

        raise NotFound(f"No member link {member_id} in threat group {group.id}.")
    return link


def update_member(*, session: Session, link: ThreatGroupMember, data: dict[str, Any]) -> ThreatGroupMember:
    if "role" in data and data["role"] != link.role:
        clash = session.scalar(
            select(ThreatGroupMember.id).where(
                ThreatGroupMember.group_id == link.group_id,
                ThreatGroupMember.entity_id == link.entity_id,
                ThreatGroupMember.role == data["role"],
            )
        )
        if clash:
            raise Conflict("The entity already has that role in this group.", errors={"role": ["Duplicate role."]})
    if apply_fields(link, data, fields=MEMBER_FIELDS):
        link.touch()
    session.flush()
    return link


def check_group_exists(*, session: Session, group_id: int | None) -> None:
    if group_id is None:
        return
    group = session.get(ThreatGroup, group_id)
    if group is None or group.archived:
        raise Invalid(
            f"No active threat group with id {group_id}.",
            errors={"threat_group_id": [f"Unknown or archived threat group id {group_id}."]},
        )


def list_members(*, session: Session, group: ThreatGroup, include_archived: bool, page: int, page_size: int) -> Page:
    stmt = select(ThreatGroupMember).where(ThreatGroupMember.group_id == group.id)
    if not include_archived:
        stmt = stmt.where(ThreatGroupMember.archived_at.is_(None))
    return paginate(session, stmt.order_by(ThreatGroupMember.id), page=page, page_size=page_size)

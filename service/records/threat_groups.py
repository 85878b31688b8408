"""Threat groups and their member links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict, NotFound
from ..models import Case, Charge, Entity, ThreatGroup, ThreatGroupMember
from .common import (
    LinkRecords,
    Page,
    Writable,
    add_record,
    apply_fields,
    apply_sort,
    bump_versions,
    check_unique,
    ensure_entity_exists,
    get_child,
    icontains,
    json_text_icontains,
    list_children,
    paginate,
)

SORTABLE = ("name", "created_at", "updated_at", "id", "mitre_id")
MEMBER_FIELDS = ("role", "notes", "source_urls")


def _check_unique(session: Session, data: dict[str, Any], exclude: int | None) -> None:
    for field in ("name", "mitre_id"):
        value = data.get(field)
        if not value:
            continue
        # B023: the message is made at once, in this turn of the loop.
        check_unique(session, ThreatGroup, getattr(ThreatGroup, field) == value, exclude=exclude, field=field,
                     detail="Already used by another threat group.",
                     message=lambda clash: f"A threat group with {field} {value!r} already exists (id {clash}).")  # noqa: B023


GROUPS = Writable(
    ThreatGroup,
    fields=("name", "aliases", "mitre_id", "sponsor", "description", "source_urls"),
    check=_check_unique,
)


def create_group(*, session: Session, data: dict[str, Any]) -> ThreatGroup:
    return GROUPS.create(session, data)


def update_group(
    *, session: Session, group: ThreatGroup, data: dict[str, Any], replace: bool
) -> ThreatGroup:
    return GROUPS.update(session, group, data, replace=replace)


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


def add_member(session: Session, group: ThreatGroup, data: dict[str, Any]) -> ThreatGroupMember:
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
    return add_record(session, ThreatGroupMember, data, fields=("entity_id", *MEMBER_FIELDS), group=group)


def get_member(session: Session, group: ThreatGroup, member_id: int, *, include_archived: bool) -> ThreatGroupMember:
    return get_child(session, ThreatGroupMember, member_id, parent=group, parent_key="group_id",
                     include_archived=include_archived, label="member link", parent_label="threat group")


def update_member(session: Session, link: ThreatGroupMember, data: dict[str, Any]) -> ThreatGroupMember:
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
    apply_fields(link, data, fields=MEMBER_FIELDS)
    session.flush()
    return link


def list_members(session: Session, group: ThreatGroup, *, include_archived: bool, page: int, page_size: int) -> Page:
    return list_children(session, ThreatGroupMember, ThreatGroupMember.group_id == group.id,
                         include_archived=include_archived, page=page, page_size=page_size)


MEMBERS = LinkRecords(list=list_members, add=add_member, get=get_member, update=update_member)


def load_group_page(*, session: Session, group_id: int) -> ThreatGroup:
    """A group (archived too) with its members, their designations and charges, and its cases
    loaded: its page shows the whole case at a glance, in a handful of queries."""
    group = session.scalars(select(ThreatGroup).where(ThreatGroup.id == group_id).options(
        selectinload(ThreatGroup.members).joinedload(ThreatGroupMember.entity, innerjoin=True).options(
            selectinload(Entity.designations), selectinload(Entity.charges).joinedload(Charge.case, innerjoin=True)),
        selectinload(ThreatGroup.cases).selectinload(Case.defendants),
    )).one_or_none()
    if group is None:
        raise NotFound(f"No threat group with id {group_id}.")
    return group

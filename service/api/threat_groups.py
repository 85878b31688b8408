"""``/api/v1/threat-groups`` and their member links."""

from __future__ import annotations

from typing import Any

from ..extensions import Blueprint, db
from ..models import ThreatGroup, ThreatGroupMember
from ..records import threat_groups as records
from ..records.common import Page, archive, get_or_raise
from ..schemas import threat_group as s
from ..schemas.common import PageArgs
from .resources import collection_resource, history_resources, item_resource

blp = Blueprint("threat-groups", __name__, url_prefix="/api/v1/threat-groups",
                description="Threat groups (e.g. APT31), their aliases, members, sanctions and charges.")


def _group(group_id: int, include_archived: bool = False) -> ThreatGroup:
    return get_or_raise(db.session, ThreatGroup, group_id, include_archived=include_archived, label="threat group")


def _list_groups(args: dict[str, Any]) -> Page:
    return records.list_groups(session=db.session, q=args.get("q"), sponsor=args.get("sponsor"),
                               include_archived=args["include_archived"], page=args["page"],
                               page_size=args["page_size"], sort=args["sort"])


collection_resource(
    blp, "", "Groups", list_args=s.ThreatGroupListArgs, page=s.ThreatGroupPage, body=s.ThreatGroupIn,
    out=s.ThreatGroupOut, item=("Group", "group_id"), list_page=_list_groups,
    create=lambda data: records.create_group(session=db.session, data=data),
    summaries={"get": "List threat groups (q matches name, alias or MITRE id)", "post": "Create a threat group"},
)


group = item_resource(
    blp, "/<int:group_id>", "Group", record_type="threat_group", label="threat group", out=s.ThreatGroupOut,
    body=s.ThreatGroupIn, load=_group,
    update=lambda group, data, replace: records.update_group(session=db.session, group=group, data=data,
                                                              replace=replace),
    archive=lambda group: archive(session=db.session, record=group),
    summaries={"get": "Read a threat group with its members and their sanctions and charges"},
)


def _list_members(args: dict[str, Any], group_id: int) -> Page:
    return records.list_members(session=db.session, group=_group(group_id), include_archived=args["include_archived"],
                                page=args["page"], page_size=args["page_size"])


collection_resource(
    blp, "/<int:group_id>/members", "Members", list_args=PageArgs, page=s.MemberPage, body=s.MemberIn,
    out=s.MemberOut, item=("Member", "member_id"), list_page=_list_members,
    create=lambda data, group_id: records.add_member(session=db.session, group=_group(group_id), data=data),
    summaries={"get": "List the entities linked to a threat group",
               "post": "Link an entity to a threat group with a role"},
)


def _member(group_id: int, member_id: int, include_archived: bool = False) -> ThreatGroupMember:
    return records.get_member(session=db.session, group=_group(group_id), member_id=member_id,
                              include_archived=include_archived)


member = item_resource(
    blp, "/<int:group_id>/members/<int:member_id>", "Member", record_type="threat_group_member",
    label="member link", out=s.MemberOut, patch=s.MemberPatch, load=_member,
    # A link is never replaced whole: only its role, notes and sources change.
    update=lambda link, data, replace: records.update_member(session=db.session, link=link, data=data),
    archive=lambda link: records.archive_member(session=db.session, link=link),
    summaries={"get": "Read one member link",
               "patch": "Change a member link's role, notes or sources (If-Match required)"},
)


history_resources(blp, group, member)

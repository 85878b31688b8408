"""``/api/v1/threat-groups`` and their member links."""

from __future__ import annotations

from typing import Any

from ..extensions import Blueprint, db
from ..models import ThreatGroup
from ..records import threat_groups as records
from ..records.common import Page, get_or_raise
from ..schemas import threat_group as s
from .resources import collection_resource, history_resources, item_resource, link_resources

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
    archivable=True,
    summaries={"get": "Read a threat group with its members and their sanctions and charges"},
)


member = link_resources(
    blp, "/<int:group_id>/members", ("Members", "Member"), parent=_group, record_type="threat_group_member",
    label="member link", page=s.MemberPage, body=s.MemberIn, out=s.MemberOut, patch=s.MemberPatch,
    links=records.MEMBERS,
    summaries={"list": "List the entities linked to a threat group",
               "add": "Link an entity to a threat group with a role",
               "get": "Read one member link",
               "patch": "Change a member link's role, notes or sources (If-Match required)"},
)


history_resources(blp, group, member)

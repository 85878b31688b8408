"""``/api/v1/threat-groups`` and their member links."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..extensions import Blueprint, db
from ..models import ThreatGroup
from ..records import threat_groups as records
from ..records.common import archive, get_or_raise
from ..schemas.common import ItemArgs, PageArgs
from ..schemas.threat_group import (
    MemberIn,
    MemberOut,
    MemberPage,
    MemberPatch,
    ThreatGroupIn,
    ThreatGroupListArgs,
    ThreatGroupOut,
    ThreatGroupPage,
)
from .audit import add_history_route
from .common import commit, created, page_body, partial_schema, read_item

blp = Blueprint("threat-groups", __name__, url_prefix="/api/v1/threat-groups",
                description="Threat groups (e.g. APT31), their aliases, members, sanctions and charges.")


def _group(group_id: int, include_archived: bool = False) -> ThreatGroup:
    return get_or_raise(db.session, ThreatGroup, group_id, include_archived=include_archived, label="threat group")


@blp.route("")
class Groups(MethodView):
    @blp.etag
    @blp.arguments(ThreatGroupListArgs, location="query")
    @blp.response(200, ThreatGroupPage)
    def get(self, args: dict[str, Any]) -> Any:
        """List threat groups (q matches name, alias or MITRE id)"""
        page = records.list_groups(session=db.session, q=args.get("q"), sponsor=args.get("sponsor"),
                                   include_archived=args["include_archived"], page=args["page"],
                                   page_size=args["page_size"], sort=args["sort"])
        return page_body(page)

    @blp.etag
    @blp.arguments(ThreatGroupIn)
    @blp.response(201, ThreatGroupOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a threat group"""
        group = records.create_group(session=db.session, data=data)
        return created(group, "threat-groups.Group", group_id=group.id)


@blp.route("/<int:group_id>")
class Group(MethodView):
    @blp.etag
    @blp.arguments(ItemArgs, location="query")
    @blp.response(200, ThreatGroupOut)
    def get(self, args: dict[str, Any], group_id: int) -> Any:
        """Read a threat group with its members and their sanctions and charges"""
        return read_item(args, lambda: _group(group_id, args["include_archived"]),
                         record_type="threat_group", record_id=group_id, label="threat group")

    @blp.etag
    @blp.arguments(ThreatGroupIn)
    @blp.response(200, ThreatGroupOut)
    def put(self, data: dict[str, Any], group_id: int) -> Any:
        """Replace a threat group (If-Match required)"""
        group = _group(group_id)
        blp.check_etag(group, ThreatGroupOut)
        records.update_group(session=db.session, group=group, data=data, replace=True)
        return commit(group)

    @blp.etag
    @blp.arguments(partial_schema(ThreatGroupIn))
    @blp.response(200, ThreatGroupOut)
    def patch(self, data: dict[str, Any], group_id: int) -> Any:
        """Change some fields of a threat group (If-Match required)"""
        group = _group(group_id)
        blp.check_etag(group, ThreatGroupOut)
        records.update_group(session=db.session, group=group, data=data, replace=False)
        return commit(group)

    @blp.etag
    @blp.response(204)
    def delete(self, group_id: int) -> None:
        """Archive a threat group (If-Match required)"""
        group = _group(group_id)
        blp.check_etag(group, ThreatGroupOut)
        archive(session=db.session, record=group)
        db.session.commit()


@blp.route("/<int:group_id>/members")
class Members(MethodView):
    @blp.etag
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, MemberPage)
    def get(self, args: dict[str, Any], group_id: int) -> Any:
        """List the entities linked to a threat group"""
        page = records.list_members(session=db.session, group=_group(group_id),
                                    include_archived=args["include_archived"],
                                    page=args["page"], page_size=args["page_size"])
        return page_body(page)

    @blp.etag
    @blp.arguments(MemberIn)
    @blp.response(201, MemberOut)
    def post(self, data: dict[str, Any], group_id: int) -> Any:
        """Link an entity to a threat group with a role"""
        link = records.add_member(session=db.session, group=_group(group_id), data=data)
        return created(link, "threat-groups.Member", group_id=group_id, member_id=link.id)


@blp.route("/<int:group_id>/members/<int:member_id>")
class Member(MethodView):
    def _load(self, group_id: int, member_id: int, include_archived: bool = False) -> Any:
        return records.get_member(session=db.session, group=_group(group_id), member_id=member_id,
                                  include_archived=include_archived)

    @blp.etag
    @blp.arguments(ItemArgs, location="query")
    @blp.response(200, MemberOut)
    def get(self, args: dict[str, Any], group_id: int, member_id: int) -> Any:
        """Read one member link"""
        return read_item(args, lambda: self._load(group_id, member_id, args["include_archived"]),
                         record_type="threat_group_member", record_id=member_id, label="member link")

    @blp.etag
    @blp.arguments(MemberPatch)
    @blp.response(200, MemberOut)
    def patch(self, data: dict[str, Any], group_id: int, member_id: int) -> Any:
        """Change a member link's role, notes or sources (If-Match required)"""
        link = self._load(group_id, member_id)
        blp.check_etag(link, MemberOut)
        records.update_member(session=db.session, link=link, data=data)
        return commit(link)

    @blp.etag
    @blp.response(204)
    def delete(self, group_id: int, member_id: int) -> None:
        """Archive a member link (If-Match required)"""
        link = self._load(group_id, member_id)
        blp.check_etag(link, MemberOut)
        records.archive_member(session=db.session, link=link)
        db.session.commit()


add_history_route(blp, "/<int:group_id>", "threat_group", "threat group", "group_id")
add_history_route(blp, "/<int:group_id>/members/<int:member_id>", "threat_group_member", "member link", "member_id")

"""``/api/v1/persons``, ``/api/v1/companies`` and ``/api/v1/vessels``: one resource shape for
every kind of entity."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from ..extensions import Blueprint, db
from ..records import entities as records
from ..records.common import archive
from ..schemas.common import ItemArgs
from ..schemas.entity import (
    CompanyIn,
    CompanyListArgs,
    EntityListArgs,
    EntityOut,
    EntityPage,
    PersonIn,
    VesselIn,
    VesselListArgs,
)
from .audit import add_history_route
from .common import commit, created, page_body, partial_schema, read_item


def _filters(args: dict[str, Any], types: tuple[str, ...]) -> records.EntityFilters:
    keys = ("name", "country", "authority", "programme", "threat_group", "active",
            "listed_from", "listed_to", "case_status", "identifier", "include_archived")
    if args.get("type"):
        types = (args["type"],)
    return records.EntityFilters(types=types, **{k: args[k] for k in keys if k in args})


def entity_blueprint(
    name: str, *, types: tuple[str, ...], label: str, in_schema: type, list_args: type
) -> Blueprint:
    blp = Blueprint(name, __name__, url_prefix=f"/api/v1/{name}",
                    description=f"{label.capitalize()} records: names, identifiers, designations, charges, threat groups.")
    patch_schema = partial_schema(in_schema)
    forced = {"type": types[0]} if len(types) == 1 else {}

    def load(entity_id: int, include_archived: bool = False) -> Any:
        return records.get_entity(session=db.session, entity_id=entity_id, types=types,
                                  include_archived=include_archived)

    @blp.route("")
    class Collection(MethodView):
        @blp.etag
        @blp.arguments(list_args, location="query")
        @blp.response(200, EntityPage)
        @blp.doc(summary=f"List {name}, filtered, sorted and paginated")
        def get(self, args: dict[str, Any]) -> Any:
            page = records.list_entities(session=db.session, filters=_filters(args, types),
                                         page=args["page"], page_size=args["page_size"], sort=args["sort"])
            return page_body(page)

        @blp.etag
        @blp.arguments(in_schema)
        @blp.response(201, EntityOut)
        @blp.doc(summary=f"Create a {label}; only the name is required")
        def post(self, data: dict[str, Any]) -> Any:
            entity = records.create_entity(session=db.session, data={**data, **forced})
            return created(entity, f"{name}.Item", entity_id=entity.id)

    @blp.route("/<int:entity_id>")
    class Item(MethodView):
        @blp.etag
        @blp.arguments(ItemArgs, location="query")
        @blp.response(200, EntityOut)
        @blp.doc(summary=f"Read a {label} with names, identifiers, designations, charges and threat groups")
        def get(self, args: dict[str, Any], entity_id: int) -> Any:
            return read_item(args, lambda: load(entity_id, args["include_archived"]),
                             record_type="entity", record_id=entity_id, label=label)

        @blp.etag
        @blp.arguments(in_schema)
        @blp.response(200, EntityOut)
        @blp.doc(summary=f"Replace a {label} (If-Match required)")
        def put(self, data: dict[str, Any], entity_id: int) -> Any:
            entity = load(entity_id)
            blp.check_etag(entity, EntityOut)
            records.update_entity(session=db.session, entity=entity, data=data, replace=True)
            return commit(entity)

        @blp.etag
        @blp.arguments(patch_schema)
        @blp.response(200, EntityOut)
        @blp.doc(summary=f"Change some fields of a {label} (If-Match required)")
        def patch(self, data: dict[str, Any], entity_id: int) -> Any:
            entity = load(entity_id)
            blp.check_etag(entity, EntityOut)
            records.update_entity(session=db.session, entity=entity, data=data, replace=False)
            return commit(entity)

        @blp.etag
        @blp.response(204)
        @blp.doc(summary=f"Archive a {label} (If-Match required); it stays readable with include_archived=true")
        def delete(self, entity_id: int) -> None:
            entity = load(entity_id)
            blp.check_etag(entity, EntityOut)
            archive(session=db.session, record=entity)
            db.session.commit()

    add_history_route(blp, "/<int:entity_id>", "entity", label, "entity_id")
    return blp


persons = entity_blueprint("persons", types=("person",), label="person", in_schema=PersonIn,
                           list_args=EntityListArgs)
companies = entity_blueprint("companies", types=("company", "organization"), label="company",
                             in_schema=CompanyIn, list_args=CompanyListArgs)
# Listed vessels and aircraft (OFAC lists ~1,400): read and kept like the others.
vessels = entity_blueprint("vessels", types=("vessel", "aircraft"), label="vessel or aircraft",
                           in_schema=VesselIn, list_args=VesselListArgs)

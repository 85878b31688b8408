"""``/api/v1/persons``, ``/api/v1/companies`` and ``/api/v1/vessels``: one resource shape for
every kind of entity."""

from __future__ import annotations

from typing import Any

from ..extensions import Blueprint, db
from ..models import Entity
from ..records import entities as records
from ..records.common import Page, filters_from
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
from ..vocabulary import CRAFT_TYPES, ORGANISATION_TYPES, PERSON_TYPES
from .resources import collection_resource, history_resources, item_resource


def entity_blueprint(
    name: str, *, types: tuple[str, ...], label: str, in_schema: type, list_args: type
) -> Blueprint:
    blp = Blueprint(name, __name__, url_prefix=f"/api/v1/{name}",
                    description=f"{label.capitalize()} records: names, identifiers, designations, charges, threat groups.")
    forced = {"type": types[0]} if len(types) == 1 else {}

    def load(entity_id: int, include_archived: bool = False) -> Entity:
        return records.get_entity(session=db.session, entity_id=entity_id, types=types,
                                  include_archived=include_archived)

    def list_page(args: dict[str, Any]) -> Page:
        filters = filters_from(records.EntityFilters, args, types=(args["type"],) if args.get("type") else types)
        return records.list_entities(session=db.session, filters=filters, page=args["page"],
                                     page_size=args["page_size"], sort=args["sort"])

    collection_resource(
        blp, "", "Collection", list_args=list_args, page=EntityPage, body=in_schema, out=EntityOut,
        item=("Item", "entity_id"), list_page=list_page,
        create=lambda data: records.create_entity(session=db.session, data={**data, **forced}),
        summaries={"get": f"List {name}, filtered, sorted and paginated",
                   "post": f"Create a {label}; only the name is required"},
        doc_summaries=True,
    )
    item = item_resource(
        blp, "/<int:entity_id>", "Item", record_type="entity", label=label, out=EntityOut, body=in_schema, load=load,
        update=lambda entity, data, replace: records.update_entity(session=db.session, entity=entity, data=data,
                                                                    replace=replace),
        archivable=True,
        summaries={
            "get": f"Read a {label} with names, identifiers, designations, charges and threat groups",
            "delete": f"Archive a {label} (If-Match required); it stays readable with include_archived=true",
        },
        doc_summaries=True,
    )
    history_resources(blp, item)
    return blp


persons = entity_blueprint("persons", types=PERSON_TYPES, label="person", in_schema=PersonIn,
                           list_args=EntityListArgs)
companies = entity_blueprint("companies", types=ORGANISATION_TYPES, label="company",
                             in_schema=CompanyIn, list_args=CompanyListArgs)
# Listed vessels and aircraft (OFAC lists ~1,400): read and kept like the others.
vessels = entity_blueprint("vessels", types=CRAFT_TYPES, label="vessel or aircraft",
                           in_schema=VesselIn, list_args=VesselListArgs)

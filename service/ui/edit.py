"""Editing persons, companies (and vessels) and their designations (editor and admin).

- ``/new`` (``ui.edit.index``): what can be created;
- ``/persons/new``, ``/companies/new``, ``/vessels/new``: a new entity (``ui.edit.new_entity``);
- ``/entities/<id>/edit`` and ``/entities/<id>/archive`` (``ui.edit.entity``, ``ui.edit.archive_entity``);
- ``/entities/<id>/designations/new`` (``ui.edit.new_designation``);
- ``/designations/<id>/edit`` and ``/designations/<id>/archive`` (``ui.edit.designation``,
  ``ui.edit.archive_designation``).

Each form saves through :func:`.editing.save`: the API's schema, its records function and its
version check. A form button named ``more`` adds a blank row to a repeatable field without saving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, g, request, url_for

from ..extensions import db
from ..models import Designation, Entity, RecordMixin
from ..permissions import WRITE, allows
from ..records import designations as designation_records
from ..records import entities as entity_records
from ..records.common import archive, get_or_raise
from ..schemas.common import Schema
from ..schemas.designation import DesignationIn
from ..schemas.entity import CompanyIn, PersonIn, VesselIn
from ..vocabulary import CRAFT_TYPES, ORGANISATION_TYPES, PERSON_TYPES
from .auth import login_required
from .core import nav_item, page
from .edit_forms import ArchiveForm, DesignationForm, EntityForm, add_spare_rows, joined
from .editing import form_page, load_for_edit
from .entities import address_text

bp = Blueprint("edit", __name__)
nav_item("New record", "ui.edit.index", WRITE, order=80)


def can_edit() -> bool:
    """Whether the signed-in user may edit records (for the links of ``ui/edit/_links.html``)."""
    user = g.get("user")
    return user is not None and allows(user.role, WRITE)


bp.add_app_template_global(can_edit, "can_edit")


@bp.get("/new")
@login_required(WRITE)
def index() -> Any:
    """What can be created: persons, companies, vessels, cases."""
    return page("ui/edit/index.html")


@dataclass(frozen=True)
class Kind:
    plural: str
    label: str
    types: tuple[str, ...]
    schema: type[Schema]


KINDS = {kind.plural: kind for kind in (
    Kind("persons", "person", PERSON_TYPES, PersonIn),
    Kind("companies", "company", ORGANISATION_TYPES, CompanyIn),
    Kind("vessels", "vessel or aircraft", CRAFT_TYPES, VesselIn),
)}


def entity_page(entity_id: int) -> str:
    return url_for("ui.entities.show", entity_id=entity_id)


def kind_of(entity: Entity) -> Kind:
    return next(kind for kind in KINDS.values() if entity.type in kind.types)


def entity_data(entity: Entity) -> dict[str, Any]:
    """The form's fields as the record stands."""
    return {
        "version": entity.version, "name": entity.name, "type": entity.type, "gender": entity.gender or "",
        "names": [{"name": n.name, "kind": n.kind, "script": n.script or "", "lang": n.lang or ""}
                  for n in entity.names if (n.name, n.kind) != (entity.name, "primary")],
        "identifiers": [{"scheme": i.scheme, "value": i.value, "country": i.country or "",
                         "issued_on": i.issued_on.isoformat() if i.issued_on else "", "notes": i.notes or ""}
                        for i in entity.identifiers],
        "birth_dates": joined(entity.birth_dates), "places_of_birth": joined(entity.places_of_birth),
        "nationalities": ", ".join(entity.nationalities), "countries": ", ".join(entity.countries),
        "addresses": joined(address_text(a) for a in entity.addresses),
        "notes": entity.notes or "", "source_urls": joined(entity.source_urls),
    }


def entity_payload(form: EntityForm, kind: Kind, entity: Entity | None) -> dict[str, Any]:
    """The body for the kind's schema. An address line left as shown keeps its parts (street,
    city ...); the primary name, unchanged, keeps its script and language."""
    payload = form.payload()
    shown = {address_text(a): a for a in (entity.addresses if entity else [])}
    payload["addresses"] = [shown.get(line, {"full": line}) for line in payload["addresses"]]
    primary = next((n for n in entity.names if n.kind == "primary" and n.name == payload["name"]), None) \
        if entity else None
    if primary is not None:
        payload["names"].insert(0, {"name": primary.name, "kind": "primary", "script": primary.script,
                                    "lang": primary.lang})
    fields = kind.schema().load_fields
    return {key: value for key, value in payload.items() if key in fields}


def wants_more_rows(form: EntityForm) -> bool:
    """The "add a row" buttons: a blank row more, nothing saved."""
    field = {"names": form.names, "identifiers": form.identifiers}.get(request.form.get("more", ""))
    if field is None:
        return False
    add_spare_rows(field)
    return True


def entity_form(kind: Kind, entity: Entity | None) -> EntityForm:
    form = EntityForm() if request.method == "POST" else EntityForm(data=entity_data(entity) if entity else None)
    form.type.choices = list(kind.types)
    if request.method == "GET":
        add_spare_rows(form.names, form.identifiers, count=1 if entity and (entity.names or entity.identifiers) else 2)
    return form


def render_entity(form: EntityForm, kind: Kind, entity: Entity | None, status: int = 200) -> Any:
    return page("ui/edit/entity.html", form=form, kind=kind, entity=entity, status=status)


@bp.route("/<any(persons, companies, vessels):plural>/new", methods=["GET", "POST"])
@login_required(WRITE)
def new_entity(plural: str) -> Any:
    """A new person, company or vessel."""
    kind = KINDS[plural]
    form = entity_form(kind, None)
    return form_page(
        form, lambda status: render_entity(form, kind, None, status), lambda: entity_payload(form, kind, None),
        schema=kind.schema(), saving=request.method == "POST" and not wants_more_rows(form),
        write=lambda data: entity_records.create_entity(session=db.session, data={"type": kind.types[0], **data}),
        done=lambda created: (f"Created the {kind.label} “{created.name}”.", entity_page(created.id)),
    )


@bp.route("/entities/<int:entity_id>/edit", methods=["GET", "POST"])
@login_required(WRITE)
def entity(entity_id: int) -> Any:
    """Edit a person, company or vessel: names, identifiers, dates, places, notes."""
    record = load_for_edit(Entity, entity_id, label="entity")
    kind = kind_of(record)
    form = entity_form(kind, record)
    return form_page(
        form, lambda status: render_entity(form, kind, record, status), lambda: entity_payload(form, kind, record),
        schema=kind.schema(), record=record, label=kind.label,
        saving=request.method == "POST" and not wants_more_rows(form),
        write=lambda data: entity_records.update_entity(session=db.session, entity=record, data=data, replace=False),
        done=lambda saved: (f"Saved the {kind.label} “{saved.name}”.", entity_page(saved.id)),
    )


def confirm_archive(record: RecordMixin, *, label: str, name: str, back: str, done: str | None = None) -> Any:
    """The confirmation page of an archive, and its POST (checked against the version read):
    once archived, back to ``done`` (by default ``back``)."""
    form = ArchiveForm() if request.method == "POST" else ArchiveForm(data={"version": record.version})

    def write(_: dict[str, Any]) -> RecordMixin:
        archive(session=db.session, record=record)
        return record

    return form_page(
        form, lambda status: page("ui/edit/archive.html", form=form, label=label, name=name, back=back, status=status),
        lambda: {}, schema=Schema(), write=write, record=record, label=label,
        done=lambda _: (f"Archived the {label} “{name}”. It stays readable in its history.", done or back),
    )


@bp.route("/entities/<int:entity_id>/archive", methods=["GET", "POST"])
@login_required(WRITE)
def archive_entity(entity_id: int) -> Any:
    """Archive a person, company or vessel (after a confirmation)."""
    record = load_for_edit(Entity, entity_id, label="entity")
    return confirm_archive(record, label=kind_of(record).label, name=record.name, back=entity_page(entity_id))


# --- designations ---------------------------------------------------------------------------

def designation_form(designation: Designation | None) -> DesignationForm:
    """The form as posted, or filled from ``designation`` (empty for a new one)."""
    if request.method == "POST" or designation is None:
        return DesignationForm()
    data: dict[str, Any] = {f: getattr(designation, f) or "" for f in (
        "authority", "programme", "list_ref", "legal_basis", "reasons")}
    data.update(
        version=designation.version, measures=joined(designation.measures), source_urls=joined(designation.source_urls),
        listed_on=designation.listed_on.isoformat() if designation.listed_on else "",
        delisted_on=designation.delisted_on.isoformat() if designation.delisted_on else "",
    )
    return DesignationForm(data=data)


def render_designation(form: DesignationForm, entity: Entity, designation: Designation | None,
                       status: int = 200) -> Any:
    title = f"Edit a designation of {entity.name}" if designation else f"Add a designation of {entity.name}"
    archive_url = designation and url_for("ui.edit.archive_designation", designation_id=designation.id)
    return page("ui/edit/record.html", form=form, status=status, record=designation, back=entity_page(entity.id),
                title=title, subject=entity.name, archive_url=archive_url)


@bp.route("/entities/<int:entity_id>/designations/new", methods=["GET", "POST"])
@login_required(WRITE)
def new_designation(entity_id: int) -> Any:
    """A new designation (sanctions listing) of an entity."""
    entity = get_or_raise(db.session, Entity, entity_id, label="entity")
    form = designation_form(None)
    return form_page(
        form, lambda status: render_designation(form, entity, None, status),
        lambda: {**form.payload(), "entity_id": entity.id}, schema=DesignationIn(),
        write=lambda data: designation_records.create_designation(session=db.session, data=data),
        done=lambda created: (f"Added the {created.authority} designation of “{entity.name}”.", entity_page(entity.id)),
    )


@bp.route("/designations/<int:designation_id>/edit", methods=["GET", "POST"])
@login_required(WRITE)
def designation(designation_id: int) -> Any:
    """Edit a designation: programme, reference, dates (delisting), measures, reasons."""
    record = load_for_edit(Designation, designation_id, label="designation")
    entity = record.entity
    form = designation_form(record)
    return form_page(
        form, lambda status: render_designation(form, entity, record, status),
        lambda: {**form.payload(), "entity_id": record.entity_id}, schema=DesignationIn(), record=record,
        label="designation",
        write=lambda data: designation_records.update_designation(session=db.session, designation=record, data=data,
                                                                  replace=True),
        done=lambda saved: (f"Saved the {saved.authority} designation of “{entity.name}”.", entity_page(entity.id)),
    )


@bp.route("/designations/<int:designation_id>/archive", methods=["GET", "POST"])
@login_required(WRITE)
def archive_designation(designation_id: int) -> Any:
    """Archive a designation entered in error (after a confirmation); a delisting sets a date instead."""
    record = load_for_edit(Designation, designation_id, label="designation")
    name = f"{record.authority} {record.list_ref or record.programme or ''}".strip() + f" of {record.entity.name}"
    return confirm_archive(record, label="designation", name=name, back=entity_page(record.entity_id))

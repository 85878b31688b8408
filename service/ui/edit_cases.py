"""Editing criminal cases, their defendants and charges (editor and admin).

- ``/cases/new`` (``ui.edit_cases.new_case``); ``/cases/<id>/edit`` and ``/cases/<id>/archive``
  (``ui.edit_cases.case``, ``ui.edit_cases.archive_case``);
- ``/cases/<id>/defendants/new`` (``ui.edit_cases.new_defendant``): a person or company charged;
- ``/cases/<id>/charges/new`` (``ui.edit_cases.new_charge``); ``/charges/<id>/edit`` and
  ``/charges/<id>/archive`` (``ui.edit_cases.charge``, ``ui.edit_cases.archive_charge``).

Saved as the API saves them (:mod:`.editing`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..extensions import db
from ..models import Case, Charge
from ..permissions import WRITE
from ..records import cases as records
from ..records.common import get_or_raise
from ..records.threat_groups import list_groups
from ..schemas.case import CaseIn, ChargeIn, DefendantIn
from .auth import login_required
from .core import page
from .edit import confirm_archive
from .edit_forms import CaseForm, ChargeForm, RecordForm, joined, lines, source_links
from .editing import form_page, load_for_edit

bp = Blueprint("edit_cases", __name__)
MAX_GROUPS = 500  # threat groups offered in the case form's list


class DefendantForm(RecordForm):
    entity_id = StringField("Entity id", description="The number in the entity page's address (/entities/<id>).")
    notes = TextAreaField("Notes")
    source_urls = source_links()

    def payload(self) -> dict[str, Any]:
        return {**self.texts("entity_id"), **self.optionals("notes"), "source_urls": lines(self.source_urls.data)}


def case_page(case_id: int) -> str:
    return url_for("ui.cases.show", case_id=case_id)


def case_data(case: Case) -> dict[str, Any]:
    data: dict[str, Any] = {f: getattr(case, f) or "" for f in (
        "title", "court", "case_number", "prosecuting_authority", "status", "summary")}
    data.update(version=case.version, source_urls=joined(case.source_urls),
                threat_group_id=str(case.threat_group_id or ""),
                filed_on=case.filed_on.isoformat() if case.filed_on else "",
                unsealed_on=case.unsealed_on.isoformat() if case.unsealed_on else "")
    return data


def case_form(case: Case | None) -> CaseForm:
    form = CaseForm() if request.method == "POST" else CaseForm(data=case_data(case) if case else None)
    groups = list_groups(session=db.session, q=None, sponsor=None, include_archived=False, page=1,
                         page_size=MAX_GROUPS, sort="name").items
    form.threat_group_id.choices = [SelectChoice("", "none"), *(SelectChoice(str(g.id), g.name) for g in groups)]
    return form


def render(form: RecordForm, *, title: str, back: str, subject: str | None = None, record: Any = None,
           archive_url: str | None = None, status: int = 200) -> Any:
    return page("ui/edit/record.html", form=form, title=title, back=back, subject=subject, record=record,
                archive_url=archive_url, status=status)


@bp.route("/cases/new", methods=["GET", "POST"])
@login_required(WRITE)
def new_case() -> Any:
    """A new criminal case (indictment)."""
    form = case_form(None)
    return form_page(
        form, lambda status: render(form, title="New case", back=url_for("ui.search.home"), status=status),
        form.payload, schema=CaseIn(), write=lambda data: records.create_case(session=db.session, data=data),
        done=lambda created: (f"Created the case “{created.title}”. Add its defendants and charges next.",
                              case_page(created.id)),
    )


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@login_required(WRITE)
def case(case_id: int) -> Any:
    """Edit a case: title, court, number, dates, status, threat group, summary."""
    record = load_for_edit(Case, case_id, label="case")
    form = case_form(record)
    options: dict[str, Any] = {"title": "Edit a case", "subject": record.title, "back": case_page(case_id),
                               "record": record, "archive_url": url_for("ui.edit_cases.archive_case", case_id=case_id)}
    return form_page(
        form, lambda status: render(form, **options, status=status), form.payload, schema=CaseIn(), record=record,
        label="case",
        write=lambda data: records.update_case(session=db.session, case=record, data=data, replace=True),
        done=lambda saved: (f"Saved the case “{saved.title}”.", case_page(case_id)),
    )


@bp.route("/cases/<int:case_id>/archive", methods=["GET", "POST"])
@login_required(WRITE)
def archive_case(case_id: int) -> Any:
    """Archive a case entered in error (after a confirmation)."""
    record = load_for_edit(Case, case_id, label="case")
    return confirm_archive(record, label="case", name=record.title, back=case_page(case_id),
                           done=url_for("ui.search.home"))


@bp.route("/cases/<int:case_id>/defendants/new", methods=["GET", "POST"])
@login_required(WRITE)
def new_defendant(case_id: int) -> Any:
    """Add a person or company to a case as a defendant."""
    record = get_or_raise(db.session, Case, case_id, label="case")
    form = DefendantForm()
    return form_page(
        form, lambda status: render(form, title="Add a defendant", subject=record.title, back=case_page(case_id),
                                    status=status),
        form.payload, schema=DefendantIn(), write=lambda data: records.add_defendant(db.session, record, data),
        done=lambda added: (f"Added “{added.entity.name}” as a defendant.", case_page(case_id)),
    )


# --- charges --------------------------------------------------------------------------------

def charge_form(case: Case, charge: Charge | None) -> ChargeForm:
    if request.method == "POST":
        form = ChargeForm()
    elif charge is not None:
        data: dict[str, Any] = {f: getattr(charge, f) or "" for f in ("statute", "description", "status",
                                                                      "max_penalty")}
        data.update(version=charge.version, entity_id=str(charge.entity_id), source_urls=joined(charge.source_urls),
                    count_number=str(charge.count_number or ""))
        form = ChargeForm(data=data)
    else:
        form = ChargeForm(data={"entity_id": request.args.get("entity_id", "")})
    form.entity_id.choices = [SelectChoice(str(d.entity_id), d.entity.name) for d in case.live_defendants]
    return form


@bp.route("/cases/<int:case_id>/charges/new", methods=["GET", "POST"])
@login_required(WRITE)
def new_charge(case_id: int) -> Any:
    """A new charge (count) against a defendant of the case."""
    record = get_or_raise(db.session, Case, case_id, label="case")
    form = charge_form(record, None)
    return form_page(
        form, lambda status: render(form, title="Add a charge", subject=record.title, back=case_page(case_id),
                                    status=status),
        form.payload, schema=ChargeIn(),
        write=lambda data: records.add_charge(session=db.session, case=record, data=data),
        done=lambda created: (f"Added the charge under {created.statute} against “{created.entity.name}”.",
                              case_page(case_id)),
    )


@bp.route("/charges/<int:charge_id>/edit", methods=["GET", "POST"])
@login_required(WRITE)
def charge(charge_id: int) -> Any:
    """Edit a charge: count, statute, status (e.g. convicted), penalty."""
    record = load_for_edit(Charge, charge_id, label="charge")
    form = charge_form(record.case, record)
    options: dict[str, Any] = {"title": f"Edit a charge against {record.entity.name}", "subject": record.case.title,
                               "back": case_page(record.case_id), "record": record,
                               "archive_url": url_for("ui.edit_cases.archive_charge", charge_id=charge_id)}
    return form_page(
        form, lambda status: render(form, **options, status=status), form.payload, schema=ChargeIn(), record=record,
        label="charge",
        write=lambda data: records.update_charge(session=db.session, charge=record, data=data, replace=True),
        done=lambda saved: (f"Saved the charge under {saved.statute}.", case_page(record.case_id)),
    )


@bp.route("/charges/<int:charge_id>/archive", methods=["GET", "POST"])
@login_required(WRITE)
def archive_charge(charge_id: int) -> Any:
    """Archive a charge entered in error (after a confirmation)."""
    record = load_for_edit(Charge, charge_id, label="charge")
    return confirm_archive(record, label="charge", name=f"{record.statute} against {record.entity.name}",
                           back=case_page(record.case_id))

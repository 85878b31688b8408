"""The editing pages: create and edit persons, companies, designations, cases and charges through
forms validated as the API validates; field-level messages; a save against a record changed
meanwhile refused with the input kept; archive after a confirmation; editor and admin only."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from service.extensions import db
from service.models import Case, Charge, Designation, Entity, HistoryEntry
from tests.ui.conftest import csrf_token

VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


def form_version(html: str) -> str:
    found = VERSION.search(html)
    assert found, "no version field in the form"
    return found.group(1)


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/new"), **data})


def entity(app: Any, entity_id: int) -> Entity:
    with app.app_context():
        found = db.session.get(Entity, entity_id)
        assert found is not None
        found.names, found.identifiers  # noqa: B018 - loaded before the session closes
        return found


def history(app: Any, record_type: str, record_id: int) -> list[HistoryEntry]:
    with app.app_context():
        return list(db.session.scalars(select(HistoryEntry).where(
            HistoryEntry.record_type == record_type, HistoryEntry.record_id == record_id).order_by(HistoryEntry.id)))


PERSON = {
    "name": "Li Wei", "gender": "male", "names-0-name": "李伟", "names-0-kind": "original_script",
    "names-0-script": "Han", "names-0-lang": "zh", "names-1-name": "", "names-1-kind": "aka",
    "identifiers-0-scheme": "passport", "identifiers-0-value": "E1234567", "identifiers-0-country": "cn",
    "identifiers-0-issued_on": "", "identifiers-0-notes": "", "birth_dates": "1980-05\n",
    "places_of_birth": "Wuhan", "nationalities": "cn", "countries": "CN, HK", "addresses": "1 Road, Wuhan",
    "notes": "", "source_urls": "https://example.org/indictment.pdf",
}


def test_an_editor_creates_a_person_attributed_to_them(app, ui_as):
    editor = ui_as("editor", "eve")
    page = editor.get("/persons/new")
    assert page.status_code == 200 and 'name="names-0-name"' in page.get_data(as_text=True)
    resp = post(editor, "/persons/new", PERSON)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    entity_id = int(resp.headers["Location"].rsplit("/", 1)[1])
    person = entity(app, entity_id)
    assert person.type == "person" and person.gender == "male" and person.countries == ["CN", "HK"]
    assert [(n.name, n.kind, n.script) for n in person.names] == [("Li Wei", "primary", None),
                                                                  ("李伟", "original_script", "Han")]
    assert [(i.scheme, i.value, i.country) for i in person.identifiers] == [("passport", "E1234567", "CN")]
    assert [a["full"] for a in person.addresses] == ["1 Road, Wuhan"] and person.birth_dates == ["1980-05"]
    [created] = history(app, "entity", entity_id)
    assert created.action == "create" and created.user_name == "eve"


def test_field_errors_are_shown_next_to_the_fields_and_nothing_is_saved(app, ui_as):
    editor = ui_as("editor")
    bad = {**PERSON, "name": "", "nationalities": "CN XX", "birth_dates": "1985-13",
           "identifiers-0-scheme": "Bad Scheme", "source_urls": "not a url"}
    resp = post(editor, "/persons/new", bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="name-error">Required.' in html
    assert re.search(r'id="nationalities-error">[^<]*XX', html)
    assert re.search(r'id="birth_dates-error">[^<]*1985-13', html)
    assert re.search(r'id="identifiers-0-scheme-error">Use a lower-case scheme', html)
    assert re.search(r'id="source_urls-error">[^<]*Not a web address', html)
    assert "Nothing was saved" in html and "李伟" in html  # the input is kept
    with app.app_context():
        assert db.session.scalar(select(Entity.id)) is None


def test_an_edit_made_against_a_changed_record_is_refused_with_the_input_kept(app, ui_as, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    first, second = ui_as("editor", "first"), ui_as("admin", "second")
    path = f"/entities/{zhao}/edit"
    opened = first.get(path).get_data(as_text=True)
    old_version = form_version(opened)
    assert "赵光宗" in opened
    # Someone else saves first.
    theirs = second.get(path).get_data(as_text=True)
    resp = post(second, path, {"version": form_version(theirs), "name": "ZHAO, Guangzong",
                               "notes": "Their note.", "names-0-name": "赵光宗", "names-0-kind": "original_script"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    # The first editor's save, made against the version they read, is refused.
    mine = {"version": old_version, "name": "ZHAO, Guangzong", "notes": "My own note.",
            "names-0-name": "赵光宗", "names-0-kind": "original_script"}
    refused = post(first, path, mine)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "someone else changed this record" in html and "second" in html
    assert "My own note." in html  # the input is kept
    assert entity(app, zhao).notes == "Their note."  # never silently overwritten
    # The form now stands on the current version: saving again is a deliberate overwrite.
    assert int(form_version(html)) > int(old_version)
    again = post(first, path, {**mine, "version": form_version(html)})
    assert again.status_code == 302
    assert entity(app, zhao).notes == "My own note."
    assert [h.user_name for h in history(app, "entity", zhao)][-2:] == ["second", "first"]


def test_editing_keeps_what_the_form_does_not_change(app, ui_as, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    before = entity(app, zhao)
    editor = ui_as("editor")
    form = editor.get(f"/entities/{zhao}/edit").get_data(as_text=True)
    # Resubmit the form as shown: nothing changes, not even the version.
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form))
    fields |= {m[0]: m[1] for m in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>\s*([^<]*)</textarea>', form)}
    fields |= {m[0]: m[1] for m in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>.*?<option selected value="([^"]*)"',
                                               form, re.S)}
    fields = {name: unescape(value) for name, value in fields.items() if name != "csrf_token"}
    resp = post(editor, f"/entities/{zhao}/edit", fields)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    after = entity(app, zhao)
    assert after.version == before.version
    assert [(n.name, n.kind, n.script) for n in after.names] == [(n.name, n.kind, n.script) for n in before.names]
    assert after.addresses == before.addresses and after.properties == before.properties


def test_the_add_a_row_button_adds_a_row_without_saving(app, ui_as, seeded):
    editor = ui_as("editor")
    zhao = seeded["ZHAO, Guangzong"]
    path = f"/entities/{zhao}/edit"
    version = form_version(editor.get(path).get_data(as_text=True))
    resp = post(editor, path, {"version": version, "name": "Changed", "names-0-name": "x", "more": "names"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'name="names-1-name"' in html and 'value="Changed"' in html
    assert entity(app, zhao).name == "ZHAO, Guangzong"


def test_designations_are_added_edited_and_archived(app, ui_as, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    editor = ui_as("editor", "ed")
    new = f"/entities/{zhao}/designations/new"
    resp = post(editor, new, {"authority": "EU", "programme": "CYBER", "list_ref": "EU.1.2", "listed_on": "2024-03-25",
                              "measures": "asset freeze\ntravel ban"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        designation = db.session.scalars(select(Designation).where(Designation.list_ref == "EU.1.2")).one()
        assert designation.measures == ["asset freeze", "travel ban"] and designation.entity_id == zhao
    # The same reference again: the records layer's rule, shown at the field.
    dup = post(editor, new, {"authority": "EU", "list_ref": "EU.1.2"})
    assert dup.status_code == 422 and re.search(r'id="list_ref-error">Duplicate', dup.get_data(as_text=True))
    # Dates out of order: the records layer's rule too.
    path = f"/designations/{designation.id}/edit"
    version = form_version(editor.get(path).get_data(as_text=True))
    bad = post(editor, path, {"version": version, "authority": "EU", "listed_on": "2024-03-25",
                              "delisted_on": "2024-01-01"})
    assert bad.status_code == 422 and 'id="delisted_on-error">Must not be before listed_on.' in bad.get_data(as_text=True)
    ok = post(editor, path, {"version": version, "authority": "EU", "list_ref": "EU.1.2", "listed_on": "2024-03-25",
                             "delisted_on": "2025-01-01"})
    assert ok.status_code == 302
    # Archive: a confirmation first, then the POST with the version read.
    confirm = editor.get(f"/designations/{designation.id}/archive")
    assert confirm.status_code == 200 and "Archive the designation?" in confirm.get_data(as_text=True)
    done = post(editor, f"/designations/{designation.id}/archive",
                {"version": form_version(confirm.get_data(as_text=True))})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Designation, designation.id).archived
    assert [h.action for h in history(app, "designation", designation.id)] == ["create", "update", "archive"]


def test_cases_defendants_and_charges(app, ui_as, seeded):
    editor = ui_as("editor")
    resp = post(editor, "/cases/new", {"title": "United States v. Someone", "court": "E.D.N.Y.",
                                       "case_number": "1:24-cr-1", "filed_on": "2024-01-02", "status": "open",
                                       "threat_group_id": str(seeded["APT31"])})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.case_number == "1:24-cr-1")).one()
        assert case.threat_group_id == seeded["APT31"]
    # Dates out of order are refused at the field.
    path = f"/cases/{case.id}/edit"
    version = form_version(editor.get(path).get_data(as_text=True))
    bad = post(editor, path, {"version": version, "title": "T", "court": "E.D.N.Y.", "filed_on": "2024-01-02",
                              "unsealed_on": "2023-01-01", "status": "open"})
    assert bad.status_code == 422 and 'id="unsealed_on-error">Must not be before filed_on.' in bad.get_data(as_text=True)
    # A charge needs a defendant: the records layer says so.
    zhao = seeded["ZHAO, Guangzong"]
    refused = post(editor, f"/cases/{case.id}/charges/new", {"entity_id": str(zhao), "statute": "18 U.S.C. § 371"})
    assert refused.status_code == 422 and "Not a defendant in this case." in refused.get_data(as_text=True)
    assert post(editor, f"/cases/{case.id}/defendants/new", {"entity_id": str(zhao)}).status_code == 302
    form = editor.get(f"/cases/{case.id}/charges/new").get_data(as_text=True)
    assert "ZHAO, Guangzong" in form
    added = post(editor, f"/cases/{case.id}/charges/new", {"entity_id": str(zhao), "statute": "18 U.S.C. § 371",
                                                           "count_number": "1", "status": "pending"})
    assert added.status_code == 302, added.get_data(as_text=True)[:2000]
    with app.app_context():
        charge = db.session.scalars(select(Charge).where(Charge.case_id == case.id)).one()
    path = f"/charges/{charge.id}/edit"
    version = form_version(editor.get(path).get_data(as_text=True))
    not_a_number = post(editor, path, {"version": version, "entity_id": str(zhao), "statute": "x",
                                       "count_number": "one", "status": "convicted"})
    assert not_a_number.status_code == 422 and 'id="count_number-error">Not a whole number.' in \
        not_a_number.get_data(as_text=True)
    ok = post(editor, path, {"version": version, "entity_id": str(zhao), "statute": "18 U.S.C. § 371",
                             "count_number": "1", "status": "convicted"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(Charge, charge.id).status == "convicted"


def test_an_archive_against_a_changed_record_is_refused(app, ui_as, seeded):
    editor = ui_as("editor")
    zhao = seeded["ZHAO, Guangzong"]
    stale = form_version(editor.get(f"/entities/{zhao}/archive").get_data(as_text=True))
    post(editor, f"/entities/{zhao}/designations/new", {"authority": "EU", "list_ref": "EU.9"})  # the entity grows
    resp = post(editor, f"/entities/{zhao}/archive", {"version": stale})
    assert resp.status_code == 409 and "someone else changed this record" in resp.get_data(as_text=True)
    assert not entity(app, zhao).archived
    # An archived record cannot be edited any more: a form opened before says so, input kept.
    current = form_version(resp.get_data(as_text=True))
    assert post(editor, f"/entities/{zhao}/archive", {"version": current}).status_code == 302
    refused = post(editor, f"/entities/{zhao}/edit", {"version": current, "name": "Kept input"})
    assert refused.status_code == 409 and "has been archived" in refused.get_data(as_text=True)
    assert "Kept input" in refused.get_data(as_text=True)


EDITOR_PAGES = ["/new", "/persons/new", "/companies/new", "/entities/{zhao}/edit", "/entities/{zhao}/archive",
                "/entities/{zhao}/designations/new", "/cases/new"]


@pytest.mark.parametrize("role", ["screener", "analyst"])
def test_screeners_and_analysts_are_refused_the_editor_pages(app, ui_as, seeded, role):
    client = ui_as(role)
    for path in EDITOR_PAGES:
        path = path.format(zhao=seeded["ZHAO, Guangzong"])
        assert client.get(path).status_code == 403, path
        if path != "/new":
            assert post(client, path, {"name": "x"}).status_code == 403, path
    assert entity(app, seeded["ZHAO, Guangzong"]).name == "ZHAO, Guangzong"


def test_editing_links_are_offered_to_editors_only(app, ui_as):
    assert "New record" in ui_as("editor").get("/new").get_data(as_text=True)
    assert 'href="/new"' not in ui_as("analyst", "ann").get("/search").get_data(as_text=True)

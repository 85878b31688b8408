"""The entity, threat-group and case pages through the test client."""

from __future__ import annotations

from datetime import date, timedelta

from service.extensions import db
from service.models import Case
from service.records.actor import Actor
from service.records.designations import create_designation
from service.records.entities import update_entity
from service.records.timeline import load_entity
from tests.querycount import statements


def test_entity_page_shows_names_designations_charges_groups_and_history(app, ui_as, seeded):
    zhao = seeded["ZHAO, Guangzong"]
    with app.app_context():
        db.session.info["actor"] = Actor(user_id=1, user_name="alice")
        update_entity(session=db.session, entity=load_entity(session=db.session, entity_id=zhao),
                      data={"notes": "Changed by <script>alice</script>"}, replace=False)
        db.session.commit()
    client = ui_as("analyst")
    html = client.get(f"/entities/{zhao}").get_data(as_text=True)
    assert '<span dir="auto" lang="zh" class="name">赵光宗</span>' in html and "original script" in html
    assert "OFAC:47814" in html and "UK:CYB0045" in html and "CYBER2" in html
    assert "18 U.S.C. § 371" in html and "18 U.S.C. § 1349" in html
    assert f'href="/threat-groups/{seeded["APT31"]}">APT31</a>' in html
    assert "<strong>update</strong> of the record" in html and "by alice" in html
    assert "Changed by &lt;script&gt;alice&lt;/script&gt;" in html and "<script>alice" not in html
    today = client.get(f"/entities/{zhao}?as_of={date.today()}").get_data(as_text=True)
    assert "Shown as it stood at the end of" in today and "UK:CYB0045" in today
    before = client.get(f"/entities/{zhao}?as_of={date.today() - timedelta(days=1)}").get_data(as_text=True)
    assert "did not exist yet" in before and "UK:CYB0045" not in before.split('id="h-history"')[0]


def test_entity_page_refuses_bad_input(ui_as, seeded):
    client = ui_as("analyst")
    zhao = seeded["ZHAO, Guangzong"]
    bad = client.get(f"/entities/{zhao}?as_of=25/03/2024")
    assert bad.status_code == 422 and "is not a date" in bad.get_data(as_text=True)
    future = client.get(f"/entities/{zhao}?as_of={date.today() + timedelta(days=2)}")
    assert future.status_code == 422 and "in the future" in future.get_data(as_text=True)
    missing = client.get("/entities/999999")
    assert missing.status_code == 404 and "No record with id 999999" in missing.get_data(as_text=True)
    assert client.get("/threat-groups/999999").status_code == 404 and client.get("/cases/999999").status_code == 404


def test_group_and_case_pages(app, ui_as, seeded):
    with app.app_context():
        case_id = db.session.query(Case.id).scalar()
    client = ui_as("analyst")
    group = client.get(f"/threat-groups/{seeded['APT31']}").get_data(as_text=True)
    assert "G0128" in group and "Violet Typhoon" in group and "ZHAO, Guangzong" in group
    assert "OFAC:47814" in group and "2 counts in" in group and f'href="/cases/{case_id}"' in group
    case = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "US District Court, Eastern District of New York" in case and "Defendants (7)" in case
    assert case.count("18 U.S.C. § 1349") == 7 and "UK:CYB0045" in case


def test_a_screener_may_not_read_the_records(ui_as, seeded):
    client = ui_as("screener")
    for path in (f"/entities/{seeded['ZHAO, Guangzong']}", f"/threat-groups/{seeded['APT31']}", "/cases/1"):
        assert client.get(path).status_code == 403, path


def page_statements(app, client, path):
    """The SQL statements one render of ``path`` runs (the page is rendered once before, so
    that nothing loaded once per process is counted)."""
    assert client.get(path).status_code == 200
    with statements(app) as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_pages_load_their_records_in_a_bounded_number_of_queries(app, ui_as, seeded):
    """No N+1: the entity, group and case pages read each kind of linked record once, however
    many there are. Bounds: the signed-in user (1), the record, one read per list of child
    rows (the case or group of a link joined to it), and the entity's history in one read."""
    client = ui_as("analyst")
    zhao, group = seeded["ZHAO, Guangzong"], seeded["APT31"]
    with app.app_context():
        case_id = db.session.query(Case.id).scalar()
    counts = {path: page_statements(app, client, path)
              for path in (f"/entities/{zhao}", f"/threat-groups/{group}", f"/cases/{case_id}")}
    with app.app_context():  # more of everything the pages list
        s = db.session
        for n in range(5):
            create_designation(session=s, data={"entity_id": zhao, "authority": "EU", "list_ref": f"EU-{n}",
                                                "programme": "CYBER"})
        s.commit()
    more = {path: page_statements(app, client, path) for path in counts}
    assert more == counts, (counts, more)
    assert counts[f"/entities/{zhao}"] <= 1 + 7 + 1  # user; the entity and its 6 lists; its history
    assert counts[f"/threat-groups/{group}"] <= 1 + 6 and counts[f"/cases/{case_id}"] <= 1 + 4, counts

"""The review queue (/review) and the evidence log (/evidence) through Flask's test client:
permissions, filters in the query string, bad input, decisions (with and without four-eyes
review) and the CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from service.ui import evidence as evidence_page
from tests.api.test_review import open_alert
from tests.conftest import authed, make_key
from tests.ui.conftest import csrf_token

REVIEW_LINK = re.compile(r'href="(/review/screening/\d+/\d+)[^"]*"')


@pytest.fixture()
def four_eyes(app: Any) -> Iterator[None]:
    app.config["FOUR_EYES_REVIEW"] = True
    yield
    app.config["FOUR_EYES_REVIEW"] = False


@pytest.fixture()
def api(app: Any) -> Any:
    return authed(app.test_client(), make_key(app, "analyst", "vendor system"))


def screen(api: Any, name: str) -> int:
    resp = api.post("/api/v1/screen", json={"name": name})
    assert resp.status_code == 200
    return int(resp.json["screening_id"])


def item_path(client: Any, name: str = "Zhao Guangzong") -> str:
    html = client.get("/review").get_data(as_text=True)
    row = next(r for r in html.split("<tr>") if name in r)
    found = REVIEW_LINK.search(row)
    assert found, row
    return found.group(1)


def post(client: Any, path: str, data: dict[str, Any]) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/review")})


def test_pages_need_the_right_role(ui_as, seeded):
    screener = ui_as("screener")
    for path in ("/review", "/evidence", "/evidence/export.csv", "/review/screening/1/1"):
        assert screener.get(path).status_code == 403, path
    analyst = ui_as("analyst")
    assert analyst.get("/review").status_code == 200
    assert analyst.get("/evidence").status_code == 200
    assert analyst.post("/review/screening/1/1/decide", data={"decision": "true_match"}).status_code == 403  # no CSRF


def test_queue_filters_live_in_the_query_string_and_bad_ones_are_refused(ui_as, api, seeded):
    screen(api, "Zhao Guangzong")
    screen(api, "Mary Poppins")
    client = ui_as("analyst")
    html = client.get("/review").get_data(as_text=True)
    assert "Zhao Guangzong" in html and "Mary Poppins" not in html and 'dir="auto"' in html
    assert "Zhao Guangzong" in client.get("/review?assigned=unassigned&min_score=0.5&max_score=1&authority=OFAC").get_data(as_text=True)
    assert "0 matches to review" in client.get("/review?assigned=mine").get_data(as_text=True)
    assert "0 matches to review" in client.get("/review?min_score=0.99&max_score=0.995").get_data(as_text=True)
    for bad in ("min_score=abc", "min_score=2", "authority=NOWHERE", "assigned=everyone", "page=0",
                "min_score=0.9&max_score=0.1"):
        resp = client.get(f"/review?{bad}")
        assert resp.status_code == 422, bad
        assert "not filtered" in resp.get_data(as_text=True) or "lowest score" in resp.get_data(as_text=True), bad
    # htmx asks for the results alone, from the same address.
    part = client.get("/review?source=screening", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in part and "Zhao Guangzong" in part


def test_assign_to_me_and_decide_with_a_comment(ui_as, api, seeded):
    screen(api, "Zhao Guangzong")
    client = ui_as("analyst", "ann")
    path = item_path(client)
    page = client.get(path).get_data(as_text=True)
    assert "Assign to me" in page and "Record decision" in page
    resp = post(client, f"{path}/assign", {})
    assert resp.status_code == 302
    assert "ann" in client.get(path).get_data(as_text=True)
    assert "Zhao Guangzong" in client.get("/review?assigned=mine").get_data(as_text=True)
    resp = post(client, f"{path}/decide", {"decision": "true_match", "comment": "same person, DOB matches",
                                           "back": "/review?assigned=mine"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/review?assigned=mine"
    assert "Zhao Guangzong" not in client.get("/review").get_data(as_text=True)
    listed = api.get("/api/v1/dispositions").json["items"]
    assert [(d["decision"], d["user_name"], d["comment"]) for d in listed] == [
        ("true_match", "ann", "same person, DOB matches")]
    # A foreign "back" address is not followed.
    resp = post(client, f"{path}/decide", {"decision": "needs_review", "back": "https://evil.example/"})
    assert resp.headers["Location"] == "/review"


def test_bad_decisions_are_refused_with_a_readable_page(ui_as, api, seeded):
    screen(api, "Zhao Guangzong")
    client = ui_as("analyst")
    path = item_path(client)
    resp = post(client, f"{path}/decide", {"decision": "perhaps"})
    assert resp.status_code == 302 and "Choose a decision" in client.get(resp.headers["Location"]).get_data(as_text=True)
    other_entity = re.sub(r"/\d+$", "/999999", path)
    resp = post(client, f"{other_entity}/decide", {"decision": "true_match"})
    assert resp.status_code == 404 and "<h1>" in resp.get_data(as_text=True)
    resp = post(client, "/review/email/1/1/decide", {"decision": "true_match"})
    assert resp.status_code == 422
    resp = post(client, f"{path}/decide", {"decision": "true_match", "comment": "x" * 5001})
    assert resp.status_code == 422 and "5000" in resp.get_data(as_text=True)
    assert api.get("/api/v1/dispositions").json["total"] == 0  # nothing was written
    assert client.get("/review/monitoring/1/1").status_code == 422
    assert client.get("/review/alerts/999999").status_code == 404


def test_monitoring_alerts_are_listed_with_a_link_to_the_alert(app, ui_as, seeded):
    with app.app_context():
        alert_id = open_alert(seeded["ZHAO, Guangzong"])
    client = ui_as("analyst")
    html = client.get("/review?source=monitoring").get_data(as_text=True)
    assert f'href="/review/alerts/{alert_id}"' in html and "vendor-42" in html and "alert open" in html
    page = client.get(f"/review/alerts/{alert_id}").get_data(as_text=True)
    assert "Monitoring alert" in page and "OFAC:47814" in page and "0.97" in page


def test_four_eyes_the_proposer_cannot_approve_a_second_analyst_can(ui_as, api, seeded, four_eyes):
    screen(api, "Zhao Guangzong")
    ann, bob = ui_as("analyst", "ann"), ui_as("analyst", "bob")
    path = item_path(ann)
    resp = post(ann, f"{path}/decide", {"decision": "false_positive", "comment": "different DOB"})
    assert resp.status_code == 302
    page = ann.get(path).get_data(as_text=True)
    assert "Awaiting approval" in page and "You proposed this decision" in page and "Approve" not in page
    assert api.get("/api/v1/dispositions").json["total"] == 0
    proposal = re.search(r"/review/proposals/(\d+)/approve", bob.get(path).get_data(as_text=True))
    assert proposal, "bob sees the approve button"
    refused = post(ann, f"/review/proposals/{proposal.group(1)}/approve", {})
    assert refused.status_code == 403 and "second reviewer" in refused.get_data(as_text=True)
    assert "proposed by ann" in bob.get("/review").get_data(as_text=True)
    resp = post(bob, f"/review/proposals/{proposal.group(1)}/approve", {"comment": "agreed"})
    assert resp.status_code == 302
    listed = api.get("/api/v1/dispositions").json["items"]
    assert [(d["decision"], d["user_name"], d["comment"]) for d in listed] == [("false_positive", "ann", "different DOB")]
    assert "Zhao Guangzong" not in bob.get("/review").get_data(as_text=True)
    history = bob.get(path).get_data(as_text=True)
    assert "approved by bob" in history and "agreed" in history
    again = post(bob, f"/review/proposals/{proposal.group(1)}/reject", {})
    assert again.status_code == 409


def test_evidence_log_filters_detail_and_csv_export(ui_as, api, seeded, monkeypatch):
    zhao_log = screen(api, "Zhao Guangzong")
    screen(api, "Mary Poppins")
    screen(api, "Margaret Thistlewood")
    client = ui_as("analyst")
    client.get("/screen?name=Ni+Gaobin")  # a screening by the signed-in user, if the screen page is there
    html = client.get("/evidence").get_data(as_text=True)
    assert "Zhao Guangzong" in html and "Mary Poppins" in html and "vendor system" in html
    matched = client.get("/evidence?outcome=match").get_data(as_text=True)
    assert "Zhao Guangzong" in matched and "Mary Poppins" not in matched
    assert "Mary Poppins" in client.get("/evidence?outcome=no_match").get_data(as_text=True)
    by_entity = client.get(f"/evidence?entity_id={seeded['ZHAO, Guangzong']}").get_data(as_text=True)
    assert "Zhao Guangzong" in by_entity and "Mary Poppins" not in by_entity
    assert "0 screenings" in client.get("/evidence?since=2999-01-01").get_data(as_text=True)
    key_choice = re.search(r'<option value="(key:\d+)">vendor system', html)
    assert key_choice
    assert "Zhao Guangzong" in client.get(f"/evidence?who={key_choice.group(1)}").get_data(as_text=True)
    for bad in ("since=yesterday", "who=key:999999", "outcome=maybe", "entity_id=x", "since=2025-02-01&until=2025-01-01"):
        assert client.get(f"/evidence?{bad}").status_code == 422, bad
    monkeypatch.setattr(evidence_page, "PAGE_SIZE", 1)  # pages keep the filters
    first = client.get("/evidence?outcome=no_match&kind=single").get_data(as_text=True)
    assert 'rel="next"' in first and "page=2" in first and "outcome=no_match" in first
    assert 'rel="prev"' in client.get("/evidence?outcome=no_match&kind=single&page=2").get_data(as_text=True)
    detail = client.get(f"/evidence/{zhao_log}").get_data(as_text=True)
    assert "Zhao Guangzong" in detail and "fingerprint" in detail and "ZHAO, Guangzong" in detail
    assert f"/review/screening/{zhao_log}/{seeded['ZHAO, Guangzong']}" in detail  # review this match
    assert client.get("/evidence/999999").status_code == 404
    export = client.get("/evidence/export.csv?outcome=match&kind=single")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert rows and all(r["had_match"] == "True" for r in rows)
    assert any("Zhao Guangzong" in r["subject"] for r in rows) and "user_name" in rows[0]
    # The same file as the API's export with the same filters.
    same = api.get("/api/v1/screenings/export?format=csv&had_match=true&kind=single").get_data(as_text=True)
    assert same == export.get_data(as_text=True)

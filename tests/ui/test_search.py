"""The search page through the test client: facets, filters in the query string, paging,
highlighting (escaped), htmx partials and refused input."""

from __future__ import annotations

import re

from service.extensions import db
from service.records.designations import create_designation
from service.records.entities import create_entity
from tests.querycount import statements


def test_search_with_facets_and_filters_in_the_url(ui_as, seeded):
    client = ui_as("analyst")
    html = client.get("/search?q=zhao%20guangzong").get_data(as_text=True)
    assert "<mark>ZHAO</mark>, <mark>Guangzong</mark>" in html and "OFAC:47814" in html and "UK:CYB0045" in html
    assert 'href="/search?q=zhao+guangzong&amp;authority=UK"' in html  # a facet is a link
    narrowed = client.get("/search?q=zhao+guangzong&authority=uk").get_data(as_text=True)
    assert "1 record found" in narrowed and "Remove the filter Authority: UK" in narrowed
    assert '<input type="hidden" name="authority" value="UK">' in narrowed  # typing keeps the filter
    none = client.get("/search?q=zhao+guangzong&type=company").get_data(as_text=True)
    assert "0 records found" in none and "Nothing matches" in none
    chinese = client.get("/search?q=%E8%B5%B5%E5%85%89%E5%AE%97").get_data(as_text=True)
    assert "<mark>赵光宗</mark>" in chinese and "original script" in chinese


def test_empty_query_lists_recent_records_with_facets(ui_as, seeded):
    client = ui_as("analyst")
    html = client.get("/").get_data(as_text=True)
    assert "Recently changed records" in html and "8 records; the most recently changed first" in html
    facets = html.split('id="facets-heading"')[1]
    assert re.search(r'threat_group=APT31"><span dir="auto">APT31</span> <span class="count">8</span>', facets)
    listed = client.get("/search?status=active").get_data(as_text=True)
    assert "3 records with the filters chosen" in listed and "Remove the filter Designations: Active designation" in listed


def test_htmx_gets_the_results_and_the_count_alone(ui_as, seeded):
    client = ui_as("analyst")
    resp = client.get("/search?q=guangzong", headers={"HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert "<html" not in body and 'hx-swap-oob="true"' in body and "ZHAO, Guangzong" in body
    assert "HX-Request" in resp.headers["Vary"]


def test_names_are_escaped_and_results_paginated(app, ui_as):
    with app.app_context():
        for n in range(23):
            create_entity(session=db.session, data={"name": f"<b>Roe</b> Jane {n:02d}", "type": "person"})
        db.session.commit()
    client = ui_as("analyst")
    first = client.get("/search?q=jane+roe").get_data(as_text=True)
    assert "<b>Roe" not in first and "&lt;b&gt;<mark>Roe</mark>&lt;/b&gt;" in first
    assert "23 records found" in first and "Page 1 of 2" in first and 'href="/search?q=jane+roe&amp;page=2"' in first
    second = client.get("/search?q=jane+roe&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second and second.count("Jane ") >= 3 and 'rel="prev"' in second


def test_bad_arguments_are_refused_with_a_message(ui_as):
    client = ui_as("analyst")
    for query, message in (("type=bogus", "Unknown type"), ("country=China", "not a two-letter code"),
                           ("status=maybe", "Unknown status"), ("page=0", "not a page number"),
                           ("page=x", "not a page number")):
        resp = client.get(f"/search?q=a&{query}")
        assert resp.status_code == 422 and message in resp.get_data(as_text=True), query


def test_a_screener_may_not_search(ui_as):
    assert ui_as("screener").get("/search?q=zhao").status_code == 403


def test_a_programme_facet_keeps_that_programme_exactly(app, ui_as):
    """The facet CYBER counts and keeps CYBER (alone or among joined programmes), not CYBER2."""
    with app.app_context():
        for ref, programme in (("1", "CYBER"), ("2", "CYBER2"), ("3", "SDGT; CYBER")):
            entity = create_entity(session=db.session, data={"name": f"Programme Test {ref}", "type": "company"})
            create_designation(session=db.session, data={"entity_id": entity.id, "authority": "OFAC",
                                                         "list_ref": ref, "programme": programme})
        db.session.commit()
    client = ui_as("analyst")
    home = client.get("/").get_data(as_text=True).split('id="facets-heading"')[1]
    assert re.search(r'programme=CYBER"><span dir="auto">CYBER</span> <span class="count">2</span>', home)
    listed = client.get("/search?programme=CYBER").get_data(as_text=True)
    assert "2 records with the filters chosen" in listed and "Programme Test 2" not in listed
    assert "Programme Test 1" in listed and "Programme Test 3" in listed


def test_a_search_page_reads_the_filters_once_and_no_record_per_row(app, ui_as, seeded):
    """The rows and facets come from the list state's cache: a page reads the signed-in user
    and the list-state counter, and for a query the filters once, however many rows it shows."""
    client = ui_as("analyst")
    for path in ("/search?status=active", "/search?q=zhao&authority=UK", "/search?q=guangzong"):
        client.get(path)  # the index and the cache are built on the first request
    counts = {}
    for path in ("/search?status=active", "/", "/search?q=zhao&authority=UK", "/search?q=guangzong"):
        with statements(app) as seen:
            assert client.get(path).status_code == 200
        counts[path] = len(seen)
    assert counts["/search?status=active"] <= 2 and counts["/"] <= 3, counts  # "/" is new: its filters once
    assert counts["/search?q=zhao&authority=UK"] <= 5 and counts["/search?q=guangzong"] <= 5, counts

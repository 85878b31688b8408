"""The editing pages in a real browser: an edit conflict between two people (the second save
refused with the message and the input kept), field errors, a screener refused, accessibility.

The server's database is shared by every browser test: these tests edit records they create.
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.axe import assert_accessible


def create_person(page: Any, name: str) -> str:
    """A new person through the form; the path of its entity page."""
    page.goto("/persons/new")
    page.get_by_label("Primary name", exact=True).fill(name)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/entities/\d+$"))
    assert page.get_by_text(f"Created the person “{name}”.").is_visible()
    return "/entities/" + page.url.rsplit("/", 1)[1]


def test_an_edit_conflict_is_refused_with_the_input_kept(signed_in: Any) -> None:
    first, second = signed_in("editor"), signed_in("admin")
    entity = create_person(first, "Conflict Test Person")
    first.goto(f"{entity}/edit")
    second.goto(f"{entity}/edit")
    assert_accessible(first)
    # The second person saves first.
    second.get_by_label("Notes", exact=True).fill("Saved by the admin.")
    second.get_by_role("button", name="Save").click()
    second.wait_for_url(re.compile(r"/entities/\d+$"))
    # The first one's save, against the version they opened, is refused.
    first.get_by_label("Notes", exact=True).fill("Saved by the editor.")
    first.get_by_label("Name 1", exact=True).fill("Konflikt Person")
    first.get_by_role("button", name="Save").click()
    first.wait_for_load_state()
    alert = first.get_by_role("alert")
    assert "someone else changed this record after you opened this form" in alert.inner_text()
    assert "admin-user" in alert.inner_text()
    assert first.get_by_label("Notes", exact=True).input_value() == "Saved by the editor."  # the input is kept
    assert first.get_by_label("Name 1", exact=True).input_value() == "Konflikt Person"
    assert_accessible(first)
    second.goto(entity)
    assert second.get_by_text("Saved by the admin.").first.is_visible()  # not overwritten
    # Saving again, now knowingly, replaces it.
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(re.compile(r"/entities/\d+$"))
    assert first.get_by_text("Saved by the editor.").first.is_visible()
    assert first.console.csp_violations() == [] and second.console.csp_violations() == []


def test_field_errors_rows_and_archive(signed_in: Any) -> None:
    page = signed_in("editor")
    page.goto("/companies/new")
    page.get_by_label("Primary name", exact=True).fill("Errors Test Company")
    page.get_by_label("Countries", exact=True).fill("CN, XX")
    page.get_by_label("Scheme 1", exact=True).fill("Not A Scheme")
    page.get_by_label("Value 1", exact=True).fill("123")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Nothing was saved" in page.get_by_role("alert").inner_text()
    countries = page.get_by_label("Countries", exact=True)
    assert countries.get_attribute("aria-invalid") == "true" and countries.input_value() == "CN, XX"
    assert "XX" in page.locator("#countries-error").inner_text()
    assert "lower-case scheme" in page.locator("#identifiers-0-scheme-error").inner_text()
    assert_accessible(page)
    # Another row for a name, without saving; then a valid save.
    page.get_by_role("button", name="Add a name").click()
    page.wait_for_load_state()
    assert page.get_by_label("Name 3", exact=True).is_visible()
    page.get_by_label("Countries", exact=True).fill("CN")
    page.get_by_label("Scheme 1", exact=True).fill("uscc")
    page.get_by_label("Name 1", exact=True).fill("错误测试公司")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/entities/\d+$"))
    assert page.get_by_text("错误测试公司").first.is_visible()
    # Archive, after a confirmation page.
    page.goto(page.url + "/archive")
    assert page.get_by_role("heading", level=1).inner_text() == "Archive the company?"
    assert_accessible(page)
    page.get_by_role("button", name="Archive").click()
    page.wait_for_load_state()
    assert page.get_by_text("Archived the company “Errors Test Company”.").is_visible()


def test_a_screener_is_refused_an_editors_page(signed_in: Any) -> None:
    page = signed_in("screener")
    response = page.goto("/persons/new")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You may not do this"
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="New record").count() == 0
    editor = signed_in("editor")
    editor.goto("/")
    editor.get_by_role("navigation", name="Main").get_by_role("link", name="New record").click()
    editor.wait_for_url(re.compile(r"/new$"))
    assert_accessible(editor)

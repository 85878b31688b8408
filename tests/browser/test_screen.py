"""The screening page in a real browser: 赵光宗 finds Zhao Guangzong with a readable
explanation, a clean name finds nothing, the keyboard alone screens, axe finds no serious
violation, and the page obeys the CSP."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from tests.browser.axe import assert_accessible


def test_screening_zhao_in_chinese_explains_the_match(signed_in: Any) -> None:
    page = signed_in("analyst")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto("/screen")
    page.get_by_label("Name").fill("赵光宗")
    page.get_by_label("Type").select_option("person")
    page.get_by_label("Birth date").fill("1985-11-12")
    page.get_by_label("Country or nationality").select_option("CN")
    with page.expect_navigation():
        page.get_by_role("button", name="Screen").click()
    assert "name=%E8%B5%B5%E5%85%89%E5%AE%97" in page.url  # a shareable address
    results = page.get_by_role("region", name=re.compile("Results for"))
    assert "1 match at or above the threshold" in results.get_by_role("status").inner_text()
    match = results.get_by_role("article").first
    heading = match.get_by_role("heading", level=3)
    assert heading.inner_text() == "ZHAO, Guangzong"
    assert heading.get_by_role("link").get_attribute("href") is not None  # the entity page, for an analyst
    explanation = match.get_by_role("region", name=re.compile("Why ZHAO, Guangzong scored 1.00"))
    text = explanation.inner_text()
    assert "compared with the listed name in its original script" in text and "赵光宗" in text
    table = explanation.get_by_role("table")
    assert table.get_by_role("row").nth(1).inner_text().split("\t")[-1] == "exact"
    assert "Birth date +0.02: 1985-11-12 matches 1985-11-12" in text and "Country +0.02: CN in CN" in text
    assert "At or above the threshold" in text
    assert "OFAC:47814, UK:CYB0045" in match.inner_text()
    assert match.locator("meter").get_attribute("value") == "1.0"
    assert_accessible(page)
    page.screenshot(path="/tmp/ui-screen.png", full_page=True)
    assert page.console.csp_violations() == [], page.console.messages


def test_a_clean_name_has_no_match(signed_in: Any) -> None:
    page = signed_in("screener")
    page.goto("/screen?name=" + quote("Margaret Thistlewood"))
    status = page.get_by_role("status").filter(has_text="No match")
    assert status.inner_text().startswith("No match. Nothing on the lists scores near")
    assert page.get_by_role("article").count() == 0
    assert_accessible(page)


def test_screening_with_the_keyboard_alone(signed_in: Any) -> None:
    page = signed_in("screener")
    page.goto("/screen")
    assert page.evaluate("() => document.activeElement.id") == "name"  # the form starts at the name
    page.keyboard.type("Guangzong Zhao")
    page.keyboard.press("Tab")  # type
    page.keyboard.press("Tab")  # birth date
    assert page.evaluate("() => document.activeElement.id") == "birth_date"
    page.keyboard.type("1985")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "birth_date=1985" in page.url
    first = page.get_by_role("article").first
    assert first.get_by_role("heading", level=3).inner_text() == "ZHAO, Guangzong"
    assert "Birth date +0.02: 1985 matches 1985-11-12" in first.inner_text()
    # A screener may not read the records: no link to the entity page.
    assert first.get_by_role("heading", level=3).get_by_role("link").count() == 0


def test_bad_input_is_marked_on_its_field(signed_in: Any) -> None:
    page = signed_in("analyst")
    page.goto("/screen?name=Zhao&birth_date=" + quote("12/11/1985"))
    date = page.get_by_label("Birth date")
    assert date.get_attribute("aria-invalid") == "true"
    assert page.get_by_role("alert").inner_text().startswith("The screening was not run")
    assert "Not a date of the form YYYY, YYYY-MM or YYYY-MM-DD" in page.locator("#birth_date-error").inner_text()
    assert page.get_by_role("article").count() == 0
    assert_accessible(page)

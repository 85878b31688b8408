"""Search in a real browser: results as you type, facets, a shareable URL, keyboard-only use,
accessibility."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in


def result_names(page: Any) -> list[str]:
    return page.locator("#results table.results tbody tr td:first-child a").all_inner_texts()


def test_search_as_you_type_with_facets_and_a_shareable_url(signed_in: Any, new_page: Any) -> None:
    page = signed_in("analyst")
    box = page.get_by_label("Name, in any script")
    box.press_sequentially("wuhan xiaoruizhi", delay=20)
    page.wait_for_url(re.compile(r"/search\?q=wuhan(\+|%20)xiaoruizhi"))  # htmx pushed the query
    page.get_by_role("status").filter(has_text="found for").wait_for()
    assert result_names(page)[0].startswith("WUHAN XIAORUIZHI")
    assert page.locator("#results mark").first.inner_text() == "WUHAN"
    page.get_by_role("link", name=re.compile(r"^UK \d+$")).click()  # the Authority facet
    page.wait_for_url(re.compile(r"authority=UK"))
    assert page.get_by_role("link", name="Remove the filter Authority: UK").is_visible()
    page.get_by_role("link", name=re.compile(r"^company 1$")).click()
    page.wait_for_url(re.compile(r"type=company"))
    names, url = result_names(page), page.url
    assert len(names) == 1 and names[0].startswith("WUHAN XIAORUIZHI")
    # Typing keeps the filters chosen.
    box = page.get_by_label("Name, in any script")
    box.fill("")
    box.press_sequentially("zhao guangzong", delay=20)
    page.wait_for_url(re.compile(r"q=zhao(\+|%20)guangzong.*type=company|type=company.*q=zhao"))
    page.get_by_text("0 records found").wait_for()
    assert_accessible(page)
    # The URL, opened by someone else, shows the same search.
    other = new_page()
    other.goto(url)
    sign_in(other, "editor-user", go=False)
    assert other.url == url and result_names(other) == names
    assert other.get_by_label("Name, in any script").input_value() == "wuhan xiaoruizhi"
    assert other.console.csp_violations() == [] and page.console.csp_violations() == []


def test_search_with_the_keyboard_only(signed_in: Any) -> None:
    page = signed_in("analyst")
    for _ in range(20):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "q":
            break
    assert page.evaluate("() => document.activeElement.id") == "q"
    page.keyboard.type("赵光宗")
    page.wait_for_url(re.compile(r"q=%E8%B5%B5"))
    page.get_by_text("1 record found").wait_for()
    page.keyboard.press("Tab")  # the Search button
    page.keyboard.press("Tab")  # the first result
    assert page.evaluate("() => document.activeElement.textContent") == "ZHAO, Guangzong"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/entities/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "ZHAO, Guangzong"


def test_search_screenshot(signed_in: Any) -> None:
    page = signed_in("analyst")
    page.set_viewport_size({"width": 1200, "height": 800})
    page.goto("/search?q=guangzong%20zhao")
    assert_accessible(page)
    assert len(page.screenshot(path="/tmp/ui-search.png", full_page=True)) > 10_000
    page.goto("/")
    assert_accessible(page)
    assert len(page.screenshot(path="/tmp/ui-search-empty.png", full_page=True)) > 10_000

"""The entity, threat-group and case pages in a real browser: Zhao Guangzong with both
designations, both charges and his Chinese name; the APT31 group and its case; view as of a
day; accessibility."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from tests.browser.axe import assert_accessible


def open_zhao(page: Any) -> None:
    page.goto("/search?q=zhao%20guangzong")
    page.get_by_role("link", name="ZHAO, Guangzong").click()
    page.wait_for_url(re.compile(r"/entities/\d+$"))


def test_zhao_guangzong_entity_page(signed_in: Any) -> None:
    page = signed_in("analyst")
    page.set_viewport_size({"width": 1200, "height": 800})
    open_zhao(page)
    chinese = page.get_by_role("cell", name="赵光宗").locator("span")
    assert chinese.get_attribute("lang") == "zh" and chinese.get_attribute("dir") == "auto"
    assert page.get_by_role("row", name=re.compile("赵光宗 original script Han zh")).is_visible()
    assert page.get_by_role("heading", name=re.compile(r"OFAC · CYBER2")).is_visible()
    assert page.get_by_role("heading", name=re.compile(r"UK · Cyber")).is_visible()
    assert page.get_by_text("OFAC:47814").first.is_visible() and page.get_by_text("UK:CYB0045").first.is_visible()
    charges = page.get_by_role("region", name="Charges (2)").get_by_role("row")
    assert charges.count() == 3  # the header and two counts
    for statute in ("18 U.S.C. § 371", "18 U.S.C. § 1349"):
        assert charges.get_by_role("cell", name=statute, exact=True).is_visible()
    assert page.get_by_role("region", name="History").get_by_role("listitem").count() >= 1
    assert_accessible(page)
    assert len(page.screenshot(path="/tmp/ui-entity.png", full_page=True)) > 10_000
    # View as of a day: before the record existed, then today.
    entity_url = page.url
    page.get_by_label("View as of").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"\?as_of=\d{4}-\d\d-\d\d$"))
    assert page.get_by_text("This record did not exist yet").is_visible()
    page.get_by_label("View as of").fill(date.today().isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(rf"as_of={date.today().isoformat()}$"))
    assert page.get_by_text("Shown as it stood at the end of").is_visible()
    assert page.get_by_role("heading", name=re.compile(r"UK · Cyber")).is_visible()
    page.get_by_role("link", name="Back to today").click()
    page.wait_for_url(entity_url)
    assert page.console.csp_violations() == []


def test_apt31_group_and_case_pages(signed_in: Any) -> None:
    page = signed_in("analyst")
    page.set_viewport_size({"width": 1200, "height": 800})
    open_zhao(page)
    page.get_by_role("region", name="Threat groups").get_by_role("link", name="APT31").click()
    page.wait_for_url(re.compile(r"/threat-groups/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == "APT31"
    assert page.get_by_text("G0128", exact=True).is_visible() and page.get_by_text("Violet Typhoon").is_visible()
    row = page.get_by_role("row", name=re.compile("ZHAO, Guangzong"))
    assert "OFAC:47814" in row.inner_text() and "UK:CYB0045" in row.inner_text() and "2 counts in" in row.inner_text()
    members = page.get_by_role("region", name=re.compile(r"Members")).locator("tbody tr")
    assert members.count() == 8  # seven defendants and the front company
    assert_accessible(page)
    assert len(page.screenshot(path="/tmp/ui-group.png", full_page=True)) > 10_000
    page.get_by_role("region", name="Cases").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert page.get_by_text("US District Court, Eastern District of New York").is_visible()
    assert page.get_by_role("heading", name="Defendants (7)").is_visible()
    zhao = page.get_by_role("article", name=re.compile("ZHAO, Guangzong"))
    assert zhao.get_by_role("row").count() == 3 and "UK:CYB0045" in zhao.inner_text()
    assert_accessible(page)
    assert len(page.screenshot(path="/tmp/ui-case.png", full_page=True)) > 10_000
    assert page.console.csp_violations() == []

"""The evidence log in a real browser: filter it by outcome (a shareable address), open one
screening with its input, list fingerprint and algorithm version, export the filtered log as
CSV, and axe finds no serious violation on either page."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from tests.browser.axe import assert_accessible
from tests.browser.test_review import screen


def test_filter_open_and_export_the_evidence_log(signed_in: Any) -> None:
    page = signed_in("analyst")
    screen(page, "Zhao Guangzong", country="CN")
    page.goto("/screen?name=Margaret+Thistlewood")  # a screening without a match
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evidence log").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Evidence log"
    page.get_by_label("Outcome").select_option("match")
    page.get_by_label("User or key").select_option(label="analyst-user (user)")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"outcome=match"))
    assert re.search(r"who=user%3A\d+", page.url)  # the filters live in the address
    log = page.get_by_role("region", name="Screenings")
    assert "Zhao Guangzong" in log.inner_text() and "Margaret Thistlewood" not in log.inner_text()
    assert_accessible(page)
    page.screenshot(path="/tmp/ui-evidence.png", full_page=True)
    with page.expect_download() as download:
        log.get_by_role("link", name="Export as CSV").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows and all(r["had_match"] == "True" and r["user_name"] == "analyst-user" for r in rows)
    assert any('"Zhao Guangzong"' in r["subject"] for r in rows)
    log.get_by_role("row").filter(has_text="Zhao Guangzong").first.get_by_role("link", name=re.compile("^Open")).click()
    page.wait_for_load_state()
    assert re.match(r"Screening \d+", page.get_by_role("heading", level=1).inner_text())
    facts = page.locator("dl.facts").first.inner_text()
    assert "fingerprint" in facts and "version" in facts and "analyst-user (user)" in facts
    assert "ZHAO, Guangzong" in page.get_by_role("table").inner_text()
    assert_accessible(page)
    page.screenshot(path="/tmp/ui-evidence-detail.png", full_page=True)
    assert page.console.csp_violations() == [], page.console.messages

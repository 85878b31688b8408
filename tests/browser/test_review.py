"""The review queue in a real browser: an analyst decides a match with a comment, the keyboard
alone reviews one (Tab to the match, to the decision, the comment and the button), axe finds
no serious violation on the queue or a match's page, and the pages obey the CSP. Four-eyes
review, which needs its own server (FOUR_EYES_REVIEW=true), is in test_review_four_eyes.py."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from tests.browser.axe import assert_accessible


def screen(page: Any, name: str, birth_date: str = "", country: str = "") -> None:
    """A screening by the signed-in user (the screen page logs it): a match for the queue."""
    page.goto("/screen?" + urlencode({"name": name, "birth_date": birth_date, "country": country}))
    assert page.get_by_role("article").count() >= 1


def queue_row(page: Any, marker: str) -> Any:
    # Screenings only: the shared server's queue also holds matched rows of other tests' bulk jobs.
    screening = page.get_by_role("cell", name="screening", exact=True)
    return page.get_by_role("row").filter(has_text=marker).filter(has=screening)


def test_an_analyst_decides_a_match_with_a_comment(signed_in: Any) -> None:
    page = signed_in("analyst")
    screen(page, "Zhao Guangzong", birth_date="1985-11")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Review queue"
    row = queue_row(page, "born 1985-11 ")
    assert row.count() == 1 and "ZHAO, Guangzong" in row.inner_text() and "no one" in row.inner_text()
    assert_accessible(page)
    page.screenshot(path="/tmp/ui-review.png", full_page=True)
    row.get_by_role("link", name=re.compile("^Review")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Review a match"
    page.get_by_role("button", name="Assign to me").click()
    page.wait_for_load_state()
    assert page.get_by_text("The match is assigned to you.").is_visible()
    assert_accessible(page)
    page.get_by_label("True match").check()
    page.get_by_label("Comment").fill("Same person: birth month and name agree.")
    page.screenshot(path="/tmp/ui-review-item.png", full_page=True)
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()
    assert page.get_by_text("Decision recorded: true match.").is_visible()
    assert queue_row(page, "born 1985-11 ").count() == 0  # decided: out of the queue
    assert page.console.csp_violations() == [], page.console.messages


def focus_until(page: Any, test: str, limit: int = 60) -> None:
    """Press Tab until the focused element passes ``test`` (a JS predicate on it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({test}); }}"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def test_keyboard_only_review(signed_in: Any) -> None:
    page = signed_in("editor")
    screen(page, "Ni Gaobin", birth_date="1985-10")
    page.goto("/review?source=screening")
    focus_until(page, "el.tagName === 'A' && el.innerText.startsWith('Review') && el.closest('tr') && /born 1985-10(?!-)/.test(el.closest('tr').innerText)")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Review a match"
    focus_until(page, "el.name === 'decision'")
    page.keyboard.press("ArrowDown")  # the second choice: false positive
    assert page.get_by_label("False positive").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "comment"
    page.keyboard.type("Different person: another Ni Gaobin.")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.innerText") == "Record decision"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Decision recorded: false positive.").is_visible()
    assert queue_row(page, "born 1985-10 ").count() == 0

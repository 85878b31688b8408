"""The web interface's foundation in a real browser: signing in and out, a wrong password,
CSRF, roles, the security headers and accessibility of the sign-in and home pages."""

from __future__ import annotations

import re
from typing import Any

from service.ui.security import CONTENT_SECURITY_POLICY
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PASSWORD, sign_in


def test_sign_in_and_out(new_page: Any) -> None:
    page = new_page()
    page.goto("/")
    assert page.url.endswith("/login?next=/")
    sign_in(page, "analyst-user")
    assert page.url.endswith("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Search the records"
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").is_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "sanctions_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto("/search?q=zhao+guangzong")
    assert "/login?next=" in page.url  # signed out for real, and brought back after signing in
    sign_in(page, "analyst-user", go=False)
    assert page.url.endswith("/search?q=zhao+guangzong")
    assert page.get_by_role("cell", name="ZHAO, Guangzong").first.is_visible()


def test_wrong_password_is_refused_and_logged(new_page: Any, server: Any) -> None:
    page = new_page()
    sign_in(page, "editor-user", "not the right password")
    assert page.get_by_role("alert").inner_text() == "The user name or password is not right."
    assert page.url.endswith("/login?next=/") or page.url.endswith("/login")
    assert page.get_by_label("User name").input_value() == "editor-user"
    assert "sign-in failed for 'editor-user' from 127.0.0.1: wrong password" in server.log()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert page.get_by_text("Signed in as editor-user").is_visible()


def test_a_form_without_the_csrf_token_is_refused(signed_in: Any) -> None:
    page = signed_in("admin")
    page.evaluate("() => document.querySelector('form[action=\"/logout\"] input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "You may not do this"
    assert page.get_by_text("security token is missing").is_visible()
    page.goto("/")
    assert page.get_by_text("Signed in as admin-user").is_visible()  # nothing happened


def test_a_screener_is_refused_an_admin_page(signed_in: Any) -> None:
    page = signed_in("screener")
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Users").count() == 0 and nav.get_by_role("link", name="Search").count() == 0
    response = page.goto("/admin/users")
    assert response.status == 403 and page.get_by_role("heading", level=1).inner_text() == "You may not do this"
    assert page.goto("/search?q=zhao").status == 403
    admin = signed_in("admin")
    assert admin.goto("/admin/users").status == 200
    assert admin.get_by_role("cell", name="screener-user", exact=True).is_visible()


def test_pages_are_accessible_and_obey_the_csp(new_page: Any, signed_in: Any) -> None:
    page = new_page()
    response = page.goto("/login")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert page.evaluate("() => typeof htmx !== 'undefined' && htmx.version") == "2.0.11"
    assert page.evaluate("() => htmx.config.allowEval") is False
    assert_accessible(page)
    assert page.evaluate("() => document.activeElement.name") == "username"  # autofocus
    home = signed_in("analyst")
    home.goto("/search?q=zhao%20guangzong")
    assert home.get_by_role("cell", name="ZHAO, Guangzong").first.is_visible()
    home.keyboard.press("Tab")  # the skip link comes first, and shows when focused
    skip = home.get_by_role("link", name="Skip to main content")
    assert home.evaluate("() => document.activeElement.textContent") == "Skip to main content" and skip.is_visible()
    skip.press("Enter")
    assert home.evaluate("() => document.activeElement.id") == "main"
    # htmx requests carry the CSRF token the page's meta tag holds.
    token = home.evaluate("() => document.querySelector('meta[name=csrf-token]').content")
    assert home.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']") == token
    assert_accessible(home)
    home.goto("/no-such-page")
    assert_accessible(home)
    for p in (page, home):
        assert p.console.csp_violations() == [], p.console.messages


def test_screenshots(new_page: Any, signed_in: Any) -> None:
    """PNGs of the sign-in and home pages (looked at by people; the test checks they are made)."""
    page = new_page()
    page.set_viewport_size({"width": 1200, "height": 700})
    page.goto("/login")
    shots = {"/tmp/ui-login.png": page}
    home = signed_in("admin")
    home.set_viewport_size({"width": 1200, "height": 700})
    home.goto("/search?q=zhao%20guangzong")
    shots["/tmp/ui-home.png"] = home
    for path, p in shots.items():
        assert len(p.screenshot(path=path, full_page=True)) > 10_000

"""The administration pages in a real browser: create a user (password shown once, then used to
sign in), an API key shown once, a refused list upload; accessibility of each page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in

SDN = Path(__file__).resolve().parent.parent / "fixtures" / "imports" / "ofac" / "sdn.csv"


def test_an_admin_creates_a_user_who_then_signs_in(signed_in: Any, new_page: Any) -> None:
    admin = signed_in("admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    admin.wait_for_url(re.compile(r"/admin/users$"))
    assert_accessible(admin)
    admin.get_by_role("link", name="Create a user").click()
    admin.wait_for_url(re.compile(r"/admin/users/new$"))
    assert_accessible(admin)
    admin.get_by_label("User name").fill("bad name")
    admin.get_by_role("button", name="Create the user").click()
    admin.wait_for_load_state()
    assert admin.locator("#username-error").inner_text() == "Invalid user name."
    assert_accessible(admin)
    admin.get_by_label("User name").fill("browser-made")
    admin.get_by_label("Role").select_option("analyst")
    admin.get_by_role("button", name="Create the user").click()
    admin.wait_for_load_state()
    password = admin.locator("#secret").inner_text()
    assert len(password) >= 12
    assert_accessible(admin)
    admin.get_by_role("link", name="Done").click()
    assert admin.get_by_role("cell", name="browser-made", exact=True).is_visible()
    assert password not in admin.content()
    person = new_page()
    sign_in(person, "browser-made", password)
    assert person.get_by_text("Signed in as browser-made").is_visible()
    assert person.get_by_text("(analyst)").is_visible()


def test_a_key_is_shown_once_and_revoked(signed_in: Any) -> None:
    admin = signed_in("admin")
    admin.goto("/admin/keys")
    assert_accessible(admin)
    admin.get_by_label("Name").fill("browser key")
    admin.get_by_label("Role").select_option("screener")
    admin.get_by_role("button", name="Create the key").click()
    admin.wait_for_load_state()
    token = admin.locator("#secret").inner_text()
    assert token.startswith("sk_")
    admin.goto("/admin/keys")
    assert token not in admin.content() and admin.get_by_text(f"{token[:12]}…").is_visible()
    admin.get_by_role("link", name="Revoke browser key").click()
    assert_accessible(admin)
    admin.get_by_role("button", name="Revoke the key").click()
    admin.wait_for_load_state()
    assert admin.get_by_text("Revoked the API key “browser key”").is_visible()


def test_a_bad_list_upload_is_refused_and_changes_nothing(signed_in: Any) -> None:
    admin = signed_in("admin")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    admin.wait_for_url(re.compile(r"/admin/imports$"))
    assert_accessible(admin)
    admin.get_by_label("List").select_option("uk")
    admin.get_by_label("Files").set_input_files(str(SDN))
    admin.get_by_role("button", name="Import").click()
    admin.wait_for_load_state()
    assert "Nothing was imported" in admin.get_by_role("alert").inner_text()
    assert_accessible(admin)
    admin.get_by_role("link", name=re.compile("See the failed run")).click()
    admin.wait_for_load_state()
    assert "This import failed and changed nothing" in admin.get_by_role("alert").inner_text()
    assert_accessible(admin)
    assert admin.console.csp_violations() == []

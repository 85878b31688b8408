"""Administration pages: users (create with a role, disable, enable, reset a password shown
once), API keys (created and shown once, working against the API, revoked) and list imports
(the importer the CLI and the API run: counts, warnings, failed uploads changing nothing)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.models import Entity, ImportRun, User
from tests.ui.conftest import csrf_token, sign_in

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
SECRET = re.compile(r'<code class="secret-value" id="secret">([^<]+)</code>')


def post(client: Any, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/users"), **data}, **kwargs)


def secret(resp: Any) -> str:
    found = SECRET.search(resp.get_data(as_text=True))
    assert found, resp.get_data(as_text=True)[:2000]
    return found.group(1)


def count(app: Any, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_an_admin_creates_a_user_whose_password_is_shown_once(app, ui_as):
    admin = ui_as("admin")
    resp = post(admin, "/admin/users/new", {"username": "nadia", "role": "editor", "password": ""})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    password = secret(resp)
    users = admin.get("/admin/users").get_data(as_text=True)
    assert "nadia" in users and password not in users  # shown once, not kept
    nadia = app.test_client()
    assert sign_in(nadia, "nadia", password).status_code == 302
    assert "(editor)" in nadia.get("/new").get_data(as_text=True)
    # Chosen passwords are not echoed back.
    resp = post(admin, "/admin/users/new", {"username": "omar", "role": "screener", "password": "a long enough one"})
    assert resp.status_code == 302 and "omar" in admin.get("/admin/users").get_data(as_text=True)


def test_user_form_errors_are_shown_next_to_the_fields(app, ui_as):
    admin = ui_as("admin", "root")
    for data, field, message in (
        ({"username": "bad name", "role": "analyst"}, "username", "Invalid user name."),
        ({"username": "ROOT", "role": "analyst"}, "username", "Taken."),
        ({"username": "fine", "role": "boss"}, "role", "Unknown role."),
        ({"username": "fine", "role": "analyst", "password": "short"}, "password", "At least 12 characters."),
    ):
        resp = post(admin, "/admin/users/new", data)
        assert resp.status_code == 422
        assert f'id="{field}-error">{message}' in resp.get_data(as_text=True), data
    assert count(app, User) == 1


def test_disable_enable_and_reset_a_password(app, ui_as):
    admin = ui_as("admin", "root")
    analyst = ui_as("analyst", "ann")
    assert post(admin, "/admin/users/ann/disable", {}).status_code == 302
    assert analyst.get("/search").status_code == 302  # the open session ends
    assert "disabled" in admin.get("/admin/users").get_data(as_text=True)
    assert post(admin, "/admin/users/ann/enable", {}).status_code == 302
    # Own account: refused.
    resp = post(admin, "/admin/users/root/disable", {}, follow_redirects=True)
    assert "cannot disable your own account" in resp.get_data(as_text=True)
    # Reset: a confirmation, then the new password once.
    assert "Reset the password of ann?" in admin.get("/admin/users/ann/reset-password").get_data(as_text=True)
    password = secret(post(admin, "/admin/users/ann/reset-password", {}))
    fresh = app.test_client()
    assert sign_in(fresh, "ann").status_code == 422  # the old password no longer works
    assert sign_in(fresh, "ann", password).status_code == 302
    assert admin.get("/admin/users/nobody/reset-password").status_code == 404


def test_a_key_is_shown_once_works_and_stops_when_revoked(app, ui_as):
    admin = ui_as("admin")
    resp = post(admin, "/admin/keys", {"name": "vendor portal", "role": "analyst"})
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    token = secret(resp)
    listing = admin.get("/admin/keys").get_data(as_text=True)
    assert "vendor portal" in listing and token not in listing and token[:12] in listing
    api = app.test_client()
    api.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    assert api.get("/api/v1/persons").status_code == 200
    assert api.get("/api/v1/keys").status_code == 403  # the role chosen
    key_id = int(re.search(r'/admin/keys/(\d+)/revoke', listing).group(1))
    assert "stops working at once" in admin.get(f"/admin/keys/{key_id}/revoke").get_data(as_text=True)
    assert post(admin, f"/admin/keys/{key_id}/revoke", {}).status_code == 302
    assert api.get("/api/v1/persons").status_code == 401
    assert "revoked" in admin.get("/admin/keys").get_data(as_text=True)
    refused = post(admin, "/admin/keys", {"name": " ", "role": "analyst"})
    assert refused.status_code == 422 and 'id="name-error">Required.' in refused.get_data(as_text=True)


def upload(client: Any, fmt: str, parts: list[tuple[bytes, str]]) -> Any:
    files = [(io.BytesIO(content), name) for content, name in parts]
    return post(client, "/admin/imports", {"format": fmt, "file": files}, content_type="multipart/form-data")


def test_an_upload_imports_the_list_and_shows_the_run(app, ui_as):
    admin = ui_as("admin")
    parts = [(p.read_bytes(), p.name) for p in sorted((FIXTURES / "ofac").iterdir()) if p.is_file()]
    resp = upload(admin, "ofac", parts)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    run = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "OFAC succeeded" in run and re.search(r"<dt>Added</dt><dd>7</dd>", run) and "sdn.csv" in run
    assert count(app, Entity) == 7
    with app.app_context():
        stored = db.session.scalars(select(ImportRun)).one()
        assert stored.origin == "ui" and stored.added == 7
    assert re.search(r">OFAC</td>\s*<td>ui</td>", admin.get("/admin/imports").get_data(as_text=True))
    # The same files again: nothing changes.
    again = admin.get(upload(admin, "ofac", parts).headers["Location"]).get_data(as_text=True)
    assert re.search(r"<dt>Added</dt><dd>0</dd>", again) and re.search(r"<dt>Changed</dt><dd>0</dd>", again)


def test_a_bad_upload_changes_nothing_and_says_why(app, ui_as, seeded, monkeypatch):
    admin = ui_as("admin")
    entities = count(app, Entity)
    sdn = (FIXTURES / "ofac" / "sdn.csv").read_bytes()
    resp = upload(admin, "uk", [(sdn, "sdn.csv")])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Nothing was imported" in html and "sdn.csv" in html
    assert "See the failed run" in html
    assert count(app, Entity) == entities
    with app.app_context():
        assert db.session.scalars(select(ImportRun.status)).all() == ["failed"]
    # No file, or no list chosen: said at the fields.
    missing = upload(admin, "ofac", [])
    assert missing.status_code == 422 and 'id="file-error">Choose the list' in missing.get_data(as_text=True)
    # Beyond MAX_IMPORT_BYTES: refused before anything is read, the limit named.
    monkeypatch.setitem(app.config, "MAX_IMPORT_BYTES", 1024)
    big = upload(admin, "ofac", [(b"x" * 4096, "sdn.csv")])
    assert big.status_code == 413 and "MAX_IMPORT_BYTES" in big.get_data(as_text=True)
    assert count(app, ImportRun) == 1 and count(app, Entity) == entities


ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/keys", "/admin/imports"]


@pytest.mark.parametrize("role", ["screener", "analyst", "editor"])
def test_only_admins_reach_the_administration_pages(app, ui_as, role):
    client = ui_as(role, "someone")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    assert post(client, "/admin/keys", {"name": "x", "role": "admin"}).status_code == 403
    assert post(client, "/admin/users/new", {"username": "x", "role": "admin"}).status_code == 403
    assert post(client, "/admin/users/someone/disable", {}).status_code == 403
    with app.app_context():
        assert db.session.scalars(select(User.username)).all() == ["someone"]

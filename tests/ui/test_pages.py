"""Every page is protected, carries the security headers, and errors are pages a person can
read; the JSON API keeps problem+json."""

from __future__ import annotations

from flask import Blueprint

from service.ui.security import CONTENT_SECURITY_POLICY
from tests.helpers import problem

PUBLIC = {"ui.account.login", "ui.account.logout", "ui.static"}


def test_every_view_needs_a_signed_in_user(app):
    """A view added without @login_required (or @public) fails here."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("ui.") or rule.endpoint in PUBLIC:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "required_permission", "missing") != "missing", rule.endpoint
        assert app.test_client().get(rule.rule.replace("<int:", "1<").split("<")[0]).status_code in (302, 404)


def test_security_headers_and_no_inline_script_or_style(app, ui_as):
    client = ui_as("admin")
    for path in ("/login", "/", "/search?q=zhao", "/admin/users", "/no-such-page"):
        resp = (app.test_client() if path == "/login" else client).get(path)
        assert resp.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        html = resp.get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html and " hx-on" not in html
    # The API's responses are not the pages': no CSP, problem+json errors.
    api = client.get("/api/v1/persons")
    assert "Content-Security-Policy" not in api.headers
    problem(api, 401)  # a session cookie is not an API credential


def test_roles_see_their_pages_only(app, ui_as):
    screener = ui_as("screener")
    resp = screener.get("/admin/users")
    assert resp.status_code == 403 and "You may not do this" in resp.get_data(as_text=True)
    assert screener.get("/search?q=zhao").status_code == 403  # reading the records is not screening
    home = screener.get("/").get_data(as_text=True)
    assert "Search the records" not in home and 'href="/admin/users"' not in home
    admin = ui_as("admin")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "screener-user" in page and 'aria-current="page"' in page


def test_search_finds_the_seeded_records(ui_as, seeded):
    client = ui_as("analyst")
    html = client.get("/search?q=zhao%20guangzong").get_data(as_text=True)
    assert "ZHAO, Guangzong" in html and "1 record found" in html
    partial = client.get("/search?q=zhao%20guangzong", headers={"HX-Request": "true"})
    body = partial.get_data(as_text=True)
    assert "ZHAO, Guangzong" in body and "<html" not in body and "HX-Request" in partial.headers["Vary"]


def test_error_pages_have_no_stack_trace(app, ui_as):
    client = ui_as("analyst")
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "Page not found" in resp.get_data(as_text=True) and "Signed in as" in resp.get_data(as_text=True)
    assert client.post("/search", headers={"X-CSRFToken": "x"}).status_code in (403, 405)


def test_an_unexpected_error_is_a_500_page(database_url, tmp_path):
    from service import create_app

    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "JOB_DIR": str(tmp_path)})
    boom = Blueprint("boom", __name__)

    @boom.get("/boom")
    def explode() -> str:
        raise RuntimeError("secret internals")

    application.register_blueprint(boom)
    resp = application.test_client().get("/boom")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "Something went wrong" in html
    assert "secret internals" not in html and "Traceback" not in html

"""API keys, roles and rate limits."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from flask import Blueprint, abort

from service import create_app, permissions
from service.api import auth
from service.cli import main
from service.errors import NotFound
from service.models import ROLES
from tests.conftest import authed, make_key
from tests.helpers import problem


def test_no_key_or_bad_key_is_401(anonymous, client):
    resp = anonymous.get("/api/v1/persons")
    problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    problem(anonymous.get("/api/v1/persons", headers={"Authorization": "Bearer sk_not_a_real_key_at_all"}), 401)
    problem(anonymous.get("/api/v1/persons", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)
    # Public endpoints need no key.
    assert anonymous.get("/health").status_code == 200
    assert anonymous.get("/openapi.yaml").status_code == 200
    assert anonymous.get("/docs").status_code == 200


def test_keys_api_shows_the_key_once_and_revokes(client, anonymous):
    resp = client.post("/api/v1/keys", json={"name": "vendor portal", "role": "screener"})
    assert resp.status_code == 201
    token = resp.json["key"]
    assert token.startswith("sk_") and len(token) >= 40 and resp.json["prefix"] == token[:12]
    listed = client.get("/api/v1/keys").json["items"]
    assert all("key" not in k and "key_hash" not in k for k in listed)
    screener = authed(anonymous, token)
    assert screener.post("/api/v1/screen", json={"name": "x"}).status_code == 200
    assert client.delete(f"/api/v1/keys/{resp.json['id']}").json["active"] is False
    problem(screener.post("/api/v1/screen", json={"name": "x"}), 401)
    problem(client.post("/api/v1/keys", json={"name": "x", "role": "root"}), 422)
    problem(client.delete("/api/v1/keys/99999"), 404)


def test_roles(client_as):
    screener, analyst, editor = client_as("screener"), client_as("analyst"), client_as("editor")
    problem(screener.get("/api/v1/persons"), 403)
    assert screener.post("/api/v1/screen", json={"name": "x"}).status_code == 200
    problem(screener.get("/api/v1/screenings"), 403)
    assert analyst.get("/api/v1/persons").status_code == 200
    assert analyst.get("/api/v1/screenings").status_code == 200
    problem(analyst.post("/api/v1/persons", json={"name": "x"}), 403)
    assert editor.post("/api/v1/persons", json={"name": "x"}).status_code == 201
    problem(editor.get("/api/v1/keys"), 403)
    problem(editor.post("/api/v1/keys", json={"name": "x", "role": "admin"}), 403)


def test_rate_limit_answers_429_with_retry_after(database_url):
    app = create_app({"DATABASE_URL": database_url, "RATE_LIMIT": "3 per minute"})
    limited = authed(app.test_client(), make_key(app, "analyst"))
    for _ in range(3):
        assert limited.get("/api/v1/persons").status_code == 200
    resp = limited.get("/api/v1/persons")
    problem(resp, 429)
    assert int(resp.headers["Retry-After"]) > 0
    # Another key has its own budget; health is never limited.
    other = authed(app.test_client(), make_key(app, "analyst"))
    assert other.get("/api/v1/persons").status_code == 200
    for _ in range(5):
        assert limited.get("/health").status_code == 200


def test_rate_limit_shared_through_redis(database_url):
    """With Redis storage, two workers (two apps) share one key's budget."""
    import uuid

    import redis

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings = {"DATABASE_URL": database_url, "RATE_LIMIT": "4 per minute",
                "RATE_LIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATE_LIMIT_KEY_PREFIX": prefix}
    first, second = create_app(settings), create_app(settings)
    token = make_key(first, "analyst")
    try:
        a, b = authed(first.test_client(), token), authed(second.test_client(), token)
        assert [a.get("/api/v1/persons").status_code for _ in range(2)] == [200, 200]
        assert [b.get("/api/v1/persons").status_code for _ in range(2)] == [200, 200]
        problem(a.get("/api/v1/persons"), 429)
        problem(b.get("/api/v1/persons"), 429)
    finally:
        client = redis.Redis(host="127.0.0.1", port=6379)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)


def test_cli_keys_and_serve_refusal(database_url):
    runner = CliRunner()
    env = {"DATABASE_URL": database_url}
    first = runner.invoke(main, ["keys", "bootstrap"], env=env)
    assert first.exit_code == 0 and "sk_" in first.output
    again = runner.invoke(main, ["keys", "bootstrap"], env=env)
    assert "sk_" not in again.output
    created = runner.invoke(main, ["keys", "create", "--role", "analyst", "--name", "desk"], env=env)
    assert created.exit_code == 0 and created.output.strip().splitlines()[-1].startswith("sk_")
    listing = runner.invoke(main, ["keys", "list"], env=env).output
    assert "analyst" in listing and "desk" in listing and "sk_" in listing  # prefixes only
    key_id = listing.strip().splitlines()[-1].split("\t")[0]
    assert runner.invoke(main, ["keys", "revoke", key_id], env=env).exit_code == 0
    bad = runner.invoke(main, ["keys", "revoke", "99999"], env=env)
    assert bad.exit_code == 1 and bad.output.startswith("sanctions: error:")


def test_serve_refuses_public_address_without_keys(tmp_path):
    runner = CliRunner()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/k.db"}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["serve", "--host", "0.0.0.0"], env=env)
    assert result.exit_code == 1 and "no API key" in result.output


def test_roles_and_permissions_are_defined_once():
    assert ROLES is permissions.ROLES and set(permissions.ROLE_PERMISSIONS) == set(ROLES)
    needed = {permission for table in auth.PERMISSIONS.values() for permission in table.values()}
    assert needed <= set(permissions.PERMISSIONS)
    assert all(granted <= set(permissions.PERMISSIONS) for granted in permissions.ROLE_PERMISSIONS.values())


def test_pages_beside_the_api_need_no_key_and_keep_their_own_errors(database_url, tmp_path):
    """Keys, rate limits, the JSON-only rule and problem+json are the API's: a page beside it
    (a web UI at /) answers without a key and renders its own errors."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "JOB_DIR": str(tmp_path),
                      "RATE_LIMIT": "2 per minute"})
    probe = Blueprint("ui-probe", __name__, url_prefix="/ui-probe")

    @probe.get("/")
    def page() -> str:
        return "<p>a page</p>"

    @probe.post("/form")
    def form() -> str:
        return "saved"

    @probe.get("/gone")
    def gone() -> Any:
        abort(404)

    @probe.get("/record")
    def record() -> Any:
        raise NotFound("No such record.")

    app.register_blueprint(probe)
    anonymous = app.test_client()
    for _ in range(4):  # no key, and not counted against the API's rate limit
        resp = anonymous.get("/ui-probe/")
        assert resp.status_code == 200 and resp.mimetype == "text/html"
        assert resp.headers["X-Request-ID"]
    assert anonymous.post("/ui-probe/form", data={"name": "x"}).status_code == 200  # a form: no 415
    for path in ("/ui-probe/gone", "/ui-probe/nothing-here", "/nothing-here"):
        resp = anonymous.get(path)
        assert resp.status_code == 404 and resp.mimetype == "text/html", path
    resp = anonymous.get("/ui-probe/record")  # a domain error on a page: the web interface's error page
    assert resp.status_code == 404 and resp.mimetype == "text/html" and "No such record." in resp.get_data(as_text=True)
    # The API beside it is unchanged: a key is needed, and errors are problem+json.
    problem(anonymous.get("/api/v1/persons"), 401)
    problem(anonymous.get("/api/v1/nothing-here"), 404)

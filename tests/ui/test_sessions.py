"""Signing in and out through the test client: the session cookie, the idle timeout, disabled
users, rate-limited and logged failures, CSRF, safe redirects and the secret key file."""

from __future__ import annotations

import logging
import os
import stat

from service.extensions import db
from service.records import users
from service.ui.security import secret_key
from tests.ui.conftest import PASSWORD, csrf_token, make_user, sign_in


def test_sign_in_and_out(app):
    client = app.test_client()
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"] == "/login?next=/"
    name = make_user(app, "analyst")
    resp = sign_in(client, name.upper(), next="/search?q=zhao")  # names ignore case
    assert resp.status_code == 302 and resp.headers["Location"] == "/search?q=zhao"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    home = client.get("/")
    assert home.status_code == 200 and f"Signed in as <strong>{name}</strong>" in home.get_data(as_text=True)
    assert home.headers["Cache-Control"] == "no-store"
    resp = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert resp.status_code == 302 and resp.headers["Location"] == "/login"
    assert "You are signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_cookie_is_secure_over_https(app):
    client = app.test_client()
    name = make_user(app, "analyst")
    token = csrf_token(client, "/login")
    # Over HTTPS, Flask-WTF also wants a Referer of this site (as browsers send).
    resp = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                       data={"username": name, "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302 and "; Secure" in resp.headers["Set-Cookie"]


def test_wrong_password_is_refused_and_logged(app, caplog):
    client = app.test_client()
    name = make_user(app, "analyst")
    with caplog.at_level(logging.WARNING, logger="service.ui.account"):
        resp = sign_in(client, name, "not the password at all")
        unknown = sign_in(client, "nobody", PASSWORD)
    for r in (resp, unknown):  # the same answer: nothing tells which part was wrong
        assert r.status_code == 422 and "The user name or password is not right." in r.get_data(as_text=True)
    logged = [r.getMessage() for r in caplog.records]
    assert f"sign-in failed for '{name}' from 127.0.0.1: wrong password" in logged
    assert "sign-in failed for 'nobody' from 127.0.0.1: unknown user" in logged
    assert client.get("/").status_code == 302  # still signed out
    empty = client.post("/login", data={"username": "", "password": "", "csrf_token": csrf_token(client)})
    assert empty.status_code == 422 and "Enter your user name." in empty.get_data(as_text=True)


def test_sign_in_attempts_are_rate_limited(app, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    client = app.test_client()
    name = make_user(app, "analyst")
    for _ in range(3):
        assert sign_in(client, name, "wrong password here").status_code == 422
    with caplog.at_level(logging.WARNING, logger="service.ui.account"):
        resp = sign_in(client, name)  # even the right password waits
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    assert "Too many sign-in attempts" in resp.get_data(as_text=True)
    assert any("too many attempts" in r.getMessage() for r in caplog.records)


def test_idle_sessions_end(app, ui_as):
    client = ui_as("analyst")
    assert client.get("/").status_code == 200
    with client.session_transaction() as sess:
        sess["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 - 5  # almost idle too long
    assert client.get("/").status_code == 200  # ... and the request renews it
    with client.session_transaction() as sess:
        sess["seen"] -= app.config["SESSION_IDLE_MINUTES"] * 60 + 1
    resp = client.get("/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert "after a period of inactivity" in client.get("/login").get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_disabled_user_or_a_reset_password_ends_the_session(app, ui_as):
    for change in ("disable", "reset"):
        client = ui_as("editor", f"editor-{change}")
        assert client.get("/").status_code == 200
        with app.app_context():
            if change == "disable":
                users.set_disabled(session=db.session, username=f"editor-{change}", disabled=True)
            else:
                users.reset_password(session=db.session, username=f"editor-{change}", password="a brand new password")
            db.session.commit()
        resp = client.get("/search?q=x")
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login"), change
        assert "Your session has ended" in client.get("/login").get_data(as_text=True)


def test_posts_without_the_csrf_token_are_refused(app, ui_as):
    client = ui_as("admin")
    for data in ({}, {"csrf_token": "forged"}):
        resp = client.post("/logout", data=data)
        assert resp.status_code == 403 and resp.mimetype == "text/html"
        assert "security token" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in
    # The token also works as htmx sends it, in a header.
    assert client.post("/logout", headers={"X-CSRFToken": csrf_token(client, "/")}).status_code == 302
    # A sign-in without a token is refused too (login CSRF).
    anonymous = app.test_client()
    assert anonymous.post("/login", data={"username": "x", "password": "y"}).status_code == 403


def test_redirects_after_sign_in_stay_on_this_site(app):
    name = make_user(app, "analyst")
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        client = app.test_client()
        resp = sign_in(client, name, next=target)
        assert resp.status_code == 302 and resp.headers["Location"] == "/", target


def test_secret_key_is_made_once_and_kept(tmp_path):
    path = tmp_path / "data" / "secret_key"
    first = secret_key({"SECRET_KEY": "", "SECRET_KEY_FILE": str(path)})
    assert len(first) >= 48 and path.read_text() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key({"SECRET_KEY": "", "SECRET_KEY_FILE": str(path)}) == first  # every worker, every restart
    assert secret_key({"SECRET_KEY": "set", "SECRET_KEY_FILE": str(path)}) == "set"
    assert list(path.parent.iterdir()) == [path]  # nothing left aside

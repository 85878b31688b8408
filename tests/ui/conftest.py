"""Fixtures for the web interface through Flask's test client: users of each role and
signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from service.extensions import db
from service.records.users import create_user

PASSWORD = "correct horse battery staple"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_login_limits(app: Any) -> Iterator[None]:
    """Sign-in attempts are counted per address (all tests share 127.0.0.1): start afresh."""
    app.extensions["rate_limiter"].reset()
    yield


def make_user(app: Any, role: str, username: str | None = None, password: str = PASSWORD) -> str:
    with app.app_context():
        user = create_user(session=db.session, username=username or f"{role}-user", role=role, password=password)
        db.session.commit()
        return user.username


def csrf_token(client: Any, path: str = "/login") -> str:
    """The CSRF token of the session, as a page hands it to forms and htmx."""
    found = CSRF_META.search(client.get(path).get_data(as_text=True))
    assert found, f"no csrf-token meta tag on {path}"
    return found.group(1)


def sign_in(client: Any, username: str, password: str = PASSWORD, **extra: str) -> Any:
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client), **extra})


@pytest.fixture()
def ui_as(app: Any) -> Any:
    """``ui_as("analyst")``: a test client signed in as a new user of that role."""

    def signed_in(role: str, username: str | None = None) -> Any:
        client = app.test_client()
        name = make_user(app, role, username)
        resp = sign_in(client, name)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return client

    return signed_in

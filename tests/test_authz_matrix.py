"""Every endpoint in the OpenAPI document, every role and no key, against the expected status.

The expectations are written out here on purpose, independently of service/api/auth.py, so
a change to the code's permission table must be matched by a change to this table.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.extensions import api
from tests.conftest import authed, make_key

ROLES = ("screener", "analyst", "editor", "admin")
EVERYONE = set(ROLES)
READERS = {"analyst", "editor", "admin"}
EDITORS = {"editor", "admin"}
ADMINS = {"admin"}
RECORDS = r"/api/v1/(persons|companies|vessels|threat-groups|designations|cases)"

# (method regex, path regex, roles allowed), first match wins.
EXPECTED: list[tuple[str, str, set[str]]] = [
    ("GET", RECORDS, READERS),
    (".*", RECORDS, EDITORS),
    ("POST", r"/api/v1/screen(/batch|/csv)?$", EVERYONE),
    (".*", r"/api/v1/screening-jobs", EVERYONE),
    ("GET", r"/api/v1/search$", READERS),
    ("GET", r"/api/v1/screenings", READERS),
    (".*", r"/api/v1/dispositions", READERS),
    ("GET", r"/api/v1/imports", READERS),
    (".*", r"/api/v1/imports", ADMINS),
    (".*", r"/api/v1/keys", ADMINS),
    ("GET", r"/api/v1/monitoring/", READERS),
    (".*", r"/api/v1/monitoring/subjects", EVERYONE),
    ("POST", r"/api/v1/monitoring/(alerts/.*/transitions|runs/.*/release)$", READERS),
    ("POST", r"/api/v1/monitoring/runs$", ADMINS),
    (".*", r"/api/v1/webhooks", ADMINS),
]


def allowed_roles(method: str, path: str) -> set[str]:
    for method_re, path_re, roles in EXPECTED:
        if re.match(method_re, method) and re.match(path_re, path):
            return roles
    raise AssertionError(f"no expectation for {method} {path}: add it to EXPECTED")


def operations(app: Any) -> list[tuple[str, str]]:
    with app.app_context():
        spec = api.spec.to_dict()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops
            if method in {"get", "post", "put", "patch", "delete"}]


def test_authorisation_matrix(app):
    clients = {role: authed(app.test_client(), make_key(app, role)) for role in ROLES}
    clients[None] = app.test_client()
    ops = operations(app)
    assert len(ops) >= 40
    failures = []
    for method, path in ops:
        # Ids that exist nowhere: an allowed role gets 404/422, never a change to real data.
        url = re.sub(r"\{[^}]+\}", "999999", path)
        allowed = allowed_roles(method, path)
        for role, client in clients.items():
            resp = client.open(url, method=method, json={} if method in {"POST", "PUT", "PATCH"} else None,
                               headers={"If-Match": "*"})
            if role is None:
                ok = resp.status_code == 401
            elif role in allowed:
                ok = resp.status_code not in (401, 403) and resp.status_code < 500
            else:
                ok = resp.status_code == 403
            if not ok:
                failures.append(f"{method} {path} as {role}: {resp.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/health", "/openapi.yaml", "/openapi.json", "/docs"])
def test_public_endpoints(anonymous, path):
    assert anonymous.get(path).status_code == 200

"""Who is calling: API keys (``Authorization: Bearer <key>``), roles, request ids and rate limits.

Every endpoint needs a key except the public ones below. What a role may do is decided by
the permission each endpoint needs (table below) and ``ROLE_PERMISSIONS`` in records/keys.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask import Flask, Response, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ..errors import problem_response
from ..extensions import db
from ..records.keys import PREFIX_LEN, ROLE_PERMISSIONS, authenticate

PUBLIC_BLUEPRINTS = {"health", "docs_assets", "api-docs"}
PUBLIC_ENDPOINTS = {"static"}

# blueprint -> {method: permission}; "*" is any other method. A blueprint missing here
# needs "admin": new endpoints are closed until someone decides who may use them.
PERMISSIONS: dict[str, dict[str, str]] = {
    **{bp: {"GET": "read", "*": "write"} for bp in ("persons", "companies", "vessels", "threat-groups", "designations", "cases")},
    "screening": {"GET": "read", "POST": "screen"},
    "screening-jobs": {"*": "screen"},
    "imports": {"GET": "read", "*": "import"},
    "keys": {"*": "admin"},
    "screenings": {"GET": "read_logs"},
    "dispositions": {"GET": "read_logs", "POST": "disposition"},
}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def required_permission(endpoint: str | None, method: str) -> str | None:
    """None for public endpoints."""
    if endpoint is None:
        return None  # unknown route: let routing answer 404/405
    blueprint = endpoint.split(".", 1)[0] if "." in endpoint else ""
    if blueprint in PUBLIC_BLUEPRINTS or endpoint in PUBLIC_ENDPOINTS:
        return None
    table = PERMISSIONS.get(blueprint)
    if table is None:
        return "admin"
    method = "GET" if method == "HEAD" else method
    return table.get(method, table.get("*", "admin"))


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _authenticate() -> Response | None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if REQUEST_ID.match(supplied) else uuid.uuid4().hex
    g.api_key = None
    if request.method == "OPTIONS":
        return None
    permission = required_permission(request.endpoint, request.method)
    if permission is None:
        return None
    token = _bearer()
    key = authenticate(session=db.session, token=token) if token else None
    if key is None:
        detail = "This endpoint needs an API key: send Authorization: Bearer <key>." if not token \
            else "The API key is unknown or revoked."
        return problem_response(401, detail, headers={"WWW-Authenticate": 'Bearer realm="sanctions"'})
    if permission not in ROLE_PERMISSIONS.get(key.role, frozenset()):
        return problem_response(403, f"A key with role {key.role!r} may not do this (needs {permission!r}).")
    g.api_key = key
    # Who and which request, for the history and evidence rows this request writes.
    db.session.info["actor"] = {"key_id": key.id, "key_name": key.name, "request_id": g.request_id}
    return None


def _request_id_header(response: Response) -> Response:
    if getattr(g, "request_id", None):
        response.headers["X-Request-ID"] = g.request_id
    return response


def _rate_limit_key() -> str:
    # Runs before authentication: key on the token's public prefix, never on the secret part.
    token = _bearer()
    return f"key:{token[:PREFIX_LEN]}" if token else f"ip:{get_remote_address()}"


def init_auth(app: Flask) -> None:
    # One limiter per app: its limits and storage come from that app's settings.
    app.extensions["rate_limiter"] = Limiter(
        key_func=_rate_limit_key, app=app, default_limits=[app.config["RATE_LIMIT"]],
        storage_uri=app.config["RATE_LIMIT_STORAGE_URI"], key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"],
        headers_enabled=True,
        enabled=app.config["RATELIMIT_ENABLED"],
    )
    app.before_request(_authenticate)
    app.after_request(_request_id_header)


def current_actor() -> dict[str, Any]:
    key = getattr(g, "api_key", None)
    return {"key_id": key.id if key else None, "key_name": key.name if key else None,
            "request_id": getattr(g, "request_id", None)}


def exempt_public(app: Flask) -> None:
    """No rate limit on liveness checks and the docs."""
    limiter: Limiter = app.extensions["rate_limiter"]
    for name, blueprint in app.blueprints.items():
        if name in PUBLIC_BLUEPRINTS:
            limiter.exempt(blueprint)  # type: ignore[call-overload]

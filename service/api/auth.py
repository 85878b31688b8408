"""Who is calling the API: API keys (``Authorization: Bearer <key>``), roles and rate limits;
and a request id for every request.

Keys and limits apply to the API's requests only (:func:`.problems.is_api_request`); the health
check, the OpenAPI document, the docs page and any page beside the API need no key here. What a
key may do is the permission each endpoint needs (table below), granted by its role
(:mod:`service.permissions`).
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from ..extensions import db
from ..permissions import ADMIN, DISPOSITION, IMPORT, READ, READ_LOGS, SCREEN, WRITE, allows
from ..records.actor import Actor
from ..records.keys import PREFIX_LEN, KeyCache
from .problems import is_api_request, problem_response

# API blueprint -> {method: permission}; "*" is any other method. A blueprint missing here
# needs ADMIN: new endpoints are closed until someone decides who may use them.
PERMISSIONS: dict[str, dict[str, str]] = {
    **{bp: {"GET": READ, "*": WRITE} for bp in ("persons", "companies", "vessels", "threat-groups", "designations", "cases")},
    "screening": {"GET": READ, "POST": SCREEN},
    "screening-jobs": {"*": SCREEN},
    "imports": {"GET": READ, "*": IMPORT},
    "keys": {"*": ADMIN},
    "screenings": {"GET": READ_LOGS},
    "dispositions": {"GET": READ_LOGS, "POST": DISPOSITION},
    "monitoring-subjects": {"GET": READ_LOGS, "*": SCREEN},
    "monitoring-alerts": {"GET": READ_LOGS, "POST": DISPOSITION},
    "monitoring-runs": {"GET": READ_LOGS, "POST": IMPORT},
    "webhooks": {"*": ADMIN},
}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def required_permission(endpoint: str | None, method: str) -> str | None:
    """The permission an API endpoint needs; None for an unknown route (routing answers it)."""
    if endpoint is None:
        return None  # unknown route: let routing answer 404/405
    table = PERMISSIONS.get(endpoint.split(".", 1)[0] if "." in endpoint else "")
    if table is None:
        return ADMIN
    method = "GET" if method == "HEAD" else method
    return table.get(method, table.get("*", ADMIN))


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _request_id() -> None:
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if REQUEST_ID.match(supplied) else uuid.uuid4().hex
    g.api_key = None
    g.actor = None


def _authenticate() -> Response | None:
    if request.method == "OPTIONS" or not is_api_request():
        return None
    permission = required_permission(request.endpoint, request.method)
    if permission is None:
        return None
    token = _bearer()
    key = current_app.extensions["api_keys"].authenticate(session=db.session, token=token) if token else None
    if key is None:
        detail = "This endpoint needs an API key: send Authorization: Bearer <key>." if not token \
            else "The API key is unknown or revoked."
        return problem_response(401, detail, headers={"WWW-Authenticate": 'Bearer realm="sanctions"'})
    if not allows(key.role, permission):
        return problem_response(403, f"A key with role {key.role!r} may not do this (needs {permission!r}).")
    g.api_key = key
    # Who and which request, for the history and evidence rows this request writes.
    g.actor = db.session.info["actor"] = Actor.of_key(key, g.request_id)
    return None


def _request_id_header(response: Response) -> Response:
    if getattr(g, "request_id", None):
        response.headers["X-Request-ID"] = g.request_id
    return response


def _rate_limit_key() -> str:
    # Runs before authentication: key on the token's public prefix, never on the secret part.
    token = _bearer()
    return f"key:{token[:PREFIX_LEN]}" if token else f"ip:{get_remote_address()}"


def _not_api() -> bool:
    return not is_api_request()


def init_app(app: Flask) -> None:
    """Request ids for every request; rate limits and keys for the API's."""
    # One limiter per app: its limits and storage come from that app's settings.
    app.extensions["rate_limiter"] = Limiter(
        key_func=_rate_limit_key, app=app, default_limits=[app.config["RATE_LIMIT"]],
        default_limits_exempt_when=_not_api,
        storage_uri=app.config["RATE_LIMIT_STORAGE_URI"], key_prefix=app.config["RATE_LIMIT_KEY_PREFIX"],
        headers_enabled=True,
        enabled=app.config["RATELIMIT_ENABLED"],
    )
    # Keys authenticated in the last API_KEY_CACHE_SECONDS: no key lookup per request.
    app.extensions["api_keys"] = KeyCache(app.config["API_KEY_CACHE_SECONDS"])
    app.before_request(_request_id)
    app.before_request(_authenticate)
    app.after_request(_request_id_header)


def current_actor() -> Actor:
    """Who this request acts as: its API key or signed-in user (set when it was authenticated)."""
    actor: Actor | None = getattr(g, "actor", None)
    return actor or Actor(request_id=getattr(g, "request_id", None))

"""One blueprint per resource; thin MethodViews that call ``records/``.

Also the request-level rules every JSON endpoint shares (415 for a body that is not JSON).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from ..errors import problem_response
from ..extensions import Api

JSON_MIMETYPES = {"application/json", "application/merge-patch+json"}
# Endpoints that take uploads rather than JSON declare themselves here (by endpoint name).
NON_JSON_ENDPOINTS: set[str] = set()


def _require_json() -> Any:
    if request.method not in {"POST", "PUT", "PATCH"} or not request.path.startswith("/api/"):
        return None
    if request.endpoint in NON_JSON_ENDPOINTS:
        return None
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
    if not has_body and not request.mimetype:
        return None
    if request.mimetype in JSON_MIMETYPES or request.mimetype.endswith("+json"):
        return None
    return problem_response(
        415,
        f"Send the body as application/json (got {request.mimetype or 'no content type'!s}).",
    )


def register_blueprints(app: Flask, api: Api) -> None:
    from . import cases, designations, docs, entities, health, screening, threat_groups

    app.before_request(_require_json)
    api.register_blueprint(entities.persons)
    api.register_blueprint(entities.companies)
    api.register_blueprint(threat_groups.blp)
    api.register_blueprint(designations.blp)
    api.register_blueprint(cases.blp)
    api.register_blueprint(screening.blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)

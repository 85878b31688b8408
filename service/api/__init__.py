"""The JSON API under ``/api/v1``: one blueprint per resource, thin MethodViews that call
``records/``, ``jobs/`` and ``screening/``.

:func:`init_app` sets it up on an app: problem+json errors (:mod:`.problems`), keys and rate
limits (:mod:`.auth`) and the 415 rule below, each for the API's requests only, then the
blueprints; the health check and the docs beside them are public.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request

from ..extensions import Api
from . import (
    audit,
    auth,
    cases,
    designations,
    docs,
    entities,
    health,
    imports,
    jobs,
    keys,
    monitoring,
    problems,
    screening,
    threat_groups,
    webhooks,
)

JSON_MIMETYPES = {"application/json", "application/merge-patch+json"}
# Endpoints that take uploads rather than JSON declare themselves here (by endpoint name).
NON_JSON_ENDPOINTS: set[str] = {"imports.Imports", "screening-jobs.ScreeningJobs", "screening-jobs.ScreenCsv",
                                  "monitoring-subjects.SubjectCsv"}


def _require_json() -> Any:
    if request.method not in {"POST", "PUT", "PATCH"} or not problems.is_api_request():
        return None
    if request.endpoint in NON_JSON_ENDPOINTS or request.routing_exception is not None:
        return None  # uploads take other types; unknown routes and methods get 404/405
    has_body = bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")
    if not has_body and not request.mimetype:
        return None
    if request.mimetype in JSON_MIMETYPES or request.mimetype.endswith("+json"):
        return None
    return problems.problem_response(
        415,
        f"Send the body as application/json (got {request.mimetype or 'no content type'!s}).",
    )


def init_app(app: Flask, api: Api) -> None:
    problems.init_app(app)
    auth.init_app(app)
    app.before_request(_require_json)
    api.register_blueprint(entities.persons)
    api.register_blueprint(entities.companies)
    api.register_blueprint(entities.vessels)
    api.register_blueprint(threat_groups.blp)
    api.register_blueprint(designations.blp)
    api.register_blueprint(cases.blp)
    api.register_blueprint(imports.blp)
    api.register_blueprint(screening.blp)
    api.register_blueprint(jobs.blp)
    api.register_blueprint(keys.blp)
    api.register_blueprint(audit.screenings)
    api.register_blueprint(audit.dispositions)
    api.register_blueprint(monitoring.subjects)
    api.register_blueprint(monitoring.alerts)
    api.register_blueprint(monitoring.runs)
    api.register_blueprint(webhooks.blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)

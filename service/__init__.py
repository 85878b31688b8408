"""The sanctions and indictment record-keeping service."""

from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints and the CLI."""
    from . import config as settings
    from .api import register_blueprints
    from .api.auth import exempt_public, init_auth
    from .errors import register_error_handlers
    from .extensions import (
        api,
        db,
        init_requests,
        register_converters,
        register_security_scheme,
        spec_kwargs,
    )
    from .jobs.executors import init_jobs
    from .records.history import install_history_hooks
    from .records.listing import install_list_state_hooks
    from .records.screening import IndexCache

    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings.load(config))
    init_requests(app)  # strict JSON bodies (field order kept in output), capped body size

    db.init_app(app)
    # One screening index per app (per database), refreshed from the list change log.
    app.extensions["screening_index"] = IndexCache()
    api.init_app(app, spec_kwargs=spec_kwargs(API_DESCRIPTION))
    register_security_scheme(api)
    register_converters(app, api)
    install_list_state_hooks()
    install_history_hooks()
    register_error_handlers(app)
    init_auth(app)
    register_blueprints(app, api)
    init_jobs(app)
    exempt_public(app)
    return app


API_DESCRIPTION = (
    "Authoritative records of sanctioned persons and companies, the sanctions designations "
    "against them, criminal charges (indictments) and threat groups. Errors are RFC 9457 "
    "`application/problem+json`. Updates and archiving need `If-Match` with the ETag "
    "returned when the record was read."
)


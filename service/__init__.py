"""The sanctions and indictment record-keeping service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: configuration, extensions, blueprints and the CLI.

    ``config`` overrides the settings (service/config.py), which are read from the environment.
    """
    # Imported here rather than at the top: importing any ``service.*`` module runs this
    # package first, and the Flask-free ones (the screening engine and its mypyc build, the
    # list parsers, ``service.errors``, ``service.config``) must not load Flask, the API and the UI.
    from flask import Flask

    from . import api as http_api
    from . import config as settings
    from . import ui
    from .extensions import (
        api,
        db,
        init_requests,
        register_converters,
        register_security_scheme,
        spec_kwargs,
    )
    from .jobs.executors import init_jobs
    from .monitoring.executor import init_monitoring
    from .monitoring.webhooks_runner import init_webhooks
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
    http_api.init_app(app, api)  # errors, keys and rate limits for the API; its blueprints
    ui.init_app(app)  # the web interface: sessions, CSRF, pages and their error pages
    init_jobs(app)
    init_monitoring(app)  # after the jobs: Celery monitoring shares their Celery app
    init_webhooks(app)  # after the jobs too: on Celery, delivery is a task on their queue
    return app


API_DESCRIPTION = (
    "Authoritative records of sanctioned persons and companies, the sanctions designations "
    "against them, criminal charges (indictments) and threat groups. Errors are RFC 9457 "
    "`application/problem+json`. Updates and archiving need `If-Match` with the ETag "
    "returned when the record was read."
)

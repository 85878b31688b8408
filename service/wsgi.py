"""WSGI entry point for gunicorn: ``gunicorn -c python:service.serving service.wsgi:app``.

Imported in each worker after the fork (see :mod:`service.serving`): the app takes the index its
master built, then brings it up to date before the worker accepts its first request, so no
request waits for an index build.
"""

import logging

from . import create_app
from .extensions import db
from .serving import attach_index

# gunicorn's error log (the service's log) when running under gunicorn.
log = logging.getLogger("gunicorn.error")

app = create_app()
_cache = app.extensions["screening_index"]
_adopted = attach_index(_cache, app.config["DATABASE_URL"])
try:
    _previous = _cache.last_refresh
    with app.app_context():
        # One read of the list-state counter when the master's index is current.
        _cache.warm(session=db.session)
    if _cache.last_refresh is not _previous or not _adopted:
        log.info("screening index in this worker (%s the master's): %s",
                 "refreshed from" if _adopted else "not", _cache.last_refresh)
except Exception as exc:  # database down: /health/ready says so and builds it when it can
    log.warning("screening index not ready at start-up: %s", exc)

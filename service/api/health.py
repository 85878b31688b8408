"""Liveness with a real database round trip, and readiness: the screening index is built.

``/health`` answers 200 while the process and its database answer (503 when the database does
not), and says in ``ready`` whether this worker's screening index is built. ``/health/ready``
answers 200 only when it is (503 otherwise, and starts building it in the background): what a
load balancer or an orchestrator's readiness probe asks before sending screens.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.orm import Session

from ..extensions import db
from ..records.listing import current_state
from ..records.screening import IndexCache
from ..screening import native
from .problems import problem_response, unavailable

log = logging.getLogger(__name__)
blp = Blueprint("health", __name__)
_building = threading.Lock()  # one background build per process at a time


def _index() -> IndexCache:
    return current_app.extensions["screening_index"]  # type: ignore[no-any-return]


@blp.get("/health")
def health() -> Any:
    try:
        db.session.execute(text("SELECT 1"))
        counter, fingerprint = current_state(db.session)
    except Exception as exc:  # the point of this endpoint is to report, not to raise
        with contextlib.suppress(Exception):  # the connection may be dead
            db.session.rollback()
        return unavailable(exc, f"Database unavailable: {type(exc).__name__}.")
    return {"status": "ok", "database": db.engine.dialect.name, "list_version": counter,
            "list_fingerprint": fingerprint,
            # Whether this worker's screening index is built: see /health/ready.
            "ready": _index().ready,
            # Which build of the matching engine answers: "compiled" (mypyc) or "pure-python".
            "engine": "compiled" if native.ACTIVE else "pure-python"}


@blp.get("/health/ready")
def ready() -> Any:
    cache = _index()
    if cache.ready:
        return {"ready": True}
    _build_in_background(cache)
    return problem_response(503, "The screening index is being built; try again shortly.",
                            headers={"Retry-After": "1"})


def _build_in_background(cache: IndexCache) -> None:
    if not _building.acquire(blocking=False):
        return  # already building
    engine = db.engine

    def build() -> None:
        try:
            with Session(engine) as session:
                cache.warm(session=session)
        except Exception as exc:  # database still down: the next probe tries again
            log.warning("screening index not built: %s", exc)
        finally:
            _building.release()

    threading.Thread(target=build, name="screening-index-build", daemon=True).start()

"""Liveness with a real database round trip."""

from __future__ import annotations

import contextlib
from typing import Any

from flask import Blueprint
from sqlalchemy import text

from ..extensions import db
from ..records.listing import current_state
from ..screening import native
from .problems import unavailable

blp = Blueprint("health", __name__)


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
            # Which build of the matching engine answers: "compiled" (mypyc) or "pure-python".
            "engine": "compiled" if native.ACTIVE else "pure-python"}

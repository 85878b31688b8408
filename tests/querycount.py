"""Counting the SQL statements a piece of code runs: how tests bound the queries per page."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from service.extensions import db


@contextmanager
def statements(app: Any, *, commits: bool = False) -> Iterator[list[str]]:
    """The statements this thread runs on the app's engine inside the block (the monitoring
    and webhook threads use the engine too, and are not counted); with ``commits``, each
    commit too, as "COMMIT"."""
    seen: list[str] = []
    thread = threading.get_ident()
    with app.app_context():
        engine = db.engine

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if threading.get_ident() == thread:
            seen.append(statement)

    def commit(conn: Any) -> None:
        if threading.get_ident() == thread:
            seen.append("COMMIT")

    event.listen(engine, "before_cursor_execute", count)
    if commits:
        event.listen(engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
        if commits:
            event.remove(engine, "commit", commit)

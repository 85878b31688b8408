"""The database engine with the settings each backend needs: one function, used by the app
(``extensions.Database``) and by Celery workers, which have no Flask app."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

CONNECT_TIMEOUT_SECONDS = 5


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with the settings each backend needs."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            kwargs["poolclass"] = StaticPool
    else:
        # A connection that died while idle in the pool (server restart, failover) is
        # replaced at checkout instead of failing the request that drew it.
        kwargs["pool_pre_ping"] = True
        if "connect_timeout" not in url:
            # A server that drops packets (rather than refusing) fails a request in seconds,
            # as a 503, instead of holding a worker for the kernel's TCP timeout.
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers (screening, other workers) run while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()

"""The database engine with the settings each backend needs: one function, used by the app
(``extensions.Database``) and by Celery workers, which have no Flask app."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import StaticPool

CONNECT_TIMEOUT_SECONDS = 5
# A pooled PostgreSQL connection idle for longer than this is pinged before use. A busy
# worker reuses its connection within milliseconds, so it pays no round trip per request,
# as SQLAlchemy's pool_pre_ping would make it; a connection that sat idle through a server
# restart or failover is still replaced at checkout instead of failing its request.
PING_AFTER_IDLE_SECONDS = 1.0


def json_loads(data: str | bytes) -> Any:
    """JSON column values as Python: an empty list without the parser. Most of a record's
    JSON columns (birth dates, countries, addresses) are empty lists, and parsing them was
    a tenth of reading a million entities for the screening index."""
    if data == "[]" or data == b"[]":
        return []
    return json.loads(data)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine with the settings each backend needs."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True, "json_deserializer": json_loads}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            kwargs["poolclass"] = StaticPool
    elif "connect_timeout" not in url:
        # A server that drops packets (rather than refusing) fails a request in seconds,
        # as a 503, instead of holding a worker for the kernel's TCP timeout.
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        ping_when_idle(engine, PING_AFTER_IDLE_SECONDS)
    return engine


def ping_when_idle(engine: Engine, seconds: float) -> None:
    """Ping a pooled connection at checkout when it has been idle ``seconds`` or more; one
    that fails the ping is dropped with every connection pooled before it (as a server
    restart leaves them) and the checkout retried on a new one.

    A connection that breaks while in steady use fails the one request using it (503, see
    :mod:`.outage`), and that error likewise drops the pool's older connections."""

    def checkin(dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < seconds:
            return  # a new connection, or one in steady use
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise InvalidatePoolError(f"connection idle {time.monotonic() - idle_since:.0f} s failed its ping") \
                from exc

    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine.pool, "checkout", checkout)


def _sqlite_pragmas(dbapi_conn: Any, record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers (screening, other workers) run while an import writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()

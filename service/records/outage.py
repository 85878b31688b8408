"""When the database is unreachable rather than the request wrong: the one test used by the
HTTP layer (503 with Retry-After) and by job workers (wait and resume)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLite reports a busy or vanished database file with these; its other OperationalErrors
# (no such table, syntax) are bugs, not outages.
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error", "database is busy")


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be reached (down, restarting, connection
    dropped, SQLite file locked) and the same work may succeed later."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return False
    if type(exc.orig).__module__.startswith("sqlite3"):
        return any(s in str(exc.orig).lower() for s in _SQLITE_UNAVAILABLE)
    return True

"""Domain exceptions: what ``records/``, ``jobs/`` and the views raise when a request cannot be
done. Each carries the HTTP status it means; nothing here knows about Flask or responses.

The API turns them into RFC 9457 problem+json (:mod:`service.api.problems`); the command line
prints their ``detail``; a web UI may render them as pages.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that cannot be done as asked. A subclass names its status in its bases:
    ``class Gone(DomainError, status=410)``; without one it keeps its parent's."""

    status = 400
    title: str | None = None

    def __init_subclass__(cls, status: int | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status

    def __init__(self, detail: str, *, errors: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class NotFound(DomainError, status=404):
    """No such record (or none the caller may see)."""


class Conflict(DomainError, status=409):
    """The change clashes with the records as they stand (a duplicate, a record in use)."""


class PreconditionFailed(DomainError, status=412):
    """The record has changed since the caller read it."""


class TooLarge(DomainError, status=413):
    """More than this service takes in one request: bytes of a file, rows, batch queries."""


class UnsupportedMediaType(DomainError, status=415):
    """A body or upload in a form the endpoint cannot read."""


class Invalid(DomainError, status=422):
    """Input that is well-formed but breaks a rule the schema cannot see (e.g. unknown ids)."""

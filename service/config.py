"""Every setting and environment variable, in one place.

``create_app(config)`` starts from :class:`Config`, reads the environment, then applies the
mapping passed in (tests pass their database URL this way).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_INSTANCE / 'sanctions.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` and ``postgresql://`` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Defaults; each may be overridden by an environment variable of the same name."""

    # DATABASE_URL selects the database; the default needs no server.
    DATABASE_URL: str = _default_database_url()
    # Largest request body accepted (bytes); larger bodies get 413.
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    # Pagination: default and the cap on page_size.
    DEFAULT_PAGE_SIZE: int = 20
    MAX_PAGE_SIZE: int = 200
    # Echo SQL statements (debugging only).
    SQL_ECHO: bool = False

    # flask-smorest / OpenAPI
    API_TITLE = "Sanctions and indictment records"
    API_VERSION = "1.0.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    # The UI assets are served by this app from the swagger-ui-bundle package: no CDN.
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"


ENV_SETTINGS: dict[str, type] = {
    "DATABASE_URL": str,
    "MAX_CONTENT_LENGTH": int,
    "DEFAULT_PAGE_SIZE": int,
    "MAX_PAGE_SIZE": int,
    "SQL_ECHO": bool,
}


def _coerce(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


def load(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then environment, then explicit overrides."""
    settings = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    for name, kind in ENV_SETTINGS.items():
        raw = os.environ.get(name)
        if raw not in (None, ""):
            try:
                settings[name] = _coerce(kind, raw)
            except ValueError as exc:
                raise SystemExit(f"invalid value for {name}: {raw!r}") from exc
    settings.update(overrides or {})
    settings["DATABASE_URL"] = normalise_database_url(settings["DATABASE_URL"])
    settings["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    settings["SQLALCHEMY_ECHO"] = settings["SQL_ECHO"]
    return settings

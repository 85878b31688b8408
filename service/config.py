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
    # Largest upload to POST /api/v1/imports (bytes, all files together); lists are big.
    MAX_IMPORT_BYTES: int = 64 * 1024 * 1024
    # Bulk screening jobs. Largest CSV upload (POST /screening-jobs, /screen/csv), in bytes.
    MAX_UPLOAD_BYTES: int = 200 * 1024 * 1024
    # POST /screen/csv answers at once for files up to this many rows; larger ones need a job.
    SYNC_MAX_ROWS: int = 5000
    # embedded (a thread pool in the service) or celery (workers started by `sanctions worker`).
    SANCTIONS_JOB_BACKEND: str = "embedded"
    CELERY_BROKER_URL: str = "redis://127.0.0.1:6379/0"
    JOB_QUEUE: str = "sanctions-jobs"
    JOB_KEY_PREFIX: str = ""  # prefix of the broker's Redis keys (several services on one Redis)
    # Uploads and results, one folder per job; shared by the service and the workers.
    JOB_DIR: str = str(DEFAULT_INSTANCE / "jobs")
    JOB_THREADS: int = 2  # embedded executor: jobs (parts) screened at the same time
    # Embedded executor: processes screening rows, forked from the service and sharing its
    # index, split over the JOB_THREADS parts running at once (0 = one per core; a part gets
    # at least one). Celery workers screen in-process.
    JOB_PROCESSES: int = 0
    JOB_PART_ROWS: int = 25_000  # rows per part (the unit of work spread over workers)
    JOB_PROGRESS_SECONDS: float = 1.0  # progress (and resume point) committed this often
    # A job or part whose worker sent no heartbeat for this long is taken over by another.
    JOB_STALE_SECONDS: float = 60.0
    # While the database is unreachable a running job step waits (and then resumes) this
    # long before leaving its work to recovery.
    JOB_OUTAGE_SECONDS: float = 300.0
    # Resume interrupted jobs at start-up and every JOB_RECOVERY_INTERVAL seconds.
    JOB_RECOVERY: bool = True
    JOB_RECOVERY_INTERVAL: float = 30.0
    # Pagination: default and the cap on page_size.
    DEFAULT_PAGE_SIZE: int = 20
    MAX_PAGE_SIZE: int = 200
    # Echo SQL statements (debugging only).
    SQL_ECHO: bool = False
    # Per-key request rate limit (flask-limiter syntax) and where counters live:
    # memory:// for one process, redis://127.0.0.1:6379 when several workers share limits.
    RATE_LIMIT: str = "1200 per minute"
    RATE_LIMIT_STORAGE_URI: str = "memory://"
    # Namespace of the counters in shared storage (several services on one Redis).
    RATE_LIMIT_KEY_PREFIX: str = "sanctions"
    RATELIMIT_ENABLED: bool = True
    # Screening evidence log: store a keyed hash of the screened name instead of the name.
    SCREENING_LOG_HASH_NAMES: bool = False
    SCREENING_LOG_HASH_KEY: str = ""

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
    "MAX_IMPORT_BYTES": int,
    "DEFAULT_PAGE_SIZE": int,
    "MAX_PAGE_SIZE": int,
    "SQL_ECHO": bool,
    "MAX_UPLOAD_BYTES": int,
    "SYNC_MAX_ROWS": int,
    "SANCTIONS_JOB_BACKEND": str,
    "CELERY_BROKER_URL": str,
    "JOB_QUEUE": str,
    "JOB_KEY_PREFIX": str,
    "JOB_DIR": str,
    "JOB_THREADS": int,
    "JOB_PROCESSES": int,
    "JOB_PART_ROWS": int,
    "JOB_PROGRESS_SECONDS": float,
    "JOB_STALE_SECONDS": float,
    "JOB_OUTAGE_SECONDS": float,
    "JOB_RECOVERY": bool,
    "JOB_RECOVERY_INTERVAL": float,
    "RATE_LIMIT": str,
    "RATE_LIMIT_STORAGE_URI": str,
    "RATE_LIMIT_KEY_PREFIX": str,
    "RATELIMIT_ENABLED": bool,
    "SCREENING_LOG_HASH_NAMES": bool,
    "SCREENING_LOG_HASH_KEY": str,
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

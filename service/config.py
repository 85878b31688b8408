"""Every setting, declared once: name, type, default and meaning (:data:`SETTINGS`).

Each setting is read from the environment variable of the same name. ``create_app(config)``
takes :func:`load`: the declared defaults, then the environment, then the mapping passed in
(tests pass their database URL this way). Code reads the app's config (``current_app.config``,
``app.config``) or a mapping or value handed to it, never a default from here at import time.

Settings of scope ``process`` act before any app exists (which engine build is imported) and
are read through :func:`from_environment`; scope ``dev`` ones concern only the tests and
benchmarks. The README's settings table is :func:`markdown_table` (a test keeps them equal).
This module imports nothing but the standard library, so the engine may use it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = ROOT / "instance"

Scope = Literal["app", "process", "dev"]


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type  # str, int, float or bool: how the environment's text is read
    default: Any
    meaning: str  # as the README's table says it
    scope: Scope = "app"  # app: in the app's config; process: read at import; dev: tests, benchmarks
    choices: tuple[str, ...] = ()
    shown: str = ""  # the default as documented, when it is computed (a path in the repository)

    def parse(self, raw: str) -> Any:
        """The environment's text as this setting's type; SystemExit names a bad value."""
        if self.kind is bool:
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        try:
            return self.check(self.kind(raw))
        except ValueError as exc:
            raise SystemExit(f"invalid value for {self.name}: {raw!r}") from exc

    def check(self, value: Any) -> Any:
        if self.choices and value not in self.choices:
            raise SystemExit(f"invalid value for {self.name}: {value!r} (use {' or '.join(self.choices)})")
        return value

SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", str, f"sqlite:///{DEFAULT_INSTANCE / 'sanctions.db'}",
            "SQLAlchemy URL; `postgresql://user@host/db` uses psycopg 3",
            shown="`sqlite:///instance/sanctions.db` (in the repository)"),
    Setting("MAX_CONTENT_LENGTH", int, 2 * 1024 * 1024, "largest request body in bytes (413 beyond)"),
    Setting("MAX_IMPORT_BYTES", int, 64 * 1024 * 1024,
            "largest upload to `POST /api/v1/imports` (all files together; 413 beyond)"),
    Setting("MAX_UPLOAD_BYTES", int, 200 * 1024 * 1024,
            "largest CSV upload to `POST /api/v1/screening-jobs` and `/screen/csv` (413 beyond)"),
    Setting("SYNC_MAX_ROWS", int, 5000,
            "most rows `POST /api/v1/screen/csv` screens at once (413 beyond: use a job)"),
    Setting("SANCTIONS_JOB_BACKEND", str, "embedded",
            "where screening jobs run: `embedded` (thread pool in the service) or `celery` "
            "(workers started by `sanctions worker`)", choices=("embedded", "celery")),
    Setting("CELERY_BROKER_URL", str, "redis://127.0.0.1:6379/0", "the Celery broker (Redis)"),
    Setting("JOB_QUEUE", str, "sanctions-jobs", "Celery queue name"),
    Setting("JOB_KEY_PREFIX", str, "",
            "prefix of the broker's Redis keys (several services on one Redis)"),
    Setting("JOB_DIR", str, str(DEFAULT_INSTANCE / "jobs"),
            "job folders: uploads and results (shared by the service and the workers)",
            shown="`instance/jobs` (in the repository)"),
    Setting("JOB_THREADS", int, 2, "embedded executor: parts screened at the same time"),
    Setting("JOB_PROCESSES", int, 0,
            "embedded executor: processes screening rows, forked from the service and sharing its "
            "index, split over the `JOB_THREADS` parts running at once (`0`: one per core; each "
            "part gets at least one); Celery workers screen in-process"),
    Setting("JOB_PART_ROWS", int, 25_000, "rows per part, the unit of work spread over workers"),
    Setting("JOB_PROGRESS_SECONDS", float, 1.0,
            "how often progress and the resume point are committed"),
    Setting("JOB_STALE_SECONDS", float, 60.0,
            "a job or part without a heartbeat for this long is taken over"),
    Setting("JOB_OUTAGE_SECONDS", float, 300.0,
            "while the database is unreachable, a running job step waits this long and then "
            "resumes from its last commit; after that, recovery takes it over"),
    Setting("JOB_RECOVERY", bool, True,
            "resume interrupted jobs at start-up and every `JOB_RECOVERY_INTERVAL` seconds "
            "(never in `sanctions` commands or under test)"),
    Setting("JOB_RECOVERY_INTERVAL", float, 30.0, "seconds between two recovery passes"),
    Setting("MONITORING_STORM_SHARE", float, 0.01,
            "storm guard: a monitoring run that would open more alerts than this share of the "
            "portfolio (bounded by the two below) creates them held, with one notice"),
    Setting("MONITORING_STORM_MAX", int, 500, "storm guard: the limit never exceeds this many alerts"),
    Setting("MONITORING_STORM_MIN", int, 10,
            "storm guard: the limit is never below this many alerts (small portfolios)"),
    Setting("MONITORING_RUN_CHANGES", int, 50_000,
            "most list-change entries one delta run processes (a larger change takes several runs)"),
    Setting("MONITORING_CHUNK_SUBJECTS", int, 500,
            "subjects screened per transaction by the background subject and full-rescreen runs"),
    Setting("MONITORING_STEP_PAUSE", float, 0.0,
            "seconds a background monitoring run waits after each step it commits (a delta run, a "
            "chunk of subjects): throttles a long rescreen on a busy database; `0`: no pause"),
    Setting("MONITORING_POLL_INTERVAL", float, 10.0,
            "seconds between two checks for monitoring work missed or left over (changes past the "
            "cursor, pending subjects, interrupted full rescreens); `0`: off. Like `JOB_RECOVERY`, "
            "never in `sanctions` commands or under test"),
    Setting("WEBHOOK_ALLOW_PRIVATE", bool, False,
            "webhook URLs may use plain http and private, loopback or link-local addresses "
            "(for testing only: otherwise https and public addresses only)"),
    Setting("WEBHOOK_TIMEOUT", float, 10.0,
            "seconds a webhook endpoint has to accept the connection, and again to answer"),
    Setting("WEBHOOK_DISABLE_AFTER_HOURS", float, 120.0,
            "a webhook endpoint whose every attempt has failed for this long (no success in "
            "between) is disabled; one that answers 410 Gone at once"),
    Setting("WEBHOOK_POLL_INTERVAL", float, 5.0,
            "seconds between two passes of webhook delivery (retries that came due, events "
            "missed); `0`: off. Like `JOB_RECOVERY`, never in `sanctions` commands or under test"),
    Setting("DEFAULT_PAGE_SIZE", int, 20, "list page size when none is given"),
    Setting("MAX_PAGE_SIZE", int, 200, "cap on `page_size`"),
    Setting("SQL_ECHO", bool, False, "log SQL statements (debugging only)"),
    Setting("RATE_LIMIT", str, "1200 per minute", "per-key request limit (flask-limiter syntax)"),
    Setting("RATE_LIMIT_STORAGE_URI", str, "memory://",
            "where rate-limit counters live; `redis://127.0.0.1:6379` to share them between workers"),
    Setting("RATE_LIMIT_KEY_PREFIX", str, "sanctions",
            "namespace of the counters in shared (Redis) storage"),
    Setting("RATELIMIT_ENABLED", bool, True,
            "switch rate limiting off (e.g. behind a gateway that does it)"),
    Setting("API_KEY_CACHE_SECONDS", float, 2.0,
            "how long each worker remembers an authenticated API key (no lookup per request): a "
            "revoked key stops working in every worker within this many seconds (at once in the "
            "one that revoked it); `0`: look every key up on every request"),
    Setting("SCREENING_LOG_HASH_NAMES", bool, False,
            "keep a keyed hash of screened names in the evidence log instead of the names"),
    Setting("SCREENING_LOG_HASH_KEY", str, "",
            "the HMAC key for that hash (required when it is on)"),
    Setting("FOUR_EYES_REVIEW", bool, False,
            "four-eyes review: a `true_match` or `false_positive` decision (web interface or "
            "`POST /api/v1/dispositions`) takes effect only when a second user with the analyst role "
            "or above approves it in the review queue"),
    Setting("SECRET_KEY", str, "",
            "signs the web interface's session cookies and CSRF tokens (the same in every worker); "
            "empty: a random key generated once into `SECRET_KEY_FILE`"),
    Setting("SECRET_KEY_FILE", str, str(DEFAULT_INSTANCE / "secret_key"),
            "where the generated `SECRET_KEY` is kept (created on the first request, readable by the "
            "service's user only)", shown="`instance/secret_key` (in the repository)"),
    Setting("SESSION_IDLE_MINUTES", float, 30.0,
            "a web interface session ends after this many minutes without a request"),
    Setting("SESSION_COOKIE_SECURE", bool, False,
            "mark the session cookie `Secure` on every response (behind a TLS-terminating proxy); "
            "requests that arrive over HTTPS get it anyway"),
    Setting("LOGIN_RATE_LIMIT", str, "10 per minute",
            "sign-in attempts allowed per client address and per user name (flask-limiter syntax; "
            "off with `RATELIMIT_ENABLED`)"),
    Setting("SANCTIONS_PURE_PYTHON", bool, False,
            "`1`: run the pure-Python engine even when a compiled build is present",
            scope="process"),
    Setting("SANCTIONS_DATA_DIR", str, str(ROOT.parent / "shared" / "data"),
            "tests and benchmarks: folder of the third-party list files",
            scope="dev", shown="`../shared/data` (beside the repository)"),
    Setting("TEST_DATABASE_URL", str, None,
            "tests: also run the suite on this PostgreSQL server (a fresh database is created "
            "and dropped)", scope="dev"),
    Setting("CHROMIUM_PATH", str, "/usr/bin/chromium",
            "tests: the Chromium the browser tests drive (Debian's `chromium` package)", scope="dev"),
    Setting("SANCTIONS_REQUIRE_BROWSER", bool, False,
            "tests: fail the browser tests when Chromium cannot start, instead of skipping them "
            "(`.ci/run` sets it)", scope="dev"),
)
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

# Fixed configuration of flask-smorest and the OpenAPI document: not settings (no variable).
API_DOCS: dict[str, Any] = {
    "API_TITLE": "Sanctions and indictment records",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # The UI assets are served by this app from the swagger-ui-bundle package: no CDN.
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
}


def from_environment(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """One declared setting's value: its environment variable, else its default."""
    setting = BY_NAME[name]
    raw = (os.environ if environ is None else environ).get(name)
    return setting.default if raw in (None, "") else setting.parse(raw)


def pure_python_forced() -> bool:
    """SANCTIONS_PURE_PYTHON: the engine is imported before any app, so it reads this here."""
    return bool(from_environment("SANCTIONS_PURE_PYTHON"))


def data_dir() -> Path:
    """SANCTIONS_DATA_DIR: the third-party list files the tests and benchmarks read."""
    return Path(from_environment("SANCTIONS_DATA_DIR")).resolve()


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` and ``postgresql://`` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app's configuration: declared defaults, then the environment, then ``overrides``."""
    settings: dict[str, Any] = dict(API_DOCS)
    settings.update({s.name: from_environment(s.name, environ) for s in SETTINGS if s.scope == "app"})
    settings.update(overrides or {})
    for setting in SETTINGS:
        if setting.name in settings:
            setting.check(settings[setting.name])
    if not 1 <= settings["DEFAULT_PAGE_SIZE"] <= settings["MAX_PAGE_SIZE"]:
        raise SystemExit(f"DEFAULT_PAGE_SIZE ({settings['DEFAULT_PAGE_SIZE']}) must be between 1 and "
                         f"MAX_PAGE_SIZE ({settings['MAX_PAGE_SIZE']})")
    settings["DATABASE_URL"] = normalise_database_url(settings["DATABASE_URL"])
    return settings


def documented_default(setting: Setting) -> str:
    """A default as the README's table shows it."""
    value = setting.default
    if setting.shown:
        return setting.shown
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def markdown_table() -> str:
    """The README's "Settings (environment variables)" table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {documented_default(s)} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(rows)

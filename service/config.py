"""Every setting, declared once in ``settings.toml``: name, type, default and meaning (:data:`SETTINGS`).

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
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

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

#: Where each setting is declared.
SETTINGS_FILE = Path(__file__).with_name("settings.toml")
KINDS: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}
# A default's placeholders: (what it stands for, as the README shows it, where that is).
PLACES = {"{instance}": (str(DEFAULT_INSTANCE), "instance", "in the repository"),
          "{beside}": (str(ROOT.parent), "..", "beside the repository")}
KEYS = {"name", "type", "default", "meaning", "scope", "choices"}


def _declared(entry: dict[str, Any]) -> Setting:
    """One ``[[setting]]`` of the file; a malformed one stops the service at import."""
    name = entry.get("name", "?")
    kind = KINDS.get(entry.get("type", ""))
    default: Any = entry.get("default")
    shown = ""
    if entry.keys() - KEYS or kind is None or not entry.get("meaning") or entry.get("scope", "app") not in get_args(Scope):
        raise RuntimeError(f"{SETTINGS_FILE.name}: setting {name} is malformed: {entry}")
    if default is not None and not (isinstance(default, kind) or kind is float and type(default) is int):
        raise RuntimeError(f"{SETTINGS_FILE.name}: the default of {name} is not a {kind.__name__}")
    for token, (path, documented, where) in PLACES.items():
        if isinstance(default, str) and token in default:
            shown = f"`{default.replace(token, documented)}` ({where})"
            default = default.replace(token, path)
    return Setting(name, kind, float(default) if kind is float and default is not None else default,
                   entry["meaning"], entry.get("scope", "app"), tuple(entry.get("choices", ())), shown)


with SETTINGS_FILE.open("rb") as _file:
    SETTINGS: tuple[Setting, ...] = tuple(_declared(e) for e in tomllib.load(_file)["setting"])
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

"""The web interface's defences: the secret key shared by every worker, the session cookie,
CSRF tokens and the security headers of every page."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

# No inline script or style anywhere: htmx is configured for this (base.html's htmx-config).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Fixed Flask and Flask-WTF configuration (not settings: nothing to choose).
FIXED_CONFIG: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "sanctions_session",
    # The token lives as long as the session (which the idle timeout ends), so a form left
    # open for an hour still posts.
    "WTF_CSRF_TIME_LIMIT": None,
    # The UI checks tokens itself (core hooks), so the JSON API, which authenticates by header
    # and never by cookie, is exempt without listing its blueprints.
    "WTF_CSRF_CHECK_DEFAULT": False,
}

csrf = CSRFProtect()


def secret_key(config: Any) -> str:
    """SECRET_KEY, or the key kept in SECRET_KEY_FILE, generated there the first time. The
    file appears whole or not at all (written aside, then hard-linked into place), so workers
    starting together agree on one key."""
    if config.get("SECRET_KEY"):
        return str(config["SECRET_KEY"])
    path = Path(config["SECRET_KEY_FILE"])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_urlsafe(48).encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            os.unlink(aside)
    key = path.read_text().strip()
    if not key:
        raise SystemExit(f"SECRET_KEY_FILE {path} is empty; delete it to have a new key made")
    return key


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the key loaded on first use (commands that never
    serve a request create no key file) and the cookie ``Secure`` over HTTPS."""

    def get_signing_serializer(self, app: Flask) -> Any:
        if not app.secret_key:
            app.secret_key = app.config["SECRET_KEY"] = secret_key(app.config)
        return super().get_signing_serializer(app)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (has_request_context() and request.is_secure)


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if g.get("user") is not None:
        # Pages with records or personal data stay out of shared and back-button caches.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    app.config.update(FIXED_CONFIG)
    app.session_interface = SessionInterface()
    csrf.init_app(app)

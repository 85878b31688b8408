"""Browser tests: a real ``sanctions serve`` on a random loopback port with its own fresh
database (seeded with the APT31 case), driven by Playwright through Debian's Chromium.

Playwright's own browser download is never used (``playwright install`` is not needed and not
reachable here): the tests launch CHROMIUM_PATH (``apt-get install chromium``). Without it
they skip with a one-line message, unless SANCTIONS_REQUIRE_BROWSER=1 (CI), where they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from service import create_app
from service.config import from_environment
from service.extensions import db
from service.records.users import create_user
from tests.conftest import fresh_database
from tests.faults.server import ServiceProcess

INSTALL = "sudo apt-get install chromium fonts-noto-cjk fonts-noto-core"
PASSWORD = "browser tests password"
ROLES = ("admin", "editor", "analyst", "screener")


def _unavailable(reason: str) -> None:
    message = f"browser tests need Chromium ({reason}); install it with: {INSTALL}"
    if from_environment("SANCTIONS_REQUIRE_BROWSER"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:  # here, not at the top: a missing package must skip (or fail) with the message below
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing: pip install -e '.[dev]'")
    path = Path(from_environment("CHROMIUM_PATH"))
    if not path.exists():
        _unavailable(f"{path} not found")
    with sync_playwright() as playwright:
        try:
            # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
            chromium = playwright.chromium.launch(executable_path=str(path), args=["--no-sandbox"])
        except Error as exc:
            _unavailable(f"{path} does not start: {str(exc).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """The service, seeded, with one user per role (``<role>-user``, password PASSWORD)."""
    with running_service(backend, tmp_path_factory.mktemp("browser")) as svc:
        yield svc


@contextmanager
def running_service(backend: str, folder: Path, env: dict[str, str] | None = None) -> Iterator[ServiceProcess]:
    """A seeded service with one user per role; ``env``: settings for it (``FOUR_EYES_REVIEW``)."""
    url, cleanup = fresh_database(backend, folder)
    svc = ServiceProcess(folder, database_url=url, workers=2, name="browser",
                         env={"SECRET_KEY_FILE": str(folder / "secret_key"), **(env or {})})
    try:
        with svc:
            svc.sanctions("seed")
            app = create_app({"DATABASE_URL": url, "TESTING": True, "JOB_DIR": str(folder / "jobs")})
            with app.app_context():
                for role in ROLES:
                    create_user(session=db.session, username=f"{role}-user", role=role, password=PASSWORD)
                db.session.commit()
                db.engine.dispose()
            yield svc
    finally:
        cleanup()


class Console:
    """The page's console messages and uncaught errors, to check for CSP violations."""

    def __init__(self, page: Any) -> None:
        self.messages: list[str] = []
        page.on("console", lambda msg: self.messages.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m or "Content-Security-Policy" in m]


@pytest.fixture()
def new_page(browser: Any, server: ServiceProcess) -> Iterator[Callable[[], Any]]:
    """``new_page()``: a page in a fresh browser context (its own cookies), with ``page.console``."""
    contexts = []

    def make() -> Any:
        context = browser.new_context(base_url=server.url, locale="en-GB")
        contexts.append(context)
        page = context.new_page()
        page.console = Console(page)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Any, username: str, password: str = PASSWORD, *, go: bool = True) -> None:
    """Fill in the sign-in form (``go``: open /login first; else the page is on it already)."""
    if go:
        page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture()
def signed_in(new_page: Callable[[], Any]) -> Callable[[str], Any]:
    """``signed_in("analyst")``: a page signed in as that role's user, on the home page."""

    def make(role: str) -> Any:
        page = new_page()
        sign_in(page, f"{role}-user")
        assert page.get_by_text(f"Signed in as {role}-user").is_visible(), page.content()[:2000]
        return page

    return make

"""Screenshots of the web interface's main pages, from the seeded APT31 data, into docs/.

    .venv/bin/python tools/screenshots.py [--out docs] [--width 1280]

Starts ``sanctions serve`` on a random loopback port with a fresh SQLite database in a
temporary folder (``sanctions db upgrade``, ``sanctions seed``, one user per role), signs in
with Playwright driving Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium; never
Playwright's own download) and writes one PNG per page. A page whose route answers 404 (not
built yet) is skipped with a message. ``make screenshots`` runs it.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import FilePayload, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SANCTIONS = [sys.executable, "-m", "service.cli"]
PASSWORD = "screenshots password"
ROLES = ("admin", "editor", "analyst", "screener")
OFAC_SAMPLE = ROOT / "tests" / "fixtures" / "imports" / "ofac"
BULK_CSV = "name,country,birth_date\n赵光宗,CN,1985-11-12\nNi Gaobin,CN,\nJane Example,GB,1990-01-01\nWuhan Xiaoruizhi,CN,\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """``sanctions serve`` on a fresh, seeded database, with a user per role."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'shots.db'}", "JOB_DIR": str(folder / "jobs"),
                    "SECRET_KEY_FILE": str(folder / "secret_key"), "RATELIMIT_ENABLED": "false",
                    "JOB_RECOVERY": "false"}
        self.log = open(folder / "service.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str | None = None) -> None:
        subprocess.run([*SANCTIONS, *args], env=self.env, cwd=ROOT, input=stdin.encode() if stdin else None,
                       check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        self.cli("db", "upgrade")
        self.cli("seed")
        for role in ROLES:
            self.cli("users", "create", "--username", f"{role}-user", "--role", role, "--password-stdin",
                     stdin=PASSWORD + "\n")
        self.process = subprocess.Popen([*SANCTIONS, "serve", "--host", "127.0.0.1", "--port", str(self.port),
                                         "--workers", "1"], env=self.env, cwd=ROOT, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/login", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"the service did not start; see {self.folder / 'service.log'}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


def sign_in(page: Page, role: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(f"{role}-user")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def find(page: Page, path: str, link_text: str) -> str | None:
    """The address of the first link named ``link_text`` on the page at ``path``."""
    page.goto(path)
    link = page.get_by_role("link", name=link_text, exact=True).first
    return link.get_attribute("href") if link.count() else None


def run_bulk_job(page: Page) -> None:
    upload: FilePayload = {"name": "customers.csv", "mimeType": "text/csv", "buffer": BULK_CSV.encode()}
    page.set_input_files("input[type=file]", files=[upload])
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Start screening").click()
    page.wait_for_load_state()
    page.wait_for_timeout(4000)  # let the job finish and the progress bar fill


def import_sample(page: Page) -> None:
    page.get_by_label("List").select_option("ofac")
    page.get_by_label("Files").set_input_files(sorted(str(p) for p in OFAC_SAMPLE.iterdir() if p.is_file()))
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()


Shot = tuple[str, str, str | Callable[[Page], str | None], Callable[[Page], None] | None]


def shots() -> list[Shot]:
    """(file name, role, path or a function finding it, an action once there), in order: the
    import comes last, so that every other page shows the seeded data alone."""
    zhao = lambda p: find(p, "/search?q=zhao+guangzong", "ZHAO, Guangzong")  # noqa: E731
    return [
        ("login.png", "", "/login", None),
        ("search.png", "analyst", "/search?q=zhao+guangzong", None),
        ("entity.png", "analyst", zhao, None),
        ("group.png", "analyst", lambda p: find(p, f"{zhao(p)}", "APT31"), None),
        ("screen.png", "analyst", "/screen?name=%E8%B5%B5%E5%85%89%E5%AE%97", None),
        ("bulk-job.png", "analyst", "/jobs", run_bulk_job),
        ("review.png", "analyst", "/review", None),
        ("evidence.png", "analyst", "/evidence", None),
        ("edit.png", "editor", lambda p: f"{zhao(p)}/edit", None),
        ("admin-users.png", "admin", "/admin/users", None),
        ("admin-keys.png", "admin", "/admin/keys", None),
        ("admin-imports.png", "admin", "/admin/imports", import_sample),
    ]


def take(service: Service, out: Path, width: int) -> list[str]:
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    written: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        pages: dict[str, Page] = {}
        for name, role, where, action in shots():
            if role not in pages:
                context = browser.new_context(base_url=service.url, locale="en-GB",
                                              viewport={"width": width, "height": 800})
                pages[role] = context.new_page()
                if role:
                    sign_in(pages[role], role)
            page = pages[role]
            path = where(page) if callable(where) else where
            if path is None:
                print(f"skipped {name}: no link to it was found")
                continue
            response = page.goto(path)
            if response is None or response.status == 404:
                print(f"skipped {name}: {path} is not there yet (404)")
                continue
            if action is not None:
                action(page)
            page.screenshot(path=str(out / name), full_page=True)
            written.append(name)
            print(f"wrote {out / name} ({page.url.removeprefix(service.url)})")
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)")
    parser.add_argument("--width", type=int, default=1280, help="viewport width in pixels")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sanctions-shots-") as tmp:
        service = Service(Path(tmp))
        try:
            service.start()
            written = take(service, args.out, args.width)
        finally:
            service.stop()
    print(f"{len(written)} screenshots in {args.out}")


if __name__ == "__main__":
    main()

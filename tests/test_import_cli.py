"""`sanctions import`: files, folders, one-line errors, and --download from a local server."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from service.cli import main
from service.models import Entity, ImportRun

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


@pytest.fixture()
def env(app: Any, database_url: str) -> dict[str, str]:
    # The command builds its own app on the test database; `app` empties the tables after.
    return {"DATABASE_URL": database_url}


@pytest.fixture()
def server() -> Iterator[str]:
    """tests/fixtures/imports over HTTP on 127.0.0.1 (never the real publishers)."""
    handler = functools.partial(_QuietHandler, directory=str(FIXTURES))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def test_import_files_and_folders(env, session):
    runner = CliRunner()
    first = runner.invoke(main, ["import", "ofac", str(FIXTURES / "ofac")], env=env)
    assert first.exit_code == 0, first.output
    assert "7 added, 0 changed" in first.stdout and "import run" in first.stdout
    parts = [str(p) for p in sorted((FIXTURES / "uk").iterdir())]
    second = runner.invoke(main, ["import", "uk", *parts], env=env)
    assert second.exit_code == 0 and "4 added, 2 changed (2 merged" in second.stdout
    again = runner.invoke(main, ["import", "ofac", str(FIXTURES / "ofac")], env=env)
    assert "0 added, 0 changed (0 merged into existing records), 7 unchanged" in again.stdout
    assert [r.origin for r in session.scalars(select(ImportRun))] == ["cli"] * 3


def test_import_errors_are_one_line(env, session, tmp_path):
    runner = CliRunner()
    bad = tmp_path / "sdn.csv"
    bad.write_bytes((FIXTURES / "ofac" / "sdn.csv").read_text().encode("utf-16"))
    result = runner.invoke(main, ["import", "ofac", str(bad)], env=env)
    assert result.exit_code == 1
    assert result.output.startswith("sanctions: error: sdn.csv: wrong encoding")
    assert result.output.strip().count("\n") == 0 and "recorded as failed import run" in result.output
    assert session.scalar(select(func.count(Entity.id))) == 0
    assert runner.invoke(main, ["import", "ofac"], env=env).exit_code == 1
    assert runner.invoke(main, ["import", "xml", str(bad)], env=env).exit_code == 2  # click: bad choice


def test_download_from_a_mirror(env, session, server):
    result = CliRunner().invoke(main, ["import", "ofac", "--download", "--url-base", f"{server}/ofac/"], env=env)
    assert result.exit_code == 0, result.output
    run = session.scalars(select(ImportRun)).one()
    assert run.origin == "download" and run.added == 7
    # The fixtures have no cons_comments.csv: optional files may be missing, the rest may not.
    assert sorted(f["name"] for f in run.files) == sorted(p.name for p in (FIXTURES / "ofac").iterdir())


def test_download_failure_is_one_line(env, session, server):
    result = CliRunner().invoke(main, ["import", "uk", "--download", "--url-base", server], env=env)
    assert result.exit_code == 1 and result.output.startswith("sanctions: error: http://127.0.0.1")
    assert "404" in result.output and result.output.strip().count("\n") == 0
    result = CliRunner().invoke(main, ["import", "un", "--download", "--url-base", "http://127.0.0.1:9"], env=env)
    assert result.exit_code == 1 and "cannot download" in result.output
    assert CliRunner().invoke(main, ["import", "ftm", "--download"], env=env).exit_code == 1

"""``sanctions serve`` (gunicorn) and ``sanctions openapi``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..extensions import api
from ..extensions import db as database
from ..records.keys import has_active_key
from .common import Fail, make_app

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API with gunicorn."""
    if workers < 1:
        raise Fail("--workers must be at least 1")
    if host not in LOOPBACK:
        with make_app().app_context():
            if not has_active_key(session=database.session):
                raise Fail(f"refusing to serve on {host} with no API key configured; "
                           "create one with `sanctions keys create --role admin --name NAME`")
    # service/serving.py holds the gunicorn settings (request line and header limits, timeout)
    # and the worker class that answers gunicorn's own errors with problem+json; a direct
    # `gunicorn -c python:service.serving ...` runs the same way.
    args = [sys.executable, "-m", "gunicorn", "--config", "python:service.serving",
            "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-",
            "service.wsgi:app"]
    os.execv(sys.executable, args)


@click.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def openapi(output: Path | None) -> None:
    """Print (or write) the OpenAPI document generated from the code."""
    with make_app().app_context():
        text = api.spec.to_yaml()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")

"""The ``sanctions`` command: database, seed, OpenAPI and serving.

Errors end with a one-line message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from .config import ROOT

SEED_DIR = ROOT / "seed"


def _app() -> Flask:
    from . import create_app

    return create_app()


def _alembic_config(database_url: str) -> Any:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def upgrade_database(database_url: str, revision: str = "head") -> None:
    from alembic import command

    _ensure_sqlite_folder(database_url)
    command.upgrade(_alembic_config(database_url), revision)


class Fail(click.ClickException):
    """One line on stderr, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"sanctions: error: {self.format_message()}", err=True)


@click.group()
def main() -> None:
    """Sanctions and indictment records: database, seed data, OpenAPI and the server."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database (DATABASE_URL) to the latest schema."""
    app = _app()
    try:
        upgrade_database(app.config["DATABASE_URL"], revision)
    except Exception as exc:
        raise Fail(f"migration failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (e.g. base)."""
    from alembic import command

    app = _app()
    try:
        command.downgrade(_alembic_config(app.config["DATABASE_URL"]), revision)
    except Exception as exc:
        raise Fail(f"migration failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
    click.echo(f"database at {revision}")


@main.command()
@click.option("--path", "folder", type=click.Path(path_type=Path), default=SEED_DIR, show_default=True,
              help="Folder of seed YAML files.")
def seed(folder: Path) -> None:
    """Load the seed data (the APT31 case); loading twice changes nothing."""
    from .errors import DomainError
    from .extensions import db as database
    from .records.seed import load_seed, read_seed_files

    app = _app()
    with app.app_context():
        try:
            report = load_seed(session=database.session, docs=read_seed_files(folder))
            database.session.commit()
        except DomainError as exc:
            database.session.rollback()
            raise Fail(exc.detail) from exc
        except Exception as exc:
            database.session.rollback()
            raise Fail(f"seed failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
    created = ", ".join(f"{v} {k}" for k, v in sorted(report.created.items())) or "nothing"
    unchanged = sum(report.unchanged.values())
    click.echo(f"seed loaded: created {created}; {unchanged} records already present")


@main.command()
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Results file (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Match threshold (default: the engine's documented default).")
def screen(input_path: Path, output: Path | None, fmt: str, threshold: float | None) -> None:
    """Screen a CSV file (columns name, type, birth_date, country; others pass through)."""
    from tqdm import tqdm

    from .errors import DomainError
    from .extensions import db as database
    from .screen_file import read_rows, screen_rows, write_csv, write_jsonl
    from .screening import DEFAULT_THRESHOLD

    if not input_path.is_file():
        raise Fail(f"no such file: {input_path}")
    app = _app()
    writer = write_jsonl if fmt == "jsonl" else write_csv
    try:
        with input_path.open(newline="", encoding="utf-8-sig") as src, app.app_context():
            header, rows = read_rows(src)
            results = screen_rows(session=database.session, cache=app.extensions["screening_index"],
                                  rows=tqdm(rows, unit=" rows", desc="screening", disable=None, file=sys.stderr),
                                  threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
            if output is None:
                count = writer(sys.stdout, header, results)
            else:
                with output.open("w", newline="", encoding="utf-8") as out:
                    count = writer(out, header, results)
    except DomainError as exc:
        raise Fail(exc.detail) from exc
    except UnicodeDecodeError as exc:
        raise Fail(f"{input_path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise Fail(f"{input_path.name} is not a readable CSV file: {exc}") from exc
    if output is not None:
        click.echo(f"screened {count} rows -> {output}", err=True)


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def openapi(output: Path | None) -> None:
    """Print (or write) the OpenAPI document generated from the code."""
    from .extensions import api

    app = _app()
    with app.app_context():
        text = api.spec.to_yaml()
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API with gunicorn."""
    if workers < 1:
        raise Fail("--workers must be at least 1")
    args = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(workers),
            "--access-logfile", "-", "service.wsgi:app"]
    os.execv(sys.executable, args)


if __name__ == "__main__":  # pragma: no cover
    main()

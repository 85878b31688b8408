"""The ``sanctions`` command: database, seed, OpenAPI and serving.

Errors end with a one-line message on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

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

    # Commands never pick up interrupted screening jobs: that is for the server and workers.
    return create_app({"JOB_RECOVERY": False})


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


def cli_actor() -> dict[str, Any]:
    """Who history rows written by a CLI command name: the operating-system user."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "unknown"
    return {"key_id": None, "key_name": f"cli:{user}", "request_id": None}


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
        database.session.info["actor"] = cli_actor()
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


def _cli_processes(requested: int) -> int:
    """Processes to fork for ``sanctions screen --processes N`` (0: one per core); the
    command's own thread reads and writes, so a single process means no fork at all."""
    from .screening.parallel import processes as processes_for

    n = processes_for(requested)
    return n if n > 1 else 0


@main.command()
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Results file (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Match threshold (default: the engine's documented default).")
@click.option("--name-column", default=None, help="Column holding the name (default: recognised from the header).")
@click.option("--date-order", type=click.Choice(["dmy", "mdy"]), default=None,
              help="How to read ambiguous dates like 03/04/1985 (default: keep only the year).")
@click.option("--processes", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes screening the rows (0: one per core).")
def screen(input_path: Path, output: Path | None, fmt: str, threshold: float | None, name_column: str | None,
           date_order: str | None, processes: int) -> None:
    """Screen a CSV file (name, and birth date, country, type columns if present; others pass through)."""
    from tqdm import tqdm

    from .errors import DomainError
    from .extensions import db as database
    from .screen_file import open_input, screen_rows, write_csv, write_jsonl
    from .screening import DEFAULT_THRESHOLD

    if not input_path.is_file():
        raise Fail(f"no such file: {input_path}")
    app = _app()
    writer = write_jsonl if fmt == "jsonl" else write_csv
    try:
        with open_input(input_path, {"name_column": name_column}) as inp, app.app_context():
            rows = tqdm(inp.records(), total=inp.rows, unit=" rows", desc="screening", disable=None, file=sys.stderr)
            results = screen_rows(session=database.session, cache=app.extensions["screening_index"], recs=rows,
                                  columns=inp.columns, date_order=date_order, processes=_cli_processes(processes),
                                  threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
            if output is None:
                count = writer(sys.stdout, inp.header, results)
            else:
                with output.open("w", newline="", encoding="utf-8") as out:
                    count = writer(out, inp.header, results)
    except DomainError as exc:
        raise Fail(f"{input_path.name}: {exc.detail}") from exc
    if output is not None:
        click.echo(f"screened {count} rows -> {output}", err=True)


@main.command()
@click.option("--concurrency", "-c", type=int, default=1, show_default=True,
              help="Worker processes (each screens one part at a time and holds its own index).")
@click.option("--loglevel", default="info", show_default=True)
def worker(concurrency: int, loglevel: str) -> None:
    """Run a Celery worker for screening jobs (SANCTIONS_JOB_BACKEND=celery, CELERY_BROKER_URL)."""
    from . import config as settings
    from .jobs.celery_app import make_celery

    if concurrency < 1:
        raise Fail("--concurrency must be at least 1")
    config = settings.load()
    celery = make_celery(config)
    celery.worker_main(["worker", "--queues", config["JOB_QUEUE"], "--concurrency", str(concurrency),
                        "--loglevel", loglevel, "--without-gossip", "--without-mingle", "--without-heartbeat",
                        "--hostname", f"sanctions-{os.getpid()}@%h"])


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


@main.group()
def engine() -> None:
    """The screening engine's compiled (mypyc) build."""


@engine.command("build")
@click.option("--force", is_flag=True, help="Rebuild even when the build matches the sources.")
def engine_build(force: bool) -> None:
    """Compile the engine's hot modules with mypyc (needs mypy and a C compiler)."""
    os.environ["SANCTIONS_PURE_PYTHON"] = "1"  # building needs no engine, old or new
    from .screening import native

    if native.is_fresh() and not force:
        click.echo(f"compiled engine in {native.OUT} is up to date")
        return
    try:
        native.build()
    except Exception as exc:  # any compiler failure: the pure-Python engine stays in use
        raise Fail(f"could not compile the screening engine ({exc}); the pure-Python engine stays in use") from exc
    click.echo(f"compiled {', '.join(native.COMPILED)} -> {native.OUT}")


@engine.command("status")
def engine_status() -> None:
    """Say which build of the engine runs; exit 1 if the compiled one is not in use."""
    from .screening import native

    if native.ACTIVE:
        click.echo(f"compiled (mypyc) engine in use: {native.OUT}")
        return
    reason = ("forced by SANCTIONS_PURE_PYTHON" if native.pure_python_forced()
              else "no up-to-date build (run `sanctions engine build`)")
    click.echo(f"pure-Python engine in use: {reason}")
    sys.exit(1)


@main.group()
def keys() -> None:
    """API keys: create, list, revoke."""


def _keys_session() -> Any:
    from .extensions import db as database

    return _app(), database


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "analyst", "screener"]))
@click.option("--name", required=True)
def keys_create(role: str, name: str) -> None:
    """Create a key and print it (shown once)."""
    from .records.keys import create_key

    app, database = _keys_session()
    with app.app_context():
        key, token = create_key(session=database.session, name=name, role=role)
        database.session.commit()
    click.echo(f"created key {key.id} ({role}, {name}); store it now, it is not shown again:")
    click.echo(token)


@keys.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    from .records.keys import list_keys

    app, database = _keys_session()
    with app.app_context():
        for key in list_keys(session=database.session):
            state = "revoked" if key.revoked_at else "active"
            click.echo(f"{key.id}\t{key.prefix}...\t{key.role}\t{state}\t{key.name}")


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    """Revoke a key by id."""
    from .errors import DomainError
    from .records.keys import revoke_key

    app, database = _keys_session()
    with app.app_context():
        try:
            revoke_key(session=database.session, key_id=key_id)
        except DomainError as exc:
            raise Fail(exc.detail) from exc
        database.session.commit()
    click.echo(f"revoked key {key_id}")


@keys.command("bootstrap")
def keys_bootstrap() -> None:
    """Create an admin key if there is no active key (used by `make run`)."""
    from .records.keys import create_key, has_active_key

    app, database = _keys_session()
    with app.app_context():
        if has_active_key(session=database.session):
            click.echo("an active API key exists; `sanctions keys create` makes another")
            return
        _, token = create_key(session=database.session, name="bootstrap admin", role="admin")
        database.session.commit()
    click.echo("created an admin API key; store it now, it is not shown again:")
    click.echo(f"  {token}")
    click.echo(f"  e.g. curl -H 'Authorization: Bearer {token}' http://127.0.0.1:8000/api/v1/persons")


LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["ofac", "uk", "un", "eu", "ftm"]))
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--download", is_flag=True, help="Fetch the authority's published files, then import them.")
@click.option("--url-base", default=None, help="With --download: fetch {URL}/{file name} instead (a mirror).")
def import_cmd(fmt: str, paths: tuple[Path, ...], download: bool, url_base: str | None) -> None:
    """Import an official sanctions list (files or a folder of them); all or nothing."""
    import tempfile

    from .errors import DomainError
    from .extensions import db as database
    from .imports.download import DownloadError
    from .imports.download import download as fetch
    from .records.imports import run_import

    if download == bool(paths):
        raise Fail("give the list files, or --download (not both)")
    if url_base and not download:
        raise Fail("--url-base only makes sense with --download")
    files = [f for p in paths for f in (sorted(x for x in p.iterdir() if x.is_file()) if p.is_dir() else [p])]
    app = _app()
    with tempfile.TemporaryDirectory(prefix="sanctions-import-") as tmp, app.app_context(), _Bars() as bars:
        origin = "cli"
        if download:
            try:
                files = fetch(fmt, Path(tmp), url_base=url_base)
            except DownloadError as exc:
                raise Fail(str(exc)) from exc
            origin = "download"
        database.session.info["actor"] = cli_actor()
        try:
            run = run_import(session=database.session, fmt=fmt, paths=files, origin=origin, progress=bars)
        except DomainError as exc:
            run_id = getattr(exc, "run_id", None)
            raise Fail(exc.detail + (f" (recorded as failed import run {run_id})" if run_id else "")) from exc
        except Exception as exc:
            raise Fail(f"import failed: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}") from exc
    click.echo(
        f"import run {run.id} ({fmt}, {len(run.files)} file{'s' if len(run.files) != 1 else ''}): "
        f"{run.added} added, {run.changed} changed ({run.merged} merged into existing records), "
        f"{run.unchanged} unchanged, {run.delisted} delisted, {run.relisted} relisted; "
        f"{run.designations} designations, {run.names} names in the file; {run.warning_count} warnings"
    )
    for warning in run.warnings[:5]:
        click.echo(f"  warning: {warning['file']}:{warning['row']}: {warning['message']}", err=True)
    if run.warning_count > 5:
        click.echo(f"  ... {run.warning_count - 5} more warnings: GET /api/v1/imports/{run.id}", err=True)


class _Bars:
    """tqdm progress bars on stderr, one per stage (hidden when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=stage, unit=" entries" if stage == "merge" else "", disable=None,
                            file=sys.stderr, leave=False)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> _Bars:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the API with gunicorn."""
    if workers < 1:
        raise Fail("--workers must be at least 1")
    if host not in LOOPBACK:
        from .records.keys import has_active_key

        app, database = _keys_session()
        with app.app_context():
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


if __name__ == "__main__":  # pragma: no cover
    main()

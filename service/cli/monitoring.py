"""``sanctions monitoring``: the portfolio file import, the full rescreen and where monitoring
stands. Each calls what the API calls (:mod:`..monitoring`): the same reader and checks for a
portfolio file, the same run for a full rescreen (resumable, skipping pairs already decided)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from tqdm import tqdm

from ..errors import DomainError
from ..extensions import db as database
from ..monitoring import runs as run_store
from ..monitoring.portfolio_csv import import_csv
from ..monitoring.screen import run_full, run_subjects
from ..monitoring.subjects import portfolio_size
from ..schemas.monitoring import PortfolioCsvOptions
from .common import Fail, first_line, make_app

#: Rejected rows printed on stderr (the count covers them all).
SHOW_ERRORS = 20


@click.group()
def monitoring() -> None:
    """Ongoing monitoring: import a portfolio file, rescreen the portfolio, show the status."""


@contextmanager
def _one_line(prefix: str = "") -> Iterator[None]:
    """Refusals and database errors (not migrated, unreachable) as one line; what the
    command had not committed is rolled back when its app context ends."""
    try:
        yield
    except DomainError as exc:
        raise Fail(f"{prefix}{exc.detail}") from exc
    except SQLAlchemyError as exc:
        raise Fail(f"{prefix}database error: {first_line(exc)}") from exc


def _options(**given: Any) -> dict[str, Any]:
    """The options as the upload's query string gives them (same defaults and checks)."""
    try:
        return PortfolioCsvOptions().load({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise Fail(f"invalid options: {exc.messages}") from exc


@monitoring.command("import")
@click.argument("input_path", metavar="FILE.csv", type=click.Path(path_type=Path))
@click.option("--external-id-column", default=None,
              help="Column holding each subject's external id (default: recognised from the header).")
@click.option("--name-column", default=None, help="Column holding the name (default: recognised from the header).")
@click.option("--date-order", type=click.Choice(["dmy", "mdy"]), default=None,
              help="How to read ambiguous dates like 03/04/1985 (default: keep only the year).")
@click.option("--screen/--no-screen", default=False, show_default=True,
              help="Screen the written subjects now, in this process (default: the service or a worker does).")
def import_cmd(input_path: Path, external_id_column: str | None, name_column: str | None, date_order: str | None,
               screen: bool) -> None:
    """Create or replace monitored subjects from a CSV file, as POST /monitoring/subjects/csv does.

    Rejected rows are listed on stderr; the good rows are written either way."""
    if not input_path.is_file():
        raise Fail(f"no such file: {input_path}")
    options = _options(external_id_column=external_id_column, name_column=name_column, date_order=date_order)
    app = make_app()
    with app.app_context(), _one_line(f"{input_path.name}: "):
        report = import_csv(session=database.session, path=input_path, options=options)
        database.session.commit()
        for err in report.errors[:SHOW_ERRORS]:
            click.echo(f"line {err['line']}: {err['error']}", err=True)
        if report.rejected > SHOW_ERRORS:
            click.echo(f"... and {report.rejected - SHOW_ERRORS} more rejected rows", err=True)
        click.echo(f"{input_path.name}: {report.rows} rows: {report.created} created, {report.updated} updated, "
                   f"{report.unchanged} unchanged, {report.rejected} rejected")
        monitor = app.extensions["monitoring"]
        if not screen:
            _hand_over(monitor.subjects_written)  # a Celery worker starts now; the service's poll otherwise
            return
        run_id = run_subjects(monitor.ctx)
        if run_id is None:
            click.echo("nothing to screen: no subject was pending")
        else:
            click.echo(_run_line(run_store.get_run(session=database.session, run_id=run_id)))


def _hand_over(send: Callable[[], None]) -> None:
    """Tell the workers (Celery) of committed work. If the broker is down the work is not
    lost: the service's periodic poll finds it in the database."""
    try:
        send()
    except Exception as exc:  # any broker or connection error: only the prompt start is lost
        click.echo(f"warning: could not tell the workers ({first_line(exc)}); the service's poll will "
                   "start the work", err=True)


def _run_line(run: Any) -> str:
    held = f" ({run.alerts_held} held: {run.notice})" if run.held else ""
    return (f"run {run.id} ({run.kind}) {run.status}: {run.subjects_screened} subjects screened, "
            f"{run.pairs_scored} pairs scored, {run.alerts_opened} alerts opened{held}")


@monitoring.command()
@click.option("--background", is_flag=True,
              help="Only start the run: the service's monitor or a Celery worker runs it.")
def rescreen(background: bool) -> None:
    """Rescreen the whole portfolio (after an engine or threshold change); pairs already decided are skipped.

    In the foreground by default, with a progress bar; interrupted, it resumes where it was
    (here again with this command, or by the service or a worker)."""
    app = make_app()
    with app.app_context(), _one_line():
        run = run_store.start_full(session=database.session)
        database.session.commit()
        monitor = app.extensions["monitoring"]
        if background:
            _hand_over(lambda: monitor.submit_full(run.id))
            click.echo(f"full rescreen started: run {run.id} (follow it with: sanctions monitoring status)")
            return
        total = portfolio_size(database.session)
        with tqdm(total=total, unit=" subjects", desc="rescreen", disable=None, file=sys.stderr) as bar:
            def progress(done: int) -> None:
                bar.n = done
                bar.refresh()

            run_full(monitor.ctx, run.id, progress=progress)
        database.session.expire_all()
        click.echo(_run_line(run_store.get_run(session=database.session, run_id=run.id)))


@monitoring.command()
@click.option("--runs", "last_runs", type=click.IntRange(min=0), default=5, show_default=True,
              help="How many of the last runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
def status(last_runs: int, as_json: bool) -> None:
    """Where monitoring stands: the change-log cursor and its lag, the portfolio, alerts and the last runs."""
    app = make_app()
    with app.app_context(), _one_line():
        data = run_store.status(session=database.session, last_runs=last_runs)
    if as_json:
        click.echo(json.dumps(data, sort_keys=True))
        return
    lag = f", the oldest waiting {data['waiting_seconds']:.0f} s" if data["changes_waiting"] else ""
    click.echo(f"change log: cursor at {data['cursor']} of {data['end']}, {data['changes_waiting']} changes "
               f"waiting{lag}")
    subjects = data["subjects"]
    click.echo(f"portfolio: {subjects['active']} active ({subjects['pending']} pending), {subjects['paused']} paused")
    alerts = ", ".join(f"{n} {state}" for state, n in sorted(data["alerts"].items())) or "none"
    click.echo(f"alerts: {alerts}")
    for run in data["runs"]:
        lag_s = f", lag {run['lag_seconds']:.1f} s" if run["lag_seconds"] is not None else ""
        click.echo(f"run {run['id']} {run['kind']} {run['status']} {run['started_at']}: "
                   f"{run['changes_considered']} changes, {run['subjects_screened']} subjects, "
                   f"{run['pairs_scored']} pairs, {run['alerts_opened']} alerts ({run['alerts_held']} held){lag_s}")

"""``sanctions screen``: a CSV file screened at once, through the pipeline jobs and
``/screen/csv`` use (:mod:`..jobs.pipeline`): the same options, the same results (a CSV with
a BOM, or JSON Lines with each row's decision and every match's explanation) and an
evidence-log row of kind ``file``, attributed to no API key but to ``cli:<OS user>``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from marshmallow import ValidationError
from tqdm import tqdm

from ..errors import DomainError
from ..extensions import db as database
from ..jobs.csvio import Record
from ..jobs.pipeline import open_input, screen_file
from ..schemas.jobs import JobOptions
from ..screening.parallel import processes as processes_for
from .common import Fail, cli_actor, make_app


def _processes(requested: int) -> int:
    """Processes to fork for ``--processes N`` (0: one per core); the command's own thread
    reads and writes, so a single process means no fork at all."""
    n = processes_for(requested)
    return n if n > 1 else 0


def _options(**given: Any) -> dict[str, Any]:
    """The options as an upload's query string gives them (same defaults and checks)."""
    try:
        return JobOptions().load({k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise Fail(f"invalid options: {exc.messages}") from exc


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", newline="", encoding="utf-8") as out:
        yield out


@click.command()
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
    """Screen a CSV file (name, and birth date, country, type columns if present; others pass through).

    The run is logged in the evidence log (kind "file", key name "cli:<user>")."""
    if not input_path.is_file():
        raise Fail(f"no such file: {input_path}")
    options = _options(format=fmt, threshold=threshold, name_column=name_column, date_order=date_order)
    app = make_app()
    try:
        with open_input(input_path, options) as inp, app.app_context():
            def bar(recs: Iterator[Record]) -> Iterable[Record]:
                return tqdm(recs, total=inp.rows, unit=" rows", desc="screening", disable=None, file=sys.stderr)

            with _output(output) as out:
                done = screen_file(session=database.session, cache=app.extensions["screening_index"], inp=inp,
                                   options=options, write=out.write, actor=cli_actor(), source="cli",
                                   filename=input_path.name, processes=_processes(processes), progress=bar)
            database.session.commit()  # the evidence row
    except DomainError as exc:
        raise Fail(f"{input_path.name}: {exc.detail}") from exc
    if output is not None:
        click.echo(f"screened {done.rows} rows -> {output}", err=True)

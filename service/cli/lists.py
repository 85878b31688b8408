"""``sanctions import``: an official sanctions list, from files or downloaded."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..errors import DomainError
from ..extensions import db as database
from ..imports.download import DownloadError
from ..imports.download import download as fetch
from ..records.imports import run_import
from .common import Bars, Fail, cli_actor, first_line, make_app


@click.command("import")
@click.argument("fmt", metavar="FORMAT", type=click.Choice(["ofac", "uk", "un", "eu", "ftm"]))
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--download", is_flag=True, help="Fetch the authority's published files, then import them.")
@click.option("--url-base", default=None, help="With --download: fetch {URL}/{file name} instead (a mirror).")
def import_cmd(fmt: str, paths: tuple[Path, ...], download: bool, url_base: str | None) -> None:
    """Import an official sanctions list (files or a folder of them); all or nothing."""
    if download == bool(paths):
        raise Fail("give the list files, or --download (not both)")
    if url_base and not download:
        raise Fail("--url-base only makes sense with --download")
    files = [f for p in paths for f in (sorted(x for x in p.iterdir() if x.is_file()) if p.is_dir() else [p])]
    app = make_app()
    with tempfile.TemporaryDirectory(prefix="sanctions-import-") as tmp, app.app_context(), Bars() as bars:
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
            raise Fail(f"import failed: {first_line(exc)}") from exc
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

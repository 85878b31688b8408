"""``sanctions db upgrade|downgrade`` and ``sanctions seed``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..config import ROOT
from ..errors import DomainError
from ..extensions import db as database
from ..migrate import downgrade_database, upgrade_database
from ..seed import load_seed, read_seed_files
from .common import Fail, cli_actor, first_line, make_app

SEED_DIR = ROOT / "seed"


@click.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


def _migrate(step: Callable[[str, str], None], revision: str) -> None:
    app = make_app()
    try:
        step(app.config["DATABASE_URL"], revision)
    except Exception as exc:
        raise Fail(f"migration failed: {first_line(exc)}") from exc
    click.echo(f"database at {revision}")


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Migrate the database (DATABASE_URL) to the latest schema."""
    _migrate(upgrade_database, revision)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION (e.g. base)."""
    _migrate(downgrade_database, revision)


@click.command()
@click.option("--path", "folder", type=click.Path(path_type=Path), default=SEED_DIR, show_default=True,
              help="Folder of seed YAML files.")
def seed(folder: Path) -> None:
    """Load the seed data (the APT31 case); loading twice changes nothing."""
    app = make_app()
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
            raise Fail(f"seed failed: {first_line(exc)}") from exc
    created = ", ".join(f"{v} {k}" for k, v in sorted(report.created.items())) or "nothing"
    unchanged = sum(report.unchanged.values())
    click.echo(f"seed loaded: created {created}; {unchanged} records already present")

"""Alembic migrations of the service's database, as plain functions: used by ``sanctions db``,
the tests' database set-up and the benchmarks. No Flask."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from .config import ROOT


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic's configuration for ``database_url`` (migrations/env.py reads it from the
    config's attributes, not from alembic.ini)."""
    cfg = AlembicConfig(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def _ensure_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (creating a SQLite file's folder first)."""
    _ensure_sqlite_folder(database_url)
    command.upgrade(alembic_config(database_url), revision)


def downgrade_database(database_url: str, revision: str) -> None:
    """Migrate the database down to ``revision`` (e.g. ``base``)."""
    command.downgrade(alembic_config(database_url), revision)

"""Migrations on each backend: empty -> head -> base, and no drift from the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from service.config import normalise_database_url
from service.migrate import alembic_config as _alembic_config
from service.models import Base
from service.records.engine import make_engine
from tests.conftest import fresh_database


def test_upgrade_downgrade_and_no_drift(backend, tmp_path):
    url, cleanup = fresh_database(backend, tmp_path)
    url = normalise_database_url(url)
    try:
        cfg = _alembic_config(url)
        command.upgrade(cfg, "head")
        engine = make_engine(url)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(ctx, Base.metadata) == []
            assert conn.exec_driver_sql("SELECT counter FROM list_state WHERE id = 1").scalar() == 0
        command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        command.upgrade(cfg, "head")
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
    finally:
        cleanup()

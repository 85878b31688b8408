"""Fixtures: a fresh database per backend per run (SQLite always, PostgreSQL when
TEST_DATABASE_URL is set), migrated with Alembic; tables emptied after each test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, inspect, text
from sqlalchemy.engine import make_url

from service import create_app
from service.config import ROOT, data_dir, normalise_database_url
from service.extensions import db
from service.migrate import upgrade_database
from service.models import Base

# Every app a test creates shares the test database: a background job-recovery thread of
# one (started by apps not marked TESTING) would take over another test's interrupted
# parts. Tests that need recovery call Executor.recover() themselves.
os.environ["JOB_RECOVERY"] = "false"

DATA_DIR = data_dir()
PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


class PostgresDatabase:
    """A throw-away database on the server named by TEST_DATABASE_URL."""

    def __init__(self, server_url: str) -> None:
        self.server_url = make_url(normalise_database_url(server_url))
        self.name = f"sanctions_test_{uuid.uuid4().hex[:10]}"
        self.url = self.server_url.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self) -> Any:
        return create_engine(self.server_url.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def create(self) -> str:
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        engine.dispose()
        return self.url

    def drop(self) -> None:
        engine = self._admin()
        with engine.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": self.name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        engine.dispose()


def fresh_database(backend: str, tmp_dir: Path) -> tuple[str, Any]:
    """(url, cleanup) of an empty database of the given backend."""
    if backend == "sqlite":
        path = tmp_dir / f"{uuid.uuid4().hex[:8]}.db"
        return f"sqlite:///{path}", lambda: None
    assert PG_URL, "TEST_DATABASE_URL is not set"
    pg = PostgresDatabase(PG_URL)
    return pg.create(), pg.drop


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, cleanup = fresh_database(backend, tmp_path_factory.mktemp("db"))
    upgrade_database(normalise_database_url(url))
    yield url
    cleanup()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    application = create_app({"DATABASE_URL": database_url, "TESTING": True,
                              "JOB_DIR": str(tmp_path_factory.mktemp("jobs"))})
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_db = "app" in request.fixturenames or "database_url" in request.fixturenames
    application = request.getfixturevalue("app") if uses_db else None
    yield
    if application is None:
        return
    with application.app_context():
        db.session.rollback()
        # Only tables the migrations created: test_migrations checks models and migrations agree.
        existing = set(inspect(db.engine).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "list_state" and table.name in existing:
                db.session.execute(delete(table))
        db.session.commit()
    # Rows deleted behind the change log's back: the next test's index starts afresh.
    application.extensions["screening_index"].reset()


def make_key(app: Any, role: str, name: str | None = None) -> str:
    from service.records.keys import create_key

    with app.app_context():
        _, token = create_key(session=db.session, name=name or f"test {role}", role=role)
        db.session.commit()
    return token


def authed(test_client: Any, token: str) -> Any:
    """A test client that sends this API key with every request."""
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return test_client


@pytest.fixture()
def client(app: Any) -> Any:
    """A client with an admin key: most tests are about behaviour, not permissions."""
    return authed(app.test_client(), make_key(app, "admin"))


@pytest.fixture()
def client_as(app: Any) -> Any:
    """``client_as("screener")``: a client with a new key of that role."""
    return lambda role: authed(app.test_client(), make_key(app, role))


@pytest.fixture()
def anonymous(app: Any) -> Any:
    return app.test_client()


@pytest.fixture()
def session(app: Any) -> Iterator[Any]:
    with app.app_context():
        yield db.session


@pytest.fixture()
def seeded(app: Any) -> dict[str, Any]:
    """The APT31 seed loaded; returns ids by name for convenience."""
    from service.models import Entity, ThreatGroup
    from service.seed import load_seed, read_seed_files

    with app.app_context():
        load_seed(session=db.session, docs=read_seed_files(ROOT / "seed"))
        db.session.commit()
        ids = {e.name: e.id for e in db.session.query(Entity)}
        ids["APT31"] = db.session.query(ThreatGroup).filter_by(name="APT31").one().id
    return ids


def data_file(*parts: str) -> Path:
    """A file of the shared third-party data; skips the test when the folder is absent."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (set SANCTIONS_DATA_DIR)")
    return path

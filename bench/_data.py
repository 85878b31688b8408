"""Where the shared, read-only sanctions data lives.

Set ``SANCTIONS_DATA_DIR`` to point elsewhere; by default it is the
``../shared/data`` folder next to the repository root. The files are read in
place and never copied into the project.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.config import (
    data_dir,  # SANCTIONS_DATA_DIR, declared with the other settings
    normalise_database_url,
)

__all__ = ["data_dir", "data_path", "have", "postgres_database"]


def data_path(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


def have(*parts: str) -> bool:
    return data_path(*parts).exists()


@contextmanager
def postgres_database(server_url: str, prefix: str = "sanctions_bench") -> Iterator[str]:
    """The URL of a new, empty database on the PostgreSQL server ``server_url``, dropped
    (connections and all) when the block ends."""
    server = make_url(normalise_database_url(server_url))
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

"""How long importing the real lists takes, on SQLite and (when given) PostgreSQL.

Run from the repository root::

    .venv/bin/python bench/import_speed.py
    .venv/bin/python bench/import_speed.py --pg postgresql://postgres@127.0.0.1:5432/postgres

Each backend gets a fresh, migrated database (a temp file; a throw-away PostgreSQL database
that is dropped afterwards). Steps, in order: the full OFAC files (all ``ofac/*.csv``), the
same again (unchanged), the full UK list (5 parts), the same again. Targets: <= 30 s for a
full list, <= 15 s for an unchanged one. Times include parsing and the commit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench._data import data_path  # noqa: E402
from service import create_app  # noqa: E402
from service.config import normalise_database_url  # noqa: E402
from service.extensions import db  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.records.imports import run_import  # noqa: E402

STEPS = [("ofac", "ofac", "*.csv", 30.0), ("ofac", "ofac", "*.csv", 15.0),
         ("uk", "uk", "*.csv", 30.0), ("uk", "uk", "*.csv", 15.0)]


def bench(label: str, url: str) -> bool:
    url = normalise_database_url(url)
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url})
    ok = True
    with app.app_context():
        for fmt, folder, pattern, limit in STEPS:
            paths = sorted(data_path(folder).glob(pattern))
            started = time.perf_counter()
            run = run_import(session=db.session, fmt=fmt, paths=paths, origin="cli")
            took = time.perf_counter() - started
            ok &= took <= limit
            print(f"{label:10} {fmt:4} {len(paths)} files  {took:6.2f} s (limit {limit:.0f} s)  "
                  f"added {run.added:5}  changed {run.changed:4}  unchanged {run.unchanged:5}  "
                  f"designations {run.designations:5}  names {run.names:5}", flush=True)
        db.engine.dispose()
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", help="PostgreSQL server URL; a temporary database is created on it")
    args = parser.parse_args()
    if not data_path("ofac", "sdn.csv").exists():
        print(f"shared data not found at {data_path()}; set SANCTIONS_DATA_DIR", file=sys.stderr)
        return 2
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ok &= bench("sqlite", f"sqlite:///{tmp}/bench.db")
    if args.pg:
        server = make_url(normalise_database_url(args.pg))
        name = f"sanctions_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            ok &= bench("postgresql", server.set(database=name).render_as_string(hide_password=False))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print("all within limits" if ok else "SOME STEPS OVER THEIR LIMIT")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

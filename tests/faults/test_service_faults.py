"""Faults against the real thing: ``sanctions serve`` (gunicorn master and sync workers) and
``sanctions import`` as subprocesses, killed with SIGKILL, cancelled mid-job, and cut off
from PostgreSQL by a proxy. Each test checks what a client sees and that no row was lost
or written twice."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from service.config import ROOT, normalise_database_url
from service.models import Designation, Entity, EntityName, ImportRun, ListChange
from tests.conftest import PG_URL, PostgresDatabase, data_file
from tests.faults.proxy import PgProxy
from tests.faults.server import ServiceProcess

NAMES = ["Zhao Guangzong", "Acme Trading", "Ni Gaobin", "Jane Roe", "Wuhan Xiaoruizhi", "Maria Lopez"]
# Small parts and frequent commits, two job threads, forked screening processes: the shape
# of a real service, scaled down so that a job runs for a few seconds.
JOB_ENV = {"JOB_PART_ROWS": "5000", "JOB_PROGRESS_SECONDS": "0.2", "JOB_THREADS": "1", "JOB_PROCESSES": "2"}


def vendor_file(rows: int) -> bytes:
    return ("name,ref\n" + "".join(f"{NAMES[i % len(NAMES)]},R{i}\n" for i in range(rows))).encode()


def submit(svc: ServiceProcess, rows: int) -> int:
    status, _, body = svc.request("POST", "/api/v1/screening-jobs", body=vendor_file(rows),
                                  headers={"Content-Type": "text/csv"})
    assert status == 202, body
    return int(body["id"])


def job(svc: ServiceProcess, job_id: int) -> dict[str, Any]:
    status, _, body = svc.request("GET", f"/api/v1/screening-jobs/{job_id}")
    assert status == 200, body
    return dict(body)


def wait_for(svc: ServiceProcess, job_id: int, done: Any, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    current: dict[str, Any] = {}
    while time.monotonic() < deadline:
        current = job(svc, job_id)
        if done(current):
            return current
        time.sleep(0.1)
    raise AssertionError(f"job {job_id}: {current}\n{svc.log()[-3000:]}")


def finished(j: dict[str, Any]) -> bool:
    return j["status"] in ("done", "failed", "cancelled")


def started(j: dict[str, Any]) -> bool:
    return j["status"] == "running" and (j["progress"]["rows_done"] or 0) >= 500


def result_refs(svc: ServiceProcess, job_id: int) -> list[str]:
    status, _, body = svc.request("GET", f"/api/v1/screening-jobs/{job_id}/results")
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))
    return [r[1] for r in rows[1:]]


@pytest.fixture()
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'faults.db'}"
        return
    pg = PostgresDatabase(PG_URL or "")
    yield pg.create()
    pg.drop()


def test_cancel_a_running_job_then_new_jobs_finish_and_the_service_stops(database: str, tmp_path: Path) -> None:
    svc = ServiceProcess(tmp_path, database_url=database, workers=1, env=JOB_ENV)
    # A real list, so that batches take as long to screen as in production and a cancel
    # finds the screening processes busy (with the seed alone they are mostly idle).
    svc.sanctions("db", "upgrade")
    svc.sanctions("import", "uk", str(data_file("uk")))
    with svc:
        big = submit(svc, 80_000)
        assert not finished(wait_for(svc, big, lambda j: started(j) or finished(j)))
        status, _, body = svc.request("DELETE", f"/api/v1/screening-jobs/{big}")
        assert status == 202 and body["status"] == "cancelled"
        # One worker, one job thread: a wedged thread would leave these queued for ever.
        for job_id in [submit(svc, 300) for _ in range(3)]:
            j = wait_for(svc, job_id, finished, timeout=60)
            assert j["status"] == "done" and j["progress"]["rows_done"] == 300
            assert result_refs(svc, job_id) == [f"R{i}" for i in range(300)]
        assert job(svc, big)["status"] == "cancelled"
        workers = svc.worker_pids()
        screening = [p for w in workers for p in _descendants(w)]
        assert screening == []  # the cancelled job's screening processes are gone
        # A graceful stop still ends the service (a wedged worker did not).
        assert svc.stop(timeout=30) == 0
    assert "Traceback" not in svc.log()


def _descendants(pid: int) -> list[int]:
    from tests.faults.server import _children

    out = []
    for child in _children(pid):
        out += [child, *_descendants(child)]
    return out


def test_kill_9_mid_job_resumes_at_once_with_every_row_once(database: str, tmp_path: Path) -> None:
    rows = 40_000
    svc = ServiceProcess(tmp_path, database_url=database, workers=2, job_recovery=True,
                         env={**JOB_ENV, "JOB_RECOVERY_INTERVAL": "2"})
    try:
        svc.start()
        job_id = submit(svc, rows)
        before = wait_for(svc, job_id, lambda j: started(j) or finished(j))
        assert before["status"] == "running" and before["progress"]["rows_done"] < rows
        svc.kill()
        restarted = time.monotonic()
        svc.start()
        # The killed owner is visibly gone: its parts are taken over without waiting for
        # JOB_STALE_SECONDS (60 s) of silence.
        done = wait_for(svc, job_id, finished, timeout=55)
        assert done["status"] == "done", done
        assert time.monotonic() - restarted < 55
        assert done["progress"]["rows_done"] == rows
        assert sum(done["counts"].values()) == rows
        assert result_refs(svc, job_id) == [f"R{i}" for i in range(rows)]
    finally:
        svc.kill()


@pytest.mark.skipif(not PG_URL, reason="a PostgreSQL outage needs TEST_DATABASE_URL")
def test_postgres_outage_503_then_200_and_the_running_job_finishes(tmp_path: Path) -> None:
    pg = PostgresDatabase(PG_URL or "")
    pg.create()
    proxy = PgProxy(pg.server_url.host or "127.0.0.1", pg.server_url.port or 5432)
    port = proxy.start()
    url = pg.server_url.set(database=pg.name, host="127.0.0.1", port=port).render_as_string(hide_password=False)
    rows = 40_000
    svc = ServiceProcess(tmp_path, database_url=url, workers=2, env=JOB_ENV)
    try:
        svc.start()
        job_id = submit(svc, rows)
        assert wait_for(svc, job_id, lambda j: started(j) or finished(j))["status"] == "running"
        proxy.cut()
        answers = [svc.request("GET", "/api/v1/persons", timeout=15) for _ in range(6)]
        health = svc.request("GET", "/health", key=None, timeout=15)
        time.sleep(3)
        proxy.restore()
        for status, headers, body in [*answers, health]:
            assert status == 503, body
            assert headers["content-type"].startswith("application/problem+json")
            assert int(headers["retry-after"]) > 0
        assert svc.request("GET", "/api/v1/persons")[0] == 200
        done = wait_for(svc, job_id, finished, timeout=120)
        assert done["status"] == "done" and done["progress"]["rows_done"] == rows
        assert result_refs(svc, job_id) == [f"R{i}" for i in range(rows)]
        log = svc.log()
        assert "Traceback" not in log
        # One line when the outage starts, per worker process (two), not one per request.
        assert 1 <= log.count("database unavailable") <= 2 + 2  # + one per job step that waited
    finally:
        svc.kill()
        proxy.close()
        pg.drop()


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            return {m.__tablename__: conn.scalar(select(func.count()).select_from(m)) or 0
                    for m in (Entity, EntityName, Designation, ImportRun, ListChange)}
    finally:
        engine.dispose()


def _in_transaction(url: str, path: Path) -> bool:
    """The import has written inside its (one) transaction that is not committed yet."""
    if url.startswith("sqlite"):
        wal = path.with_name(path.name + "-wal")
        return wal.exists() and wal.stat().st_size > 1_000_000
    engine = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start < now() - interval '1 second' "
                "AND backend_xid IS NOT NULL")))
    finally:
        engine.dispose()


def test_kill_9_mid_import_changes_nothing(database: str, tmp_path: Path) -> None:
    sdn = data_file("ofac", "sdn.csv")
    files = [str(sdn.parent / f) for f in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")]
    env = {**os.environ, "DATABASE_URL": database}
    cli = [sys.executable, "-m", "service.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([*cli, "seed"], env=env, cwd=ROOT, check=True, capture_output=True)
    before = _counts(database)
    db_path = Path(database.removeprefix("sqlite:///"))
    proc = subprocess.Popen([*cli, "import", "ofac", *files], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _in_transaction(database, db_path):
            assert proc.poll() is None, "the import ended before it could be killed mid-transaction"
            assert time.monotonic() < deadline
            time.sleep(0.1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _counts(database) == before  # nothing of the half-done import is visible
    again = subprocess.run([*cli, "import", "ofac", *files], env=env, cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    after = _counts(database)
    assert after["entities"] > before["entities"] + 10_000 and after["import_runs"] == before["import_runs"] + 1

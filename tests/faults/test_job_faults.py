"""Jobs under faults, in-process: a cancelled job and a database outage must neither wedge
the executor nor lose or duplicate rows. (The same against a real gunicorn service, and
kill -9, are in test_service_faults.py.)"""

from __future__ import annotations

import csv
import io
import logging
import multiprocessing
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest

from service import create_app
from service.config import normalise_database_url
from service.extensions import db
from service.migrate import upgrade_database
from service.models import ScreeningJobPart
from service.records.keys import create_key
from service.seed import load_seed, read_seed_files
from tests.api.test_jobs import wait
from tests.conftest import PG_URL, PostgresDatabase, authed, fresh_database
from tests.faults.proxy import PgProxy

ROOT_SEED = __import__("pathlib").Path(__file__).resolve().parents[2] / "seed"
NAMES = ["Zhao Guangzong", "Acme Trading", "Ni Gaobin", "Jane Roe", "Wuhan Xiaoruizhi", "Maria Lopez"]


def vendor_file(rows: int) -> str:
    return "name,ref\n" + "".join(f"{NAMES[i % len(NAMES)]},R{i}\n" for i in range(rows))


def make_app(url: str, jobs_dir: str, **extra: Any) -> Any:
    app = create_app({"DATABASE_URL": url, "TESTING": True, "JOB_DIR": jobs_dir, "JOB_THREADS": 1,
                      "JOB_PROCESSES": 2, "JOB_PART_ROWS": 4000, "JOB_PROGRESS_SECONDS": 0.1, **extra})
    with app.app_context():
        load_seed(session=db.session, docs=read_seed_files(ROOT_SEED))
        db.session.commit()
    return app


def client_for(app: Any) -> Any:
    with app.app_context():
        _, token = create_key(session=db.session, name="faults", role="admin")
        db.session.commit()
    return authed(app.test_client(), token)


def submit(client: Any, body: str) -> int:
    resp = client.post("/api/v1/screening-jobs", data=body.encode(), content_type="text/csv")
    assert resp.status_code == 202, resp.get_data(as_text=True)
    return int(resp.json["id"])


def wait_running(client: Any, job_id: int, rows: int = 1, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/screening-jobs/{job_id}").json
        if job["status"] != "queued" and (job["progress"]["rows_done"] or 0) >= rows:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not start: {job}")


def result_refs(client: Any, job_id: int) -> list[str]:
    resp = client.get(f"/api/v1/screening-jobs/{job_id}/results")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).removeprefix("\ufeff"))))
    return [r[1] for r in rows[1:]]


@pytest.fixture()
def db_url(backend: str, tmp_path: Any) -> Iterator[str]:
    url, cleanup = fresh_database(backend, tmp_path)
    upgrade_database(normalise_database_url(url))
    yield url
    cleanup()


@pytest.fixture()
def gunicorn_sigterm() -> Iterator[None]:
    """This process handles SIGTERM as a gunicorn worker does (a flag, no exit), so the
    screening processes forked by the job threads inherit that handler."""
    old = signal.signal(signal.SIGTERM, lambda *_: None)
    yield
    signal.signal(signal.SIGTERM, old)


def test_cancel_a_running_job_then_new_jobs_finish(db_url: str, tmp_path: Any, gunicorn_sigterm: None) -> None:
    app = make_app(db_url, str(tmp_path / "jobs"))
    client = client_for(app)
    big = submit(client, vendor_file(60_000))
    wait_running(client, big)
    assert client.delete(f"/api/v1/screening-jobs/{big}").status_code == 202
    # With JOB_THREADS=1 a wedged slot would keep every later job queued for ever.
    later = [submit(client, vendor_file(50)) for _ in range(3)]
    for job_id in later:
        job = wait(client, job_id, timeout=60)
        assert job["status"] == "done" and job["progress"]["rows_done"] == 50
        assert result_refs(client, job_id) == [f"R{i}" for i in range(50)]
    assert client.get(f"/api/v1/screening-jobs/{big}").json["status"] == "cancelled"
    with app.app_context():
        states = {p.status for p in db.session.query(ScreeningJobPart).filter_by(job_id=big)}
    assert states <= {"cancelled", "queued", "done"}  # parts not started stay queued; none running
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert multiprocessing.active_children() == []  # the screening processes ended
    app.extensions["screening_jobs"].shutdown()


@pytest.mark.skipif(not PG_URL, reason="a PostgreSQL outage needs TEST_DATABASE_URL")
def test_database_outage_during_a_job_then_it_finishes(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    pg = PostgresDatabase(PG_URL or "")
    pg.create()
    proxy = PgProxy(pg.server_url.host or "127.0.0.1", pg.server_url.port or 5432)
    port = proxy.start()
    url = pg.server_url.set(database=pg.name, host="127.0.0.1", port=port).render_as_string(hide_password=False)
    try:
        upgrade_database(normalise_database_url(url))
        app = make_app(url, str(tmp_path / "jobs"))
        client = client_for(app)
        rows = 30_000
        job_id = submit(client, vendor_file(rows))
        before = wait_running(client, job_id, rows=500)
        assert before["status"] == "running" and before["progress"]["rows_done"] < rows
        caplog.set_level(logging.WARNING, logger="service.jobs.runner")
        proxy.cut()
        time.sleep(5)
        proxy.restore()
        job = wait(client, job_id, timeout=120)
        assert job["status"] == "done", job
        assert job["progress"]["rows_done"] == rows
        assert job["counts"]["matched"] + job["counts"]["clear"] + job["counts"]["errors"] == rows
        assert result_refs(client, job_id) == [f"R{i}" for i in range(rows)]  # none lost, none twice
        warnings = [r for r in caplog.records
                    if r.name == "service.jobs.runner" and "database unavailable" in r.getMessage()]
        assert 1 <= len(warnings) <= 2  # one line per step that waited, not one per retry
        # The executor is not wedged: another job runs to the end.
        after = submit(client, vendor_file(20))
        assert wait(client, after, timeout=60)["status"] == "done"
        app.extensions["screening_jobs"].shutdown()
        with app.app_context():
            db.engine.dispose()
    finally:
        proxy.close()
        pg.drop()

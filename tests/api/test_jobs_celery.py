"""Bulk screening jobs on Celery: a real `sanctions worker` process fed through Redis (its own
queue and key prefix), against the same database as the test (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from service.jobs.context import context_from_config
from service.jobs.executors import CeleryExecutor
from tests.api.test_jobs import _wait_parts_stopped, csv_results, submit, wait

BROKER = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")


def _redis() -> Any:
    import redis

    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover - CI has Redis
        pytest.skip(f"Redis not reachable at {BROKER}: {exc}")
    return client


@pytest.fixture(scope="module")
def worker(app: Any, database_url: str) -> Iterator[dict[str, Any]]:
    """A worker process on a queue of its own; stopped and its Redis keys removed after."""
    redis = _redis()
    tag = f"sanctions-test-{uuid.uuid4().hex[:8]}"
    config = {**app.config, "CELERY_BROKER_URL": BROKER, "JOB_QUEUE": tag, "JOB_KEY_PREFIX": f"{tag}:",
              "JOB_PART_ROWS": 1000}
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": BROKER, "JOB_QUEUE": tag,
           "JOB_KEY_PREFIX": f"{tag}:", "JOB_DIR": app.config["JOB_DIR"], "JOB_PART_ROWS": "1000",
           "SANCTIONS_JOB_BACKEND": "celery"}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--concurrency", "2", "--loglevel", "warning"],
                            env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield config
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        keys = list(redis.scan_iter(f"{tag}*"))
        if keys:
            redis.delete(*keys)


@pytest.fixture()
def celery_client(client: Any, app: Any, worker: dict[str, Any], monkeypatch: Any) -> Any:
    local = app.extensions["screening_jobs"]
    ctx = context_from_config(worker, local.ctx.sessions, local.ctx.cache)
    monkeypatch.setitem(app.extensions, "screening_jobs", CeleryExecutor(ctx, worker))
    return client


def test_job_on_celery_workers(celery_client, seeded):
    client = celery_client
    names = ["Zhao Guangzong", "Acme Trading", "", "Ni Gaobin"] * 600  # 2,400 rows -> 3 parts
    body = "Customer Name,No\n" + "".join(f"{n},{i}\n" for i, n in enumerate(names))
    resp = submit(client, body)
    assert resp.status_code == 202 and resp.json["backend"] == "celery"
    job = wait(client, resp.json["id"], timeout=90)
    assert job["status"] == "done", job
    assert job["progress"]["rows_done"] == 2400
    assert job["counts"] == {"matched": 1200, "clear": 600, "errors": 600}
    rows = csv_results(client, job["id"])
    assert [int(r[1]) for r in rows[1:]] == list(range(2400))  # parts joined in input order
    assert rows[1][6] == "match" and rows[3][-1].startswith("name: Missing data")


def test_cancel_on_celery_workers(celery_client, seeded, app):
    client = celery_client
    body = "name\n" + "".join(f"Vendor {i} Zhao Trading Gaobin Holdings Ltd\n" for i in range(60_000))
    job = submit(client, body).json
    deadline = time.monotonic() + 90
    while client.get(f"/api/v1/screening-jobs/{job['id']}").json["progress"]["rows_done"] == 0:
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.05)
    assert client.delete(f"/api/v1/screening-jobs/{job['id']}").json["status"] == "cancelled"
    _wait_parts_stopped(app, job["id"], timeout=60)
    job = client.get(f"/api/v1/screening-jobs/{job['id']}").json
    assert job["status"] == "cancelled" and job["progress"]["rows_done"] < 60_000

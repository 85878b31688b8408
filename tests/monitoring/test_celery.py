"""Monitoring on Celery: a service app with ``SANCTIONS_JOB_BACKEND=celery`` sends its runs
through a real Redis (a queue and key prefix of its own) to real ``sanctions worker``
processes on the test's database (a SQLite file or PostgreSQL). A worker killed with SIGKILL
mid-run loses nothing and repeats nothing: a new worker, started by the periodic poll's task,
resumes from the database's cursor (delta) or resume point (full rescreen).

``MONITORING_STEP_PAUSE`` (a real setting: a pause after each committed step) makes the runs
last long enough to be killed half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, update

from service import create_app
from service.extensions import db
from service.models import ListChange, MonitoredSubject, MonitoringAlert, MonitoringRun
from service.monitoring import cursors
from service.monitoring.subjects import upsert_many
from service.records.entities import create_entity
from tests.api.test_jobs_celery import BROKER, _redis
from tests.conftest import authed, make_key

NAMES = ["Olena Kovalenko", "Hiroshi Tanaka", "Kwame Mensah", "Siobhan O'Connell", "Arjun Raghunathan",
         "Bartholomew Finch", "Zeynep Yildirim", "Thandiwe Dlamini", "Mateus Carvalho", "Ingrid Solberg",
         "Dariusz Wojcik", "Eleni Papadopoulou"]
# Small steps with a pause after each: a run of the twelve takes several seconds.
SETTINGS = {"MONITORING_RUN_CHANGES": 2, "MONITORING_CHUNK_SUBJECTS": 3, "MONITORING_STEP_PAUSE": 1.0,
            "MONITORING_STORM_MIN": 1000}


class Workers:
    """``sanctions worker`` processes on the test's queue, each in a process group of its own."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--concurrency", "1",
                                 "--loglevel", "warning"], env=self.env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool process: no shutdown, no acknowledgement."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=20)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:  # pragma: no cover
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture()
def celery_service(app: Any, database_url: str, tmp_path: Any) -> Iterator[tuple[Any, Workers]]:
    """(a service app on the Celery backend, its workers); the Redis keys removed after."""
    redis = _redis()
    tag = f"sanctions-test-{uuid.uuid4().hex[:8]}"
    config = {"CELERY_BROKER_URL": BROKER, "JOB_QUEUE": tag, "JOB_KEY_PREFIX": f"{tag}:",
              "SANCTIONS_JOB_BACKEND": "celery", "JOB_DIR": str(tmp_path / "jobs"), **SETTINGS}
    service = create_app({"DATABASE_URL": database_url, "TESTING": True, **config})
    workers = Workers({**os.environ, "DATABASE_URL": database_url, **{k: str(v) for k, v in config.items()}})
    try:
        yield service, workers
    finally:
        workers.stop_all()
        with service.app_context():
            db.engine.dispose()
        keys = list(redis.scan_iter(f"{tag}*"))
        if keys:
            redis.delete(*keys)


def _wait(what: str, check: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _query(service: Any, fn: Callable[[Any], Any]) -> Any:
    with service.app_context():
        try:
            return fn(db.session)
        finally:
            db.session.remove()


def _alerts(service: Any) -> list[tuple[str, str]]:
    """(subject's external id, entity's name) of every alert."""
    return _query(service, lambda s: [tuple(r) for r in s.execute(
        select(MonitoredSubject.external_id, MonitoringAlert.entity_name)
        .join(MonitoredSubject, MonitoredSubject.id == MonitoringAlert.subject_id)
        .order_by(MonitoringAlert.id))])


def _caught_up(service: Any) -> bool:
    return bool(_query(service, lambda s: cursors.read(s, cursors.CHANGES) == (
        s.scalar(select(func.max(ListChange.id))) or 0)))


def _add_people(service: Any, names: list[str]) -> None:
    """The people as listed entities, in one transaction (one list change, one task)."""
    with service.app_context():
        for name in names:
            create_entity(session=db.session, data={"type": "person", "name": name})
        db.session.commit()


def test_delta_runs_on_a_worker_and_resume_after_it_is_killed(celery_service: Any) -> None:
    service, workers = celery_service
    client = authed(service.test_client(), make_key(service, "admin"))
    first = workers.start()
    # A list change reaches the worker, which opens the alert.
    assert client.put("/api/v1/monitoring/subjects/s-0", json={"name": NAMES[0], "type": "person"}).status_code == 201
    _add_people(service, NAMES[:1])
    _wait("the first alert", lambda: len(_alerts(service)) == 1)
    assert _alerts(service) == [("s-0", NAMES[0])]
    assert _query(service, lambda s: s.scalar(select(MonitoringAlert.cause)))["kind"] == "edit"

    for i, name in enumerate(NAMES[1:], start=1):
        assert client.put(f"/api/v1/monitoring/subjects/s-{i}", json={"name": name, "type": "person"}).status_code == 201
    before = _query(service, lambda s: s.scalar(select(func.max(ListChange.id))))
    _add_people(service, NAMES[1:])  # eleven changes: six delta runs of two, a pause after each
    _wait("a delta run past the first", lambda: len(_alerts(service)) >= 3)
    workers.kill(first)
    at_kill = _alerts(service)
    assert 3 <= len(at_kill) < len(NAMES) and not _caught_up(service), "the run was not killed half-way"

    # A new worker; the service's periodic poll (called here) finds the changes past the cursor.
    workers.start()
    service.extensions["monitoring"].poll()
    _wait("the cursor at the end of the change log", lambda: _caught_up(service))
    alerts = _alerts(service)
    assert sorted(alerts) == sorted((f"s-{i}", name) for i, name in enumerate(NAMES))  # nothing lost
    assert alerts[:len(at_kill)] == at_kill  # nothing redone
    runs = _query(service, lambda s: [tuple(r) for r in s.execute(
        select(MonitoringRun.from_change_id, MonitoringRun.to_change_id, MonitoringRun.alerts_opened)
        .where(MonitoringRun.kind == "delta", MonitoringRun.status == "done", MonitoringRun.from_change_id > before)
        .order_by(MonitoringRun.id))])
    # The runs after the kill took over where the cursor was: consecutive ranges, none twice.
    assert [r[0] for r in runs[1:]] == [r[1] + 1 for r in runs[:-1]]
    assert sum(r[2] for r in runs) == len(NAMES) - 1


def test_a_full_rescreen_killed_half_way_resumes_from_its_resume_point(celery_service: Any) -> None:
    service, workers = celery_service
    client = authed(service.test_client(), make_key(service, "admin"))
    first = workers.start()
    _add_people(service, NAMES)
    _wait("the delta runs", lambda: _caught_up(service))
    # Subjects as if screened before the lists held them: only the full rescreen finds them.
    with service.app_context():
        upsert_many(session=db.session, items=[{"external_id": f"s-{i}", "name": name, "type": "person"}
                                               for i, name in enumerate(NAMES)])
        db.session.execute(update(MonitoredSubject).values(screened_version=MonitoredSubject.version))
        db.session.commit()
    assert _alerts(service) == []
    r = client.post("/api/v1/monitoring/runs", json={"kind": "full"})
    assert r.status_code == 202, r.json
    run_id = r.json["id"]
    _wait("two chunks of the full rescreen", lambda: len(_alerts(service)) >= 6)
    workers.kill(first)
    at_kill = _alerts(service)
    resume_after = _query(service, lambda s: s.get(MonitoringRun, run_id).resume_after)
    assert 6 <= len(at_kill) < len(NAMES) and resume_after > 0

    workers.start()
    service.extensions["monitoring"].poll()  # resubmits the full run still marked running
    _wait("the full rescreen's end", lambda: _query(service, lambda s: s.get(MonitoringRun, run_id).status) == "done")
    alerts = _alerts(service)
    assert sorted(alerts) == sorted((f"s-{i}", name) for i, name in enumerate(NAMES))
    assert alerts[:len(at_kill)] == at_kill and max(Counter(alerts).values()) == 1
    run = _query(service, lambda s: s.get(MonitoringRun, run_id))
    # Every subject counted once: the killed chunk's claim was rolled back with its alerts.
    assert run.subjects_screened == len(NAMES) and run.alerts_opened == len(NAMES)

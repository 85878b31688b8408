"""``sanctions monitoring``: import a portfolio file, rescreen the portfolio, show the status;
one-line errors and a non-zero exit on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import insert, select, update

from service.cli import main
from service.extensions import db
from service.models import ListChange, MonitoredSubject, MonitoringRun
from service.monitoring.subjects import upsert_many

from .conftest import alerts_of, move


def _run(database_url: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["monitoring", *args], env={"DATABASE_URL": database_url})


def _one_line_error(result: Any, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.output.startswith("sanctions: error:") and result.output.strip().count("\n") == 0, result.output
    assert text in result.output, result.output


def _portfolio(tmp_path: Path, body: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "customers.csv"
    path.write_bytes(body.encode(encoding))
    return path


def _screened_subjects(app: Any, items: list[dict[str, Any]]) -> None:
    """Subjects written and marked screened without screening them (as if screened before the
    lists held their matches): only a full rescreen finds those."""
    with app.app_context():
        upsert_many(session=db.session, items=items)
        db.session.execute(update(MonitoredSubject).values(screened_version=MonitoredSubject.version))
        db.session.commit()


def test_import_writes_subjects_as_the_upload_does(app: Any, seeded: Any, database_url: str, monitor: Any,
                                                   tmp_path: Path) -> None:
    monitor.drain()
    path = _portfolio(tmp_path, "Customer No;Full Name;Date of Birth;Country\n"
                                "c-1;Zhao Guangzong;1985;CN\nc-2;Maria Garcia Lopez;;ES\n;Nobody;;\n"
                                "c-2;Repeated Row;;\n")
    result = _run(database_url, "import", str(path), "--external-id-column", "Customer No")
    assert result.exit_code == 0, result.output
    assert "customers.csv: 4 rows: 2 created, 0 updated, 0 unchanged, 2 rejected" in result.stdout
    assert "line 4: external_id: Missing data" in result.stderr
    assert "line 5: external_id: appears on an earlier line" in result.stderr
    with app.app_context():
        rows = {s.external_id: s for s in db.session.scalars(select(MonitoredSubject))}
    assert rows["c-1"].name == "Zhao Guangzong" and rows["c-1"].country == "CN" and rows["c-1"].birth_date == "1985"
    assert rows["c-1"].screened_version is None  # pending: the service or a worker screens it
    assert alerts_of(app) == []
    # Again with --screen: nothing changed, but the pending subjects are screened here and now.
    again = _run(database_url, "import", str(path), "--screen")
    assert again.exit_code == 0, again.output
    assert "2 unchanged" in again.stdout
    assert "(subjects) done: 2 subjects screened" in again.stdout and "1 alerts opened" in again.stdout
    [alert] = alerts_of(app)
    assert alert.entity_id == seeded["ZHAO, Guangzong"] and alert.cause == {"kind": "subject"}


def test_import_bad_input_is_one_line_and_writes_nothing(app: Any, database_url: str, tmp_path: Path) -> None:
    _one_line_error(_run(database_url, "import", str(tmp_path / "missing.csv")), "no such file")
    no_id = _portfolio(tmp_path, "name,country\nJane Roe,GB\n")
    _one_line_error(_run(database_url, "import", str(no_id)), "no external id column")
    _one_line_error(_run(database_url, "import", str(no_id), "--external-id-column", "Number"),
                    "There is no column 'Number'")
    _one_line_error(_run(database_url, "import", str(no_id), "--external-id-column", "name", "--name-column", "x"),
                    "x")
    with app.app_context():
        assert db.session.scalars(select(MonitoredSubject)).all() == []


def test_rescreen_in_the_foreground_skips_decided_pairs(app: Any, client: Any, seeded: Any, database_url: str,
                                                        monitor: Any) -> None:
    monitor.drain()
    _screened_subjects(app, [{"external_id": "v-1", "name": "Zhao Guangzong", "type": "person"},
                             {"external_id": "v-2", "name": "Maria Garcia Lopez", "type": "person"}])
    result = _run(database_url, "rescreen")
    assert result.exit_code == 0, result.output
    assert "(full) done: 2 subjects screened" in result.stdout and "1 alerts opened" in result.stdout
    [alert] = alerts_of(app)
    assert alert.entity_id == seeded["ZHAO, Guangzong"] and alert.cause["kind"] == "full"
    assert move(client, alert.id, "under_review").status_code == 200
    assert move(client, alert.id, "false_positive", "another Zhao").status_code == 200
    # The pair is decided for the same versions: a second rescreen opens nothing.
    second = _run(database_url, "rescreen")
    assert second.exit_code == 0 and "0 alerts opened" in second.stdout, second.output
    assert [a.state for a in alerts_of(app)] == ["false_positive"]


def test_rescreen_in_the_background_and_a_second_one_refused(app: Any, seeded: Any, database_url: str,
                                                             monitor: Any) -> None:
    monitor.drain()
    _screened_subjects(app, [{"external_id": "v-1", "name": "Zhao Guangzong", "type": "person"}])
    started = _run(database_url, "rescreen", "--background")
    assert started.exit_code == 0, started.output
    with app.app_context():
        run = db.session.scalars(select(MonitoringRun).where(MonitoringRun.kind == "full")).one()
        assert run.status == "running" and f"run {run.id}" in started.stdout
    # The command's process runs nothing: the service's monitor (here, the test app's) does.
    assert alerts_of(app) == []
    _one_line_error(_run(database_url, "rescreen"), "already running")
    monitor.submit_full(run.id)
    assert monitor.drain()
    assert len(alerts_of(app, run_id=run.id)) == 1


def test_status_shows_the_cursor_the_lag_and_the_runs(app: Any, seeded: Any, database_url: str,
                                                      monitor: Any, tmp_path: Path) -> None:
    _one_line_error(_run(f"sqlite:///{tmp_path / 'not-migrated.db'}", "status"), "database error")
    monitor.drain()
    caught_up = json.loads(_run(database_url, "status", "--json").stdout)
    assert caught_up["cursor"] == caught_up["end"] > 0 and caught_up["changes_waiting"] == 0
    assert caught_up["runs"][0]["kind"] == "delta" and caught_up["runs"][0]["status"] == "done"
    # A change the monitor has not heard of (written behind the hooks' back): one change waiting.
    with app.app_context():
        counter = db.session.scalar(select(ListChange.counter).order_by(ListChange.id.desc()).limit(1))
        db.session.execute(insert(ListChange).values(counter=counter, entity_id=seeded["ZHAO, Guangzong"]))
        db.session.commit()
    waiting = json.loads(_run(database_url, "status", "--json", "--runs", "1").stdout)
    assert waiting["end"] == waiting["cursor"] + 1 and waiting["changes_waiting"] == 1
    assert waiting["waiting_seconds"] > 0 and len(waiting["runs"]) == 1
    text = _run(database_url, "status")
    assert text.exit_code == 0, text.output
    assert f"cursor at {waiting['cursor']} of {waiting['end']}, 1 changes waiting" in text.stdout
    assert "portfolio: 0 active (0 pending), 0 paused" in text.stdout
    assert "delta done" in text.stdout

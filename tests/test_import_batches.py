"""Imports work in batches of entries (records/imports/run.py) and read FtM files in two
streaming passes: the records, history, change log and run records they leave are the ones a
single batch leaves, on every backend; a failed import leaves the database as it was."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.config import normalise_database_url
from service.migrate import upgrade_database
from service.models import Base, Designation, Entity
from service.records import bulk
from service.records.engine import make_engine
from service.records.history import install_history_hooks
from service.records.imports import run as import_run
from service.records.imports import run_import
from service.records.listing import install_list_state_hooks
from tests.api.test_imports import BACKGROUND
from tests.conftest import BACKENDS, fresh_database

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
ONE_BATCH = 10**9
# Timestamps differ from run to run; the rest must not.
TIMES = {"created_at", "updated_at", "started_at", "finished_at", "at", "committed_at"}
# Rows no one refers to by id: written batch by batch, an entity's new names (say) may be
# numbered after another batch's, so these compare as sets of rows.
# Designations are compared by their reference for the same reason.
UNNUMBERED = {"entity_names", "entity_identifiers", "history", "list_changes", "designations"}


def files(folder: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / folder).iterdir() if p.is_file())


def shuffled_ftm(tmp: Path) -> Path:
    """The FtM fixture and more, in an order a whole-file read never had to care about:
    Sanctions before their entities, an entity given twice, an older id (referent) used by a
    Sanction, and one list reference on two entities far apart (they become one record)."""
    lines = [json.loads(x) for x in (FIXTURES / "ftm" / "ftm_small.ftm.json").read_text().splitlines() if x.strip()]
    for i in range(30):
        lines.append({"id": f"p{i}", "schema": "Person", "caption": f"Person {i}",
                      "properties": {"name": [f"Person Number {i}"], "birthDate": ["1970", "bad"],
                                     "passportNumber": [f"X{i:05d}"]}, "referents": [f"old-p{i}"]})
        lines.append({"id": f"s{i}", "schema": "Sanction", "datasets": ["xx_test"],
                      "properties": {"entity": [f"old-p{i}" if i % 3 == 0 else f"p{i}"],
                                     "authorityId": [f"T{i % 29}"], "listingDate": [f"2020-01-0{i % 9 + 1}"]}})
    lines.append({"id": "p7", "schema": "Person", "properties": {"name": ["Person Seven Again"]}})
    lines.append({"id": "pp", "schema": "Passport", "properties": {"holder": ["p3", "nobody"], "number": ["Z1"],
                                                                    "country": ["atlantis"]}})
    random.Random(13).shuffle(lines)
    path = tmp / "shuffled.ftm.json"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def scenario(tmp: Path) -> list[tuple[str, list[Path]]]:
    return [("ofac", files("ofac")), ("uk", files("uk")), ("un", files("un")), ("eu", files("eu")),
            ("ftm", files("ftm")), ("ftm", [shuffled_ftm(tmp)]), ("ofac", files("ofac_v2")),
            ("ftm", [tmp / "shuffled.ftm.json"])]


def dump(session: Session) -> dict[str, Any]:
    """Every row of every table the imports write, but the timestamps; entities numbered from
    1 in the order of their ids (a rolled-back attempt uses up PostgreSQL sequence values)."""
    out: dict[str, Any] = {}
    references = {row.id: f"{row.authority}:{row.list_ref}"
                  for row in session.execute(select(Designation.id, Designation.authority, Designation.list_ref))}
    number = {eid: n for n, eid in enumerate(session.scalars(select(Entity.id).order_by(Entity.id)), 1)}
    for table in Base.metadata.sorted_tables:
        if table.name == "list_state" or table.name in BACKGROUND:
            continue
        rows = [{k: v for k, v in row.items() if k not in TIMES}
                for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
        for row in rows:
            _renumber(table.name, row, number, references)
        if table.name in UNNUMBERED:
            rows = sorted(({k: v for k, v in row.items() if k != "id"} for row in rows),
                          key=lambda row: json.dumps(row, sort_keys=True, default=str))
        if rows:
            out[table.name] = rows
    return out


def _renumber(table: str, row: dict[str, Any], number: dict[int, int], references: dict[int, str]) -> None:
    if "entity_id" in row:
        row["entity_id"] = number[row["entity_id"]]
    if table == "entities":
        row["id"] = number[row["id"]]
    elif table == "designations":
        row["id"] = references[row["id"]]
    elif table == "history" and row["record_type"] == "entity":
        row["record_id"] = row["snapshot"]["id"] = number[row["record_id"]]
    elif table == "history" and row["record_type"] == "designation":
        row["record_id"] = row["snapshot"]["id"] = references[row["record_id"]]
        row["snapshot"]["entity_id"] = number[row["snapshot"]["entity_id"]]
    elif table == "import_runs":
        for change in row["changes"] or []:
            change["entity_id"] = number.get(change["entity_id"])


@pytest.fixture(params=BACKENDS)
def engines(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[Engine]]:
    install_list_state_hooks()  # as create_app does: the counter grows once per import
    install_history_hooks()
    made, cleanups = [], []
    for _ in range(2):
        url, cleanup = fresh_database(request.param, tmp_path)
        cleanups.append(cleanup)
        upgrade_database(normalise_database_url(url))
        made.append(make_engine(normalise_database_url(url)))
    yield made
    for engine in made:
        engine.dispose()
    for cleanup in cleanups:
        cleanup()


def test_batches_leave_what_one_batch_leaves(engines: list[Engine], tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """One batch written with INSERTs, against batches of 3 written with COPY (on PostgreSQL)."""
    dumps = []
    for engine, batch_size, copy_min in zip(engines, (ONE_BATCH, 3), (ONE_BATCH, 1), strict=True):
        monkeypatch.setattr(bulk, "COPY_MIN_ROWS", copy_min)
        with Session(engine) as session, caplog.at_level(logging.INFO, logger=import_run.__name__):
            for fmt, paths in scenario(tmp_path):
                run_import(session=session, fmt=fmt, paths=paths, batch_size=batch_size)
            dumps.append(dump(session))
    assert dumps[0] == dumps[1]
    assert dumps[0]["import_runs"][5]["warning_count"] > 0
    # The reference given to two entries far apart sent that import back to one batch.
    assert "import in one batch" in caplog.text


def test_a_failure_in_a_later_batch_leaves_the_database_as_it_was(
        engines: list[Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = engines[0]
    with Session(engine) as session:
        run_import(session=session, fmt="ofac", paths=files("ofac"))
        before = dump(session)
        calls = []
        real = import_run.write_import_history

        def fail_on_the_third_batch(*args: Any, **kwargs: Any) -> None:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("the database went away")
            real(*args, **kwargs)

        monkeypatch.setattr(import_run, "write_import_history", fail_on_the_third_batch)
        with pytest.raises(RuntimeError):
            run_import(session=session, fmt="uk", paths=files("uk"), batch_size=2)
        after = dump(session)
    failed = after["import_runs"].pop()
    assert failed["status"] == "failed" and "the database went away" in failed["error"]
    assert after == before


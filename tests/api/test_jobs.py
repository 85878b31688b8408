"""Bulk screening jobs through the API, on the embedded (thread pool) executor."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from service import create_app
from service.cli import main
from service.extensions import db
from service.jobs import pipeline, runner
from service.models import ScreeningJob, ScreeningJobPart, utcnow
from service.records.screening import IndexCache
from service.screening import ScreeningIndex, Subject
from service.screening.vocabulary import BULK_VOCAB_CACHE_SIZE, VOCAB_CACHE_SIZE
from tests.helpers import problem

VENDORS = (
    "Vendor Name;DOB;Country;Ref\n"
    "Zhao Guangzong;12.11.1985;China;V1\n"
    '"Wuhan Xiaoruizhi Science and\nTechnology Co Ltd";;CN;V2\n'
    "\n"
    "=HYPERLINK(\"http://evil\");;;V3\n"
    ";;;V4\n"
    "Jane Austen;1975;GB;V5\n"
    "Ni Gaobin;sometime;;V6\n"
)


def submit(client: Any, body: bytes | str, query: str = "", *, multipart: bool = False) -> Any:
    data = body.encode("utf-8") if isinstance(body, str) else body
    url = f"/api/v1/screening-jobs{query}"
    if multipart:
        return client.post(url, data={"file": (io.BytesIO(data), "vendors.csv")}, content_type="multipart/form-data")
    return client.post(url, data=data, content_type="text/csv")


def wait(client: Any, job_id: int, timeout: float = 30, until: tuple[str, ...] = ("done", "failed", "cancelled")) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/screening-jobs/{job_id}").json
        if job["status"] in until:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['status']}: {job}")


def csv_results(client: Any, job_id: int, **kw: Any) -> list[list[str]]:
    resp = client.get(f"/api/v1/screening-jobs/{job_id}/results", **kw)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(resp.get_data(as_text=True).removeprefix("\ufeff"))))


def test_job_end_to_end(client, seeded):
    resp = submit(client, VENDORS, multipart=True)
    assert resp.status_code == 202, resp.json
    job = resp.json
    assert resp.headers["Location"].endswith(f"/api/v1/screening-jobs/{job['id']}")
    assert job["delimiter"] == ";" and job["columns"]["name"] == ["Vendor Name"]
    assert job["columns"]["birth_date"] == "DOB" and job["filename"] == "vendors.csv"
    job = wait(client, job["id"])
    assert job["status"] == "done", job
    assert job["progress"] == {"rows_done": 6, "rows_total": 6, "percent": 100.0}
    assert job["counts"] == {"matched": 2, "clear": 2, "errors": 2}
    assert job["finished_at"] and job["duration_seconds"] is not None and job["list_version"] is not None

    rows = csv_results(client, job["id"])
    assert rows[0][:4] == ["Vendor Name", "DOB", "Country", "Ref"]
    assert rows[0][4:] == ["match_entity_id", "match_name", "matched_name", "match_score", "decision",
                           "match_references", "match_count", "explanation", "row", "error"]
    by_ref = {r[3]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert list(by_ref) == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert by_ref["V1"]["decision"] == "match" and by_ref["V1"]["match_references"] == "OFAC:47814;UK:CYB0045"
    assert "birth_date +" in by_ref["V1"]["explanation"]
    assert by_ref["V2"]["decision"] == "match" and by_ref["V2"]["row"] == "3"
    assert by_ref["V3"]["Vendor Name"] == "'=HYPERLINK(\"http://evil\")"  # formula neutralised
    assert by_ref["V4"]["decision"] == "error" and by_ref["V4"]["row"] == "7"
    assert by_ref["V4"]["error"].startswith("name: Missing data")
    assert by_ref["V6"]["error"].startswith("birth_date: not a date") and by_ref["V6"]["row"] == "9"

    lines = client.get(f"/api/v1/screening-jobs/{job['id']}/results?format=jsonl").get_data(as_text=True).splitlines()
    first = json.loads(lines[0])
    assert first["row"] == 2 and first["input"]["Ref"] == "V1" and first["decision"] == "match"
    assert first["matches"][0]["explanation"]["final_score"] == first["matches"][0]["score"]
    accept = client.get(f"/api/v1/screening-jobs/{job['id']}/results", headers={"Accept": "application/x-ndjson"})
    assert accept.mimetype == "application/x-ndjson" and accept.get_data(as_text=True).splitlines() == lines

    listed = client.get("/api/v1/screening-jobs?page_size=1").json
    assert listed["total"] == 1 and listed["pages"] == 1 and listed["items"][0]["id"] == job["id"]
    assert client.get("/api/v1/screening-jobs?status=failed").json["total"] == 0
    problem(client.get("/api/v1/screening-jobs?bogus=1"), 422)
    problem(client.get("/api/v1/screening-jobs/999999"), 404)

    # A finished job is deleted with its files.
    assert client.delete(f"/api/v1/screening-jobs/{job['id']}").status_code == 204
    problem(client.get(f"/api/v1/screening-jobs/{job['id']}"), 404)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings(client, seeded, encoding):
    text = "Name,Note\nZhao Guangzong,Caf\u00e9 \u20ac\nM\u00fcller GmbH,\u00e0 la carte\n"
    job = wait(client, submit(client, text.encode(encoding)).json["id"])
    assert job["status"] == "done" and job["encoding"] == encoding
    rows = csv_results(client, job["id"])
    assert rows[1][:2] == ["Zhao Guangzong", "Caf\u00e9 \u20ac"] and rows[1][6] == "match"
    assert rows[2][:2] == ["M\u00fcller GmbH", "\u00e0 la carte"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_and_header_mapping_sync(client, seeded, delimiter):
    text = delimiter.join(["ID", "First Name", "Last Name", "Date of Birth"]) + "\n"
    text += delimiter.join(["1", "Guangzong", "Zhao", "1985-11-12"]) + "\n"
    resp = client.post("/api/v1/screen/csv", data=text.encode(), content_type="text/csv")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True).removeprefix("\ufeff"))))
    assert rows[0][:4] == ["ID", "First Name", "Last Name", "Date of Birth"]
    assert rows[1][5] == "ZHAO, Guangzong" and rows[1][8] == "match"


def test_screen_csv_sync(client, seeded, app, monkeypatch):
    resp = client.post("/api/v1/screen/csv?format=jsonl&name_column=Party",
                       data={"file": (io.BytesIO(b"Party|x\nNi Gaobin|=1+1\n"), "p.csv")})
    assert resp.status_code == 200 and resp.mimetype == "application/x-ndjson"
    record = json.loads(resp.get_data(as_text=True))
    assert record["input"] == {"Party": "Ni Gaobin", "x": "=1+1"} and record["decision"] == "match"
    monkeypatch.setitem(app.config, "SYNC_MAX_ROWS", 2)
    err = problem(client.post("/api/v1/screen/csv", data=b"name\na\nb\nc\n", content_type="text/csv"), 413)
    assert "screening-jobs" in err["detail"]
    problem(client.post("/api/v1/screen/csv", data=b"\x89PNG\r\n\x1a\n\x00\x00", content_type="text/csv"), 422)


def test_rejected_uploads(client, app, monkeypatch):
    err = problem(submit(client, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, multipart=True), 422)
    assert "PNG" in err["detail"]
    problem(submit(client, bytes(range(256)) * 50), 422)
    err = problem(submit(client, "city,zip\nParis,75001\n"), 422)
    assert "name_column" in err["errors"]
    problem(submit(client, "Vendor,x\nA,b\n", "?name_column=Nope"), 422)
    problem(submit(client, "name\nA\n", "?threshold=2"), 422)
    problem(client.post("/api/v1/screening-jobs", json={"name": "x"}), 415)
    problem(client.post("/api/v1/screening-jobs", data={"other": "x"}, content_type="multipart/form-data"), 422)
    # Its own size limit, beyond the JSON endpoints' MAX_CONTENT_LENGTH.
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1000)
    problem(submit(client, "name\n" + "Acme Ltd\n" * 200), 413)
    problem(submit(client, "name\n" + "Acme Ltd\n" * 200, multipart=True), 413)
    assert client.get("/api/v1/screening-jobs").json["total"] == 0


def test_upload_larger_than_the_json_limit(client, app):
    big = "x" * 900_000
    body = f"name,notes\nAcme Ltd,{big}\nZhao Guangzong,{big}\nJane Roe,{big}\n"
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]
    job = wait(client, submit(client, body).json["id"])
    assert job["status"] == "done" and job["progress"]["rows_done"] == 3


def test_a_file_that_turns_out_not_to_be_csv_fails_the_job(client):
    body = "name\nAcme\n" + "y" * (1024 * 1024 + 10) + "\n"
    job = wait(client, submit(client, body).json["id"])
    assert job["status"] == "failed" and "not a CSV file" in job["error"]
    problem(client.get(f"/api/v1/screening-jobs/{job['id']}/results"), 409)


def _slow_screening(monkeypatch: Any, delay: float) -> None:
    original = runner.screen_formatted

    def slow(*args: Any, **kwargs: Any) -> Any:
        for item in original(*args, **kwargs):
            time.sleep(delay)
            yield item

    monkeypatch.setattr(runner, "screen_formatted", slow)


def test_cancel_a_running_job(client, seeded, monkeypatch):
    _slow_screening(monkeypatch, 0.002)
    body = "name\n" + "".join(f"Vendor {i} Trading Ltd\n" for i in range(3000))
    job = submit(client, body).json
    wait(client, job["id"], until=("running",))
    deadline = time.monotonic() + 20
    while client.get(f"/api/v1/screening-jobs/{job['id']}").json["progress"]["rows_done"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    resp = client.delete(f"/api/v1/screening-jobs/{job['id']}")
    assert resp.status_code == 202 and resp.json["status"] == "cancelled"
    _wait_parts_stopped(client.application, job["id"])
    job = client.get(f"/api/v1/screening-jobs/{job['id']}").json
    assert job["status"] == "cancelled" and 0 < job["progress"]["rows_done"] < 3000
    problem(client.delete(f"/api/v1/screening-jobs/{job['id']}/results"), 405)
    problem(client.get(f"/api/v1/screening-jobs/{job['id']}/results"), 409)


def _wait_parts_stopped(app: Any, job_id: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    with app.app_context():
        while time.monotonic() < deadline:
            db.session.rollback()
            states = {p.status for p in db.session.query(ScreeningJobPart).filter_by(job_id=job_id)}
            if not states & {"queued", "running"}:
                return
            time.sleep(0.05)
    raise AssertionError(f"parts of job {job_id} still running")


def test_cancel_a_queued_job(client, app, monkeypatch):
    executor = app.extensions["screening_jobs"]
    monkeypatch.setattr(executor, "submit", lambda job_id: None)  # nobody picks it up
    job = submit(client, "name\nAcme\n").json
    assert client.delete(f"/api/v1/screening-jobs/{job['id']}").json["status"] == "cancelled"
    assert runner.prepare(executor.ctx, job["id"]) == []  # a worker arriving late does nothing
    assert client.get(f"/api/v1/screening-jobs/{job['id']}").json["status"] == "cancelled"


def test_restart_resumes_interrupted_job_and_keeps_results(client, seeded, app, monkeypatch):
    executor = app.extensions["screening_jobs"]
    finished = wait(client, submit(client, "name\nZhao Guangzong\n").json["id"])
    before = csv_results(client, finished["id"])

    monkeypatch.setattr(executor, "submit", lambda job_id: None)  # the "old process" dies at once
    monkeypatch.setattr(executor.ctx, "part_rows", 2)
    body = "name,ref\n" + "".join(f"{n},R{i}\n" for i, n in enumerate(["Zhao Guangzong", "Acme", "Ni Gaobin",
                                                                         "Jane Roe", "Gaobin Ni"]))
    job_id = submit(client, body).json["id"]
    # The "old process" with an index of its own (the session app's may hold earlier tests' rows).
    old = dataclasses.replace(executor.ctx, cache=IndexCache())
    assert runner.prepare(old, job_id) == [0, 1, 2]
    runner.run_part(old, job_id, 0)
    with app.app_context():  # part 1 was being screened when the process died
        part = db.session.query(ScreeningJobPart).filter_by(job_id=job_id, number=1).one()
        part.status, part.heartbeat_at = "running", utcnow() - timedelta(hours=1)
        job = db.session.get(ScreeningJob, job_id)
        runner.part_files(executor.ctx.jobs_dir, job, 1)[0].write_text("half-written garbage\n")
        db.session.commit()
    monkeypatch.undo()

    restarted = create_app({"DATABASE_URL": app.config["DATABASE_URL"], "TESTING": True,
                            "JOB_DIR": app.config["JOB_DIR"]})
    other = restarted.test_client()
    other.environ_base.update(client.environ_base)
    jobs, parts = restarted.extensions["screening_jobs"].recover(include_queued=True)  # start-up recovery
    assert jobs == [] and parts == [(job_id, 1), (job_id, 2)]
    done = wait(other, job_id)
    assert done["status"] == "done" and done["counts"]["matched"] == 3 and done["progress"]["rows_done"] == 5
    rows = csv_results(other, job_id)
    assert [r[1] for r in rows[1:]] == ["R0", "R1", "R2", "R3", "R4"]
    assert [r[-2] for r in rows[1:]] == ["2", "3", "4", "5", "6"]
    assert "garbage" not in str(rows)
    assert csv_results(other, finished["id"]) == before  # finished results survive a restart


def test_index_is_pinned_while_a_job_screens(client, app, seeded):
    cache = app.extensions["screening_index"]
    with app.app_context():
        with cache.pinned(session=db.session) as state:
            client.post("/api/v1/persons", json={"name": "Pinned Person"})
            fresh = cache.current(session=db.session)
            # The write rebuilt a new index instead of patching the one the job screens with.
            assert fresh.index is not state.index
            assert fresh.index.screen(Subject(name="Pinned Person"))
            assert not state.index.screen(Subject(name="Pinned Person"))


def test_cli_screen_counts_rows_and_neutralises_formulas(app, seeded, database_url, tmp_path):
    src = tmp_path / "vendors.csv"
    src.write_bytes(codecs.BOM_UTF8 + b"Supplier;Land\n@SUM(A1);DE\nZhao Guangzong;CN\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out)], env={"DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[1][0] == "'@SUM(A1)" and rows[2][6] == "match"
    assert "screened 2 rows" in result.output


def test_a_job_screen_csv_and_the_cli_give_the_same_files(client, seeded, database_url, tmp_path):
    """One pipeline: the same file gives byte-identical results as a job, at once and from
    the command line, in both formats (CSV with a BOM; JSON Lines with decisions and
    explanations)."""
    job = wait(client, submit(client, VENDORS).json["id"])
    assert job["status"] == "done", job
    src = tmp_path / "vendors.csv"
    src.write_text(VENDORS, encoding="utf-8")
    for fmt in ("csv", "jsonl"):
        from_job = client.get(f"/api/v1/screening-jobs/{job['id']}/results?format={fmt}").data
        at_once = client.post(f"/api/v1/screen/csv?format={fmt}", data=VENDORS.encode(), content_type="text/csv")
        assert at_once.status_code == 200, at_once.get_data(as_text=True)
        out = tmp_path / f"out.{fmt}"
        result = CliRunner().invoke(main, ["screen", str(src), "-o", str(out), "--format", fmt],
                                    env={"DATABASE_URL": database_url})
        assert result.exit_code == 0, result.output
        assert from_job == at_once.data == out.read_bytes()
        if fmt == "csv":
            assert from_job.startswith(codecs.BOM_UTF8)
        else:
            first = json.loads(from_job.splitlines()[0])
            assert first["decision"] == "match" and "explanation" in first["matches"][0]


def test_concurrent_jobs(client, seeded):
    ids = []
    threads = [threading.Thread(target=lambda: ids.append(submit(client, "name\nNi Gaobin\nAcme\n").json["id"]))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for job_id in ids:
        assert wait(client, job_id)["counts"] == {"matched": 1, "clear": 1, "errors": 0}


def test_finished_job_is_in_the_evidence_log(client, seeded):
    resp = submit(client, VENDORS, multipart=True)
    assert resp.status_code == 202
    job = wait(client, resp.json["id"])
    assert job["status"] == "done"
    logged = client.get("/api/v1/screenings?kind=job").json
    assert logged["total"] == 1
    row = logged["items"][0]
    assert row["batch_key"] == str(job["id"]) and row["key_name"] == "test admin" and row["request_id"]
    assert row["subject"]["filename"] == "vendors.csv" and row["had_match"] is True
    assert row["list_fingerprint"] and row["algorithm_version"]
    assert seeded["ZHAO, Guangzong"] in {r["entity_id"] for r in row["results"] if r["match"]}
    by_entity = client.get(f"/api/v1/screenings?kind=job&entity_id={seeded['ZHAO, Guangzong']}").json
    assert by_entity["total"] == 1


def test_screeners_see_only_their_own_jobs(client, client_as, seeded):
    mine, other = client_as("screener"), client_as("screener")
    job = submit(mine, "name\nZhao Guangzong\n").json
    wait(mine, job["id"])
    assert mine.get("/api/v1/screening-jobs").json["total"] == 1
    assert other.get("/api/v1/screening-jobs").json["total"] == 0
    problem(other.get(f"/api/v1/screening-jobs/{job['id']}"), 404)
    problem(other.get(f"/api/v1/screening-jobs/{job['id']}/results"), 404)
    problem(other.delete(f"/api/v1/screening-jobs/{job['id']}"), 404)
    assert mine.get(f"/api/v1/screening-jobs/{job['id']}/results").status_code == 200
    # An analyst reviewing screenings sees every job.
    assert client_as("analyst").get(f"/api/v1/screening-jobs/{job['id']}").status_code == 200


def test_screening_processes_give_the_same_results_as_the_job_thread(client, seeded, app, monkeypatch):
    ctx = app.extensions["screening_jobs"].ctx
    names = ["Zhao Guangzong", "Acme Trading Ltd", "Ni Gaobin", "", "Wuhan Xiaoruizhi Science & Technology Co",
             "Jane Roe", "Gaobin Ni", "Zhao G."]
    body = "name,ref,dob\n" + "".join(f"{n},R{i},{'nope' if n == 'Jane Roe' else ''}\n"
                                      for i, n in enumerate(names * 150))
    results = {}
    for processes in (0, 1, 2):
        monkeypatch.setattr(ctx, "processes", processes)
        monkeypatch.setattr(pipeline, "BATCH_ROWS", 7)  # many batches, some with bad rows only
        job = wait(client, submit(client, body).json["id"])
        assert job["status"] == "done" and job["progress"]["rows_done"] == 1200, job
        results[processes] = (job["counts"], csv_results(client, job["id"]),
                              client.get(f"/api/v1/screening-jobs/{job['id']}/results?format=jsonl").data)
    assert results[0] == results[1] == results[2]
    assert results[2][0]["matched"] >= 600 and results[2][0]["errors"] == 300


def test_a_jobs_screening_processes_are_tuned_for_bulk(client, seeded, app, monkeypatch):
    """They remember more of the query work that rows repeat (ScreeningIndex.for_bulk, run in
    each forked process: tests/unit/test_parallel.py); the service's own index does not."""
    monkeypatch.setattr(app.extensions["screening_jobs"].ctx, "processes", 2)
    setups = []
    real = pipeline.map_batches

    def spy(*args: Any, **kwargs: Any) -> Any:
        setups.append(kwargs.get("setup"))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "map_batches", spy)
    job = wait(client, submit(client, "name\nZhao Guangzong\nNi Gaobin\n").json["id"])
    assert job["status"] == "done" and job["counts"]["matched"] == 2, job
    assert setups and all(s == ScreeningIndex.for_bulk for s in setups)
    with app.app_context():
        index = app.extensions["screening_index"].current(session=db.session).index
    assert index._retrieval.vocab.cache_size == VOCAB_CACHE_SIZE


def test_a_celery_workers_index_is_tuned_for_bulk(app, seeded, monkeypatch):
    from service.jobs import celery_app

    monkeypatch.setattr(celery_app, "_context", None)
    ctx = celery_app.worker_context(app.config)
    with ctx.sessions() as session:
        first = ctx.cache.current(session=session).index
        assert first._retrieval.vocab.cache_size == BULK_VOCAB_CACHE_SIZE
    with app.app_context():
        plain = IndexCache().current(session=db.session).index
    assert plain._retrieval.vocab.cache_size == VOCAB_CACHE_SIZE
    ctx.sessions.kw["bind"].dispose()


def test_a_file_under_one_part_is_still_spread_over_the_parts_run_at_once(app, client, seeded):
    """JOB_THREADS parts run at once, each with its share of the screening processes: a file
    of fewer rows than JOB_PART_ROWS is cut into that many parts,
    not screened by one of them while the others idle; results keep the input's order."""
    assert app.config["JOB_THREADS"] == 2 and app.config["JOB_PART_ROWS"] > 1_200
    body = "name,ref\n" + "".join(f"{'Zhao Guangzong' if i % 400 == 0 else f'Clean Name {i}'},R{i}\n"
                                  for i in range(1_200))
    job = wait(client, submit(client, body).json["id"], timeout=120)
    assert job["status"] == "done" and job["progress"]["rows_done"] == 1_200
    with app.app_context():
        parts = db.session.scalars(select(ScreeningJobPart.rows).where(ScreeningJobPart.job_id == job["id"])
                                   .order_by(ScreeningJobPart.number)).all()
    assert parts == [600, 600]
    rows = csv_results(client, job["id"])
    assert [r[1] for r in rows[1:]] == [f"R{i}" for i in range(1_200)]
    assert job["counts"]["matched"] == 3

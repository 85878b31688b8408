"""Bulk screening pages (/jobs): upload, preview with the column mapping, start, progress,
results table and download (the API's bytes), evidence attributed to the user, a bad file
refused with nothing started, and who sees which job."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from service.extensions import db
from service.jobs import store
from service.jobs.results import flagged_rows
from service.models import ScreeningJob, ScreeningLog
from service.records.actor import Actor
from tests.conftest import authed, make_key
from tests.ui.conftest import csrf_token

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ui" / "vendors.csv"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def upload(client: Any, data: bytes, name: str = "vendors.csv") -> Any:
    return client.post("/jobs", data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token(client, "/jobs")},
                       content_type="multipart/form-data")


def token_of(resp: Any) -> str:
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    found = re.search(r"/jobs/new/([0-9a-f]{32})$", resp.headers["Location"])
    assert found, resp.headers["Location"]
    return found.group(1)


def start(client: Any, token: str, **options: str) -> Any:
    return client.post(f"/jobs/new/{token}", data={"csrf_token": csrf_token(client, "/jobs"), **options})


def job_id_of(resp: Any) -> int:
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
    found = re.search(r"/jobs/(\d+)$", resp.headers["Location"])
    assert found, resp.headers["Location"]
    return int(found.group(1))


def wait_done(app: Any, job_id: int, timeout: float = 60) -> ScreeningJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            job = db.session.get(ScreeningJob, job_id)
            assert job is not None
            if job.status in ("done", "failed", "cancelled"):
                db.session.expunge(job)
                return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def job_count(app: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(ScreeningJob)) or 0)


def drafts(app: Any) -> list[Path]:
    return [p for p in (Path(app.config["JOB_DIR"]) / "drafts").glob("*/*") if p.is_dir()]


def test_upload_preview_start_progress_results_and_download(app, seeded, ui_as):
    client = ui_as("analyst", "Ana")
    token = token_of(upload(client, FIXTURE.read_bytes()))
    resp = client.get(f"/jobs/new/{token}")
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert "<dt>Encoding</dt><dd>utf-8</dd>" in body and "<dt>Delimiter</dt><dd>semicolon</dd>" in body
    for header, role in (("Vendor Name", "name"), ("Type", "type"), ("Born", "birth date"),
                         ("Nationality", "country"), ("Passport No", "identifier: passport")):
        assert f'<span dir="auto">{header}</span><span class="role-tag">{role}</span>' in body
    assert '<td dir="auto">赵光宗</td>' in body and "The first 9 rows of the file" in body
    # The detected mapping is what the selects start from.
    assert '<option value="Vendor Name" selected>' in body
    assert 'value="Passport No:passport"' in body

    # Changing a select re-reads the preview (htmx: the preview section alone).
    part = client.get(f"/jobs/new/{token}?name_column=Type&country_column=Nationality", headers={"HX-Request": "true"})
    text = part.get_data(as_text=True)
    assert text.lstrip().startswith('<section id="preview"') and "<html" not in text
    assert '<span dir="auto">Type</span><span class="role-tag">name, type</span>' in text

    job_id = job_id_of(start(client, token, name_column="Vendor Name", birth_date_column="Born",
                             country_column="Nationality", type_column="Type",
                             identifier_columns="Passport No:passport", threshold="0.8", date_order="dmy"))
    assert not list((Path(app.config["JOB_DIR"]) / "drafts").glob(f"*/{token}"))  # it became the job
    job = wait_done(app, job_id)
    assert (job.status, job.rows_total, job.user_name, job.key_id) == ("done", 9, "Ana", None)
    assert (job.threshold, job.date_order, job.filename) == (0.8, "dmy", "vendors.csv")

    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "hx-trigger" not in html.split('id="job-status"')[1].split(">")[0]  # no more polling
    assert '<progress id="job-progress-bar" max="9" value="9">' in html
    assert "9 of 9 rows (100.0%)" in html
    rows = re.findall(r"<tr>\s*<td>(\d+)</td>\s*<td dir=\"auto\">([^<]*)</td>\s*<td>([^<]*)</td>", html)
    assert rows[0][2] == "match" and {r[1] for r in rows if r[2] == "match"} >= {"Zhao Guangzong", "赵光宗"}
    assert ("6", "Ni Gaobin", "error") in rows
    by_row = client.get(f"/jobs/{job_id}?sort=row").get_data(as_text=True)
    numbers = [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", by_row)]
    assert numbers == sorted(numbers) and f'aria-sort="ascending"><a href="/jobs/{job_id}?sort=-row"' in by_row

    far = client.get(f"/jobs/{job_id}?sort=row&page=7").get_data(as_text=True)  # past the end: the last page
    assert re.findall(r"<tr>\s*<td>(\d+)</td>", far) == re.findall(r"<tr>\s*<td>(\d+)</td>", by_row)

    ui_file = client.get(f"/jobs/{job_id}/results")
    assert ui_file.status_code == 200 and ui_file.mimetype == "text/csv"
    assert ui_file.headers["Content-Disposition"] == f'attachment; filename="screening-job-{job_id}-results.csv"'
    api = authed(app.test_client(), make_key(app, "analyst"))
    assert ui_file.data == api.get(f"/api/v1/screening-jobs/{job_id}/results").data
    assert ui_file.data.startswith(b"\xef\xbb\xbfVendor Name;") or ui_file.data.startswith(b"\xef\xbb\xbfVendor Name,")
    jsonl = client.get(f"/jobs/{job_id}/results?format=jsonl")
    assert jsonl.data == api.get(f"/api/v1/screening-jobs/{job_id}/results?format=jsonl").data

    # The job's evidence row names the user.
    with app.app_context():
        [log] = db.session.scalars(select(ScreeningLog)).all()
        assert (log.user_name, log.key_id, log.had_match) == ("Ana", None, True)
    # The list of past jobs.
    listing = client.get("/jobs").get_data(as_text=True)
    assert f'<a href="/jobs/{job_id}">Job {job_id}</a>' in listing and 'status-done">done' in listing


def test_flagged_rows_keep_the_best_and_sort(app, seeded, ui_as):
    client = ui_as("analyst")
    job_id = job_id_of(start(client, token_of(upload(client, FIXTURE.read_bytes()))))
    wait_done(app, job_id)
    with app.app_context():
        job = db.session.get(ScreeningJob, job_id)
        jobs_dir = Path(app.config["JOB_DIR"])
        everything = flagged_rows(session=db.session, jobs_dir=jobs_dir, job=job)
        assert everything.clear + everything.total == 9 and not everything.truncated
        decisions = [r.decision for r in everything.rows]
        assert decisions == sorted(decisions, key=["match", "possible", "error"].index)
        best_two = flagged_rows(session=db.session, jobs_dir=jobs_dir, job=job, limit=2, sort="row")
        assert best_two.truncated and [r.decision for r in best_two.rows] == ["match", "match"]
        assert [r.row for r in best_two.rows] == sorted(r.row for r in best_two.rows)
        by_score = flagged_rows(session=db.session, jobs_dir=jobs_dir, job=job, sort="-score")
        scores = [r.score or 0 for r in by_score.rows]
        assert scores == sorted(scores, reverse=True)


def test_a_file_that_is_not_csv_is_refused_and_nothing_starts(app, ui_as):
    client = ui_as("screener")
    before = drafts(app)
    resp = upload(client, PNG, "photo.png")
    assert resp.status_code == 422
    assert re.search(r'id="file-error" role="alert">The file is a PNG image, not a CSV file\.', resp.get_data(as_text=True))
    assert upload(client, b"").status_code == 422
    missing = client.post("/jobs", data={"csrf_token": csrf_token(client, "/jobs")}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose a CSV file to upload." in missing.get_data(as_text=True)
    assert job_count(app) == 0 and drafts(app) == before


def test_a_file_without_a_name_column_needs_a_mapping(app, seeded, ui_as):
    client = ui_as("screener")
    token = token_of(upload(client, b"ref,amount\nA1,10\nA2,20\n"))
    preview = client.get(f"/jobs/new/{token}").get_data(as_text=True)
    assert "The file has no &#39;name&#39; column" in preview and "<td dir=\"auto\">A1</td>" in preview
    refused = start(client, token)
    assert refused.status_code == 422 and "No name column found." in refused.get_data(as_text=True)
    bad = start(client, token, name_column="ref", threshold="2")
    assert bad.status_code == 422 and 'id="threshold-error"' in bad.get_data(as_text=True)
    assert job_count(app) == 0
    job_id = job_id_of(start(client, token, name_column="ref"))
    assert wait_done(app, job_id).rows_total == 2


def test_uploads_have_their_own_size_limit(app, ui_as):
    """Past the 2 MB limit of other requests, up to MAX_UPLOAD_BYTES (checked before the CSRF
    check reads the form)."""
    client = ui_as("screener")
    big = FIXTURE.read_bytes() + b"Jane Roe;person;;GB;\n" * 150_000
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    token = token_of(upload(client, big))
    assert f"({len(big):,} bytes)" in client.get(f"/jobs/new/{token}").get_data(as_text=True)
    limit = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = len(big) - 1
    try:
        assert upload(client, big).status_code == 413
    finally:
        app.config["MAX_UPLOAD_BYTES"] = limit


def test_csrf_is_required(app, ui_as):
    client = ui_as("screener")
    before = drafts(app)
    resp = client.post("/jobs", data={"file": (io.BytesIO(FIXTURE.read_bytes()), "v.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 403 and drafts(app) == before


def test_screeners_see_only_their_own_jobs_and_drafts(app, seeded, ui_as):
    sam, sue, ana = ui_as("screener", "Sam"), ui_as("screener", "Sue"), ui_as("analyst", "Ana")
    token = token_of(upload(sam, FIXTURE.read_bytes()))
    assert sue.get(f"/jobs/new/{token}").status_code == 404
    assert start(sue, token).status_code == 404
    job_id = job_id_of(start(sam, token))
    wait_done(app, job_id)
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}/results"):
        assert sam.get(path).status_code == 200
        assert sue.get(path).status_code == 404
        assert ana.get(path).status_code == 200
    assert f"Job {job_id}<" in sam.get("/jobs").get_data(as_text=True)
    assert f"Job {job_id}<" not in sue.get("/jobs").get_data(as_text=True)
    assert f"Job {job_id}<" in ana.get("/jobs").get_data(as_text=True)
    assert sam.get(f"/jobs/new/{token}").status_code == 404  # started: the draft is gone


def test_a_queued_job_is_polled_until_it_ends(app, ui_as):
    client = ui_as("analyst", "Ana")
    with app.app_context():
        job = store.create_job(session=db.session, jobs_dir=Path(app.config["JOB_DIR"]),
                               source=io.BytesIO(FIXTURE.read_bytes()), filename="v.csv",
                               options={"threshold": 0.8, "limit": 10, "format": "csv"}, max_bytes=10**6,
                               backend="embedded", actor=Actor(user_name="Ana"))
        db.session.commit()
        job_id = job.id
    part = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert part.lstrip().startswith(f'<section id="job-status" aria-labelledby="status-heading" hx-get="/jobs/{job_id}" '
                                    'hx-trigger="every 1s"')
    assert '<progress id="job-progress-bar">Preparing</progress>' in part and "Counting the rows" in part
    assert client.get(f"/jobs/{job_id}/results").status_code == 409  # not done yet
    with app.app_context():
        db.session.get(ScreeningJob, job_id).status = "cancelled"
        db.session.commit()
    ended = client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in ended and "The job was cancelled." in ended


def test_roles_and_sign_in(app, ui_as, anonymous):
    for role in ("screener", "analyst", "editor", "admin"):
        assert ui_as(role).get("/jobs").status_code == 200
    resp = anonymous.get("/jobs")
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]


def test_a_page_number_that_is_not_one_shows_the_first_page(ui_as):
    client = ui_as("analyst")
    for raw in ("²", "\u0661", "x", "-3", "0"):
        resp = client.get("/jobs", query_string={"page": raw})
        assert resp.status_code == 200, raw

"""The preview of an upload before its job starts (service/jobs/preview.py), progress figures
and the results table's sorting (service/jobs/results.py)."""

from __future__ import annotations

import io
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from service.errors import NotFound, TooLarge
from service.jobs.csvio import NotCsv
from service.jobs.preview import (
    discard_draft,
    draft_input,
    first_rows,
    mapping_options,
    preview,
    prune_drafts,
    save_draft,
)
from service.jobs.results import ResultRow, job_progress, parse_sort
from service.models import ScreeningJob

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ui" / "vendors.csv"


def test_preview_reads_as_the_job_reads(tmp_path):
    shown = preview(FIXTURE, {})
    assert (shown.layout.encoding, shown.layout.delimiter) == ("utf-8", ";")
    assert shown.layout.header == ["Vendor Name", "Type", "Born", "Nationality", "Passport No"]
    assert len(shown.rows) == 9 and shown.rows[-1][0] == "赵光宗"  # the all-empty row is skipped
    assert shown.roles() == [["name"], ["type"], ["birth date"], ["country"], ["identifier: passport"]]
    assert mapping_options(shown.columns, shown.layout.header) == {
        "name_column": "Vendor Name", "type_column": "Type", "birth_date_column": "Born",
        "country_column": "Nationality", "identifier_columns": "Passport No:passport"}
    assert len(preview(FIXTURE, {}, rows=3).rows) == 3


def test_preview_of_other_encodings_and_mappings(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes("First Name\tLast Name\tCountry\r\nJosé\tMüller\tDE\r\nShort\r\n".encode("utf-16"))
    shown = preview(path, {})
    assert shown.layout.encoding == "utf-16" and shown.layout.delimiter == "\t"
    assert shown.rows == [["José", "Müller", "DE"], ["Short", "", ""]]  # padded to the header
    assert shown.roles() == [["name (joined)"], ["name (joined)"], ["country"]]
    assert mapping_options(shown.columns, shown.layout.header) == {"country_column": "Country"}
    chosen = preview(path, {"name_column": "Last Name"})
    assert chosen.roles()[:2] == [[], ["name"]]
    wrong = preview(path, {"name_column": "Nope"})
    assert wrong.columns is None and wrong.error is not None and "no column 'Nope'" in wrong.error.detail
    assert wrong.rows  # the rows are still shown, to choose from


def test_a_file_without_a_name_column_is_previewed_with_the_reason(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("ref,amount\nA1,10\n")
    shown = preview(path, {})
    assert shown.columns is None and shown.roles() == [[], []]
    assert shown.error is not None and shown.error.errors == {"name_column": ["No name column found."]}


def test_first_rows_skip_empty_lines_and_keep_quoted_line_breaks(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'name,note\r\n\r\n"Alice\nSmith",a\r\n,\r\nBob,b\r\nCarol,c\r\n')
    layout = preview(path, {}).layout
    assert first_rows(path, layout, 2) == [["Alice\nSmith", "a"], ["Bob", "b"]]


def test_drafts_belong_to_their_owner(tmp_path):
    token = save_draft(jobs_dir=tmp_path, owner="user-1", source=io.BytesIO(FIXTURE.read_bytes()),
                       filename="vendors.csv", max_bytes=10**6)
    path, name = draft_input(tmp_path, "user-1", token)
    assert path.read_bytes() == FIXTURE.read_bytes() and name == "vendors.csv"
    with pytest.raises(NotFound):
        draft_input(tmp_path, "user-2", token)
    for bad in ("../user-1/" + token, token[:-1], "x" * 32):
        with pytest.raises(NotFound):
            draft_input(tmp_path, "user-1", bad)
    discard_draft(tmp_path, "user-1", token)
    with pytest.raises(NotFound, match="no longer available"):
        draft_input(tmp_path, "user-1", token)


def test_a_bad_upload_leaves_no_draft(tmp_path):
    with pytest.raises(NotCsv, match="PNG image"):
        save_draft(jobs_dir=tmp_path, owner="user-1", source=io.BytesIO(b"\x89PNG\r\n\x1a\n"), filename="a.png",
                   max_bytes=10**6)
    with pytest.raises(TooLarge):
        save_draft(jobs_dir=tmp_path, owner="user-1", source=io.BytesIO(b"name\n" * 100), filename="a.csv",
                   max_bytes=100)
    assert list((tmp_path / "drafts").glob("*/*")) == []


def test_old_drafts_are_pruned(tmp_path):
    old = save_draft(jobs_dir=tmp_path, owner="user-1", source=io.BytesIO(b"name\nA\n"), filename=None, max_bytes=100)
    folder = tmp_path / "drafts" / "user-1" / old
    past = time.time() - 3 * 24 * 3600
    os.utime(folder, (past, past))
    new = save_draft(jobs_dir=tmp_path, owner="user-1", source=io.BytesIO(b"name\nB\n"), filename=None, max_bytes=100)
    assert not folder.exists() and draft_input(tmp_path, "user-1", new)[1] is None
    assert prune_drafts(tmp_path, 0) == 1


def test_progress_figures():
    start = datetime(2025, 1, 1, 12, 0, 0)
    job = ScreeningJob(status="running", rows_done=250, rows_total=1000, started_at=start)
    p = job_progress(job, start + timedelta(seconds=5))
    assert (p.done, p.total, p.percent, p.rate, p.seconds_left) == (250, 1000, 25.0, 50.0, 15.0)
    queued = job_progress(ScreeningJob(status="queued", rows_done=0, rows_total=None), start)
    assert (queued.total, queued.percent, queued.rate, queued.seconds_left) == (None, None, None, None)
    done = ScreeningJob(status="done", rows_done=0, rows_total=0, started_at=start, finished_at=start)
    assert job_progress(done, start).percent == 100.0


def test_sort_keys():
    assert parse_sort("-score") == ("score", True) and parse_sort("row") == ("row", False)
    assert parse_sort("nonsense") == ("decision", False) and parse_sort(None) == ("decision", False)
    rows = [ResultRow(3, "b", "possible", 0.7, 1, "X", "X", "", ""), ResultRow(1, "a", "match", 0.9, 2, "Y", "Y", "", ""),
            ResultRow(2, "c", "error", None, None, None, None, "", "bad date")]
    assert [r.row for r in sorted(rows, key=lambda r: r.key("decision"))] == [1, 3, 2]
    assert [r.row for r in sorted(rows, key=lambda r: r.key("name"))] == [1, 3, 2]

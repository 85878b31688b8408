"""Bulk screening in a real browser: upload a CSV file, check the preview and mapping, start,
watch the progress bar move (htmx polling, no reload), then the flagged rows and the download
of the results file; axe on each step."""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path
from typing import Any

from tests.browser.axe import assert_accessible

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ui" / "vendors.csv"
#: Rows of the long upload: enough that the job takes a few seconds here (several thousand
#: short distinct names a second on two shared cores), so the bar is seen moving.
LONG_ROWS = 30_000
_SYLLABLES = "ka lo mi ren sa tu vel dor fin gar hol jus kem lir mon nis por qua rud sel".split()


def long_file(folder: Path) -> Path:
    """The fixture's rows, then made-up vendors to LONG_ROWS rows. Each name is new: a name
    seen before is answered from the engine's caches, and repeated rows would finish before
    the page polls."""
    header, *rows = [line for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip(";")]
    path = folder / "long-vendors.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write(header + "\n")
        for row in rows:
            f.write(row + "\n")
        n = len(_SYLLABLES)
        for i in range(LONG_ROWS - len(rows)):
            given = _SYLLABLES[i % n].title() + _SYLLABLES[(i // n) % n]
            family = _SYLLABLES[(i // n // n) % n].title() + _SYLLABLES[(i // n // n // n) % n] + "ova"
            f.write(f"{given} {family};person;;;\n")
    return path


def test_bulk_upload_progress_and_download(signed_in: Any, tmp_path: Path) -> None:
    page = signed_in("analyst")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto("/jobs")
    assert_accessible(page)
    page.get_by_label("CSV file").set_input_files(str(long_file(tmp_path)))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    assert re.search(r"/jobs/new/[0-9a-f]{32}$", page.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Check the file before screening"
    table = page.get_by_role("table")
    assert table.get_by_role("columnheader").first.inner_text().split("\n") == ["Vendor Name", "name"]
    assert "Zhao Guangzong" in table.inner_text()
    assert page.get_by_label("Name column").input_value() == "Vendor Name"
    # Changing the mapping re-reads the preview in place (htmx), with a shareable address.
    page.get_by_label("Country column").select_option("Born")
    page.wait_for_url(re.compile(r"country_column=Born"))
    born = table.get_by_role("columnheader").nth(2)
    page.wait_for_function("() => document.querySelectorAll('#preview th')[2].innerText.includes('country')")
    assert born.inner_text().split("\n") == ["Born", "birth date, country"]
    page.get_by_label("Country column").select_option("Nationality")
    page.wait_for_function("() => document.querySelectorAll('#preview th')[3].innerText.includes('country')")
    assert_accessible(page)
    page.screenshot(path="/tmp/ui-jobs-preview.png", full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Start screening").click()
    assert re.search(r"/jobs/\d+$", page.url)
    job_url = page.url
    assert_accessible(page)
    # Watch the bar without reloading: the page's own polling updates it.
    seen: list[tuple[float, float]] = []
    # Generous: the job screens 30,000 rows on whatever share of a busy shared machine it
    # gets; the loop ends as soon as the download link shows.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        # The link first, then the bar: the poll that shows the link also sets the bar to its
        # end, so a bar read after the link is seen is at least that new. Read the other way
        # round, a swap landing between the two reads ended the loop on the bar before it.
        finished = page.get_by_role("link", name="Download the results (CSV)").count()
        state = page.evaluate("""() => { const p = document.getElementById('job-progress-bar');
            return p && p.hasAttribute('value') ? [p.value, p.max] : null; }""")
        if state and (not seen or seen[-1] != tuple(state)):
            seen.append(tuple(state))
            if len(seen) == 2:
                page.screenshot(path="/tmp/ui-jobs-progress.png", full_page=True)
        if finished:
            break
        time.sleep(0.1)
    assert page.url == job_url  # never reloaded
    assert seen and seen[-1] == (LONG_ROWS, LONG_ROWS), seen
    assert any(0 < value < LONG_ROWS for value, _ in seen), f"no intermediate value seen: {seen}"
    assert page.get_by_role("heading", name="State: done").is_visible()
    assert f"{LONG_ROWS:,} of {LONG_ROWS:,} rows (100.0%)" in page.locator("#job-rows").inner_text()

    results = page.get_by_role("table")
    assert results.get_by_role("row").nth(1).get_by_role("cell").nth(2).inner_text() == "match"
    with page.expect_navigation():
        results.get_by_role("link", name="Row").click()
    assert page.url.endswith("?sort=row")
    assert page.get_by_role("columnheader", name="Row").get_attribute("aria-sort") == "ascending"
    assert page.get_by_role("table").get_by_role("row").nth(1).get_by_role("cell").first.inner_text() == "3"  # Zhao, the first match
    assert_accessible(page)
    page.screenshot(path="/tmp/ui-jobs-done.png", full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the results (CSV)").click()
    download = info.value
    assert re.fullmatch(r"screening-job-\d+-results\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if text.startswith("Vendor Name;") else ","))
    assert rows[0][:2] == ["Vendor Name", "Type"] and "decision" in rows[0]
    assert len(rows) == LONG_ROWS + 1
    decision = rows[0].index("decision")
    assert rows[2][0] == "Zhao Guangzong" and rows[2][decision] == "match"
    assert page.console.csp_violations() == [], page.console.messages


def test_a_file_that_is_not_csv_is_refused(signed_in: Any, tmp_path: Path) -> None:
    page = signed_in("screener")
    page.goto("/jobs")
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    page.get_by_label("CSV file").set_input_files(str(picture))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    assert page.get_by_role("alert").inner_text() == "The file is a PNG image, not a CSV file."
    assert page.get_by_label("CSV file").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

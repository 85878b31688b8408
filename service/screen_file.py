"""Screen a CSV file through the engine: the work behind ``sanctions screen``.

No Flask: takes the session and index cache. Reads files the way bulk screening jobs do
(:mod:`service.jobs`): encoding and delimiter detected, header names matched loosely, bad
rows reported with their row number and reason; every other column passes through. CSV
output is safe to open in a spreadsheet (formula cells neutralised).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from .jobs.csvio import Record, records, scan, utf8_input
from .jobs.rows import Columns, csv_header, csv_row, jsonl_line
from .jobs.runner import Screened, screen_records
from .jobs.store import inspect_upload
from .records.screening import IndexCache


@dataclass
class InputFile:
    header: list[str]
    columns: Columns
    rows: int  # data rows (empty lines not counted)
    path: Path  # UTF-8 (transcoded when the input was not)
    offset: int
    delimiter: str

    def records(self) -> Iterator[Record]:
        recs = records(self.path, self.delimiter, offset=self.offset)
        next(recs, None)  # the header
        yield from recs


@contextmanager
def open_input(path: Path, options: dict[str, Any] | None = None) -> Iterator[InputFile]:
    """Detect the file's layout, map its columns and count its rows (one streaming pass)."""
    layout, columns = inspect_upload(path, options or {})
    with tempfile.TemporaryDirectory(prefix="sanctions-screen-") as tmp:
        utf8, offset = utf8_input(path, layout.encoding, Path(tmp))
        total, _ = scan(utf8, layout.delimiter, offset=offset, part_rows=1 << 40)
        yield InputFile(layout.header, columns, total, utf8, offset, layout.delimiter)


def screen_rows(
    *, session: Session, cache: IndexCache, recs: Iterable[Record], columns: Columns, threshold: float,
    limit: int = 10, date_order: str | None = None, processes: int = 0,
) -> Iterator[Screened]:
    """(record, matches, error, notes) per row, against one consistent view of the lists."""
    with cache.pinned(session=session) as state:
        yield from screen_records(state.index, recs, columns, threshold=threshold, limit=limit,
                                  date_order=date_order, processes=processes)


def write_csv(out: IO[str], header: list[str], results: Iterable[Screened]) -> int:
    writer = csv.writer(out)
    writer.writerow(csv_header(header))
    count = 0
    for rec, matches, error, notes in results:
        writer.writerow(csv_row(rec.cells, len(header), rec.line, matches, error, notes))
        count += 1
    return count


def write_jsonl(out: IO[str], header: list[str], results: Iterable[Screened]) -> int:
    count = 0
    for rec, matches, error, notes in results:
        out.write(jsonl_line(header, rec.cells, rec.line, matches, error, notes, full=False))
        count += 1
    return count

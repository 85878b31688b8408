"""One path for screening the rows of a CSV file, whoever asks: a job part (:mod:`.runner`),
``POST /api/v1/screen/csv`` and ``sanctions screen``. They differ only in how they receive the
file and return the results.

- :func:`screen_formatted` screens records into their results lines (CSV line, JSON line,
  decision), batch by batch, in forked processes sharing the index or in this thread;
- :func:`open_input` reads a file as jobs read it (encoding and delimiter detected, columns
  mapped from the header, rows counted);
- :func:`screen_file` screens a whole file at once: the results (CSV with a BOM, or JSON
  Lines) go to the caller's ``write`` and the file gets its evidence-log row.

No Flask: the caller passes the session and index cache, and commits.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..csvcells import csv_line, csv_start
from ..models import ScreeningLog
from ..records.actor import Actor
from ..records.screening import IndexCache
from ..screening import ScreeningIndex
from ..screening.parallel import map_batches
from .csvio import Layout, Record, detect, records, scan, utf8_input
from .evidence import Tally, log_screened_file
from .rows import Columns, csv_header, csv_row, decision, jsonl_line, map_columns, to_subject

#: Rows sent to the screening processes at a time (the first progress update comes after one).
BATCH_ROWS = 200
#: Results CSV files start with a BOM (jobs' downloads, ``/screen/csv``, ``sanctions screen``).
RESULTS_BOM = True

Formatted = tuple[str, str, str]  # (CSV line, JSON line, decision) of one row
RowsPayload = tuple[list[tuple[list[str], int]], Columns, list[str], float, int, str | None]


def _batched(recs: Iterable[Record], size: int | None) -> Iterator[list[Record]]:
    """Consecutive lists of ``size`` records (BATCH_ROWS by default), read as they come."""
    it = iter(recs)
    while batch := list(itertools.islice(it, size or BATCH_ROWS)):
        yield batch


def format_rows(index: ScreeningIndex, payload: RowsPayload) -> list[Formatted]:
    """Screen a batch of rows and format their results (CSV line, JSON line, decision). It
    runs where the screening runs (a forked process, or the caller's thread), so the caller
    only reads input and writes these lines."""
    rows, columns, header, threshold, limit, date_order = payload
    out: list[Formatted] = []
    for cells, line in rows:
        parsed = to_subject(cells, columns, date_order=date_order)
        matches = [] if parsed.subject is None else index.screen(parsed.subject, threshold=threshold, limit=limit)
        out.append((csv_line(csv_row(cells, len(header), line, matches, parsed.error, parsed.notes)),
                    jsonl_line(header, cells, line, matches, parsed.error, parsed.notes),
                    decision(matches, parsed.error)))
    return out


def screen_formatted(
    index: ScreeningIndex, recs: Iterable[Record], columns: Columns, header: list[str], *, threshold: float,
    limit: int, date_order: str | None, processes: int = 0, batch_rows: int | None = None,
) -> Generator[tuple[Record, Formatted], None, None]:
    """(record, its formatted results) per record, in order, screened by :func:`format_rows`
    in ``processes`` forked processes (0: in this thread)."""
    def batches() -> Iterator[tuple[list[Record], RowsPayload]]:
        for batch in _batched(recs, batch_rows):
            rows = [(rec.cells, rec.line) for rec in batch]
            yield batch, (rows, columns, header, threshold, limit, date_order)

    results = map_batches(index, batches(), format_rows, processes=processes, setup=ScreeningIndex.for_bulk)
    with closing(results):  # a cancelled part stops the processes
        for batch, lines in results:
            yield from zip(batch, lines, strict=True)


# --- a whole file at once ---------------------------------------------------------------------

def inspect(path: Path, options: Mapping[str, Any]) -> tuple[Layout, Columns]:
    """Detect the file's layout and map its columns (422 when it is not CSV or has no name)."""
    layout = detect(path)
    return layout, map_columns(layout.header, dict(options))


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
def open_input(path: Path, options: Mapping[str, Any], *, work_dir: Path | None = None) -> Iterator[InputFile]:
    """Detect the file's layout, map its columns and count its rows (one streaming pass); a
    transcoded copy lives in a temporary folder (in ``work_dir``) until the block ends."""
    layout, columns = inspect(path, options)
    with tempfile.TemporaryDirectory(prefix="sanctions-screen-", dir=work_dir) as tmp:
        utf8, offset = utf8_input(path, layout.encoding, Path(tmp))
        total, _ = scan(utf8, layout.delimiter, offset=offset, part_rows=1 << 40)
        yield InputFile(layout.header, columns, total, utf8, offset, layout.delimiter)


@dataclass(frozen=True)
class FileScreened:
    rows: int
    log: ScreeningLog


def screen_file(
    *, session: Session, cache: IndexCache, inp: InputFile, options: Mapping[str, Any], write: Callable[[str], Any],
    actor: Actor, source: str, filename: str | None, processes: int = 0,
    progress: Callable[[Iterator[Record]], Iterable[Record]] | None = None,
) -> FileScreened:
    """Screen every row of ``inp`` against one consistent view of the lists, writing the
    results in ``options["format"]`` (``csv``: a BOM and the header first; ``jsonl``) through
    ``write``, then add the file's evidence row (the caller commits). ``options`` as a job
    takes them: ``threshold``, ``limit``, ``date_order``; ``progress`` may wrap the records
    (a progress bar)."""
    fmt = options["format"]
    tally, sha, count = Tally(), hashlib.sha256(), 0
    with cache.pinned(session=session) as state:
        if fmt == "csv":
            write(csv_start(csv_header(inp.header), bom=RESULTS_BOM))
        recs = inp.records() if progress is None else progress(inp.records())
        screened = screen_formatted(state.index, recs, inp.columns, inp.header, threshold=options["threshold"],
                                    limit=options["limit"], date_order=options.get("date_order"),
                                    processes=processes)
        with closing(screened):  # stops its screening processes on any exit
            for _, (csv_text, json_text, _) in screened:
                write(csv_text if fmt == "csv" else json_text)
                tally.add(json_text)
                sha.update(json_text.encode("utf-8"))
                count += 1
        log = log_screened_file(
            session=session, source=source, filename=filename, rows=count, columns=inp.columns.to_json(),
            results_sha256=sha.hexdigest(), tally=tally, actor=actor, threshold=options["threshold"],
            list_version=state.list_version, list_fingerprint=state.fingerprint)
    return FileScreened(count, log)

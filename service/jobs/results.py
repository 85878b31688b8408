"""A job as a person follows it: progress figures (rows done of total, rate, time left) and the
flagged rows of its results (matches first), read from the same results files the download
serves (:func:`.store.result_chunks`). Plain functions: the caller passes the session.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models import ScreeningJob
from .rows import Columns
from .store import result_chunks

#: Flagged rows a results table shows at most (the file holds them all).
TABLE_ROWS = 500
DECISION_ORDER = {"match": 0, "possible": 1, "error": 2, "clear": 3}
#: Sort keys of the results table (``-key``: descending).
SORT_KEYS = ("decision", "score", "row", "name", "matched", "references")
DEFAULT_SORT = "decision"
#: Rows done before the rate and the time left are worth showing (the first rows include the
#: start-up of the screening processes).
ESTIMATE_AFTER_ROWS = 100


@dataclass(frozen=True)
class JobProgress:
    done: int
    total: int | None
    percent: float | None
    rate: float | None  # rows per second since the job started
    seconds_left: float | None


def job_progress(job: ScreeningJob, now: datetime) -> JobProgress:
    """Rows done of total, the rate since the job started and, while it runs, the time left."""
    total = job.rows_total
    percent = (100.0 * job.rows_done / total if total else 100.0) if total is not None else None
    rate = seconds_left = None
    if job.started_at is not None:
        end = job.finished_at or now
        elapsed = (end - job.started_at).total_seconds()
        if elapsed > 0 and job.rows_done >= ESTIMATE_AFTER_ROWS:
            rate = job.rows_done / elapsed
            if job.status == "running" and total:
                seconds_left = max(0.0, (total - job.rows_done) / rate)
    return JobProgress(job.rows_done, total, percent, rate, seconds_left)


@dataclass(frozen=True)
class ResultRow:
    row: int
    name: str
    decision: str
    score: float | None
    entity_id: int | None
    matched: str | None  # the listed entity's name
    matched_name: str | None  # the listed name that scored best
    references: str
    note: str  # the error, or the notes on the row

    def key(self, sort: str) -> tuple[Any, ...]:
        return {
            "decision": (DECISION_ORDER.get(self.decision, 9), -(self.score or 0.0), self.row),
            "score": (self.score or 0.0, self.row),
            "row": (self.row,),
            "name": (self.name.casefold(), self.row),
            "matched": ((self.matched or "").casefold(), self.row),
            "references": (self.references, self.row),
        }[sort]


def result_records(*, session: Session, jobs_dir: Path, job: ScreeningJob) -> Iterator[dict[str, Any]]:
    """Each row's JSON Lines record, in input order, from the job's results files."""
    pending = b""
    for chunk in result_chunks(session=session, jobs_dir=jobs_dir, job=job, fmt="jsonl"):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield json.loads(line)
    if pending.strip():
        yield json.loads(pending)


def to_row(record: dict[str, Any], name_columns: list[str]) -> ResultRow:
    values = record.get("input", {})
    name = " ".join(v for v in (str(values.get(c, "")).strip() for c in name_columns) if v)
    best = (record.get("matches") or [None])[0]
    notes = [record["error"]] if record.get("error") else list(record.get("notes", []))
    return ResultRow(
        row=int(record["row"]), name=name, decision=record["decision"],
        score=best["score"] if best else None, entity_id=best["entity_id"] if best else None,
        matched=best["name"] if best else None, matched_name=best["matched_name"] if best else None,
        references=";".join(best["references"]) if best else "", note="; ".join(notes))


def parse_sort(sort: str | None) -> tuple[str, bool]:
    """(key, descending) from ``score`` or ``-score``; unknown keys fall back to the default."""
    text = (sort or "").strip()
    descending = text.startswith("-")
    key = text.lstrip("-")
    if key not in SORT_KEYS:
        return DEFAULT_SORT, False
    return key, descending


@dataclass(frozen=True)
class FlaggedRows:
    rows: list[ResultRow]
    total: int  # flagged rows in the file (matches, near misses, errors)
    clear: int  # rows screened clear (in the file, not in the table)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def flagged_rows(*, session: Session, jobs_dir: Path, job: ScreeningJob, sort: str | None = None,
                 limit: int = TABLE_ROWS) -> FlaggedRows:
    """The rows that need a look (a match, a near miss, an error), at most ``limit`` of them,
    the matches first (best scores first); then sorted by ``sort``. Reads the file once,
    holding ``limit`` rows."""
    header = job.header or []
    name_columns = [header[i] for i in Columns.from_json(job.columns).name] if job.columns else []
    kept: list[tuple[tuple[Any, ...], int, ResultRow]] = []
    total = clear = 0
    for n, record in enumerate(result_records(session=session, jobs_dir=jobs_dir, job=job)):
        if record.get("decision") == "clear":
            clear += 1
            continue
        total += 1
        row = to_row(record, name_columns)
        # The best ``limit`` by the default order: a max-heap on it (keys negated by heapq).
        item = (_negate(row.key(DEFAULT_SORT)), n, row)
        if len(kept) < limit:
            heapq.heappush(kept, item)
        elif item > kept[0]:
            heapq.heapreplace(kept, item)
    key, descending = parse_sort(sort)
    rows = sorted((r for _, _, r in kept), key=lambda r: r.key(key), reverse=descending)
    return FlaggedRows(rows, total, clear)


def _negate(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(-v for v in key)

"""The evidence-log row of a screened file: a finished job, a ``/screen/csv`` upload or a
``sanctions screen`` run.

One row per file (not per input row: a million-row file would drown the log): the file, who
sent it, the options and list state, and per listed entity the best score and whether any
row matched it, tallied from the file's JSON Lines results. The full per-row results stay in
the results files (a job's) or with the caller, and the row records their SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models import ScreeningJob, ScreeningLog
from ..records.actor import Actor
from ..records.evidence import log_file
from ..records.review import add_job_matches
from .review import JobMatches

#: ``kind`` of the evidence row of a file screened at once (the schema's filter takes it).
FILE_KIND = "file"


class Tally:
    """Per listed entity, from JSON Lines results: the best score, whether any row matched it
    and how many rows it came up for."""

    def __init__(self) -> None:
        self.best: dict[int, dict[str, Any]] = {}

    def add(self, line: str) -> None:
        self.add_record(json.loads(line))

    def add_record(self, record: dict[str, Any]) -> None:
        """A results line already parsed."""
        for m in record.get("matches", ()):
            seen = self.best.setdefault(m["entity_id"], {"entity_id": m["entity_id"], "score": 0.0,
                                                         "match": False, "rows": 0})
            seen["score"] = max(seen["score"], m["score"])
            seen["match"] = seen["match"] or bool(m["match"])
            seen["rows"] += 1

    def results(self) -> list[dict[str, Any]]:
        return sorted(self.best.values(), key=lambda r: (-r["score"], r["entity_id"]))


def _digest(path: Path) -> str | None:
    if not path.exists():
        return None
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def log_job(session: Session, job: ScreeningJob, result_files: list[Path]) -> ScreeningLog:
    """The finished job's row, from its parts' JSON Lines files; its matched rows join the
    review queue (read in the same pass)."""
    tally, matched = Tally(), JobMatches(job)
    for path in result_files:
        if path.exists():
            with path.open(encoding="utf-8") as fh:
                for line in fh:  # each line parsed once, for both
                    record = json.loads(line)
                    tally.add_record(record)
                    matched.add(record)
    add_job_matches(session=session, job_id=job.id, matches=matched.found)
    return log_file(
        session=session, kind="job", batch_key=str(job.id),
        actor=Actor.of_row(job),
        subject={"job_id": job.id, "filename": job.filename, "rows": job.rows_total, "columns": job.columns,
                 "results_sha256": [_digest(p) for p in result_files]},
        threshold=job.threshold, list_version=job.list_version, list_fingerprint=job.list_fingerprint,
        results=tally.results())


def log_screened_file(
    *, session: Session, source: str, filename: str | None, rows: int, columns: dict[str, Any],
    results_sha256: str, tally: Tally, actor: Actor, threshold: float, list_version: int,
    list_fingerprint: str,
) -> ScreeningLog:
    """The row of a file screened at once (``source``: ``screen/csv`` or ``cli``); its results
    hash is that of its JSON Lines results, whichever format was returned (the hash a one-part
    job of the same file would record)."""
    return log_file(
        session=session, kind=FILE_KIND, batch_key=None, actor=actor,
        subject={"source": source, "filename": (filename or "")[:255] or None, "rows": rows, "columns": columns,
                 "results_sha256": [results_sha256]},
        threshold=threshold, list_version=list_version, list_fingerprint=list_fingerprint, results=tally.results())

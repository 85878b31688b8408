"""The evidence-log row for a finished screening job.

One row per job (not per input row: a million-row file would drown the log): the file, who
sent it, the options and list state, and per listed entity the best score and whether any
row matched it, read back from the job's JSON Lines results. The full per-row results stay
in the job's results files, whose hashes the row records.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..models import ScreeningHit, ScreeningJob, ScreeningLog
from ..screening import ALGORITHM, ALGORITHM_VERSION


def _digest(path: Path) -> str | None:
    if not path.exists():
        return None
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def log_job(session: Session, job: ScreeningJob, result_files: list[Path]) -> ScreeningLog:
    best: dict[int, dict[str, Any]] = {}
    for path in result_files:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                for m in json.loads(line).get("matches", ()):
                    seen = best.setdefault(m["entity_id"], {"entity_id": m["entity_id"], "score": 0.0,
                                                             "match": False, "rows": 0})
                    seen["score"] = max(seen["score"], m["score"])
                    seen["match"] = seen["match"] or bool(m["match"])
                    seen["rows"] += 1
    results = sorted(best.values(), key=lambda r: (-r["score"], r["entity_id"]))
    row = ScreeningLog(
        kind="job", batch_key=str(job.id), request_id=job.request_id, key_id=job.key_id, key_name=job.key_name,
        subject={"job_id": job.id, "filename": job.filename, "rows": job.rows_total, "columns": job.columns,
                 "results_sha256": [_digest(p) for p in result_files]},
        threshold=job.threshold, algorithm=ALGORITHM, algorithm_version=ALGORITHM_VERSION,
        list_version=job.list_version or 0, list_fingerprint=job.list_fingerprint or "",
        had_match=job.rows_matched > 0, results=results,
        hits=[ScreeningHit(entity_id=r["entity_id"], score=r["score"], match=r["match"]) for r in results],
    )
    session.add(row)
    return row

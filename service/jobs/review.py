"""A finished job's matched rows, for the review queue (:mod:`service.records.review`).

The job's JSON Lines results hold each row's input by column name and its matches; the
subject a reviewer decides on is read back from the input with the job's column mapping, as
the job read it, so a decision on the row's subject carries to later screenings of it.
"""

from __future__ import annotations

from typing import Any

from ..models import ScreeningJob
from .rows import Columns, to_subject


class JobMatches:
    """Collects (row, subject, entity, score) for each match of each matched row."""

    def __init__(self, job: ScreeningJob) -> None:
        self.header = list(job.header)
        self.columns = Columns.from_json(job.columns) if job.columns else None
        self.date_order = job.date_order
        self.found: list[tuple[int, dict[str, Any], int, float]] = []

    def add(self, record: dict[str, Any]) -> None:
        """One results line, parsed."""
        if self.columns is None or record.get("decision") != "match":
            return
        cells = [record["input"].get(h, "") for h in self.header]
        subject = to_subject(cells, self.columns, date_order=self.date_order).subject
        if subject is None:
            return
        data = {"name": subject.name, "type": subject.type, "birth_date": subject.birth_date,
                "country": subject.country,
                "identifiers": [{"scheme": i[0], "value": i[1]} for i in subject.identifiers]}
        for m in record.get("matches", ()):
            if m.get("match"):
                self.found.append((int(record["row"]), data, int(m["entity_id"]), float(m["score"])))

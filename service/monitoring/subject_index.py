"""The monitored subjects as screening indexes, for the reverse look-up of a changed entity.

One index per type class (persons, organisations, vessels, aircraft): a subject of a known type
sits in its class's index, one of no type in every class's (as ``/screen`` matches it against
any type). Each process keeps its indexes in step with the portfolio counter: a refresh reads
only the subjects written since (their ``seq``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import MonitoredSubject
from ..screening import DEFAULT_THRESHOLD, ScreeningIndex
from ..screening.collector import collector_paused
from ..screening.prepare import type_class
from . import cursors
from .subjects import as_listed

# The type each class's index files an untyped subject under.
CLASS_TYPES = {"person": "person", "org": "company", "vessel": "vessel", "aircraft": "aircraft"}
COLUMNS = (MonitoredSubject.id, MonitoredSubject.type, MonitoredSubject.name, MonitoredSubject.aliases,
           MonitoredSubject.birth_date, MonitoredSubject.country, MonitoredSubject.identifiers,
           MonitoredSubject.threshold, MonitoredSubject.status, MonitoredSubject.deleted_at)


@dataclass
class SubjectIndexes:
    by_class: dict[str, ScreeningIndex]
    thresholds: dict[int, float]
    seq: int
    lowest_threshold: float = DEFAULT_THRESHOLD

    def __len__(self) -> int:
        return len(self.thresholds)

    def for_type(self, etype: str | None) -> ScreeningIndex:
        return self.by_class[type_class(etype) or "org"]

    def threshold(self, subject_id: int) -> float:
        return self.thresholds.get(subject_id, DEFAULT_THRESHOLD)

    def apply(self, rows: Iterable[Any], *, fresh: bool = False) -> None:
        """Add, replace or drop these subjects (``fresh``: the indexes are empty, none to drop)."""
        for row in rows:
            if not fresh:
                for index in self.by_class.values():
                    index.remove(row.id)
                self.thresholds.pop(row.id, None)
            if row.deleted_at is not None or row.status != "active":
                continue
            own = type_class(row.type)
            if own is not None:
                self.by_class[own].upsert(as_listed(row, row.type))
            else:
                for cls, index in self.by_class.items():
                    index.upsert(as_listed(row, CLASS_TYPES[cls]))
            threshold = DEFAULT_THRESHOLD if row.threshold is None else row.threshold
            self.thresholds[row.id] = threshold
            if threshold < self.lowest_threshold:
                self.lowest_threshold = threshold


#: Rows fetched per round trip when the indexes are built.
FETCH_ROWS = 10_000


class SubjectIndexCache:
    """This process's subject indexes for one database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: SubjectIndexes | None = None

    def current(self, *, session: Session) -> SubjectIndexes:
        seq = cursors.read(session, cursors.PORTFOLIO)
        with self._lock:
            state = self._state
            if state is None or state.seq > seq:  # first use, or the portfolio was emptied
                state = SubjectIndexes({cls: ScreeningIndex() for cls in CLASS_TYPES}, {}, 0)
                rows = session.execute(select(*COLUMNS).where(
                    MonitoredSubject.deleted_at.is_(None), MonitoredSubject.seq <= seq)
                    .execution_options(yield_per=FETCH_ROWS))
                with collector_paused(collect=False):
                    state.apply(rows, fresh=True)
            elif state.seq < seq:
                state.apply(session.execute(select(*COLUMNS).where(
                    MonitoredSubject.seq > state.seq, MonitoredSubject.seq <= seq)))
            state.seq = seq
            self._state = state
            return state

    def reset(self) -> None:
        with self._lock:
            self._state = None

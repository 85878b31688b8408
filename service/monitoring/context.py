"""What a monitoring worker needs (:class:`MonitorContext`) and the settings it reads."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from ..records.screening import IndexCache
from .subject_index import SubjectIndexCache

#: Celery task names (the tasks are in :mod:`.tasks`).
DELTA_TASK = "sanctions.monitoring.delta"
SUBJECTS_TASK = "sanctions.monitoring.subjects"
FULL_TASK = "sanctions.monitoring.full"


@dataclass(frozen=True)
class MonitorSettings:
    storm_share: float = 0.01
    storm_max: int = 500
    storm_min: int = 10
    run_changes: int = 50_000
    chunk_subjects: int = 500
    stale_seconds: float = 60.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MonitorSettings:
        return cls(storm_share=config["MONITORING_STORM_SHARE"], storm_max=config["MONITORING_STORM_MAX"],
                   storm_min=config["MONITORING_STORM_MIN"], run_changes=config["MONITORING_RUN_CHANGES"],
                   chunk_subjects=config["MONITORING_CHUNK_SUBJECTS"], stale_seconds=config["JOB_STALE_SECONDS"])

    def storm_limit(self, portfolio: int) -> int:
        """Most alerts one run opens before the rest are held: the share of the portfolio,
        at least ``storm_min`` and at most ``storm_max``."""
        return min(self.storm_max, max(self.storm_min, math.ceil(self.storm_share * portfolio)))


@dataclass
class MonitorContext:
    sessions: Callable[[], Session]
    lists: IndexCache
    subjects: SubjectIndexCache = field(default_factory=SubjectIndexCache)
    settings: MonitorSettings = field(default_factory=MonitorSettings)
    log_settings: Any = None

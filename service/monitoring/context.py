"""What a monitoring worker needs (:class:`MonitorContext`) and the settings it reads."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy.orm import Session

from ..config import BY_NAME
from ..records.screening import IndexCache
from .subject_index import SubjectIndexCache

#: Celery task names (the tasks are in :mod:`.tasks`).
DELTA_TASK = "sanctions.monitoring.delta"
SUBJECTS_TASK = "sanctions.monitoring.subjects"
FULL_TASK = "sanctions.monitoring.full"


def setting(name: str) -> Any:
    """A settings field read from the declared setting ``name`` (service.config), whose
    default it takes: each value and default is declared once, there."""
    return field(default=BY_NAME[name].default, metadata={"setting": name})


@dataclass(frozen=True)
class MonitorSettings:
    """The monitoring settings a run reads, as the app's config (or a worker's) gives them."""

    storm_share: float = setting("MONITORING_STORM_SHARE")
    storm_max: int = setting("MONITORING_STORM_MAX")
    storm_min: int = setting("MONITORING_STORM_MIN")
    run_changes: int = setting("MONITORING_RUN_CHANGES")
    chunk_subjects: int = setting("MONITORING_CHUNK_SUBJECTS")
    stale_seconds: float = setting("JOB_STALE_SECONDS")
    step_pause: float = setting("MONITORING_STEP_PAUSE")

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MonitorSettings:
        return cls(**{f.name: config[f.metadata["setting"]] for f in fields(cls)})

    def pause(self) -> None:
        """After a committed step of a background run (``MONITORING_STEP_PAUSE``)."""
        if self.step_pause > 0:
            time.sleep(self.step_pause)

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

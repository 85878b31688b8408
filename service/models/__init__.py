"""All models, imported here so ``Base.metadata`` (and Alembic) sees every table."""

from .audit import DECISIONS, ROLES, ApiKey, Disposition, HistoryEntry, ScreeningHit, ScreeningLog
from .base import Base, RecordMixin, utcnow
from .case import CASE_STATUSES, CHARGE_STATUSES, Case, CaseDefendant, Charge
from .designation import Designation
from .entity import ENTITY_TYPES, GENDERS, NAME_KINDS, Entity, EntityIdentifier, EntityName
from .imports import IMPORT_ORIGINS, IMPORT_STATUSES, ImportRun
from .jobs import JOB_STATUSES, ScreeningJob, ScreeningJobPart
from .meta import ListChange, ListState
from .threat_group import MEMBER_ROLES, ThreatGroup, ThreatGroupMember

__all__ = [
    "DECISIONS",
    "ROLES",
    "ApiKey",
    "Disposition",
    "HistoryEntry",
    "ScreeningHit",
    "ScreeningLog",
    "Base",
    "CASE_STATUSES",
    "CHARGE_STATUSES",
    "Case",
    "CaseDefendant",
    "Charge",
    "Designation",
    "ENTITY_TYPES",
    "Entity",
    "EntityIdentifier",
    "EntityName",
    "GENDERS",
    "IMPORT_ORIGINS",
    "IMPORT_STATUSES",
    "ImportRun",
    "JOB_STATUSES",
    "ListChange",
    "ListState",
    "MEMBER_ROLES",
    "NAME_KINDS",
    "RecordMixin",
    "ScreeningJob",
    "ScreeningJobPart",
    "ThreatGroup",
    "ThreatGroupMember",
    "utcnow",
]

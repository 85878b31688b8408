"""All models, imported here so ``Base.metadata`` (and Alembic) sees every table.

The vocabulary (entity types, statuses ...) is re-exported for older imports; its home is
:mod:`service.vocabulary`.
"""

from ..vocabulary import (
    CASE_STATUSES,
    CHARGE_STATUSES,
    ENTITY_TYPES,
    GENDERS,
    IMPORT_ORIGINS,
    IMPORT_STATUSES,
    MEMBER_ROLES,
    NAME_KINDS,
)
from .audit import DECISIONS, ROLES, ApiKey, Disposition, HistoryEntry, ScreeningHit, ScreeningLog
from .base import Base, RecordMixin, utcnow
from .case import Case, CaseDefendant, Charge
from .designation import Designation, listing_active
from .entity import Entity, EntityIdentifier, EntityName
from .imports import ImportRun
from .jobs import JOB_STATUSES, ScreeningJob, ScreeningJobPart
from .meta import ListChange, ListState
from .monitoring import (
    ALERT_STATES,
    AlertEvent,
    ListCommit,
    MonitoredEntityState,
    MonitoredSubject,
    MonitoringAlert,
    MonitoringCursor,
    MonitoringRun,
    WebhookOutbox,
)
from .review import PROPOSAL_STATES, ReviewAssignment, ReviewJobMatch, ReviewProposal
from .threat_group import ThreatGroup, ThreatGroupMember
from .users import User
from .webhooks import (
    DELIVERY_STATUSES,
    PING_EVENT,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)

# The records people edit, by the ``record_type`` their history rows carry.
RECORD_TYPES: dict[type[RecordMixin], str] = {
    Entity: "entity", Designation: "designation", ThreatGroup: "threat_group",
    ThreatGroupMember: "threat_group_member", Case: "case", CaseDefendant: "case_defendant",
    Charge: "charge",
}

__all__ = [
    "PROPOSAL_STATES",
    "ReviewAssignment",
    "ReviewJobMatch",
    "ReviewProposal",
    "ALERT_STATES",
    "AlertEvent",
    "ListCommit",
    "MonitoredEntityState",
    "MonitoredSubject",
    "MonitoringAlert",
    "MonitoringCursor",
    "MonitoringRun",
    "WebhookOutbox",
    "DELIVERY_STATUSES",
    "PING_EVENT",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSecret",
    "DECISIONS",
    "RECORD_TYPES",
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
    "User",
    "listing_active",
    "utcnow",
]

"""All models, imported here so ``Base.metadata`` (and Alembic) sees every table."""

from .base import Base, RecordMixin, utcnow
from .case import CASE_STATUSES, CHARGE_STATUSES, Case, CaseDefendant, Charge
from .designation import Designation
from .entity import ENTITY_TYPES, GENDERS, NAME_KINDS, Entity, EntityIdentifier, EntityName
from .meta import ListChange, ListState
from .threat_group import MEMBER_ROLES, ThreatGroup, ThreatGroupMember

__all__ = [
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
    "ListChange",
    "ListState",
    "MEMBER_ROLES",
    "NAME_KINDS",
    "RecordMixin",
    "ThreatGroup",
    "ThreatGroupMember",
    "utcnow",
]

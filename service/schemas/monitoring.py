"""Monitoring: subjects (the portfolio), alerts with their events, transitions and runs."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from marshmallow import ValidationError, fields, validate

from ..models.monitoring import ALERT_STATES, RUN_KINDS, RUN_STATUSES, SUBJECT_STATUSES
from ..monitoring.subjects import external_id_problem, is_pending
from ..records.actor import author
from ..vocabulary import ENTITY_TYPES
from .common import (
    CountryCode,
    Float,
    Integer,
    Paging,
    PartialDate,
    Schema,
    optional_text,
    page_of,
    text,
)
from .jobs import JobOptions
from .screening import Explanation, SubjectIdentifier

MAX_BATCH = 1000


def EXTERNAL_ID(value: str) -> None:  # noqa: N802 (used like marshmallow's validator objects)
    if problem := external_id_problem(value):
        raise ValidationError(problem)


class SubjectIn(Schema):
    """A customer or vendor to monitor; a PUT replaces it whole."""

    type = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(ENTITY_TYPES),
                         metadata={"description": "Leave out to match any type."})
    name = text(500, required=True)
    aliases = fields.List(text(500), load_default=list, validate=validate.Length(max=20),
                          metadata={"description": "Other names, each screened as well (the best per entity wins)."})
    birth_date = PartialDate(allow_none=True, load_default=None)
    country = CountryCode(allow_none=True, load_default=None)
    identifiers = fields.List(fields.Nested(SubjectIdentifier), load_default=list, validate=validate.Length(max=20))
    threshold = Float(allow_none=True, load_default=None, validate=validate.Range(min=0.0, max=1.0),
                             metadata={"description": "Match threshold for this subject (default: the service's)."})
    status = fields.String(load_default="active", validate=validate.OneOf(SUBJECT_STATUSES),
                           metadata={"description": "paused: kept, not screened."})


class BatchSubjectIn(SubjectIn):
    external_id = fields.String(required=True, validate=EXTERNAL_ID)


class SubjectBatchRequest(Schema):
    subjects = fields.List(fields.Nested(BatchSubjectIn), required=True, validate=validate.Length(min=1),
                           metadata={"description": f"At most {MAX_BATCH} subjects, each with its external_id."})


class SubjectOut(Schema):
    external_id = fields.String()
    type = fields.String(allow_none=True)
    name = fields.String()
    aliases = fields.List(fields.String())
    birth_date = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    identifiers = fields.List(fields.Nested(SubjectIdentifier))
    threshold = fields.Float(allow_none=True)
    status = fields.String()
    version = fields.Integer(metadata={"description": "Grows with every change to how the subject screens."})
    pending = fields.Function(is_pending, metadata={
        "description": "Written since its last screening against the whole lists (alerts may still come)."})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    deleted_at = fields.DateTime(allow_none=True, metadata={"description": "Set when monitoring stopped (DELETE)."})


class SubjectWritten(SubjectOut):
    alerts_opened = fields.List(fields.Integer(), metadata={
        "description": "Ids of the alerts its screening opened at once."})


class SubjectListArgs(Paging):
    status = fields.String(validate=validate.OneOf(SUBJECT_STATUSES))
    type = fields.String(validate=validate.OneOf(ENTITY_TYPES))
    country = CountryCode()
    name = fields.String(validate=validate.Length(min=1, max=500), metadata={"description": "Name contains."})
    pending = fields.Boolean()
    include_deleted = fields.Boolean(load_default=False)


SubjectPage = page_of(SubjectOut, "SubjectPage")


class BatchItem(Schema):
    external_id = fields.String()
    outcome = fields.String(metadata={"description": "created, updated or unchanged"})
    alerts_opened = fields.List(fields.Integer())


class SubjectBatchResult(Schema):
    results = fields.List(fields.Nested(BatchItem))


class PortfolioCsvOptions(JobOptions):
    """How to read a portfolio file: the bulk jobs' column options, and the external id's column."""

    class Meta(JobOptions.Meta):
        exclude = ("threshold", "limit", "format")

    external_id_column = fields.String(validate=validate.Length(min=1, max=255), metadata={
        "description": "Header of the column holding each subject's external id (default: external_id, id, "
                       "customer_id, vendor_id ... recognised from the header)."})


class RowError(Schema):
    line = fields.Integer()
    external_id = fields.String(allow_none=True)
    error = fields.String()


class PortfolioCsvReport(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    rejected = fields.Integer()
    columns = fields.Dict(metadata={"description": "Which columns were read for what."})
    errors = fields.List(fields.Nested(RowError), metadata={"description": "The first 1000 rejected rows."})


class EventOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    kind = fields.String(metadata={"description": "created, transition, rescreened, delisted, archived, held"})
    from_state = fields.String(allow_none=True)
    to_state = fields.String(allow_none=True)
    comment = fields.String(allow_none=True)
    detail = fields.Dict()
    by = fields.Function(author, metadata={"description": "The user or key that did it (none: monitoring)."})
    key_id = fields.Integer(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    request_id = fields.String(allow_none=True)


def _subject_of(alert: Any) -> str:
    return str(alert.subject.external_id)


class AlertOut(Schema):
    id = fields.Integer()
    state = fields.String()
    subject = fields.Function(_subject_of, metadata={"description": "The subject's external id."})
    subject_name = fields.Function(lambda a: a.subject.name)
    entity_id = fields.Integer()
    entity_name = fields.String()
    matched_name = fields.String()
    score = fields.Float()
    threshold = fields.Float()
    references = fields.List(fields.String(), metadata={"description": "AUTHORITY:LISTREF of the entity's listings."})
    explanation = fields.Nested(Explanation)
    cause = fields.Dict(metadata={"description": "What raised it: kind (import, edit, subject, full), the import "
                                                 "run or request, the list counter."})
    entity_version = fields.Integer()
    subject_version = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    previous_alert_id = fields.Integer(allow_none=True, metadata={
        "description": "The false positive this alert reopens (the entity changed since)."})
    disposition_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    version = fields.Integer()


class AlertDetail(AlertOut):
    events = fields.List(fields.Nested(EventOut))


class AlertListArgs(Paging):
    state = fields.String(validate=validate.OneOf(ALERT_STATES))
    subject = fields.String(validate=EXTERNAL_ID, metadata={"description": "The subject's external id."})
    entity_id = Integer()
    authority = fields.String(validate=validate.Length(min=1, max=32))
    created_since = fields.AwareDateTime(default_timezone=UTC)
    run_id = Integer()


AlertPage = page_of(AlertOut, "AlertPage")


class TransitionIn(Schema):
    to = fields.String(required=True, validate=validate.OneOf(ALERT_STATES))
    comment = optional_text(2000, load_default=None)


class RunOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "delta (a list change), subjects (new or changed subjects) "
                                                  "or full (a full rescreen)"})
    status = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    from_change_id = fields.Integer(allow_none=True)
    to_change_id = fields.Integer(allow_none=True)
    changes_considered = fields.Integer(metadata={"description": "Entries of the list change log read (delta runs)."})
    entities_rescreened = fields.Integer(metadata={
        "description": "Changed entities whose matching data changed, screened against the portfolio (delta runs)."})
    subjects_screened = fields.Integer(metadata={"description": "Monitored subjects screened."})
    pairs_scored = fields.Integer(metadata={
        "description": "Subject and entity pairs scored: the candidates retrieval found, and the pairs with a live alert."})
    alerts_opened = fields.Integer(metadata={"description": "Alerts created, held ones included."})
    alerts_held = fields.Integer(metadata={"description": "Alerts the storm guard held (see held)."})
    events_added = fields.Integer(metadata={
        "description": "Events added to live alerts: the pair scored again after a change, its entity delisted or archived."})
    held = fields.Boolean(metadata={"description": "The storm guard held this run's alerts."})
    notice = fields.String(allow_none=True)
    first_change_at = fields.DateTime(allow_none=True)
    lag_seconds = fields.Float(allow_none=True, metadata={
        "description": "From the commit of the earliest list change it handled to the commit of its alerts."})
    error = fields.String(allow_none=True)


class RunListArgs(Paging):
    kind = fields.String(validate=validate.OneOf(RUN_KINDS))
    status = fields.String(validate=validate.OneOf(RUN_STATUSES))


RunPage = page_of(RunOut, "RunPage")


class RunRequest(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("full",)), metadata={
        "description": "full: rescreen the whole portfolio (after an engine or threshold change); pairs "
                       "already decided are skipped."})


class ReleaseIn(Schema):
    comment = optional_text(2000, load_default=None)


class ReleaseOut(Schema):
    released = fields.Integer()

"""Screening requests and results."""

from __future__ import annotations

from marshmallow import fields, validate

from ..records.actor import author
from ..screening import DEFAULT_THRESHOLD
from ..vocabulary import ENTITY_TYPES
from .common import (
    CountryCode,
    Float,
    GroupRef,
    Integer,
    PageArgs,
    PartialDate,
    Schema,
    page_of,
    text,
)
from .entity import IDENTIFIER_SCHEME
from .summaries import ChargeSummary, DesignationSummary, EntityName, GroupLinkSummary, nested_list

MAX_BATCH = 1000
SUBJECT_TYPES = ENTITY_TYPES


class SubjectIdentifier(Schema):
    scheme = fields.String(load_default="other", validate=IDENTIFIER_SCHEME)
    value = text(255, required=True)
    country = CountryCode(allow_none=True, load_default=None)


class Subject(Schema):
    name = text(500, required=True, metadata={"description": "The name to screen, in any script."})
    type = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(SUBJECT_TYPES),
        metadata={"description": "Leave out to match any type; person never matches companies and vice versa."},
    )
    birth_date = PartialDate(allow_none=True, load_default=None)
    country = CountryCode(allow_none=True, load_default=None, metadata={"description": "Nationality or country."})
    identifiers = fields.List(fields.Nested(SubjectIdentifier), load_default=list, validate=validate.Length(max=20))


class Options(Schema):
    threshold = Float(
        load_default=DEFAULT_THRESHOLD, validate=validate.Range(min=0.0, max=1.0),
        metadata={"description": f"Score at or above which a result is a match (default {DEFAULT_THRESHOLD}, chosen from bench/accuracy.py)."},
    )
    limit = Integer(load_default=10, validate=validate.Range(min=1, max=100))


class ScreenRequest(Subject, Options):
    """One subject plus options."""


class BatchRequest(Options):
    queries = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=128)), values=fields.Nested(Subject),
        required=True, metadata={"description": f"Subjects by your own key; at most {MAX_BATCH}."},
    )


class EntityBrief(EntityName):
    """What a screening system needs to act on a match, without a second request."""

    designations = nested_list(DesignationSummary, "active_designations", "Active designations.")
    charges = nested_list(ChargeSummary, "live_charges")
    threat_groups = nested_list(GroupLinkSummary, "live_group_links")


class Adjustment(Schema):
    feature = fields.String(metadata={"description": "birth_date, country or identifier"})
    effect = fields.Float(metadata={"description": "Added to the name score (negative lowers it)."})
    detail = fields.String()


class Unmatched(Schema):
    side = fields.String(metadata={"description": "query or listed"})
    word = fields.String()
    weight = fields.Float(metadata={"description": "Its cost as a missing part (rarer, longer words weigh more)."})


class Explanation(Schema):
    algorithm = fields.String(metadata={"description": "The matching algorithm's name."})
    algorithm_version = fields.String(metadata={
        "description": "Its version: scores from different versions are not comparable."})
    query_name = fields.String(metadata={"description": (
        "The query name that matched best (the name or an alias; of a name listing alternatives, "
        "\"A (B; C)\", the one that matched).")})
    matched_name = fields.String(metadata={"description": "The listed name it matched, as written on the list."})
    matched_name_kind = fields.String(metadata={
        "description": "primary, aka, fka, nka, weak_alias or original_script (a weak alias counts only whole and near-exact)."})
    name_score = fields.Float(metadata={"description": "The name similarity before adjustments, 0 to 1."})
    token_pairs = fields.List(fields.List(fields.Raw()), metadata={"description": "[query token, listed token, similarity]"})
    unmatched = fields.List(fields.Nested(Unmatched), metadata={
        "description": "Words of either name that no pair explains; each lowers the score by its weight."})
    adjustments = fields.List(fields.Nested(Adjustment))
    final_score = fields.Float()
    threshold = fields.Float()


class DispositionBrief(Schema):
    id = fields.Integer()
    decision = fields.String()
    comment = fields.String(allow_none=True)
    decided_at = fields.DateTime(attribute="created_at")
    decided_by = fields.Function(author, allow_none=True, metadata={
        "type": "string", "description": "The user who decided, or the API key's name."})
    entity_version = fields.Integer(metadata={"description": "The entity's version when decided."})


class ScreeningHitOut(Schema):
    """A result as the evidence log keeps it; :class:`MatchOut` is what the screener is sent."""

    entity_id = fields.Integer()
    score = fields.Float(metadata={"description": "The final score, 0 to 1."})
    match = fields.Boolean(metadata={"description": "True when the score reaches the threshold."})
    suppressed = fields.Boolean(metadata={
        "description": "A false positive recorded for this subject and entity version; still returned, never hidden."})


class MatchOut(ScreeningHitOut):
    name = fields.String()
    matched_name = fields.String()
    references = fields.List(fields.String(), metadata={"description": "AUTHORITY:LISTREF of active designations"})
    explanation = fields.Nested(Explanation)
    entity = fields.Nested(EntityBrief)
    disposition = fields.Nested(DispositionBrief, allow_none=True,
                                metadata={"description": "The analysts' decision in force for this subject and entity."})
    suppressed = fields.Boolean(metadata={"description": "A false positive recorded for this subject; still returned, never hidden."})
    suppression_note = fields.String(allow_none=True, metadata={"description": "Why suppressed, or why a suppression lapsed."})


class ScreenedAgainst(Schema):
    """How a screening was scored and against which list state: what reproduces it."""

    threshold = fields.Float()
    algorithm = fields.String()
    algorithm_version = fields.String()
    list_version = fields.Integer(metadata={"description": "List-state counter screened against."})
    list_fingerprint = fields.String(metadata={"description": "Fingerprint of the list state screened against."})


class ScreenResult(ScreenedAgainst):
    screening_id = fields.Integer(metadata={"description": "Id of the evidence-log row for this screening."})
    matches = fields.List(fields.Nested(MatchOut))


class BatchResult(Schema):
    responses = fields.Dict(keys=fields.String(), values=fields.Nested(ScreenResult))


class SearchArgs(PageArgs):
    q = text(500, required=True, metadata={"description": "Fuzzy name, any script."})
    type = fields.String(validate=validate.OneOf(SUBJECT_TYPES))
    authority = fields.String(validate=validate.Length(max=32))
    programme = fields.String(validate=validate.Length(max=255))
    threat_group = GroupRef()
    country = CountryCode()
    active = fields.Boolean(metadata={"description": "true: only entities with an active designation."})
    min_score = Float(load_default=0.6, validate=validate.Range(min=0.0, max=1.0))


class SearchHit(Schema):
    score = fields.Float()
    matched_name = fields.String()
    entity = fields.Nested(EntityBrief)


SearchPage = page_of(SearchHit, "SearchPage", items_first=True)

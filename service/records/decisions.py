"""Decisions on a (subject, entity) pair, with or without four-eyes review.

Without four-eyes (FOUR_EYES_REVIEW off, the default) a decision is a disposition at once.
With it, a ``true_match`` or ``false_positive`` decision is a *proposal*: it takes effect only
when a second, different user whose role may record decisions (analyst, editor or admin)
approves it; the approval writes the disposition in force (in the proposer's name, with the
proposer's comment, about the entity as the proposer saw it) and the proposal keeps both
sides: who proposed and who approved or rejected, when, and their comments. ``needs_review``
is never held back (it decides nothing). The web interface and ``POST /api/v1/dispositions``
both decide through :func:`decide`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, DomainError, Invalid, NotFound
from ..models import DECISIONS, Disposition, Entity, ReviewAssignment, ReviewProposal, utcnow
from ..permissions import DISPOSITION, allows
from .actor import Actor
from .evidence import add_disposition, get_entity
from .review import Pair, assignments_for

# The decisions four-eyes review holds back until a second reviewer approves them.
FOUR_EYES_DECISIONS = ("true_match", "false_positive")
MAX_COMMENT = 5000


class NotAllowed(DomainError, status=403):
    """The actor may not approve or reject this proposal."""


@dataclass(frozen=True)
class Decided:
    """What a decision did: a disposition now in force, or a proposal awaiting approval."""

    disposition: Disposition | None = None
    proposal: ReviewProposal | None = None

    @property
    def in_force(self) -> bool:
        return self.disposition is not None


def _comment(comment: str | None) -> str | None:
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise Invalid(f"The comment is longer than {MAX_COMMENT} characters.",
                      errors={"comment": [f"At most {MAX_COMMENT} characters."]})
    return comment


def decide(*, session: Session, pair: Pair, decision: str, comment: str | None, actor: Actor,
           four_eyes: bool) -> Decided:
    """Record ``decision`` on the pair: a disposition, or (four-eyes, a true match or false
    positive) a proposal. A pair holds one proposal at a time."""
    if decision not in DECISIONS:
        raise Invalid(f"Unknown decision {decision!r}.", errors={"decision": [f"One of: {', '.join(DECISIONS)}."]})
    comment = _comment(comment)
    entity = get_entity(session, pair.entity_id)
    if not (four_eyes and decision in FOUR_EYES_DECISIONS):
        return Decided(disposition=add_disposition(
            session=session, key=pair.subject_key, stored=pair.subject, entity_id=pair.entity_id,
            decision=decision, comment=comment, actor=actor))
    waiting = pending(session, pair)
    if waiting is not None:
        raise Conflict(f"A decision on this match ({waiting.decision.replace('_', ' ')}, proposed by "
                       f"{waiting.user_name or waiting.key_name or 'unknown'}) is already awaiting approval.")
    proposal = ReviewProposal(subject_key=pair.subject_key, subject=pair.subject, entity_id=pair.entity_id,
                              entity_version=entity.version, decision=decision, comment=comment,
                              **actor.columns())
    session.add(proposal)
    session.flush()
    return Decided(proposal=proposal)


def pending(session: Session, pair: Pair) -> ReviewProposal | None:
    return session.scalar(select(ReviewProposal).where(
        ReviewProposal.subject_key == pair.subject_key, ReviewProposal.entity_id == pair.entity_id,
        ReviewProposal.state == "pending"))


def check_reviewer(proposal: ReviewProposal, actor: Actor) -> None:
    """The four-eyes rule: a signed-in user, other than the proposer, whose role may record
    decisions (analyst or above)."""
    if actor.user_id is None:
        raise NotAllowed("A proposal is approved or rejected by a signed-in user.")
    if proposal.user_id is not None and proposal.user_id == actor.user_id:
        raise NotAllowed("You proposed this decision: a second reviewer must approve or reject it.")
    if actor.role is None or not allows(actor.role, DISPOSITION):
        raise NotAllowed("Approving a decision needs the analyst role or above.")


def _open_proposal(session: Session, proposal_id: int) -> ReviewProposal:
    proposal = session.get(ReviewProposal, proposal_id)
    if proposal is None:
        raise NotFound(f"No proposal with id {proposal_id}.")
    if proposal.state != "pending":
        raise Conflict(f"This proposal was {proposal.state} by {proposal.reviewer_user_name or 'someone'} already.")
    return proposal


def _close(proposal: ReviewProposal, state: str, actor: Actor, comment: str | None) -> None:
    proposal.state = state
    proposal.reviewer_user_id, proposal.reviewer_user_name = actor.user_id, actor.user_name
    proposal.reviewed_at = utcnow()
    proposal.review_comment = _comment(comment)


def approve(*, session: Session, proposal_id: int, actor: Actor, comment: str | None) -> ReviewProposal:
    """A second reviewer approves: the disposition is written and in force from now."""
    proposal = _open_proposal(session, proposal_id)
    check_reviewer(proposal, actor)
    _close(proposal, "approved", actor, comment)
    disposition = add_disposition(
        session=session, key=proposal.subject_key, stored=proposal.subject, entity_id=proposal.entity_id,
        decision=proposal.decision, comment=proposal.comment, actor=Actor.of_row(proposal),
        entity_version=proposal.entity_version)
    proposal.disposition_id = disposition.id
    session.flush()
    return proposal


def reject(*, session: Session, proposal_id: int, actor: Actor, comment: str | None) -> ReviewProposal:
    """A second reviewer rejects: nothing takes effect and the match stays in the queue."""
    proposal = _open_proposal(session, proposal_id)
    check_reviewer(proposal, actor)
    _close(proposal, "rejected", actor, comment)
    session.flush()
    return proposal


def proposals(*, session: Session, pair: Pair) -> list[ReviewProposal]:
    """Every proposal on the pair, newest first (the record of who proposed and who approved)."""
    return list(session.scalars(select(ReviewProposal).where(
        ReviewProposal.subject_key == pair.subject_key, ReviewProposal.entity_id == pair.entity_id)
        .order_by(ReviewProposal.id.desc())))


def proposal_body(proposal: ReviewProposal | None) -> dict[str, Any]:
    """A proposal as a disposition's fields (``POST /api/v1/dispositions`` answers with it
    when four-eyes review holds the decision back): no disposition id yet."""
    assert proposal is not None
    return {"id": None, "status": "proposed", "proposal_id": proposal.id, "subject": proposal.subject,
            "entity_id": proposal.entity_id, "entity_version": proposal.entity_version,
            "decision": proposal.decision, "comment": proposal.comment, "created_at": proposal.proposed_at,
            **Actor.of_row(proposal).columns()}


@dataclass
class PairRecord:
    """Everything decided or proposed on a pair so far, newest first, and who has it now."""

    entity: Entity
    assignment: ReviewAssignment | None
    pending: ReviewProposal | None
    proposals: list[ReviewProposal]
    dispositions: list[Disposition]


def pair_record(*, session: Session, pair: Pair) -> PairRecord:
    props = proposals(session=session, pair=pair)
    return PairRecord(
        entity=get_entity(session, pair.entity_id),
        assignment=assignments_for(session, [(pair.subject_key, pair.entity_id)]).get((pair.subject_key, pair.entity_id)),
        pending=next((p for p in props if p.state == "pending"), None),
        proposals=props,
        dispositions=list(session.scalars(select(Disposition).where(
            Disposition.subject_key == pair.subject_key, Disposition.entity_id == pair.entity_id)
            .order_by(Disposition.id.desc()))),
    )

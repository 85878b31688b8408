"""The delta rescreen: what a list change means for the portfolio, at a cost that grows with
the change, not with the portfolio.

A cursor in the database (``monitoring_cursors.changes``) holds the last list change id
processed. A run reads the changes after it, keeps the entities whose change matters for
matching (names, identifiers, birth dates, countries, type, a new listing; a fingerprint per
entity tells them from a changed note or source), finds the subjects each could match in the
reverse index of the portfolio (:mod:`.subject_index`: the entity's names as queries, with a
margin below the lowest subject threshold, plus shared identifiers), then scores each such
pair the way ``/screen`` does: the subject as the query, against an index of the changed
entities. A delisting adds an event to the entity's live alerts. Alerts, events, entity
states, the run record and the cursor's move are one transaction: a crash loses nothing and a
rerun repeats nothing; a second worker that ran the same range fails to move the cursor and
rolls back.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ..models import (
    Entity,
    ListChange,
    ListCommit,
    MonitoredEntityState,
    MonitoredSubject,
    MonitoringAlert,
    MonitoringRun,
    utcnow,
)
from ..records.common import in_lists
from ..records.listed import listed_entities
from ..screening import ListedEntity, ScreeningIndex, Subject
from . import cursors
from .alerts import LIVE_STATES, Hit, Plan, latest_alerts, plan_pairs
from .context import MonitorContext
from .runs import finish, write_guarded
from .screen import best_matches
from .subject_index import SubjectIndexes
from .subjects import portfolio_size

#: Subjects returned per reverse query: all of those above the floor, in practice.
REVERSE_LIMIT = 100_000


def fingerprint(entity: ListedEntity) -> str:
    """What matching reads of an entity, hashed: equal fingerprints screen alike."""
    data = [entity.type, sorted((n.name, n.kind) for n in entity.names), sorted(entity.birth_dates),
            sorted(entity.countries), sorted(list(i) for i in entity.identifiers)]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Classified:
    rescreen: list[ListedEntity] = field(default_factory=list)
    delisted: dict[int, list[str]] = field(default_factory=dict)  # entity -> references removed
    archived: list[int] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)  # new monitored states


def classify(session: Session, ids: set[int]) -> Classified:
    """Sort the changed entities: rescreen (a change that matters, a new entity, a new
    listing), delisted (references gone), archived, or nothing that matters."""
    out = Classified()
    listed = {e.entity_id: e for e in listed_entities(session=session, ids=ids)}
    versions: dict[int, int] = {}
    states: dict[int, MonitoredEntityState] = {}
    for part in in_lists(sorted(ids)):
        versions.update((r[0], r[1]) for r in session.execute(select(Entity.id, Entity.version).where(Entity.id.in_(part))))
        states.update((s.entity_id, s) for s in session.scalars(
            select(MonitoredEntityState).where(MonitoredEntityState.entity_id.in_(part))))
    for eid in sorted(ids):
        state, entity = states.get(eid), listed.get(eid)
        if entity is None:
            if state is not None:
                out.archived.append(eid)
            continue
        fp, refs = fingerprint(entity), set(entity.references)
        old_refs = set(state.references) if state else set()
        if old_refs - refs:
            out.delisted[eid] = sorted(old_refs - refs)
        matters = state is None or fp != state.fingerprint or bool(refs - old_refs)
        if matters:
            out.rescreen.append(entity)
        if matters or old_refs != refs:
            version = versions[eid] if matters else state.version  # type: ignore[union-attr]
            out.states.append({"entity_id": eid, "fingerprint": fp, "references": sorted(refs),
                               "version": version, "updated_at": utcnow()})
    return out


def reverse_candidates(subjects: SubjectIndexes, entities: Iterable[ListedEntity]) -> dict[int, set[int]]:
    """Subject id -> the changed entities it could match: each entity's names (and its
    identifiers) screened against the subjects of its type class, down to 0.8 x the lowest
    subject threshold (scores are nearly symmetric; the exact score comes next)."""
    out: dict[int, set[int]] = defaultdict(set)
    for entity in entities:
        index = subjects.for_type(entity.type)
        if not len(index):
            continue
        for name in dict.fromkeys(n.name for n in [*entity.names]):
            query = Subject(name=name, type=entity.type, identifiers=list(entity.identifiers))
            for m in index.screen(query, threshold=subjects.lowest_threshold, limit=REVERSE_LIMIT):
                out[m.entity_id].add(entity.entity_id)
    return out


def _causes(session: Session, rows: list[Any]) -> tuple[dict[int, dict[str, Any]], Any]:
    """Per entity, the change that last touched it in this range (its import run or request);
    and when the earliest of the range's changes was committed."""
    last: dict[int, tuple[int, int]] = {}
    for change_id, counter, eid in rows:
        last[eid] = (change_id, counter)
    commits: dict[int, ListCommit] = {}
    for part in in_lists(sorted({c for _, c, _ in rows})):
        commits.update((c.counter, c) for c in session.scalars(select(ListCommit).where(ListCommit.counter.in_(part))))
    causes = {}
    for eid, (change_id, counter) in last.items():
        commit = commits.get(counter)
        cause: dict[str, Any] = {"kind": "edit", "list_counter": counter, "change_id": change_id}
        if commit is not None:
            if commit.import_run_id is not None:
                cause.update(kind="import", import_run_id=commit.import_run_id)
            cause.update({k: v for k, v in (("key_name", commit.key_name), ("user_name", commit.user_name),
                                            ("request_id", commit.request_id)) if v is not None})
        causes[eid] = cause
    first = min((c.committed_at for c in commits.values()), default=None)
    return causes, first


def _hits(session: Session, subjects: SubjectIndexes, rescreen: list[ListedEntity],
          causes: dict[int, dict[str, Any]], versions: dict[int, int]) -> tuple[list[Hit], int, int]:
    """(hits, subjects screened, pairs scored) for the entities to rescreen."""
    candidates = reverse_candidates(subjects, rescreen)
    ids = [e.entity_id for e in rescreen]
    # Subjects with a live alert on a changed entity hear how the pair scores now.
    for part in in_lists(ids):
        for sid, eid in session.execute(select(MonitoringAlert.subject_id, MonitoringAlert.entity_id).where(
                MonitoringAlert.entity_id.in_(part), MonitoringAlert.state.in_(LIVE_STATES))):
            candidates[sid].add(eid)
    if not candidates:
        return [], 0, 0
    changed = ScreeningIndex.build(rescreen)
    hits: list[Hit] = []
    screened = scored = 0
    for part in in_lists(sorted(candidates)):
        for subject in session.scalars(select(MonitoredSubject).where(
                MonitoredSubject.id.in_(part), MonitoredSubject.deleted_at.is_(None),
                MonitoredSubject.status == "active")):
            screened += 1
            best = best_matches(changed, subject, subjects.threshold(subject.id))
            pairs = candidates[subject.id] | {eid for eid, m in best.items() if m.match}
            scored += len(pairs)
            hits.extend(Hit(subject.id, subject.version, eid, versions[eid], best.get(eid), causes[eid])
                        for eid in sorted(pairs))
    return hits, screened, scored


def run_delta(ctx: MonitorContext) -> int | None:
    """Process the next range of the change log; returns the run's id, or None when the
    cursor is at the end (or another worker took this range)."""
    session = ctx.sessions()
    try:
        started = utcnow()
        last = cursors.read(session, cursors.CHANGES)
        rows = [tuple(r) for r in session.execute(
            select(ListChange.id, ListChange.counter, ListChange.entity_id).where(ListChange.id > last)
            .order_by(ListChange.id).limit(ctx.settings.run_changes))]
        if not rows:
            return None
        ids = {eid for _, _, eid in rows}
        causes, first_change_at = _causes(session, rows)
        found = classify(session, ids)
        versions = {s["entity_id"]: s["version"] for s in found.states}
        subjects = ctx.subjects.current(session=session)
        hits, screened, scored = _hits(session, subjects, found.rescreen, causes, versions)
        plan = plan_pairs(hits, latest_alerts(session, {(h.subject_id, h.entity_id) for h in hits}))
        _delisting_events(session, plan, found, causes)

        run = MonitoringRun(kind="delta", status="running", started_at=started, heartbeat_at=utcnow(),
                            from_change_id=rows[0][0], to_change_id=rows[-1][0], changes_considered=len(rows),
                            entities_rescreened=len(found.rescreen), subjects_screened=screened,
                            pairs_scored=scored, first_change_at=first_change_at)
        session.add(run)
        if not cursors.advance(session, cursors.CHANGES, last, rows[-1][0]):
            session.rollback()
            return None
        write_guarded(session, run, plan, limit=ctx.settings.storm_limit(portfolio_size(session)))
        _save_states(session, found)
        finish(session, run)
        session.commit()
        return run.id
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _delisting_events(session: Session, plan: Plan, found: Classified, causes: dict[int, dict[str, Any]]) -> None:
    gone = {**found.delisted, **{eid: [] for eid in found.archived}}
    for part in in_lists(sorted(gone)):
        for alert_id, eid in session.execute(select(MonitoringAlert.id, MonitoringAlert.entity_id).where(
                MonitoringAlert.entity_id.in_(part), MonitoringAlert.state.in_(LIVE_STATES))):
            kind = "archived" if eid in found.archived else "delisted"
            plan.events.append((alert_id, kind, {"references": gone[eid], "cause": causes.get(eid)}))


def _save_states(session: Session, found: Classified) -> None:
    drop = [s["entity_id"] for s in found.states] + found.archived
    for part in in_lists(sorted(drop)):
        session.execute(delete(MonitoredEntityState).where(MonitoredEntityState.entity_id.in_(part)))
    if found.states:
        session.execute(insert(MonitoredEntityState), found.states)

"""Screening evidence and analysts' dispositions.

Every screening leaves a row: who asked, when, in which request, the input (or a keyed hash of
the name), the threshold, algorithm, list state and results. A screened file (a job, ``/screen/csv``,
``sanctions screen``) leaves one row for the whole file: :func:`log_file`. A disposition is an analyst's
decision on a (screened subject, listed entity) pair; later screenings of the same subject
(same normalised name, birth date and country) carry it, and a ``false_positive`` suppresses
the match until the listed entity changes.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Executable,
    Float,
    Integer,
    Select,
    Table,
    any_,
    bindparam,
    exists,
    false,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, selectinload

from ..errors import Invalid
from ..models import Disposition, Entity, ListState, ScreeningHit, ScreeningLog, utcnow
from ..screening import ALGORITHM, ALGORITHM_VERSION
from ..screening.normalize import tokenize
from .actor import Actor, author
from .common import Page, paginate


@dataclass(frozen=True)
class LogSettings:
    hash_names: bool = False
    hash_key: str = ""


def subject_key(subject: dict[str, Any]) -> str:
    """Same normalised name (any word order, case, accents, script), birth date and country
    -> same key."""
    name = " ".join(sorted(tokenize(subject.get("name") or "")))
    raw = "|".join([name, subject.get("birth_date") or "", (subject.get("country") or "").upper()])
    return hashlib.sha256(raw.encode()).hexdigest()


def stored_subject(subject: dict[str, Any], settings: LogSettings) -> dict[str, Any]:
    """The subject as the log and dispositions keep it: as sent, or with the name and
    identifiers replaced by keyed hashes when so configured."""
    if not settings.hash_names:
        return subject
    if not settings.hash_key:
        raise Invalid("SCREENING_LOG_HASH_NAMES is on but SCREENING_LOG_HASH_KEY is empty.")

    def digest(text: str) -> str:
        return hmac.new(settings.hash_key.encode(), text.encode(), hashlib.sha256).hexdigest()

    stored = {k: v for k, v in subject.items() if k not in {"name", "identifiers"}}
    stored["name_hmac"] = digest(" ".join(sorted(tokenize(subject.get("name") or ""))))
    if subject.get("identifiers"):
        stored["identifiers_hmac"] = [digest(f"{i.get('scheme')}:{i.get('value')}") for i in subject["identifiers"]]
    return stored


def log_screenings(
    *, session: Session, kind: str, subjects: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]],
    actor: Actor, settings: LogSettings, batch: bool, if_list_version: int | None = None,
    if_undecided: bool = False,
) -> dict[str, int] | None:
    """One evidence row per subject; returns the row ids by key. One subject is written by
    :func:`insert_screening` (one statement on PostgreSQL); more through the ORM, batched.
    ``if_list_version`` and ``if_undecided`` (one subject only): see :func:`insert_screening`;
    when not written, return None."""
    rows = {key: _log_row(kind=kind, key=key if batch else None, subject=subject, result=results[key],
                          actor=actor, settings=settings)
            for key, subject in subjects.items()}
    if len(rows) == 1:
        ((key, row),) = rows.items()
        log_id = insert_screening(session=session, row=row, hits=results[key]["matches"],
                                  if_list_version=if_list_version, if_undecided=if_undecided)
        return None if log_id is None else {key: log_id}
    if if_list_version is not None or if_undecided:
        raise ValueError("if_list_version and if_undecided apply to one subject only")
    logs = {key: ScreeningLog(**row, hits=[ScreeningHit(entity_id=m["entity_id"], score=m["score"], match=m["match"])
                                           for m in results[key]["matches"]])
            for key, row in rows.items()}
    session.add_all(logs.values())
    session.flush()
    return {key: log.id for key, log in logs.items()}


def _log_row(*, kind: str, key: str | None, subject: dict[str, Any], result: dict[str, Any], actor: Actor,
             settings: LogSettings) -> dict[str, Any]:
    """The screening_log columns of one screened subject."""
    return {
        "at": utcnow(), "kind": kind, "batch_key": key, **actor.columns(),
        "subject": stored_subject(subject, settings), "subject_key": subject_key(subject),
        "threshold": result["threshold"], "algorithm": result["algorithm"],
        "algorithm_version": result["algorithm_version"], "list_version": result["list_version"],
        "list_fingerprint": result["list_fingerprint"],
        "had_match": any(m["match"] and not m.get("suppressed") for m in result["matches"]),
        "results": [{"entity_id": m["entity_id"], "score": m["score"], "match": m["match"],
                     "suppressed": m.get("suppressed", False)} for m in result["matches"]],
    }


def insert_screening(
    *, session: Session, row: dict[str, Any], hits: Sequence[dict[str, Any]], if_list_version: int | None = None,
    if_undecided: bool = False,
) -> int | None:
    """Write one evidence row (``row``: every column of :func:`_log_row`) and its hits;
    returns its id.

    On PostgreSQL one statement writes both (the hits in a data-modifying CTE): one round
    trip, atomic by itself, so it is as durable as the transaction it runs in, or, run
    outside one (:func:`service.records.screening.screen_and_log`), committed when it
    returns. Elsewhere (SQLite, in process) two statements in the caller's transaction.

    Conditions checked in the same statement; when one fails, nothing is written and this
    returns None:

    - ``if_list_version``: the list-state counter still reads that;
    - ``if_undecided`` (PostgreSQL only): no disposition is recorded for the subject and any
      of the hits' entities, so a result screened without reading them
      (:func:`apply_dispositions`) is what reading them would have made it."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if if_undecided and not postgresql:
        raise ValueError("if_undecided is checked on PostgreSQL only")
    with_hits = postgresql and bool(hits)
    params: dict[str, Any] = {f"log_{name}": value for name, value in row.items()}
    params["if_list_version"] = if_list_version
    if with_hits:
        params.update(hit_entities=[h["entity_id"] for h in hits], hit_scores=[h["score"] for h in hits],
                      hit_matches=[h["match"] for h in hits])
    # Without hits there is no match a disposition could apply to.
    statement = _insert_statement(tuple(row), if_list_version is not None, with_hits, if_undecided and with_hits)
    found = session.execute(statement, params).scalar()
    if found is None:
        return None
    if hits and not with_hits:
        session.execute(insert(_table(ScreeningHit)), [
            {"log_id": found, "entity_id": h["entity_id"], "score": h["score"], "match": h["match"]} for h in hits
        ])
    return int(found)


def _table(model: Any) -> Table:
    # The Core table, not the ORM entity: an ORM-enabled insert goes through the ORM's bulk
    # machinery on every execution, for nothing here.
    return cast(Table, model.__table__)


@functools.cache
def _insert_statement(columns: tuple[str, ...], guarded: bool, with_hits: bool, undecided: bool = False) -> Executable:
    """INSERT INTO screening_log SELECT <the row's bound values> [WHERE <the list-state counter
    is still :if_list_version>] [AND <no disposition on the subject and a hit's entity>]
    RETURNING id, and with ``with_hits`` (PostgreSQL) the hits from arrays in a CTE. Built
    once: each request only binds its values (building the statement cost as much CPU as the
    rest of the evidence write)."""
    table = _table(ScreeningLog)
    bound = {name: bindparam(f"log_{name}", type_=table.c[name].type) for name in columns}
    hit_entities = bindparam("hit_entities", type_=ARRAY(Integer))
    values = select(*bound.values())
    if guarded:
        counter = select(func.coalesce(func.max(ListState.counter), 0)).where(ListState.id == 1).scalar_subquery()
        values = values.where(counter == bindparam("if_list_version", type_=Integer))
    if undecided:
        # What latest_dispositions reads (the pair index serves it), here only tested.
        values = values.where(~exists().where(Disposition.subject_key == bound["subject_key"],
                                              Disposition.entity_id == any_(hit_entities)))
    log = insert(table).from_select(list(columns), values).returning(table.c.id)
    if not with_hits:
        return log
    written = log.cte("log")
    rows = func.unnest(hit_entities, bindparam("hit_scores", type_=ARRAY(Float)),
                       bindparam("hit_matches", type_=ARRAY(Boolean))) \
        .table_valued("entity_id", "score", "match").render_derived()
    add_hits = insert(_table(ScreeningHit)).from_select(
        ["log_id", "entity_id", "score", "match"],
        select(written.c.id, rows.c.entity_id, rows.c.score, rows.c.match).select_from(written).join(rows, true()),
    )
    return select(written.c.id).add_cte(add_hits.cte("hits"))


def log_file(
    *, session: Session, kind: str, batch_key: str | None, actor: Actor, subject: dict[str, Any],
    threshold: float, list_version: int | None, list_fingerprint: str | None, results: list[dict[str, Any]],
) -> ScreeningLog:
    """The one evidence row of a screened file: ``subject`` describes the file (name, rows,
    columns, hashes of the results), ``results`` holds per listed entity the best score,
    whether a row matched it and how many rows it came up for."""
    row = ScreeningLog(
        kind=kind, batch_key=batch_key, **actor.columns(), subject=subject, threshold=threshold, algorithm=ALGORITHM,
        algorithm_version=ALGORITHM_VERSION, list_version=list_version or 0, list_fingerprint=list_fingerprint or "",
        had_match=any(r["match"] for r in results), results=results,
        hits=[ScreeningHit(entity_id=r["entity_id"], score=r["score"], match=r["match"]) for r in results],
    )
    session.add(row)
    return row


@dataclass
class LogFilters:
    since: datetime | None = None
    until: datetime | None = None
    key_id: int | None = None
    user_id: int | None = None
    had_match: bool | None = None
    entity_id: int | None = None
    kind: str | None = None


def _log_query(filters: LogFilters) -> Select[Any]:
    stmt = select(ScreeningLog)
    if filters.since:
        stmt = stmt.where(ScreeningLog.at >= filters.since)
    if filters.until:
        stmt = stmt.where(ScreeningLog.at <= filters.until)
    if filters.key_id is not None:
        stmt = stmt.where(ScreeningLog.key_id == filters.key_id)
    if filters.user_id is not None:
        stmt = stmt.where(ScreeningLog.user_id == filters.user_id)
    if filters.had_match is not None:
        stmt = stmt.where(ScreeningLog.had_match.is_(filters.had_match))
    if filters.kind:
        stmt = stmt.where(ScreeningLog.kind == filters.kind)
    if filters.entity_id is not None:
        stmt = stmt.where(exists().where(ScreeningHit.log_id == ScreeningLog.id,
                                         ScreeningHit.entity_id == filters.entity_id))
    return stmt.order_by(ScreeningLog.at.desc(), ScreeningLog.id.desc())


def list_screenings(*, session: Session, filters: LogFilters, page: int, page_size: int) -> Page:
    return paginate(session, _log_query(filters), page=page, page_size=page_size)


def iter_screenings(*, session: Session, filters: LogFilters, chunk: int = 1000) -> Iterator[ScreeningLog]:
    """Every matching row, read in chunks so an export never holds the whole log."""
    last: tuple[Any, int] | None = None
    stmt = _log_query(filters)
    while True:
        page = stmt
        if last is not None:
            at, log_id = last
            page = page.where((ScreeningLog.at < at) | ((ScreeningLog.at == at) & (ScreeningLog.id < log_id)))
        rows = session.scalars(page.limit(chunk)).all()
        if not rows:
            return
        yield from rows
        last = (rows[-1].at, rows[-1].id)


# --- dispositions -------------------------------------------------------------------------

def record_disposition(
    *, session: Session, subject: dict[str, Any], entity_id: int, decision: str, comment: str | None,
    actor: Actor, settings: LogSettings,
) -> Disposition:
    return add_disposition(session=session, key=subject_key(subject), stored=stored_subject(subject, settings),
                           entity_id=entity_id, decision=decision, comment=comment, actor=actor)


def get_entity(session: Session, entity_id: int) -> Entity:
    """The entity a decision is about (a field error when there is none)."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise Invalid(f"No entity with id {entity_id}.", errors={"entity_id": ["Unknown entity."]})
    return entity


def add_disposition(
    *, session: Session, key: str, stored: dict[str, Any], entity_id: int, decision: str, comment: str | None,
    actor: Actor, entity_version: int | None = None,
) -> Disposition:
    """A decision on the pair (subject ``key``, entity), the subject as already stored (see
    :func:`stored_subject`); ``entity_version``: the entity's version when decided, when not now
    (a four-eyes decision approved later is about the entity as the proposer saw it)."""
    entity = get_entity(session, entity_id)
    disposition = Disposition(
        subject_key=key, subject=stored, entity_id=entity_id,
        entity_version=entity.version if entity_version is None else entity_version, decision=decision,
        comment=comment, **actor.columns(),
    )
    session.add(disposition)
    session.flush()
    return disposition


def list_dispositions(
    *, session: Session, entity_id: int | None, decision: str | None, subject: dict[str, Any] | None,
    page: int, page_size: int,
) -> Page:
    stmt = select(Disposition)
    if entity_id is not None:
        stmt = stmt.where(Disposition.entity_id == entity_id)
    if decision:
        stmt = stmt.where(Disposition.decision == decision)
    if subject is not None:
        stmt = stmt.where(Disposition.subject_key == subject_key(subject))
    return paginate(session, stmt.order_by(Disposition.id.desc()), page=page, page_size=page_size)


def latest_dispositions(*, session: Session, keys: Sequence[str], entity_ids: Sequence[int]) -> dict[tuple[str, int], Disposition]:
    if not keys or not entity_ids:
        return {}
    return _latest(session.scalars(select(Disposition).where(_on_pairs(keys, entity_ids)).order_by(Disposition.id)))


def _on_pairs(keys: Sequence[str], entity_ids: Sequence[int]) -> ColumnElement[bool]:
    """The decisions on any of these subjects and any of these entities."""
    return Disposition.subject_key.in_(set(keys)) & Disposition.entity_id.in_(set(entity_ids))


def _latest(decisions: Iterable[Disposition | None]) -> dict[tuple[str, int], Disposition]:
    """The decision in force per (subject key, entity), from ``decisions`` in id order."""
    return {(d.subject_key, d.entity_id): d for d in decisions if d is not None}  # later ids overwrite earlier ones


def dispositions_with_state(
    *, session: Session, keys: Sequence[str], entity_ids: Sequence[int],
) -> tuple[tuple[int, datetime | None] | None, dict[tuple[str, int], Disposition]]:
    """The list state's (counter, changed_at) and :func:`latest_dispositions`, in one
    statement: the list-state row outer-joined to the decisions (one row with none). A
    screening that read the state first and the decisions after made two round trips.
    (None, {}) when the list state has no row yet: the caller reads the two apart."""
    stmt = select(ListState.counter, ListState.changed_at, Disposition).select_from(ListState)
    stmt = stmt.outerjoin(Disposition, _on_pairs(keys, entity_ids) if keys and entity_ids else false())
    rows = session.execute(stmt.where(ListState.id == 1).order_by(Disposition.id)).all()
    if not rows:
        return None, {}
    return (rows[0][0], rows[0][1]), _latest(d for _, _, d in rows)


def apply_dispositions(
    *, session: Session, subjects: dict[str, dict[str, Any]], results: dict[str, dict[str, Any]],
    found: Mapping[tuple[str, int], Disposition] | None = None,
) -> None:
    """Attach the decision in force to each match; a false positive is suppressed (still
    returned) unless the entity changed since the decision. ``found``: the decisions as the
    caller read them (:func:`dispositions_with_state`), or ``{}`` to mark every match
    undecided without reading (the caller checks that later: insert_screening's
    ``if_undecided``); None reads them."""
    keys = {k: subject_key(s) for k, s in subjects.items()}
    if found is None:
        entity_ids = [m["entity_id"] for r in results.values() for m in r["matches"]]
        found = latest_dispositions(session=session, keys=list(keys.values()), entity_ids=entity_ids)
    for key, result in results.items():
        for match in result["matches"]:
            d = found.get((keys[key], match["entity_id"]))
            match["disposition"] = d
            match["suppressed"] = False
            match["suppression_note"] = None
            if d is None or d.decision != "false_positive":
                continue
            entity: Entity | None = match.get("entity")
            current = entity.version if entity is not None else None
            if current == d.entity_version:
                match["suppressed"] = True
                match["suppression_note"] = f"false positive recorded on {d.created_at:%Y-%m-%d} by {author(d) or 'unknown'}"
            else:
                match["suppression_note"] = (
                    f"suppression lapsed: the listed entity changed since the decision "
                    f"(version {d.entity_version} -> {current})"
                )


def load_log(*, session: Session, log_id: int) -> ScreeningLog | None:
    return session.scalars(select(ScreeningLog).options(selectinload(ScreeningLog.hits)).where(ScreeningLog.id == log_id)).first()


def result_entities(*, session: Session, log: ScreeningLog) -> dict[int, Entity]:
    """The listed entities a logged screening returned, by id (to name them on its page)."""
    ids = sorted({r["entity_id"] for r in log.results})
    return {e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(ids)))} if ids else {}

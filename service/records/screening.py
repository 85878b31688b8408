"""The screening index as the service keeps it: built from the database, refreshed from the
list change log, one per process (and per database).

No Flask here: the caller passes the session. Each request asks :meth:`IndexCache.current`,
which reads one row (the list-state counter) and, when another request or worker process has
committed a change, re-reads just the entities the change log names. So a record written
through the API is screenable on the very next request, in every worker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, scoped_session

from ..models import Disposition, Entity
from ..screening import (
    ALGORITHM,
    ALGORITHM_VERSION,
    Match,
    ScreeningIndex,
    Subject,
)
from ..screening.collector import drop_query_caches
from ..screening.memo import drop_oldest
from .actor import Actor
from .common import Page, in_lists
from .entities import EntityFilters, filtered
from .evidence import (
    LogSettings,
    apply_dispositions,
    dispositions_with_state,
    log_screenings,
    subject_key,
)
from .facets import FacetCache
from .index_build import build_lists_index
from .listed import listed_entities
from .listing import changed_since, current_state, fingerprint
from .summaries import EntityBrief, SummaryCache, entities_by_id

# Subjects a process remembers as having a decision on a match (64-character keys).
DECIDED_KEYS = 10_000
# Past this share of the index, rebuilding is cheaper than patching.
REBUILD_SHARE = 0.3
# One name per script the engine reads: screening them loads whatever it loads on first use.
WARM_NAMES = ("John Smith", "Иван Петров", "محمد علي", "张伟", "山田太郎", "やまだ たろう", "김민준",
              "Γιώργος Παπαδόπουλος", "דוד כהן", "สมชาย ใจดี")


@dataclass(frozen=True)
class IndexState:
    index: ScreeningIndex
    list_version: int
    fingerprint: str


class IndexCache:
    """The process's index for one database, kept in step with the list-state counter."""

    def __init__(self, *, bulk: bool = False) -> None:
        """``bulk``: this process screens the rows of files and nothing else (a Celery
        worker): each index built here is tuned for that (:meth:`ScreeningIndex.for_bulk`)."""
        self.bulk = bulk
        self._lock = threading.Lock()
        self._state: IndexState | None = None
        self.last_refresh: dict[str, Any] = {}
        # id(index) -> how many bulk jobs screen with it; a pinned index is never patched.
        self._pins: dict[int, int] = {}
        # What matches say about their entities, for the list state last seen.
        self.summaries = SummaryCache()
        # The search page's rows and facet counts, likewise.
        self.facets = FacetCache()
        # Subjects lately screened with a decision recorded on a match (see screen_and_log).
        self.decided = RecentKeys()

    def current(self, *, session: Session) -> IndexState:
        counter, fingerprint = current_state(session)
        state = self._state
        if state is not None and state.list_version == counter:
            return state
        with self._lock:
            state = self._state
            if state is not None and state.list_version == counter:
                return state
            started = time.perf_counter()
            if state is None:
                index = self._build(session)
                mode, touched = "build", len(index)
            else:
                index = state.index
                ids = changed_since(session, state.list_version)
                if len(ids) > max(1000, REBUILD_SHARE * len(index)) or self._pins.get(id(index)):
                    index = self._build(session)
                    mode = "rebuild"
                else:
                    fresh = {e.entity_id: e for e in listed_entities(session=session, ids=ids)}
                    for eid in ids:
                        if eid in fresh:
                            index.upsert(fresh[eid])
                        else:  # archived or gone
                            index.remove(eid)
                    mode = "refresh"
                touched = len(ids)
            self._state = IndexState(index, counter, fingerprint)
            self.last_refresh = {"mode": mode, "entities": touched,
                                 "seconds": round(time.perf_counter() - started, 4)}
            return self._state

    def _build(self, session: Session) -> ScreeningIndex:
        index = build_lists_index(session)
        if self.bulk:
            index.for_bulk()
        return index

    @contextmanager
    def pinned(self, *, session: Session) -> Iterator[IndexState]:
        """The current state, unchanged for as long as the caller holds it (a bulk job's
        consistent view): a refresh meanwhile builds a new index instead of patching this one."""
        self.current(session=session)
        with self._lock:
            state = self._state
            assert state is not None
            key = id(state.index)
            self._pins[key] = self._pins.get(key, 0) + 1
        try:
            yield state
        finally:
            with self._lock:
                self._pins[key] -= 1
                if not self._pins[key]:
                    del self._pins[key]

    @property
    def held(self) -> IndexState | None:
        """The state as last brought up to date, without asking the database whether it still
        is (None before the first build)."""
        return self._state

    @property
    def ready(self) -> bool:
        """Whether an index has been built (it may still need a refresh: :meth:`current`)."""
        return self._state is not None

    def adopt(self, other: IndexCache) -> None:
        """Take ``other``'s index as this one's: a gunicorn worker takes the one its master
        built before forking (:mod:`service.serving`), sharing its memory copy-on-write."""
        with self._lock:
            self._state = other._state

    def warm(self, *, session: Session) -> IndexState:
        """Build or refresh the index now and run it once in every script it transliterates,
        so that nothing is loaded lazily on a request (the Chinese and Japanese readings load
        their dictionaries on first use: seconds). Before a fork, the children share all of it."""
        state = self.current(session=session)
        for name in WARM_NAMES:
            state.index.screen(Subject(name=name), threshold=1.0, limit=1)
        # What the build and these queries left in the engine's caches would be copied into
        # each forked worker that touches it (see screening.collector).
        drop_query_caches()
        return state

    def reset(self) -> None:
        with self._lock:
            self._state = None
        self.summaries.clear()
        self.facets.clear()
        self.decided.clear()


class RecentKeys:
    """The ``size`` keys added last: a hint, never an answer (a key not held may still have
    a decision, which screen_and_log's conditional write then finds)."""

    def __init__(self, size: int = DECIDED_KEYS) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._keys: dict[str, None] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)
            self._keys[key] = None
            if len(self._keys) > self.size:
                drop_oldest(self._keys)  # a share at once: one a time cost ~3 µs an add when full

    def clear(self) -> None:
        with self._lock:
            self._keys = {}


# --- screening and search, as the API and CLI use them -----------------------------------

def to_subject(data: dict[str, Any]) -> Subject:
    return Subject(
        name=data["name"], type=data.get("type"), birth_date=data.get("birth_date"),
        country=data.get("country"),
        identifiers=[(i.get("scheme") or "other", i["value"], i.get("country")) for i in data.get("identifiers", [])],
    )


def screen_subjects(
    *, session: Session, cache: IndexCache, subjects: dict[str, dict[str, Any]], threshold: float, limit: int
) -> dict[str, dict[str, Any]]:
    """Screen each subject; results keyed like the input, each with its matches and the list
    state they were screened against.

    Against the index as held, then the list state read in the statement that reads the
    decisions on the matches (:func:`.evidence.dispositions_with_state`): one round trip,
    and one more for summaries not cached, where reading the state before screening made one
    more. If the state moved since the index was brought up to date, the index catches up
    and the subjects are screened again: the answer is the one reading it first would give."""
    held = cache.held
    if held is not None:
        raw = _raw(held, subjects, threshold=threshold, limit=limit)
        state, found = dispositions_with_state(session=session, keys=[subject_key(s) for s in subjects.values()],
                                               entity_ids=[m.entity_id for ms in raw.values() for m in ms])
        if state is not None and state[0] == held.list_version and fingerprint(*state) == held.fingerprint:
            return _results(session=session, cache=cache, state=held, subjects=subjects, raw=raw,
                            threshold=threshold, found=found)
    return _screen_with(session=session, cache=cache, state=cache.current(session=session), subjects=subjects,
                        threshold=threshold, limit=limit)


def _raw(state: IndexState, subjects: dict[str, dict[str, Any]], *, threshold: float, limit: int,
         ) -> dict[str, list[Match]]:
    return {key: state.index.screen(to_subject(s), threshold=threshold, limit=limit) for key, s in subjects.items()}


def _screen_with(
    *, session: Session, cache: IndexCache, state: IndexState, subjects: dict[str, dict[str, Any]],
    threshold: float, limit: int, found: Mapping[tuple[str, int], Disposition] | None = None,
) -> dict[str, dict[str, Any]]:
    """``found``: as :func:`.evidence.apply_dispositions` takes it (``{}``: the matches as
    with no disposition recorded, without reading them; the caller makes sure that is so)."""
    return _results(session=session, cache=cache, state=state, subjects=subjects, found=found,
                    raw=_raw(state, subjects, threshold=threshold, limit=limit), threshold=threshold)


def _results(
    *, session: Session, cache: IndexCache, state: IndexState, subjects: dict[str, dict[str, Any]],
    raw: dict[str, list[Match]], threshold: float, found: Mapping[tuple[str, int], Disposition] | None,
) -> dict[str, dict[str, Any]]:
    entities = cache.summaries.get(session=session, ids={m.entity_id for ms in raw.values() for m in ms},
                                   state=(state.list_version, state.fingerprint))
    meta = {"threshold": threshold, "algorithm": ALGORITHM, "algorithm_version": ALGORITHM_VERSION,
            "list_version": state.list_version, "list_fingerprint": state.fingerprint}
    results = {
        key: {"matches": [_match_dict(m, entities.get(m.entity_id)) for m in ms], **meta}
        for key, ms in raw.items()
    }
    apply_dispositions(session=session, subjects=subjects, results=results, found=found)
    return results


def log_settings(config: Mapping[str, Any]) -> LogSettings:
    """How the evidence log stores names, from the settings (SCREENING_LOG_HASH_NAMES, _KEY)."""
    return LogSettings(hash_names=config["SCREENING_LOG_HASH_NAMES"], hash_key=config["SCREENING_LOG_HASH_KEY"])


def screen_and_log(
    *, session: Session, cache: IndexCache, subjects: dict[str, dict[str, Any]], threshold: float, limit: int,
    kind: str, actor: Actor, settings: LogSettings,
) -> dict[str, dict[str, Any]]:
    """Screen, then add the evidence rows (one per subject, attributed to ``actor``) in the
    same transaction: the caller commits both or neither. Each result gets its
    ``screening_id``. The API's ``/screen`` and ``/screen/batch`` and the screening page
    call this.

    One subject on PostgreSQL, in a session that has not begun a transaction, runs without
    one (autocommit): its reads need none (each reads what is committed, as any statement in
    a READ COMMITTED transaction does) and its one write is one statement
    (:func:`.evidence.insert_screening`), atomic and committed before this returns. That
    saves the BEGIN and COMMIT round trips; the caller's commit then has nothing to do. And
    it skips two reads, each replaced by a condition of that statement, which writes only if
    both hold; else the index is brought up to date and the subject screened again, with both
    reads:

    - the list-state read: it screens against the index as held, and the statement checks
      that the list state is still the one screened against. So a change to the records is
      screened against on the very next request, as with the read, one round trip sooner;
    - the dispositions read (when there are matches): it screens as if no decision were
      recorded for the subject, and the statement checks that none is for any matched entity.
      Most subjects have none; one that has is remembered for a while (``cache.decided``) and
      read first the next time."""
    kwargs: dict[str, Any] = {"session": session, "cache": cache, "subjects": subjects, "threshold": threshold,
                              "limit": limit}
    log: dict[str, Any] = {"session": session, "kind": kind, "subjects": subjects, "actor": actor,
                           "settings": settings, "batch": kind == "batch"}
    ids: dict[str, int] | None = None
    if len(subjects) == 1 and not _in_transaction(session) and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        held = cache.held
        (subject,) = subjects.values()
        decided = subject_key(subject) in cache.decided
        if held is not None:
            results = _screen_with(state=held, found=None if decided else {}, **kwargs)
            ids = log_screenings(results=results, if_list_version=held.list_version, if_undecided=not decided, **log)
    if ids is None:  # not tried, or the list state moved since the index was last brought up to date, or a decision applies
        results = screen_subjects(**kwargs)
        ids = log_screenings(results=results, **log)
        assert ids is not None
        if len(subjects) == 1 and any(m["disposition"] is not None for r in results.values() for m in r["matches"]):
            cache.decided.add(subject_key(*subjects.values()))
    for key, log_id in ids.items():
        results[key]["screening_id"] = log_id
    return results


def _in_transaction(session: Session) -> bool:
    # The app's session is a scoped_session, which does not proxy in_transaction().
    real = session.registry() if isinstance(session, scoped_session) else session
    return real.in_transaction()


def _match_dict(match: Match, entity: EntityBrief | None) -> dict[str, Any]:
    return {"entity_id": match.entity_id, "name": match.name, "matched_name": match.matched_name,
            "score": match.score, "match": match.match, "references": match.references,
            "explanation": match.explanation, "entity": entity}


SEARCH_CANDIDATES = 1000


def search(
    *, session: Session, cache: IndexCache, q: str, type: str | None, filters: EntityFilters,
    min_score: float, page: int, page_size: int,
) -> Page:
    """Fuzzy name search for people reading the records: the screening engine ranks, the
    record filters narrow, pages are cut from the ranked list."""
    hits = search_hits(session=session, cache=cache, q=q, type=type, filters=filters, min_score=min_score)
    return hits_page(session=session, hits=hits, page=page, page_size=page_size)


def search_hits(
    *, session: Session, cache: IndexCache, q: str, type: str | None, filters: EntityFilters, min_score: float,
) -> list[Match]:
    """Every match of a search, ranked, that passes the record filters."""
    state = cache.current(session=session)
    matches = state.index.screen(Subject(name=q, type=type), threshold=min_score, limit=SEARCH_CANDIDATES)
    matches = [m for m in matches if m.score >= min_score]
    allowed: set[int] = set()
    ids = [m.entity_id for m in matches]
    for part in in_lists(ids):
        stmt = filtered(session=session, filters=filters, columns=Entity.id).where(Entity.id.in_(part))
        allowed.update(session.scalars(stmt))
    return [m for m in matches if m.entity_id in allowed]


def hits_page(*, session: Session, hits: Sequence[Match], page: int, page_size: int) -> Page:
    """One page of ranked hits, each with its entity (designations, charges and groups loaded)
    and the engine's explanation."""
    window = hits[(page - 1) * page_size : page * page_size]
    entities = entities_by_id(session, {m.entity_id for m in window})
    items = [{"score": m.score, "matched_name": m.matched_name, "entity": entities[m.entity_id],
              "explanation": m.explanation}
             for m in window if m.entity_id in entities]
    return Page(items=items, total=len(hits), page=page, page_size=page_size)


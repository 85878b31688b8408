"""In-memory screening index: candidate retrieval, then exact scoring.

:class:`ScreeningIndex` keeps the listed entities and their names, one *slot*
per name (and one more for the Japanese reading of a Han name). A query is
read as a person and/or an organisation (:mod:`.prepare`); the
:class:`~.retrieval.CandidateIndex` picks the few names worth scoring (plus
every name of an entity sharing an identifier with the subject); each is
scored with :mod:`.score`, the best name per entity is kept, and birth date,
country and identifier evidence turns it into a :class:`~.types.Match` with
its explanation (:mod:`.adjust`).

The index supports ``upsert`` and ``remove`` so the service can refresh one
entity after a write without a rebuild; removed names leave tombstones that are
skipped at query time.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from . import keys
from .adjust import (
    adjust,
    entity_countries,
    entity_identifiers,
    needs_whole_name,
    to_match,
    unmatched_words,
    whole_name_score,
)
from .columns import Codes, EntityTable, NameColumn
from .matchers import normalize_country, normalize_identifier
from .multimap import MultiMap
from .normalize import alternative_names, logical_reading, tokenize_uncached
from .parallel import screen_many
from .prepare import prepare_uncached, readings, spelling_readings, type_class
from .retrieval import CandidateIndex, QueryWeights
from .score import compare_prepared, compare_readings
from .tokens import Tok
from .translit import has_han, japanese_reading
from .types import DEFAULT_THRESHOLD, Identifier, ListedEntity, ListedName, Match, Subject

__all__ = ["PreparedPart", "ScreeningIndex", "Slot", "prepare_part", "prepared_slots"]

#: A name slot to index: the listed name, its prepared tokens, and whether they are the
#: Japanese reading of its Han characters.
Slot = tuple[ListedName, tuple[Tok, ...], bool]

#: Matches below ``threshold * MIN_RETURN_FACTOR`` are not returned at all;
#: those between it and the threshold are returned with ``match=False`` so a
#: reviewer can see near misses.
MIN_RETURN_FACTOR = 0.8


# The type classes of :func:`.prepare.type_class`, by the code a name slot keeps of its entity's.
_CLASSES: tuple[str, ...] = ("person", "org", "vessel", "aircraft")
_CLASS_CODE: dict[str, int] = {c: i for i, c in enumerate(_CLASSES)}
# Flags of a name slot (ScreeningIndex._slot_flags).
_READING = 1
_WHOLE = 2
# What an entity without identifiers is compared with: one shared empty mapping, never written.
_NO_IDENTIFIERS: dict[str, list[Identifier]] = {}


class ScreeningIndex:
    """Screen subjects against a set of listed entities."""

    def __init__(self) -> None:
        self._slot_names = NameColumn()  # per name slot (see below)
        # What a match reports and the evidence compares, per entity (see .columns: not a
        # ListedEntity, whose lists and names cost about 0.4 KB an entity).
        self._entities = EntityTable(self._slot_names)
        # Per name slot, in parallel: its entity, its type class (a _CLASSES code), the listed
        # name it reports (in flat columns, as the entities), and its prepared tokens as
        # numbers into _toks (slot i's at _slot_tok[_slot_tok_start[i]:_slot_tok_start[i + 1]]).
        # Numbers, not a tuple of tokens per slot: reading an object writes its reference
        # count, so each name a query scored copied the page holding its tuple into the
        # forked worker, about 250 KB a request at a million names, until the worker held its
        # own copy of most of the index. A candidate's tokens are put together when scored.
        self._slot_eid = array("i")
        self._slot_cls = bytearray()
        self._slot_tok = array("i")
        self._slot_tok_start = array("q", [0])
        self._live_names = 0
        # Postings, pruning weights and tombstones (.live: 0 once removed) of the name slots
        # (same numbering).
        self._retrieval = CandidateIndex()
        # hash(normalised identifier) -> ids of the entities that may carry it (a hash
        # collision or an entity since changed is dropped on reading: see _identified).
        self._ident_index = MultiMap()
        # The distinct tokens of all names, and each one's number: a few per cent as many
        # objects as name tokens, so their pages are copied into a worker once, early.
        self._toks: Codes[Tok] = Codes()
        # Per slot, _READING if it holds the Japanese reading of a Han name (see _add), and
        # _WHOLE if its name counts only as a whole (weak aliases, one-word names). Flags, not
        # sets of slot numbers: finding a number in a set writes the reference count of the
        # number object held there, so copies its page into a forked worker.
        self._slot_flags = bytearray()

    # --- building ------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[ListedEntity]) -> ScreeningIndex:
        index = cls()
        for entity in entities:
            index._add(entity)
        return index

    @classmethod
    def build_parts(cls, parts: Iterable[PreparedPart]) -> ScreeningIndex:
        """The index :meth:`build` makes of the same entities in the same order, given in
        parts whose names were prepared elsewhere (:func:`prepare_part`, maybe in another
        process): the same index, slot for slot."""
        index = cls()
        for part in parts:
            index._add_part(part)
        return index

    def _add_part(self, part: PreparedPart) -> None:
        # A part's distinct tokens are numbered once each here, not once per name that holds
        # them (a token's hash is computed from its eight fields, in Python), and as they come,
        # so the numbers are those of a build alone.
        fields, mine = part.tokens, [-1] * len(part.tokens)
        for entity, slots in zip(part.entities, part.slots, strict=True):
            numbered: list[tuple[ListedName, list[int], bool]] = []
            for lname, toks, reading in slots:
                nums: list[int] = []
                for i in toks:
                    n = mine[i]
                    if n < 0:
                        n = mine[i] = self._number(Tok(*fields[i]))
                    nums.append(n)
                numbered.append((lname, nums, reading))
            self._add(entity, numbered)

    def __len__(self) -> int:
        return len(self._entities)

    @property
    def name_count(self) -> int:
        return self._live_names

    def _add(self, entity: ListedEntity, numbered: Iterable[tuple[ListedName, list[int], bool]] | None = None) -> None:
        """Index ``entity`` under its :func:`prepared_slots`, given with their tokens as numbers
        into ``_toks`` (a build may prepare them in another process, see :meth:`build_parts`)
        or prepared here."""
        eid = entity.entity_id
        if eid in self._entities:
            self.remove(eid)
        ecls = type_class(entity.type) or "org"
        identifiers = tuple(entity.identifiers)
        first = len(self._retrieval.live)
        if numbered is None:
            numbered = [(lname, self._numbered(toks), reading) for lname, toks, reading in prepared_slots(entity)]
        name_slot = -1  # a slot of the entity's own name, which the entity's record refers to
        for lname, numbers, reading in numbered:
            nid = self._add_slot(eid, ecls, lname, numbers)
            if reading:
                self._slot_flags[nid] |= _READING
            if name_slot < 0 and lname.name == entity.name:
                name_slot = nid
        self._entities.add(eid, entity.name, ecls, tuple(entity.birth_dates), entity_countries(entity), identifiers,
                           tuple(entity.references), first, len(self._retrieval.live) - first, name_slot)
        for ident in identifiers:
            self._ident_index.add(hash(normalize_identifier(ident[1])), eid)

    def _numbered(self, toks: tuple[Tok, ...]) -> list[int]:
        """The numbers of ``toks`` in ``_toks``, new ones added."""
        return [self._number(t) for t in toks]

    def _number(self, tok: Tok) -> int:
        """The number of ``tok`` in ``_toks``, added if new."""
        return self._toks.code(tok)

    def _add_slot(self, eid: int, ecls: str, lname: ListedName, numbers: list[int]) -> int:
        all_toks = self._toks.values
        toks = tuple([all_toks[n] for n in numbers])
        self._slot_tok.extend(numbers)
        self._slot_tok_start.append(len(self._slot_tok))
        nid = len(self._retrieval.live)
        self._slot_eid.append(eid)
        self._slot_cls.append(_CLASS_CODE[ecls])
        self._slot_names.append(lname)
        self._slot_flags.append(0)
        self._live_names += 1
        self._retrieval.add(nid, toks, ecls == "person")
        if needs_whole_name(lname.kind, toks):
            self._slot_flags[nid] |= _WHOLE
        return nid

    def _slot_tokens(self, nid: int) -> tuple[Tok, ...]:
        toks, start = self._toks.values, self._slot_tok_start
        return tuple([toks[i] for i in self._slot_tok[start[nid] : start[nid + 1]]])

    def upsert(self, entity: ListedEntity) -> None:
        """Add or replace one entity (all its names)."""
        self._add(entity)

    def remove(self, entity_id: int) -> bool:
        """Remove an entity; returns False if it was not indexed."""
        slots = self._entities.remove(entity_id)
        if slots is None:
            return False
        for nid in slots:
            if self._retrieval.live[nid]:
                self._retrieval.remove(nid)
                self._live_names -= 1
        return True

    def _identified(self, ident: str) -> list[int]:
        """The entities carrying the identifier ``ident`` (as the subject gives it)."""
        norm = normalize_identifier(ident)
        found: set[int] = set()
        self._ident_index.get_into(hash(norm), found)
        entities = self._entities
        return sorted(eid for eid in found if eid in entities
                      and any(normalize_identifier(ident[1]) == norm for ident in entities.identifiers(eid)))

    # --- screening -----------------------------------------------------------

    def screen(
        self, subject: Subject, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
    ) -> list[Match]:
        """Ranked matches (best first) with score >= threshold * MIN_RETURN_FACTOR."""
        return self._screen_readings(subject, threshold, limit, None)

    def screen_exhaustive(
        self, subject: Subject, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
    ) -> list[Match]:
        """What :meth:`screen` returns when every listed name is a candidate: the same
        scoring of each name (:meth:`_score`), no retrieval. Slow (every name is scored);
        ``bench/completeness.py`` measures how much of it retrieval finds."""
        live = self._retrieval.live
        every = [nid for nid in range(len(live)) if live[nid]]
        return self._screen_readings(subject, threshold, limit, every)

    def _screen_readings(
        self, subject: Subject, threshold: float, limit: int, every: list[int] | None
    ) -> list[Match]:
        names = alternative_names(subject.name)
        logical = logical_reading(subject.name)
        if logical is not None:
            # A name with a bidi override is screened as it displays (see normalize.clean)
            # and as a system that strips the override would pass it on.
            names.append(logical)
        if not names:
            return self._screen(subject, threshold, limit, every)
        # The stronger reading of each entity wins, so neither order of a bidi name, nor the
        # alternatives a field lists, hides a listed name.
        best: dict[int, Match] = {}
        for name in (subject.name, *names):
            for m in self._screen(replace(subject, name=name), threshold, limit, every):
                if m.entity_id not in best or m.score > best[m.entity_id].score:
                    best[m.entity_id] = m
        return sorted(best.values(), key=lambda m: (-m.score, m.entity_id))[:limit]

    def _screen(
        self, subject: Subject, threshold: float, limit: int, every: list[int] | None = None
    ) -> list[Match]:
        scls = type_class(subject.type)
        r_person = readings(subject.name, "person") if scls in (None, "person") else ((),)
        r_org = readings(subject.name, scls or "org") if scls != "person" else ((),)
        qtoks = {t.text: t for r in (*r_person, *r_org) for t in r}
        if not qtoks:
            return []
        floor = threshold * MIN_RETURN_FACTOR
        if every is not None:
            nids = every
        else:
            nids = self._retrieval.candidates(
                list(qtoks.values()), floor, QueryWeights(r_person, r_org), limit
            )
            for ident in subject.identifiers:
                for eid in self._identified(ident[1]):
                    nids.extend(self._entities.name_ids(eid))
        best = self._score(subject, scls, r_person, r_org, nids, threshold)
        country = normalize_country(subject.country) if subject.country else None
        entities = self._entities
        # Without birth date, country or identifiers, adjust() leaves the name score as it is:
        # an entity under the floor is then dropped without putting its record together.
        evidence = bool(subject.birth_date or country or subject.identifiers)
        out: list[Match] = []
        for eid, (name_score, nid, pairs, rq, ctoks) in best.items():
            if not evidence and name_score < floor:
                continue
            info = entities.get(eid)
            assert info is not None  # a slot scored is live, so is its entity
            listed_ids = info.identifiers if subject.identifiers else ()
            final, adjustments = adjust(
                name_score,
                subject,
                country,
                info.birth_dates,
                info.countries,
                entity_identifiers(listed_ids) if listed_ids else _NO_IDENTIFIERS,
                threshold,
            )
            if final < floor:
                continue
            out.append(
                to_match(
                    subject,
                    info.entity_id,
                    info.name,
                    info.references,
                    self._slot_names[nid],
                    name_score,
                    pairs,
                    final,
                    adjustments,
                    threshold,
                    unmatched_words(pairs, _reading_of(pairs, rq), ctoks),
                )
            )
        out.sort(key=lambda m: (-m.score, m.entity_id))
        return out[:limit]

    def _score(
        self,
        subject: Subject,
        scls: str | None,
        r_person: tuple[tuple[Tok, ...], ...],
        r_org: tuple[tuple[Tok, ...], ...],
        nids: list[int],
        threshold: float,
    ) -> dict[int, tuple[float, int, list[Any], Any, Any]]:
        """The best name score of each entity among the name slots ``nids`` (with the slot
        it came from): the one scoring path of :meth:`screen` and :meth:`screen_exhaustive`."""
        native = any(t.orig for t in (*r_person[0], *r_org[0]))
        best: dict[int, tuple[float, int, list[Any], Any, Any]] = {}
        slot_live, slot_eid, slot_cls = self._retrieval.live, self._slot_eid, self._slot_cls
        slot_flags = self._slot_flags
        for nid in nids:
            if not slot_live[nid]:
                continue
            ecls = _CLASSES[slot_cls[nid]]
            if scls is not None and scls != ecls:
                continue  # type rule: persons never match companies and vice versa
            ctoks = self._slot_tokens(nid)
            rq = (
                r_person
                if ecls == "person"
                else (r_org if r_org[0] else readings(subject.name, ecls))
            )
            flags = slot_flags[nid]
            if flags & _READING:
                # A listed name's Japanese reading stands in for the Han
                # characters only against a query not written in them.
                if native:
                    continue
                s, pairs = compare_prepared(rq[0], ctoks, ecls)
            else:
                s, pairs = compare_readings(rq, (ctoks,), ecls)
            if flags & _WHOLE:
                ws = whole_name_score(s, pairs, rq, ctoks, self._slot_names.kind(nid), threshold)
                if ws is None:
                    continue
                s = ws
            eid = slot_eid[nid]
            cur = best.get(eid)
            if cur is None or s > cur[0]:
                best[eid] = (s, nid, pairs, rq, ctoks)
        return best

    def for_bulk(self) -> None:
        """Tune this process's copy for screening the rows of files only (see
        :meth:`.vocabulary.Vocabulary.for_bulk` and :func:`.keys.for_bulk`): the results are
        the same."""
        self._retrieval.vocab.for_bulk()
        keys.for_bulk()

    def screen_many(
        self,
        subjects: Iterable[Subject],
        *,
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 10,
        workers: int = 1,
    ) -> list[list[Match]]:
        """Screen many subjects; same results as calling :meth:`screen` in a loop.

        ``workers=-1`` (all cores) or ``workers>1`` splits large batches over
        forked processes that share the index (see :mod:`.parallel`)."""
        return screen_many(self, subjects, threshold=threshold, limit=limit, workers=workers,
                           setup=ScreeningIndex.for_bulk)


class PreparedPart:
    """Entities with their name slots prepared, in a shape that pickles small: the part's
    distinct tokens as their fields (a token is a frozen dataclass, which does not unpickle
    compiled), and each slot's tokens as numbers into them (a part's names share most of
    their tokens)."""

    def __init__(self, entities: list[ListedEntity], tokens: list[tuple[Any, ...]],
                 slots: list[list[tuple[ListedName, tuple[int, ...], bool]]]) -> None:
        self.entities = entities
        self.tokens = tokens
        self.slots = slots

    def __reduce__(self) -> tuple[Any, ...]:
        return (PreparedPart, (self.entities, self.tokens, self.slots))


def tok_fields(t: Tok) -> tuple[Any, ...]:
    """A token as its constructor's arguments, in order: ``Tok(*tok_fields(t)) == t``."""
    return (t.text, t.weight, t.kind, t.abjad, t.filial, t.orig, t.surname, t.given_first)


def prepare_part(entities: list[ListedEntity]) -> PreparedPart:
    """The :func:`prepared_slots` of each entity, as a :class:`PreparedPart`."""
    # Keyed by the fields: a tuple hashes in C, a token (a dataclass) in Python.
    numbers: dict[tuple[Any, ...], int] = {}
    tokens: list[tuple[Any, ...]] = []
    slots: list[list[tuple[ListedName, tuple[int, ...], bool]]] = []
    for entity in entities:
        encoded: list[tuple[ListedName, tuple[int, ...], bool]] = []
        for lname, toks, reading in prepared_slots(entity):
            nums: list[int] = []
            for t in toks:
                fields = tok_fields(t)
                n = numbers.get(fields)
                if n is None:
                    n = numbers[fields] = len(tokens)
                    tokens.append(fields)
                nums.append(n)
            encoded.append((lname, tuple(nums), reading))
        slots.append(encoded)
    return PreparedPart(entities, tokens, slots)


def prepared_slots(entity: ListedEntity) -> list[Slot]:
    """The name slots ``entity`` is indexed under, in order: each listed name (strong ones
    first, each once), its other spacings, and the Japanese reading of a Han name. Pure, and
    most of a build's work (tokens, transliteration), so it can run in another process."""
    ecls = type_class(entity.type) or "org"
    out: list[Slot] = []
    seen: set[str] = set()
    names = entity.names or []
    if not any(n.name == entity.name for n in names):
        names = [ListedName(entity.name, "primary"), *names]
    # A name given both as a weak alias and as a strong one is indexed as the strong one.
    names = sorted(names, key=lambda n: n.kind == "weak_alias")
    for lname in names:
        if not lname.name or lname.name in seen:
            continue
        seen.add(lname.name)
        toks = prepare_uncached(lname.name, ecls, tokenize_uncached)
        if not toks:
            continue
        out.append((lname, toks, False))
        # "SOLTECHLIMITED" is also indexed as "soltech limited", under the listed name.
        for alt in spelling_readings(toks, ecls, _prepare_listed):
            out.append((lname, alt, False))
        if has_han(lname.name):
            # The Japanese reading of a Han name is indexed as a slot of its own, reported
            # under the listed name.
            reading = japanese_reading(lname.name)
            alt = prepare_uncached(reading, ecls, tokenize_uncached) if reading else ()
            if alt and alt != toks:
                out.append((lname, alt, True))
    return out


def _prepare_listed(name: str, cls: str) -> tuple[Tok, ...]:
    # Uncached, as every listed name: the build must not fill the query caches.
    return prepare_uncached(name, cls, tokenize_uncached)


def _reading_of(pairs: list[Any], rq: tuple[Any, ...]) -> Any:
    """The reading of the query whose tokens the pairs were made from: the one holding most
    of the paired words (a word joined from two, "sn" + "llh" read as "snllh", is in none)."""
    best, most = rq[0], -1
    for reading in rq:
        own = {id(t) for t in reading}
        held = sum(id(a) in own for a, _, _ in pairs)
        if held > most:
            best, most = reading, held
    return best

"""In-memory screening index: candidate retrieval, then exact scoring.

Retrieval (blocking) works on the *vocabulary* of distinct name tokens, which
is far smaller than the list of names:

* an inverted index token -> names (postings);
* a delete-one index (SymSpell style) over tokens of 3+ letters, so a query
  token with one typo/transposition finds the listed spelling in a few dict
  lookups instead of a scan;
* a phonetic-key index (transliteration variants), a consonant-skeleton
  index (queries romanised from Arabic/Hebrew ... arrive without vowels) and
  an index of pinyin readings (Wade-Giles "Tse-tung" finds "Zedong");
* joined/split readings of query tokens ("Guang Zong" -> "guangzong",
  "AlisherUsmanov" -> "alisher" + "usmanov").

Each name collects ``query-token weight x similarity x idf`` from the postings
it appears in; very common tokens ("mohammed", "al", "company") are not
expanded when rarer tokens are available (their postings are capped), so a
query costs the same at 35k or 1M names. Only the top candidates are then
scored with :func:`.score.compare_prepared` and the birth date / country /
identifier adjustments (:mod:`.matchers`).

The index supports ``upsert`` and ``remove`` so the service can refresh one
entity after a write without a rebuild; removed names leave tombstones that are
skipped at query time.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from .chinese import pinyin_readings
from .matchers import (
    compare_birth_dates,
    compare_countries,
    compare_identifiers,
    normalize_country,
    normalize_identifier,
)
from .normalize import logical_reading, phonetic_key, skeleton, tokenize_uncached
from .score import (
    CONFLICT_COST,
    DIGIT_CONFLICT_WEIGHT,
    EXTRA_COST_ORG,
    EXTRA_COST_PERSON,
    MIN_TOKEN_SIM,
    Tok,
    compare_prepared,
    compare_readings,
    extra_weight,
    pairs_for_explanation,
    prepare_uncached,
    readings,
    token_sim,
    type_class,
)
from .tokens import DIGIT
from .translit import has_han, japanese_reading
from .types import ALGORITHM, ALGORITHM_VERSION, DEFAULT_THRESHOLD, ListedEntity, Match, Subject

__all__ = ["ScreeningIndex", "normalize_country"]

#: Matches below ``threshold * MIN_RETURN_FACTOR`` are not returned at all;
#: those between it and the threshold are returned with ``match=False`` so a
#: reviewer can see near misses.
MIN_RETURN_FACTOR = 0.8
#: How many names are scored exactly per query (before grouping by entity).
CANDIDATES = 25
#: A token in more than this share of names (and more than POSTINGS_FLOOR
#: names) is too common to drive retrieval when a rarer query token exists.
POSTINGS_SHARE = 0.005
POSTINGS_FLOOR = 2000
#: Candidates whose blocking estimate is below floor * PRUNE_MARGIN are not scored.
PRUNE_MARGIN = 1.0
#: Shortest word whose one-edit variants are indexed: one edit in a three-letter word
#: ("Min"/"Mun", "Gol"/"Gom") can still be the same name.
MIN_DELETES_LEN = 3
#: Postings lists of low-weight words kept as sets (see _posting_set).
SET_CACHE_SIZE = 64
#: Candidates taken by blocking rank before the estimate picks CANDIDATES.
POOL_FACTOR = 4
#: Query tokens whose vocabulary neighbours are remembered (per index). Given
#: names and common surnames recur across the rows of a bulk file; the cache
#: is dropped whenever the vocabulary grows.
VOCAB_CACHE_SIZE = 10_000
#: Kind of the retrieval-only probe made of two adjacent query tokens joined.
JOINED = "j"


def _deletes(text: str) -> list[str]:
    return [text[:i] + text[i + 1 :] for i in range(len(text))]


def _put(table: dict[int, Any], key: int, tid: object) -> None:
    # ``tid`` comes boxed (object, not int): compiled with mypyc, an int argument would be
    # boxed into a new object on every store, ~70 MB more at 1M names.
    cur = table.get(key)
    if cur is None:
        table[key] = tid
    elif isinstance(cur, int):
        if cur != tid:
            table[key] = [cur, tid]
    elif tid not in cur:
        cur.append(tid)


def _real(item: tuple[int, complex]) -> float:
    return item[1].real


def _unmatched_weight(toks: Iterable[Tok]) -> float:
    """A name's weight as the pruning estimate counts it: each part at the lowest the
    scorer may charge for it left unmatched (a missing "ibn Awad" weighs like a missing
    patronymic), so the estimate never falls below the score."""
    return sum(min(t.weight, extra_weight(t)) for t in toks)


def _digit_excess(toks: Iterable[Tok]) -> float:
    """How much less the numbers of a name weigh as contradictions than as
    parts (the scorer's DIGIT_CONFLICT_WEIGHT)."""
    return sum(t.weight - DIGIT_CONFLICT_WEIGHT for t in toks if t.kind == DIGIT)


class _QueryWeights:
    """A query's weights for the pruning estimate, per way of reading it."""

    __slots__ = ("person", "other", "digits", "_cover")

    def __init__(self, r_person: tuple[tuple[Tok, ...], ...], r_other: tuple[tuple[Tok, ...], ...]) -> None:
        # Weight of the heaviest reading (see _unmatched_weight), as a person and otherwise.
        self.person = max(_unmatched_weight(r) for r in r_person)
        self.other = max(_unmatched_weight(r) for r in r_other)
        self.digits = max(_digit_excess(r) for r in (*r_person, *r_other))
        # Coverage of a token: its highest weight in any reading, so the
        # estimate never undercounts what a name can align.
        # A repeated word ("Abd al-Hamid al-Masli") counts once per occurrence.
        cover: dict[str, float] = {}
        for r in (*r_person, *r_other):
            here: dict[str, float] = {}
            for t in r:
                here[t.text] = here.get(t.text, 0.0) + t.weight
            for text, w in here.items():
                if w > cover.get(text, 0.0):
                    cover[text] = w
        self._cover = cover

    def cover(self, tok: Tok) -> float:
        return self._cover.get(tok.text, tok.weight)


def _first(item: tuple[float, int]) -> float:
    return item[0]


def _top(acc: dict[int, complex], k: int) -> list[tuple[int, complex]]:
    """The k items of highest real part, best first, ties in insertion order
    (what ``heapq.nlargest(k, acc.items(), key=_real)`` returns), without a
    Python call per item: the k-th best rank is found by sorting plain floats."""
    if len(acc) > k:
        ranks = [c.real for c in acc.values()]
        ranks.sort(reverse=True)  # in C: cheaper than heapq.nlargest's Python loop
        kth = ranks[k - 1]
        items = [kv for kv in acc.items() if kv[1].real > kth]
        # Names tied at the k-th rank fill the rest in insertion order.
        items.sort(key=_real, reverse=True)
        items += [kv for kv in acc.items() if kv[1].real == kth][: k - len(items)]
        return items
    items = list(acc.items())
    items.sort(key=_real, reverse=True)
    return items


def _get(table: dict[int, Any], key: int, into: set[int]) -> None:
    cur = table.get(key)
    if cur is None:
        return
    if isinstance(cur, int):
        into.add(cur)
    else:
        into.update(cur)


class _EntityInfo:
    """What the index keeps per entity besides its names."""

    __slots__ = ("entity", "cls", "countries", "identifiers", "name_ids")

    def __init__(self, entity: ListedEntity, cls: str) -> None:
        self.entity = entity
        self.cls = cls
        self.countries = frozenset([c for c in map(normalize_country, entity.countries) if c])
        ids: dict[str, list[tuple[str, str, str | None]]] = {}
        for ident in entity.identifiers:
            ids.setdefault(normalize_identifier(ident[1]), []).append(ident)
        self.identifiers = ids
        self.name_ids: list[int] = []


class ScreeningIndex:
    """Screen subjects against a set of listed entities."""

    def __init__(self) -> None:
        self._entities: dict[int, _EntityInfo] = {}
        # Per name slot: (entity_id, ListedName, prepared tokens) or None if removed.
        self._names: list[tuple[int, Any, tuple[Tok, ...]] | None] = []
        self._live_names = 0
        # Per name slot: its weight for the pruning estimate (see _unmatched_weight).
        # (an array of doubles: a list of float objects costs 4x the memory at 1M names).
        self._name_weight = array("d")
        # Per name slot: 1 if its entity is compared as a person.
        self._slot_person = bytearray()
        # Per name slot with numbers: see _digit_excess (sparse).
        self._digit_excess: dict[int, float] = {}
        # Vocabulary and blocking structures (token text -> id).
        self._tid: dict[str, int] = {}
        self._texts: list[str] = []
        self._postings: list[list[int]] = []
        # Fuzzy lookup tables keyed by hash(string) -> token id, or a list of
        # ids when several share it. Hash keys and bare ints instead of strings
        # and one-element lists keep these tables small at 1M names; a hash
        # collision only adds a candidate that the exact similarity rejects.
        # Values are token ids (int) or lists of them.
        self._deletes: dict[int, Any] = {}
        self._keys: dict[int, Any] = {}
        self._skeletons: dict[int, Any] = {}
        self._chinese: dict[int, Any] = {}  # pinyin reading -> token ids
        self._ident_index: dict[str, set[int]] = {}
        # Interned tokens: identical Tok objects are shared between names.
        self._tok_intern: dict[Tok, Tok] = {}
        # Slots holding the Japanese reading of a Han name (see _add).
        self._reading_nids: set[int] = set()
        # (token text, abjad, fuzzy) -> vocabulary neighbours; see _vocab_matches.
        # id(postings list) -> (its length, its ids as a set); see _posting_set.
        self._set_cache: dict[int, tuple[int, frozenset[int]]] = {}
        self._vocab_cache: dict[tuple[str, bool, bool, bool], tuple[tuple[int, float], ...]] = {}

    # --- building ------------------------------------------------------------

    @classmethod
    def build(cls, entities: Iterable[ListedEntity]) -> ScreeningIndex:
        index = cls()
        for entity in entities:
            index._add(entity)
        return index

    def __len__(self) -> int:
        return len(self._entities)

    @property
    def name_count(self) -> int:
        return self._live_names

    def _token_id(self, text: str) -> int:
        tid = self._tid.get(text)
        if tid is not None:
            return tid
        tid = len(self._texts)
        boxed: object = tid  # one int object shared by every table below (see _put)
        self._tid[text] = tid
        if self._vocab_cache:
            self._vocab_cache.clear()
        self._texts.append(text)
        self._postings.append([])
        if len(text) >= MIN_DELETES_LEN and text.isalpha():
            for d in _deletes(text):
                _put(self._deletes, hash(d), boxed)
        if len(text) >= 4 and text.isalpha():
            # __wrapped__: the uncached function, so building a big index does
            # not fill the query-time caches with every vocabulary word.
            _put(self._keys, hash(phonetic_key.__wrapped__(text)), boxed)
        if text.isalpha():
            sk = skeleton.__wrapped__(text)
            if len(sk) >= 2:
                _put(self._skeletons, hash(sk), boxed)
            # Chinese syllables: "tsetung" (Wade-Giles) is found from "zedong".
            for reading in pinyin_readings.__wrapped__(text):
                _put(self._chinese, hash(reading), boxed)
        return tid

    def _add(self, entity: ListedEntity) -> None:
        if entity.entity_id in self._entities:
            self.remove(entity.entity_id)
        ecls = type_class(entity.type) or "org"
        info = _EntityInfo(entity, ecls)
        self._entities[entity.entity_id] = info
        seen: set[str] = set()
        names = entity.names or []
        if not any(n.name == entity.name for n in names):
            from .types import ListedName

            names = [ListedName(entity.name, "primary"), *names]
        for lname in names:
            if not lname.name or lname.name in seen:
                continue
            seen.add(lname.name)
            toks = prepare_uncached(lname.name, ecls, tokenize_uncached)
            if not toks:
                continue
            self._add_slot(info, lname, toks)
            if has_han(lname.name):
                # The Japanese reading of a Han name is indexed as a slot of
                # its own, reported under the listed name.
                reading = japanese_reading(lname.name)
                alt = prepare_uncached(reading, ecls, tokenize_uncached) if reading else ()
                if alt and alt != toks:
                    self._reading_nids.add(self._add_slot(info, lname, alt))
        for norm in info.identifiers:
            self._ident_index.setdefault(norm, set()).add(entity.entity_id)

    def _add_slot(self, info: _EntityInfo, lname: Any, toks: tuple[Tok, ...]) -> int:
        intern = self._tok_intern
        toks = tuple(intern.setdefault(t, t) for t in toks)
        nid = len(self._names)
        boxed: Any = nid  # one int object in every postings list (see _put)
        self._names.append((info.entity.entity_id, lname, toks))
        self._name_weight.append(_unmatched_weight(toks))
        self._slot_person.append(info.cls == "person")
        excess = _digit_excess(toks)
        if excess:
            self._digit_excess[nid] = excess
        info.name_ids.append(boxed)
        self._live_names += 1
        for t in toks:
            self._postings[self._token_id(t.text)].append(boxed)
        # Two Chinese syllables written apart ("Chin-p'ing") are also indexed joined, so that
        # a query spelling them as one word ("Jinping") finds the name through its reading.
        for a, b in zip(toks, toks[1:], strict=False):
            if (a.kind == b.kind == "n" and len(a.text) <= 6 and len(b.text) <= 6
                    and pinyin_readings(a.text) and pinyin_readings(b.text)
                    and pinyin_readings(a.text + b.text)):
                self._postings[self._token_id(a.text + b.text)].append(boxed)
        return nid

    def upsert(self, entity: ListedEntity) -> None:
        """Add or replace one entity (all its names)."""
        self._add(entity)

    def remove(self, entity_id: int) -> bool:
        """Remove an entity; returns False if it was not indexed."""
        info = self._entities.pop(entity_id, None)
        if info is None:
            return False
        for nid in info.name_ids:
            if self._names[nid] is not None:
                self._names[nid] = None
                self._live_names -= 1
        for norm in info.identifiers:
            ids = self._ident_index.get(norm)
            if ids:
                ids.discard(entity_id)
        return True

    # --- retrieval -----------------------------------------------------------

    def _vocab_matches(self, tok: Tok) -> tuple[tuple[int, float], ...]:
        """Vocabulary tokens similar to one query token, with similarities."""
        text = tok.text
        # Initials and low-weight words (legal forms, "al", "group") are
        # looked up exactly: fuzzy variants of them find nothing useful.
        fuzzy = len(text) >= 2 and tok.weight >= 0.5
        # A joined probe ("guang"+"zong") is not split again: that would only
        # find its own parts a second time and double their coverage.
        split = tok.kind != JOINED
        key = (text, tok.abjad, fuzzy, split)
        cache = self._vocab_cache
        hit = cache.get(key)
        if hit is not None:
            return hit
        out = self._vocab_search(text, tok.abjad, fuzzy, split)
        if len(cache) >= VOCAB_CACHE_SIZE:
            # Oldest first out: cheap, and bounded.
            cache.pop(next(iter(cache)), None)
        cache[key] = out
        return out

    def _vocab_search(
        self, text: str, abjad: bool, fuzzy: bool, split: bool = True
    ) -> tuple[tuple[int, float], ...]:
        found: dict[int, float] = {}
        tid = self._tid.get(text)
        if tid is not None:
            found[tid] = 1.0
        if not fuzzy:
            return tuple(found.items())
        probes: set[int] = set()
        if abjad:
            _get(self._skeletons, hash(skeleton(text)), probes)
        if text.isalpha():
            for reading in pinyin_readings(text):
                _get(self._chinese, hash(reading), probes)
        if len(text) >= MIN_DELETES_LEN - 1 and text.isalpha():
            _get(self._deletes, hash(text), probes)
            if len(text) >= MIN_DELETES_LEN:
                for d in _deletes(text):
                    t2 = self._tid.get(d)
                    if t2 is not None:
                        probes.add(t2)
                    _get(self._deletes, hash(d), probes)
            if len(text) >= 4:
                _get(self._keys, hash(phonetic_key(text)), probes)
        texts = self._texts
        for t2 in probes:
            if t2 in found:
                continue
            s = token_sim(text, texts[t2], abjad, False)
            if s >= MIN_TOKEN_SIM:
                found[t2] = s
        if split and not found and len(text) >= 6 and text.isalpha():
            # "alisherusmanov": try reading the query word as two listed words.
            for i in range(2, len(text) - 1):
                a, b = self._tid.get(text[:i]), self._tid.get(text[i:])
                if a is not None and b is not None:
                    found[a] = found[b] = 0.9
                    break
        return tuple(found.items())

    def _candidates(
        self, qtoks: Sequence[Tok], extra_entities: set[int], floor: float, qw: _QueryWeights
    ) -> list[int]:
        n_names = max(1, len(self._names))
        cap = max(POSTINGS_FLOOR, int(n_names * POSTINGS_SHARE))
        # (rank weight = weight*sim*idf, coverage, postings, df, weight).
        # Coverage is the query weight a name could align, counted at full
        # similarity so the estimate below stays optimistic.
        lookups: list[tuple[float, float, list[int], int, float]] = []
        # Joined adjacent query tokens find listed names written as one word.
        probes: list[Tok] = list(qtoks)
        for a, b in zip(qtoks, qtoks[1:], strict=False):
            if a.kind == "n" and b.kind == "n" and a.text.isalpha() and b.text.isalpha():
                probes.append(Tok(a.text + b.text, max(a.weight, b.weight), JOINED, a.abjad))
        postings = self._postings
        for tok in probes:
            matches = self._vocab_matches(tok)
            if not matches:
                continue
            # One idf per query token, from all the listed spellings it found:
            # a rare misspelling ("ebrahim") must not outrank the exact
            # spelling of the same query word ("ibrahim").
            dfs = [len(postings[tid]) for tid, _ in matches]
            cover = qw.cover(tok)
            idf = math.log(1.0 + n_names / max(1, sum(dfs)))
            for (tid, sim), df in zip(matches, dfs, strict=True):
                if df:
                    lookups.append((tok.weight * sim * idf, cover, postings[tid], df, tok.weight))
        # Per name: rank in the real part, coverage in the imaginary part, so
        # walking a postings list costs one dict update per name, not two.
        acc: dict[int, complex] = {}
        rare = [lk for lk in lookups if lk[3] <= cap]
        # Postings of low-weight words ("al", "company", "group") are long and
        # say little: when a distinctive word matched, they only re-rank the
        # names it found instead of bringing in names of their own.
        strong = [lk for lk in rare if lk[4] >= 0.5]
        boosts = [lk for lk in rare if lk[4] < 0.5] if strong else []
        walk = strong or rare
        # Coverage the walked postings cannot see (common tokens skipped):
        # assume every candidate has it, so the pruning estimate stays optimistic.
        unseen = sum(lk[1] for lk in lookups if lk[3] > cap)
        if walk:
            aget = acc.get
            for w, cv, post, *_ in walk:
                inc = complex(w, cv)
                for nid in post:
                    acc[nid] = aget(nid, 0j) + inc
            for w, cv, post, *_ in boosts:
                inc = complex(w, cv)
                if len(post) > 4 * len(acc):
                    # Long list, few names to re-rank: test those instead.
                    members = self._posting_set(post)
                    for nid, have in acc.items():
                        if nid in members:
                            acc[nid] = have + inc
                    continue
                for nid in post:
                    got = aget(nid)
                    if got is not None:
                        acc[nid] = got + inc
        elif lookups:
            # Only very common tokens: intersect the two rarest instead of
            # walking huge postings lists. Every name found ranks the same, so
            # the first ones will do.
            lookups.sort(key=lambda lk: lk[3])
            rarest = lookups[0]
            found: Iterable[int] = rarest[2]
            unseen -= rarest[1]
            inc = complex(rarest[0], rarest[1])
            if len(lookups) >= 2:
                second = lookups[1]
                found = set(rarest[2]).intersection(second[2])
                unseen -= second[1]
                inc += complex(second[0], second[1])
            for nid in itertools.islice(found, CANDIDATES * POOL_FACTOR):
                acc[nid] = inc
        # Estimate each candidate's best possible name score from what the
        # blocking saw (matched query weight vs both names' total weight),
        # skip the hopeless ones and keep the best estimates of a pool taken
        # by rank: among names sharing the same rare words, the one closest in
        # length to the query comes first. PRUNE_MARGIN keeps it loose because
        # joins and partial similarities are not visible here.
        names = self._names
        name_weight = self._name_weight
        digit_excess = self._digit_excess
        person = self._slot_person
        limit = floor * PRUNE_MARGIN
        pool: list[tuple[float, int]] = []
        for nid, rc in _top(acc, CANDIDATES * POOL_FACTOR):
            if names[nid] is None:
                continue
            # The query read the way this name's class is compared.
            if person[nid]:
                wq, extra_cost = qw.person, EXTRA_COST_PERSON
            else:
                wq, extra_cost = qw.other, EXTRA_COST_ORG
            m = min(rc.imag + unseen, wq)
            uq, uc = wq - m, max(0.0, name_weight[nid] - m)
            # Unmatched numbers contradict at a lower weight ("Fund 7" vs "Fund 9").
            conflict = min(max(0.0, uq - qw.digits), max(0.0, uc - digit_excess.get(nid, 0.0)))
            est = m / (m + CONFLICT_COST * conflict + extra_cost * abs(uq - uc) + 1e-9)
            if est >= limit:
                pool.append((est, nid))
        if len(pool) > CANDIDATES:
            # Stable: equal estimates keep their rank order.
            pool.sort(key=_first, reverse=True)
            del pool[CANDIDATES:]
        nids = [nid for _, nid in pool]
        for eid in extra_entities:
            info = self._entities.get(eid)
            if info:
                nids.extend(info.name_ids)
        return nids

    def _posting_set(self, post: list[int]) -> frozenset[int]:
        """A postings list as a set, remembered for the few low-weight words
        ("company", "trading", "al") whose lists are long and often tested."""
        # Postings only ever grow (removals leave tombstones), so an entry of
        # the same length is still right. The key is the list's id: the lists
        # live as long as the index.
        cache = self._set_cache
        hit = cache.get(id(post))
        if hit is None or hit[0] != len(post):
            hit = (len(post), frozenset(post))
            if len(cache) >= SET_CACHE_SIZE:
                cache.pop(next(iter(cache)), None)
            cache[id(post)] = hit
        return hit[1]

    # --- screening -----------------------------------------------------------

    def screen(
        self, subject: Subject, *, threshold: float = DEFAULT_THRESHOLD, limit: int = 10
    ) -> list[Match]:
        """Ranked matches (best first) with score >= threshold * MIN_RETURN_FACTOR."""
        logical = logical_reading(subject.name)
        if logical is None:
            return self._screen(subject, threshold, limit)
        # A name with a bidi override is screened as it displays (see normalize.clean) and as
        # a system that strips the override would pass it on; the stronger reading of each
        # entity wins, so neither order hides a listed name.
        best: dict[int, Match] = {}
        for m in (*self._screen(subject, threshold, limit),
                  *self._screen(replace(subject, name=logical), threshold, limit)):
            if m.entity_id not in best or m.score > best[m.entity_id].score:
                best[m.entity_id] = m
        return sorted(best.values(), key=lambda m: (-m.score, m.entity_id))[:limit]

    def _screen(self, subject: Subject, threshold: float, limit: int) -> list[Match]:
        scls = type_class(subject.type)
        r_person = readings(subject.name, "person") if scls in (None, "person") else ((),)
        r_org = readings(subject.name, scls or "org") if scls != "person" else ((),)
        qtoks = {t.text: t for r in (*r_person, *r_org) for t in r}
        if not qtoks:
            return []
        native = any(t.orig for t in (*r_person[0], *r_org[0]))
        extra: set[int] = set()
        for ident in subject.identifiers:
            extra.update(self._ident_index.get(normalize_identifier(ident[1]), ()))
        floor = threshold * MIN_RETURN_FACTOR
        nids = self._candidates(list(qtoks.values()), extra, floor, _QueryWeights(r_person, r_org))

        # Best name per entity.
        best: dict[int, tuple[float, Any, list[Any]]] = {}
        names = self._names
        entities = self._entities
        for nid in nids:
            slot = names[nid]
            if slot is None:
                continue
            eid, lname, ctoks = slot
            info = entities[eid]
            ecls = info.cls
            if scls is not None and scls != ecls:
                continue  # type rule: persons never match companies and vice versa
            rq = r_person if ecls == "person" else (r_org if r_org[0] else readings(subject.name, ecls))
            if nid in self._reading_nids:
                # A listed name's Japanese reading stands in for the Han
                # characters only against a query not written in them.
                if native:
                    continue
                s, pairs = compare_prepared(rq[0], ctoks, ecls)
            else:
                s, pairs = compare_readings(rq, (ctoks,), ecls)
            cur = best.get(eid)
            if cur is None or s > cur[0]:
                best[eid] = (s, lname, pairs)

        country = normalize_country(subject.country) if subject.country else None
        out: list[Match] = []
        for eid, (name_score, lname, pairs) in best.items():
            info = entities[eid]
            final, adjustments = self._adjust(name_score, subject, country, info, threshold)
            if final < floor:
                continue
            ent = info.entity
            out.append(
                Match(
                    entity_id=eid,
                    name=ent.name,
                    matched_name=lname.name,
                    score=round(final, 4),
                    match=final >= threshold,
                    references=list(ent.references),
                    explanation={
                        "algorithm": ALGORITHM,
                        "algorithm_version": ALGORITHM_VERSION,
                        "query_name": subject.name,
                        "matched_name": lname.name,
                        "matched_name_kind": lname.kind,
                        "name_score": round(name_score, 4),
                        "token_pairs": pairs_for_explanation(pairs),
                        "adjustments": adjustments,
                        "final_score": round(final, 4),
                        "threshold": threshold,
                    },
                )
            )
        out.sort(key=lambda m: (-m.score, m.entity_id))
        return out[:limit]

    @staticmethod
    def _adjust(
        name_score: float,
        subject: Subject,
        country: str | None,
        info: _EntityInfo,
        threshold: float,
    ) -> tuple[float, list[dict[str, Any]]]:
        """Apply birth date, country and identifier evidence to a name score."""
        ent = info.entity
        adjustments: list[dict[str, Any]] = []
        final = name_score
        features = (
            ("birth_date", compare_birth_dates(subject.birth_date, ent.birth_dates)),
            ("country", compare_countries(country, info.countries)),
            ("identifier", compare_identifiers(subject.identifiers, info.identifiers)),
        )
        for feature, adj in features:
            if adj is None:
                continue
            effect, detail = adj
            # Supporting dates/countries only raise confidence in a name that
            # already matches; they never turn a non-match into a match.
            if effect > 0 and feature != "identifier" and name_score < threshold:
                effect = 0.0
            final += effect
            adjustments.append({"feature": feature, "effect": round(effect, 4), "detail": detail})
        return max(0.0, min(1.0, final)), adjustments

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
        from .parallel import screen_many

        return screen_many(self, subjects, threshold=threshold, limit=limit, workers=workers)

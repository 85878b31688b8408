"""Candidate retrieval (blocking): which listed names are worth scoring.

Each listed name is a *slot*; its tokens go into the postings of the
:class:`~.vocabulary.Vocabulary`. A query token finds the listed tokens it may
stand for there, and joined readings of two or three adjacent query tokens are probed too
("Guang Zong" -> "guangzong"). Each name collects ``query-token weight x
similarity x idf`` from the postings it appears in; very common tokens
("mohammed", "al", "company") are not expanded when rarer tokens are
available (their postings are capped), and a query walks a bounded number of
postings entries, best-ranked lists first (:data:`WALK_ENTRIES`), so a query costs
about the same at 35k or 1M names.

Names of a few words are also keyed by their words written as one, in each
rotation, so the whole query joined finds "SOLTECH INDUSTRY" from "Sol Tech
Industry" whatever its spacing; a joined probe covers both query words it joins.

The best-ranked names are then pruned by an estimate of their best possible
name score (matched query weight against both names' total weight, see
:class:`QueryWeights`), which never falls below the score
:func:`~.score.compare_prepared` gives as long as the vocabulary connects the
words the scorer pairs; every name whose estimate reaches the return floor is
scored, up to :data:`CANDIDATES` (best estimates first), or :data:`NAMES_PER_RESULT` names
per result asked for when the caller wants more than ten.

Removed names leave tombstones that are skipped here.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from .chinese import pinyin_readings
from .estimate import (
    ACRONYM_WORD_WEIGHT,
    Coverage,
    QueryWeights,
    core,
    despaced,
    digit_excess,
    estimate,
    unmatched_weight,
)
from .memo import drop_oldest
from .multimap import MultiMap
from .score import EXTRA_COST_ORG, EXTRA_COST_PERSON
from .tokens import DIGIT, Tok
from .vocabulary import JOINED, Vocabulary
from .walk import MIN_ENTRIES, walk_top

__all__ = ["CANDIDATES", "CandidateIndex", "QueryWeights", "query_probes"]

#: How many names are scored exactly per query at most (before grouping by
#: entity): every name whose estimate reaches the return floor is scored, up to
#: this cap, so a common name ("Ali Mehdi") does not crowd out its target.
CANDIDATES = 30
#: A caller asking for more results gets this many names scored per result (a listed
#: entity's aliases often rank together): with a fixed cap, ``limit=100`` on a common
#: name ("Abd al-Rahman") returned the best of 30 names, not the 100 best entities.
NAMES_PER_RESULT = 3
#: A token in more than this share of names (and more than POSTINGS_FLOOR
#: names) is too common to drive retrieval when a rarer query token exists.
POSTINGS_SHARE = 0.005
POSTINGS_FLOOR = 2000
#: A query walks at most this many postings entries, best-ranked lists first, whatever the
#: number of listed names. A short word read many ways finds dozens of listed words (a
#: Chinese or Japanese name's syllables: "shi" is si, chi, zhi, she ...): 241 lists and
#: 45,000 entries for "石井 明美" among 100,000 entities, ten times that among a million,
#: which made such queries a hundred times slower than the median. The lists left over
#: count in the estimate only, as too common ones do. No query of bench/realistic.py on
#: the OFAC list reaches the budget.
WALK_ENTRIES = 16_000
#: Candidates whose blocking estimate is below floor * PRUNE_MARGIN are not scored.
PRUNE_MARGIN = 1.0
#: Postings lists of low-weight words kept as sets (see _posting_set).
SET_CACHE_SIZE = 64
#: Candidates taken by blocking rank before the estimate picks CANDIDATES.
POOL_FACTOR = 4
#: Unmatched parts facing each other are estimated as contradictions (CONFLICT_COST):
#: the vocabulary finds every listed word within two edits or of the same sound or
#: skeleton, so what it leaves unconnected rarely pairs in the scorer.
#: Names of at most this many words are also keyed by each rotation of their
#: words written as one ("haghighianmohammadhossein", "mohammadhosseinhaghighian").
DESPACED_MAX_WORDS = 4


def _rank(item: tuple[int, float]) -> float:
    return item[1]


def _first(item: tuple[float, int]) -> float:
    return item[0]


def _rank_weight(lk: tuple[float, array[int], int, float, int]) -> float:
    return lk[0]


def _probe_then_best(lk: tuple[float, array[int], int, float, int]) -> tuple[int, float]:
    return lk[4], -lk[0]


def _best_lists(lookups: list[tuple[float, array[int], int, float, int]],
                budget: int) -> list[tuple[float, array[int], int, float, int]]:
    """The lookups of best rank weight whose postings hold ``budget`` entries at most
    together (the best one whatever its length)."""
    chosen: list[tuple[float, array[int], int, float, int]] = []
    spent = 0
    for lk in sorted(lookups, key=_rank_weight, reverse=True):
        if spent + lk[2] <= budget or not chosen:
            chosen.append(lk)
            spent += lk[2]
    return chosen


def _top(acc: dict[Any, float], k: int) -> list[Any]:
    """The k names of highest rank, best first, ties in insertion order
    (what ``heapq.nlargest(k, acc, key=acc.get)`` returns), without a
    Python call per item: the k-th best rank is found by sorting plain floats."""
    if len(acc) > k:
        ranks = list(acc.values())
        ranks.sort(reverse=True)  # in C: cheaper than heapq.nlargest's Python loop
        kth = ranks[k - 1]
        # One pass over them all, unpacking each entry: compiled, that makes no (name, rank)
        # tuple, where keeping the entry did for every name found (a thirtieth of a row's time).
        above: list[tuple[Any, float]] = []
        tied: list[Any] = []
        for nid, rank in acc.items():
            if rank > kth:
                above.append((nid, rank))
            elif rank == kth:
                tied.append(nid)
        above.sort(key=_rank, reverse=True)
        # Names tied at the k-th rank fill the rest in insertion order.
        return [nid for nid, _ in above] + tied[: k - len(above)]
    items = list(acc.items())
    items.sort(key=_rank, reverse=True)
    return [nid for nid, _ in items]


def query_probes(qtoks: Sequence[Tok], qw: QueryWeights) -> tuple[
        list[Tok], list[int], dict[int, list[int]], dict[str, int]]:
    """What retrieval looks up in the vocabulary for a query: its tokens, then its adjacent
    tokens joined (they find listed names written as one word), with the query words each
    probe stands for (bits), the parts of each joined probe (by number) and each query
    token's number."""
    probes: list[Tok] = list(qtoks)
    # Which query words a probe stands for, a bit per query token: a joined probe
    # covers all its parts ("inter" + "national"), as the scorer's merged reading
    # drops them from the query's unmatched weight.
    bits = [1 << i for i in range(len(probes))]
    parts: dict[int, list[int]] = {}  # joined probe number -> its parts' numbers
    position = {t.text: i for i, t in enumerate(qtoks)}
    for run in qw.adjacent:
        where = [position.get(t.text) for t in run]
        if any(i is None or t.kind == DIGIT or not t.text.isalpha() for i, t in zip(where, run, strict=True)):
            continue
        text = "".join(t.text for t in run)
        parts[len(probes)] = [i for i in where if i is not None]
        bits.append(sum(1 << i for i in set(parts[len(probes)])))
        probes.append(Tok(text, max(t.weight for t in run), JOINED, run[0].abjad))
    return probes, bits, parts, position


class CandidateIndex:
    """Postings of the listed names' tokens and what the pruning estimate needs
    per name slot. Slots are numbered by the caller, from 0, in the order added."""

    def __init__(self) -> None:
        self.vocab = Vocabulary()
        # Per name slot: its weight for the pruning estimate (see estimate.unmatched_weight)
        # (an array of doubles: a list of float objects costs 4x the memory at 1M names).
        self._name_weight = array("d")
        # Per name slot: 1 if its entity is compared as a person.
        self._slot_person = bytearray()
        # Per name slot: 0 once removed (a tombstone). Read by the index too, which numbers
        # the slots alike.
        self.live = bytearray()
        # Per name slot with numbers: see estimate.digit_excess (sparse).
        self._digit_excess: dict[int, float] = {}
        # id(postings array) -> (its length, its ids as a set); see _posting_set.
        self._set_cache: dict[int, tuple[int, frozenset[int]]] = {}
        # hash(a rotation of the name's words written as one) -> name slots; see estimate.despaced.
        # Each name slot is added as it is numbered (add), so in ascending order.
        self._despaced = MultiMap(ascending=True)
        # Per name slot: the ids of the tokens it is posted under, slot i's at
        # _slot_tids[_slot_start[i]:_slot_start[i + 1]] (flat arrays, as for _name_weight).
        self._slot_tids = array("i")
        self._slot_start = array("q", [0])

    def add(self, nid: int, toks: tuple[Tok, ...], person: bool) -> None:
        """Index the next name slot."""
        self._name_weight.append(unmatched_weight(toks))
        self._slot_person.append(person)
        self.live.append(1)
        excess = digit_excess(toks)
        if excess:
            self._digit_excess[nid] = excess
        vocab = self.vocab
        postings = vocab.postings
        tids = self._slot_tids
        for t in toks:
            tid = vocab.token_id(t.text)
            postings[tid].append(nid)
            tids.append(tid)
        # The name without its legal forms too, when it has any. Compared, not put in a set:
        # a set hashes every Tok (eight fields, in Python), which cost a thirtieth of a million
        # names' build; core() keeps the Tok objects, so equal forms compare by identity.
        bare = core(toks)
        for form in (toks,) if bare == toks else (toks, bare):
            if 2 <= len(form) <= DESPACED_MAX_WORDS:
                for i in range(len(form)):
                    key = despaced(form[i:] + form[:i])
                    if len(key) >= 6:
                        self._despaced.add(hash(key), nid)
        # Two Chinese syllables written apart ("Chin-p'ing") are also indexed joined, so that
        # a query spelling them as one word ("Jinping") finds the name through its reading.
        for a, b in zip(toks, toks[1:], strict=False):
            if (a.kind == b.kind == "n" and len(a.text) <= 6 and len(b.text) <= 6
                    and pinyin_readings(a.text) and pinyin_readings(b.text)
                    and pinyin_readings(a.text + b.text)):
                tid = vocab.token_id(a.text + b.text)
                postings[tid].append(nid)
                tids.append(tid)
        self._slot_start.append(len(tids))

    def remove(self, nid: int) -> None:
        self.live[nid] = 0

    def candidates(self, qtoks: Sequence[Tok], floor: float, qw: QueryWeights, limit: int = 10) -> list[int]:
        """Name slots worth scoring for these query tokens, best estimate first;
        ``floor`` is the lowest score that will be returned, ``limit`` the results wanted."""
        want = max(CANDIDATES, NAMES_PER_RESULT * limit)
        n_names = max(1, len(self._name_weight))
        cap = max(POSTINGS_FLOOR, int(n_names * POSTINGS_SHARE))
        # (rank weight = weight*sim*idf, postings, df, weight, probe number).
        lookups: list[tuple[float, array[int], int, float, int]] = []
        probes, bits, parts, position = query_probes(qtoks, qw)
        # Listed token id -> the query words found as it (bits, as above).
        found_words: dict[int, int] = {}
        vocab = self.vocab
        postings = vocab.postings
        found_by: list[tuple[tuple[int, float], ...]] = []  # per query token (the probes before the joined ones)
        for pi, tok in enumerate(probes):
            matches = vocab.matches(tok)
            joined = parts.get(pi)
            if joined is None:
                found_by.append(matches)
            elif matches:
                # A listed word one part found by itself ("abdul" from "abdul" + "al") is no
                # reading of the parts joined: credited at all parts' coverage, it would lift
                # every "X, Abdul" to a full match in the estimate.
                own = {tid for i in joined for tid, _ in found_by[i]}
                matches = tuple(m for m in matches if m[0] not in own)
            if not matches:
                continue
            # One idf per query token, from all the listed spellings it found:
            # a rare misspelling ("ebrahim") must not outrank the exact
            # spelling of the same query word ("ibrahim").
            dfs = [len(postings[tid]) for tid, _ in matches]
            idf = math.log(1.0 + n_names / max(1, sum(dfs)))
            bit = bits[pi]
            for (tid, sim), df in zip(matches, dfs, strict=True):
                if df:
                    lookups.append((tok.weight * sim * idf, postings[tid], df, tok.weight, pi))
                    found_words[tid] = found_words.get(tid, 0) | bit
        # Postings too common to walk ("al", "mohammed" in 1M names) only count in the
        # estimate below, through found_words.
        rare = [lk for lk in lookups if lk[2] <= cap]
        # Postings of low-weight words ("al", "company", "group") are long and
        # say little: when a distinctive word matched, they only re-rank the
        # names it found instead of bringing in names of their own.
        strong = [lk for lk in rare if lk[3] >= 0.5]
        boosts = [lk for lk in rare if lk[3] < 0.5] if strong else []
        walk = strong or rare
        # A listed name written with other spacing ("Sol Tech Industry" / "SOLTECH
        # INDUSTRY"): the whole query joined finds it, at full coverage.
        whole: set[int] = set()
        for key in qw.despaced:
            self._despaced.get_into(hash(key), whole)
        if sum(lk[2] for lk in walk) > WALK_ENTRIES:
            walk = _best_lists(walk, WALK_ENTRIES)
        # A query word that found several listed words ("mhmd": mohammad, mahmoud ...) ranks
        # once in a name holding two of them, at the better one, as the scorer pairs it once:
        # else "MOHAMMAD, Mahmoud" would rank above the names that hold the query's other
        # words. Best spelling first, so a name's first credit is its best.
        walk.sort(key=_probe_then_best)
        top: list[Any]
        if walk and sum(lk[2] for lk in walk) + sum(lk[2] for lk in boosts) > MIN_ENTRIES:
            # The same ranks as the walk below, in numpy (see .walk).
            top = walk_top(walk, boosts, whole, sum(lk[0] for lk in lookups) + 1.0, want * POOL_FACTOR)
        else:
            top = self._walk(walk, boosts, lookups, whole, want * POOL_FACTOR)
        # Estimate each candidate's best possible name score from what the
        # blocking saw (matched query weight vs both names' total weight),
        # skip the hopeless ones and keep the best estimates of a pool taken
        # by rank: among names sharing the same rare words, the one closest in
        # length to the query comes first. PRUNE_MARGIN keeps it loose because
        # joins and partial similarities are not visible here.
        # The query weight a name may align is the most that one reading of the query
        # has among the words found in it, each word once however many probes or listed
        # spellings found it (a name "HONG KONG X" found by "hong", "kong" and "hongkong"
        # covers two words, not four), counted at full similarity so the estimate stays
        # optimistic. Names found by the whole query joined cover all of it.
        covered = Coverage(qw, position)
        slot_tids, slot_start = self._slot_tids, self._slot_start
        # A possible acronym that finds no listed word ("us" of "U.S. Department of State").
        spelt = {probe.text for probe, hits in zip(probes, found_by, strict=False) if hits}
        acronym, acronym_words = max(
            ((t.weight, len(t.text) * ACRONYM_WORD_WEIGHT) for t in qw.acronym if t.text not in spelt),
            default=(0.0, 0.0),
        )
        live = self.live
        name_weight = self._name_weight
        digits = qw.digits
        excess_of = self._digit_excess
        person = self._slot_person
        lowest = floor * PRUNE_MARGIN
        pool: list[tuple[float, int]] = []
        for nid in top:
            if not live[nid]:
                continue
            # The query read the way this name's class is compared.
            is_person = bool(person[nid])
            extra_cost = EXTRA_COST_PERSON if is_person else EXTRA_COST_ORG
            if nid in whole:
                holds = -1
            else:
                holds = 0
                for tid in slot_tids[slot_start[nid]:slot_start[nid + 1]]:
                    holds |= found_words.get(tid, 0)
            weight, excess = name_weight[nid], excess_of.get(nid, 0.0)
            best = without = -1.0
            for m, uq in covered.readings(holds, is_person):
                uc = max(0.0, weight - m)
                est = estimate(m, uq, uc, digits, excess, extra_cost)
                best = max(best, est)
                if acronym and uq > 0.0 and uc > 0.0 and not is_person:
                    # No lookup connects an acronym with the words it stands for: words of
                    # this name left over may be them.
                    acro = min(acronym, uq)
                    without = max(without, estimate(
                        m + acro, uq - acro, max(0.0, uc - acronym_words), digits, excess, extra_cost))
            if best >= lowest:
                pool.append((best, nid))
            elif without >= lowest:
                # Such a name comes after those estimated without an acronym.
                pool.append((without - 1.0, nid))
        if len(pool) > want:
            # Stable: equal estimates keep their rank order.
            pool.sort(key=_first, reverse=True)
            del pool[want:]
        return [nid for _, nid in pool]

    def _walk(self, walk: list[tuple[float, array[int], int, float, int]],
              boosts: list[tuple[float, array[int], int, float, int]],
              lookups: list[tuple[float, array[int], int, float, int]], whole: set[int], count: int) -> list[Any]:
        """The ``count`` best-ranked name slots, entry by entry (see :meth:`candidates`);
        ``walk`` sorted by probe, then best list first."""
        # Per name: its rank, the sum of what its postings lists brought.
        # Name slots are held untyped (Any) here and below: compiled, an ``int`` is unboxed
        # from each postings entry and boxed again for every dict, set and array access, which
        # was a third of the walk's time (a million names: most of a slow query's).
        acc: dict[Any, float] = {}
        if walk:
            aget = acc.get
            seen: set[Any] = set()
            current = -1
            for k, (inc, post, _, _, pi) in enumerate(walk):
                fresh: Iterable[Any] = post
                if pi != current:
                    current = pi
                    if k + 1 < len(walk) and walk[k + 1][4] == pi:
                        seen = set(post)
                else:
                    fresh = [nid for nid in post if nid not in seen]
                    seen.update(fresh)
                for nid in fresh:
                    got = aget(nid)
                    acc[nid] = inc if got is None else got + inc
            for inc, post, *_ in boosts:
                if len(post) > 4 * len(acc):
                    # Long list, few names to re-rank: test those instead.
                    members = self._posting_set(post)
                    for nid, have in acc.items():
                        if nid in members:
                            acc[nid] = have + inc
                    continue
                entries: Iterable[Any] = post
                for nid in entries:
                    got = aget(nid)
                    if got is not None:
                        acc[nid] = got + inc
        elif lookups:
            # Only very common tokens: intersect the two rarest instead of
            # walking huge postings lists. Every name found ranks the same, so
            # the first ones will do.
            lookups.sort(key=lambda lk: lk[2])
            rarest = lookups[0]
            found: Iterable[int] = rarest[1]
            inc = rarest[0]
            if len(lookups) >= 2:
                second = lookups[1]
                found = set(rarest[1]).intersection(second[1])
                inc += second[0]
            for nid in itertools.islice(found, count):
                acc[nid] = inc
        if whole:
            full = sum(lk[0] for lk in lookups) + 1.0  # after the sort above, as the other walk sums them unsorted
            for nid in whole:
                acc[nid] = acc.get(nid, 0.0) + full
        return _top(acc, count)

    def _posting_set(self, post: array[int]) -> frozenset[int]:
        """A postings array as a set, remembered for the few low-weight words
        ("company", "trading", "al") whose lists are long and often tested."""
        # Postings only ever grow (removals leave tombstones), so an entry of
        # the same length is still right. The key is the array's id: the arrays
        # live as long as the index.
        cache = self._set_cache
        hit = cache.get(id(post))
        if hit is None or hit[0] != len(post):
            hit = (len(post), frozenset(post))
            if len(cache) >= SET_CACHE_SIZE:
                drop_oldest(cache)
            cache[id(post)] = hit
        return hit[1]

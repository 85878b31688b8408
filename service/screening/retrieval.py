"""Candidate retrieval (blocking): which listed names are worth scoring.

Each listed name is a *slot*; its tokens go into the postings of the
:class:`~.vocabulary.Vocabulary`. A query token finds the listed tokens it may
stand for there, and joined readings of two or three adjacent query tokens are probed too
("Guang Zong" -> "guangzong"). Each name collects ``query-token weight x
similarity x idf`` from the postings it appears in; very common tokens
("mohammed", "al", "company") are not expanded when rarer tokens are
available (their postings are capped), so a query costs the same at 35k or 1M
names.

Names of a few words are also keyed by their words written as one, in each
rotation, so the whole query joined finds "SOLTECH INDUSTRY" from "Sol Tech
Industry" whatever its spacing; a joined probe covers both query words it joins.

The best-ranked names are then pruned by an estimate of their best possible
name score (matched query weight against both names' total weight, see
:class:`QueryWeights`), which never falls below the score
:func:`~.score.compare_prepared` gives as long as the vocabulary connects the
words the scorer pairs; every name whose estimate reaches the return floor is
scored, up to :data:`CANDIDATES` (best estimates first).

Removed names leave tombstones that are skipped here.
"""

from __future__ import annotations

import itertools
import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import Any

from .chinese import pinyin_readings
from .estimate import (
    ACRONYM_WORD_WEIGHT,
    QueryWeights,
    core,
    despaced,
    digit_excess,
    estimate,
    unmatched_weight,
)
from .score import EXTRA_COST_ORG, EXTRA_COST_PERSON
from .tokens import DIGIT, INITIAL, Tok
from .vocabulary import JOINED, Vocabulary, _get, _put

__all__ = ["CANDIDATES", "CandidateIndex", "QueryWeights"]

#: How many names are scored exactly per query at most (before grouping by
#: entity): every name whose estimate reaches the return floor is scored, up to
#: this cap, so a common name ("Ali Mehdi") does not crowd out its target.
CANDIDATES = 30
#: A token in more than this share of names (and more than POSTINGS_FLOOR
#: names) is too common to drive retrieval when a rarer query token exists.
POSTINGS_SHARE = 0.005
POSTINGS_FLOOR = 2000
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


def _real(item: tuple[int, complex]) -> float:
    return item[1].real


def _first(item: tuple[float, int]) -> float:
    return item[0]


def _probe_then_best(lk: tuple[float, float, list[int], int, float, int]) -> tuple[int, float]:
    return lk[5], -lk[0]


def _holds(post: list[int], nid: int) -> bool:
    """Whether a postings list holds a name slot: the lists are in slot order (slots are
    numbered as they are added, and only ever appended)."""
    i = bisect_left(post, nid)
    return i < len(post) and post[i] == nid


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
        # Per name slot: 0 once removed (a tombstone).
        self._live = bytearray()
        # Per name slot with numbers: see estimate.digit_excess (sparse).
        self._digit_excess: dict[int, float] = {}
        # id(postings list) -> (its length, its ids as a set); see _posting_set.
        self._set_cache: dict[int, tuple[int, frozenset[int]]] = {}
        # hash(a rotation of the name's words written as one) -> name slot(s); see estimate.despaced.
        self._despaced: dict[int, Any] = {}

    def add(self, nid: Any, toks: tuple[Tok, ...], person: bool) -> None:
        """Index the next name slot. ``nid`` comes boxed, so that one int object
        is shared by every postings list and the caller's own tables (see
        :func:`~.vocabulary._put`)."""
        self._name_weight.append(unmatched_weight(toks))
        self._slot_person.append(person)
        self._live.append(1)
        excess = digit_excess(toks)
        if excess:
            self._digit_excess[nid] = excess
        vocab = self.vocab
        postings = vocab.postings
        for t in toks:
            postings[vocab.token_id(t.text)].append(nid)
        for form in {toks, core(toks)}:
            if 2 <= len(form) <= DESPACED_MAX_WORDS:
                for i in range(len(form)):
                    key = despaced(form[i:] + form[:i])
                    if len(key) >= 6:
                        _put(self._despaced, hash(key), nid)
        # Two Chinese syllables written apart ("Chin-p'ing") are also indexed joined, so that
        # a query spelling them as one word ("Jinping") finds the name through its reading.
        for a, b in zip(toks, toks[1:], strict=False):
            if (a.kind == b.kind == "n" and len(a.text) <= 6 and len(b.text) <= 6
                    and pinyin_readings(a.text) and pinyin_readings(b.text)
                    and pinyin_readings(a.text + b.text)):
                postings[vocab.token_id(a.text + b.text)].append(nid)

    def remove(self, nid: int) -> None:
        self._live[nid] = 0

    def candidates(self, qtoks: Sequence[Tok], floor: float, qw: QueryWeights) -> list[int]:
        """Name slots worth scoring for these query tokens, best estimate first;
        ``floor`` is the lowest score that will be returned."""
        n_names = max(1, len(self._name_weight))
        cap = max(POSTINGS_FLOOR, int(n_names * POSTINGS_SHARE))
        # (rank weight = weight*sim*idf, coverage, postings, df, weight, probe number).
        # Coverage is the query weight a name could align, counted at full
        # similarity so the estimate below stays optimistic.
        lookups: list[tuple[float, float, list[int], int, float, int]] = []
        # Joined adjacent query tokens find listed names written as one word.
        probes: list[Tok] = list(qtoks)
        # A joined probe covers all its parts ("inter" + "national"): the scorer's merged
        # reading drops them from the query's unmatched weight.
        joined_cover: dict[str, float] = {}
        parts: dict[int, list[int]] = {}  # joined probe number -> its parts' numbers
        position = {t.text: i for i, t in enumerate(qtoks)}
        for run in qw.adjacent:
            where = [position.get(t.text) for t in run]
            if any(i is None or t.kind == DIGIT or not t.text.isalpha() for i, t in zip(where, run, strict=True)):
                continue
            text = "".join(t.text for t in run)
            parts[len(probes)] = [i for i in where if i is not None]
            probes.append(Tok(text, max(t.weight for t in run), JOINED, run[0].abjad))
            joined_cover[text] = sum(qw.cover(t) for t in run)
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
            cover = joined_cover[tok.text] if tok.kind == JOINED else qw.cover(tok)
            idf = math.log(1.0 + n_names / max(1, sum(dfs)))
            for (tid, sim), df in zip(matches, dfs, strict=True):
                if df:
                    lookups.append((tok.weight * sim * idf, cover, postings[tid], df, tok.weight, pi))
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
        # Postings too common to walk ("al", "mohammed" in 1M names): the estimate below
        # tests each candidate for them instead (a bisection per list, as postings are in
        # slot order), and credits their query word unless the walk already did so through
        # another spelling ("Alexander" found as "alexander" must not also count the nickname
        # "al", or every other "X, Alexander" would estimate as high as "SOBOL, Alexander").
        common_by_probe: dict[int, tuple[float, list[list[int]]]] = {}
        walked_by_probe: dict[int, list[list[int]]] = {}
        for lk in lookups:
            if lk[3] > cap:
                common_by_probe.setdefault(lk[5], (lk[1], []))[1].append(lk[2])
            else:
                walked_by_probe.setdefault(lk[5], []).append(lk[2])
        if walk:
            aget = acc.get
            # A query word that found several listed words ("mhmd": mohammad, mahmoud ...)
            # counts once in a name holding two of them, at the better one, as the scorer
            # pairs it once: else "MOHAMMAD, Mahmoud" would estimate as a full match of any
            # query with "mhmd", and rank above the names that hold its other words. Best
            # spelling first, so a name's first credit is its best.
            walk.sort(key=_probe_then_best)
            seen: set[int] = set()
            current = -1
            for k, (w, cv, post, _, _, pi) in enumerate(walk):
                inc = complex(w, cv)
                fresh: list[int] = post
                if pi != current:
                    current = pi
                    if k + 1 < len(walk) and walk[k + 1][5] == pi:
                        seen = set(post)
                else:
                    fresh = [nid for nid in post if nid not in seen]
                    seen.update(fresh)
                for nid in fresh:
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
            common_by_probe.pop(rarest[5], None)
            inc = complex(rarest[0], rarest[1])
            if len(lookups) >= 2:
                second = lookups[1]
                found = set(rarest[2]).intersection(second[2])
                common_by_probe.pop(second[5], None)
                inc += complex(second[0], second[1])
            for nid in itertools.islice(found, CANDIDATES * POOL_FACTOR):
                acc[nid] = inc
        # A listed name written with other spacing ("Sol Tech Industry" / "SOLTECH
        # INDUSTRY"): the whole query joined finds it, at full coverage.
        whole: set[int] = set()
        for key in qw.despaced:
            _get(self._despaced, hash(key), whole)
        if whole:
            full = complex(sum(lk[0] for lk in lookups) + 1.0, max(qw.person, qw.other))
            for nid in whole:
                acc[nid] = acc.get(nid, 0j) + full
        # Estimate each candidate's best possible name score from what the
        # blocking saw (matched query weight vs both names' total weight),
        # skip the hopeless ones and keep the best estimates of a pool taken
        # by rank: among names sharing the same rare words, the one closest in
        # length to the query comes first. PRUNE_MARGIN keeps it loose because
        # joins and partial similarities are not visible here.
        unseen = [(cv, commons, walked_by_probe.get(pi, [])) for pi, (cv, commons) in common_by_probe.items()]
        # An initial ("V. Putin") pairs with any listed word of its letter, which no lookup
        # finds: every candidate may have it.
        initials = sum(qw.cover(t) for t in qtoks if t.kind == INITIAL)
        # A possible acronym that finds no listed word ("us" of "U.S. Department of State").
        spelt = {probe.text for probe, hits in zip(probes, found_by, strict=False) if hits}
        acronym, acronym_words = max(
            ((t.weight, len(t.text) * ACRONYM_WORD_WEIGHT) for t in qw.acronym if t.text not in spelt),
            default=(0.0, 0.0),
        )
        live = self._live
        name_weight = self._name_weight
        excess_of = self._digit_excess
        person = self._slot_person
        limit = floor * PRUNE_MARGIN
        pool: list[tuple[float, int]] = []
        for nid, rc in _top(acc, CANDIDATES * POOL_FACTOR):
            if not live[nid]:
                continue
            # The query read the way this name's class is compared.
            if person[nid]:
                wq, extra_cost = qw.person, EXTRA_COST_PERSON
            else:
                wq, extra_cost = qw.other, EXTRA_COST_ORG
            m = rc.imag + initials
            for cv, commons, walked in unseen:
                if any(_holds(p, nid) for p in commons) and not any(_holds(p, nid) for p in walked):
                    m += cv
            m = min(m, wq)
            uq, uc = wq - m, max(0.0, name_weight[nid] - m)
            digits, excess = qw.digits, excess_of.get(nid, 0.0)
            est = estimate(m, uq, uc, digits, excess, extra_cost)
            if est >= limit:
                pool.append((est, nid))
            elif acronym and uq > 0.0 and uc > 0.0 and not person[nid]:
                # No lookup connects an acronym with the words it stands for: words of this
                # name left over may be them. Such a name comes after those estimated without.
                acro = min(acronym, uq)
                est = estimate(m + acro, uq - acro, max(0.0, uc - acronym_words), digits, excess, extra_cost)
                if est >= limit:
                    pool.append((est - 1.0, nid))
        if len(pool) > CANDIDATES:
            # Stable: equal estimates keep their rank order.
            pool.sort(key=_first, reverse=True)
            del pool[CANDIDATES:]
        return [nid for _, nid in pool]

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

"""The pruning estimate of candidate retrieval (see :mod:`.retrieval`): the best name score
a listed name may reach from what the lookups saw, matched query weight against both names'
total weight. It never falls below the score :func:`~.score.compare_prepared` gives as long
as the vocabulary connects the words the scorer pairs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .costs import DIGIT_CONFLICT_WEIGHT, extra_weight
from .score import CONFLICT_COST
from .tokens import DIGIT, GENERIC, INITIAL, LEGAL, NORMAL, Tok

__all__ = ["Coverage", "QueryWeights", "core", "despaced", "digit_excess", "estimate", "unmatched_weight"]

#: Longest query word the estimate takes for a possible acronym (as the scorer does).
MAX_ACRONYM = 6
#: Most weight the estimate expects of a listed word an acronym's letter stands for.
ACRONYM_WORD_WEIGHT = 1.0


def unmatched_weight(toks: Iterable[Tok]) -> float:
    """A name's weight as the pruning estimate counts it: each part at the lowest the
    scorer may charge for it left unmatched (a missing "ibn Awad" weighs like a missing
    patronymic), so the estimate never falls below the score."""
    return sum(min(t.weight, extra_weight(t)) for t in toks)


def despaced(toks: Sequence[Tok]) -> str:
    """A name's words written as one, numbers aside: the key that finds it
    whatever the spacing ("Sol Tech" / "Soltech", "Inter National")."""
    return "".join(t.text for t in toks if t.kind != DIGIT and t.text.isalpha())


def core(toks: Sequence[Tok]) -> tuple[Tok, ...]:
    """A name without its legal forms, for the spacing-free keys (kept beside the whole
    name's): "TALIB AND SONS PTY LTD" is also keyed as "talib and sons" (three words, so in
    every rotation), and "Taliband Sons Pty Ltd" finds it."""
    return tuple(t for t in toks if t.kind != LEGAL) or tuple(toks)


def digit_excess(toks: Iterable[Tok]) -> float:
    """How much less the numbers of a name weigh as contradictions than as
    parts (the scorer's DIGIT_CONFLICT_WEIGHT)."""
    return sum(t.weight - DIGIT_CONFLICT_WEIGHT for t in toks if t.kind == DIGIT)


class QueryWeights:
    """A query's weights for the pruning estimate, per way of reading it."""

    __slots__ = ("digits", "despaced", "acronym", "adjacent", "r_person", "r_other")

    def __init__(self, r_person: tuple[tuple[Tok, ...], ...], r_other: tuple[tuple[Tok, ...], ...]) -> None:
        self.r_person = r_person
        self.r_other = r_other
        # Runs of two or three neighbouring words of each reading, which the scorer may join
        # ("ثناء الله" read "sn" + "llh" is Sanaullah, "Abd Al Rahman" Abdulrahman): within
        # one reading, as the scorer joins them.
        adjacent: dict[str, tuple[Tok, ...]] = {}
        for r in (*r_person, *r_other):
            for size in (2, 3):
                for i in range(len(r) - size + 1):
                    run = r[i:i + size]
                    adjacent.setdefault("".join(t.text for t in run), run)
        self.adjacent = list(adjacent.values())
        self.digits = max(digit_excess(r) for r in (*r_person, *r_other))
        # Words an organisation's name may write as an acronym ("U.S." for "United States",
        # see variants.acronym_variants); CandidateIndex.candidates keeps those no listed
        # word spells.
        self.acronym = [t for r in r_other for t in r
                        if t.kind in (NORMAL, GENERIC) and 2 <= len(t.text) <= MAX_ACRONYM and t.text.isalpha()]
        # Each reading's words written as one (see CandidateIndex.candidates).
        self.despaced = {k for r in (*r_person, *r_other) for form in {r, core(r)}
                         if len(k := despaced(form)) >= 6}


class Coverage:
    """What a listed name may align of each reading of the query, from the query words
    retrieval found in it (a bit per word, in the order of ``position``): per reading of the
    name's class, the matched weight and the reading's weight left unmatched, so that the
    estimate of each reading is made of that reading alone (the scorer compares one reading
    at a time). Each word counts once at its full weight (a repeated word once per
    occurrence), so the estimate never undercounts what the scorer can pair; an initial
    ("V. Putin") pairs with any listed word of its letter, which no lookup finds, so it
    counts as found."""

    __slots__ = ("_person", "_other", "_memo")

    def __init__(self, qw: QueryWeights, position: dict[str, int]) -> None:
        self._person = [self._table(r, position) for r in qw.r_person]
        self._other = [self._table(r, position) for r in qw.r_other]
        self._memo: dict[tuple[int, bool], list[tuple[float, float]]] = {}

    @staticmethod
    def _table(reading: tuple[Tok, ...], position: dict[str, int]) -> tuple[float, float, list[tuple[int, float]]]:
        base = 0.0
        words: list[tuple[int, float]] = []
        for t in reading:
            if t.kind == INITIAL:
                base += t.weight
            elif t.text in position:
                words.append((1 << position[t.text], t.weight))
        return unmatched_weight(reading), base, words

    def readings(self, found: int, person: bool) -> list[tuple[float, float]]:
        """(matched weight, unmatched query weight) per reading; ``found`` -1: all found."""
        key = (found, person)
        got = self._memo.get(key)
        if got is None:
            got = []
            for total, base, words in self._person if person else self._other:
                m = base
                for bit, w in words:
                    if found & bit:
                        m += w
                m = min(m, total)
                got.append((m, total - m))
            self._memo[key] = got
        return got


def estimate(m: float, uq: float, uc: float, digits: float, excess: float, extra_cost: float) -> float:
    """The best name score a candidate may reach: matched weight ``m`` against the query's
    and the name's unmatched weights (unmatched numbers contradict at a lower weight: "Fund
    7" vs "Fund 9")."""
    conflict = min(max(0.0, uq - digits), max(0.0, uc - excess))
    return m / (m + CONFLICT_COST * conflict + extra_cost * abs(uq - uc) + 1e-9)

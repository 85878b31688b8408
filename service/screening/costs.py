"""What the words of two names that nothing matched cost the score (see :mod:`.score`).

A word left over on one side facing a word left over on the other is a contradiction,
weighed by :func:`conflict_weight`; a word with nothing opposite is a missing part, weighed
by :func:`extra_weight`; and what a short match leaves unexplained costs more
(:func:`unexplained_cost`).
"""

from __future__ import annotations

from .chinese import is_syllable
from .companies import GEO_WORDS
from .tokens import DIGIT, GENERIC, KIND_WEIGHT, LEGAL, PATRONYMIC, Tok

# --- tunable parameters (global, chosen on bench/accuracy.py) ---------------
GENERIC_CONFLICT_WEIGHT = 0.7  # "Gas" vs "Oil": differing generic words still disagree
# "Fund IV" vs "Fund V", "Snow Storm 1" vs "2": on the labelled pairs a differing
# series number rarely separates two names (vintages, sister vessels), so it
# costs little; a differing word still does.
DIGIT_CONFLICT_WEIGHT = 0.1
ROMAN_LETTERS = "ivx"
PATRONYMIC_CONFLICT_WEIGHT = 1.0
LEGAL_CONFLICT_WEIGHT = 0.3
# What the aligned words leave unexplained. A missing part costs EXTRA_COST_x
# while it is one part of a longer name (a dropped middle name); the weight of
# missing parts beyond UNEXPLAINED_SHARE of the matched weight costs
# UNEXPLAINED_COST more, so one shared word ("Mahmud" in "Mahmud Limazah", a
# given name shared with "STEPANOVA, Olga G.") is not a match: a listed name
# of one or two words needs a query about as short.
UNEXPLAINED_SHARE = 0.5
UNEXPLAINED_COST = 0.6
# In a name written as romanised Chinese/Korean syllables ("KANG, Song Nam"),
# no syllable is a droppable middle name: a missing one costs this many times
# more than a missing part of another name.
SYLLABLE_EXTRA_FACTOR = 4.0


def number_like(t: Tok) -> bool:
    """A number, or a lone letter that may be a roman one ("Capital Trust I" / "II")."""
    return t.kind == DIGIT or (len(t.text) == 1 and t.text in ROMAN_LETTERS)


def conflict_weight(t: Tok, numbers: bool) -> float:
    """What ``t`` left unmatched weighs as a contradiction of the other side's words left
    over; ``numbers``: whether a number is among those."""
    if t.kind == GENERIC:
        return max(t.weight, GENERIC_CONFLICT_WEIGHT)
    if t.kind == DIGIT:
        # Another number is a series number (cheap); a word is no reading of the number
        # ("ATIEH SAZAN 3" / "ATIEH SAZAN DAY" are two firms).
        return DIGIT_CONFLICT_WEIGHT if numbers else t.weight
    if t.kind == LEGAL:
        return max(t.weight, LEGAL_CONFLICT_WEIGHT)
    if t.kind == PATRONYMIC:
        # Ivanovich vs Viktorovich: another father, another person.
        return PATRONYMIC_CONFLICT_WEIGHT
    return t.weight


def extra_weight(t: Tok) -> float:
    """Weight of a part present on one side only."""
    # A father's or grandfather's name ("ibn Awad") is often left out, like a
    # patronymic: missing, it weighs as one.
    if t.filial:
        return min(t.weight, KIND_WEIGHT[PATRONYMIC])
    # "Crystalord Systems Ltd" is not "Crystalord Ltd": an extra line of
    # business names another company of the group, while an extra place
    # ("Faberlic Europe") is mostly the same firm's branch.
    if t.kind == GENERIC and t.text not in GEO_WORDS:
        return max(t.weight, GENERIC_CONFLICT_WEIGHT)
    return t.weight


def unexplained_cost(
    matched: float, rest_q: list[Tok], rest_c: list[Tok], syllabic: bool, extra_cost: float
) -> float:
    """What the denominator adds, beyond the plain missing-part cost, for the
    words nothing matched. ``matched`` is the weight of the (not partial)
    pairs; ``syllabic`` whether both names are romanised syllables.

    * Query words over UNEXPLAINED_SHARE of the matched weight cost
      UNEXPLAINED_COST each: a short listed name ("MAHMUD", "Karume") does not
      explain a longer query. Listed words the query leaves out stay a
      dropped middle name (the query may say less than the list).
    * In a syllabic name every missing syllable costs SYLLABLE_EXTRA_FACTOR
      times a missing part ("Gang Song" is not "KANG, Song Nam")."""
    eq = sum(extra_weight(t) for t in rest_q)
    ec = sum(extra_weight(t) for t in rest_c)
    # Two shared words are rarely a coincidence, one is: the allowance grows
    # with the square of the matched weight.
    cost = UNEXPLAINED_COST * max(0.0, eq - ec - UNEXPLAINED_SHARE * matched * matched)
    if syllabic and eq != ec:
        longer = rest_q if eq > ec else rest_c
        missing = min(abs(eq - ec), sum(extra_weight(t) for t in longer if is_syllable(t.text)))
        cost += (SYLLABLE_EXTRA_FACTOR - 1.0) * extra_cost * missing
    return cost

"""A match's explanation (the engine's ``explanation`` dict, see :mod:`service.screening.adjust`)
in words a compliance analyst reads: which query word met which listed word and how well, the
words left over on either side and what they cost, how birth date, country and identifiers
moved the score, the threshold, and the rules that applied (a weak alias).

Plain functions, no Flask: the screening page renders what :func:`describe` returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..screening.adjust import WEAK_ALIAS_CAP
from ..screening.score import CONFLICT_COST, EXTRA_COST_ORG, EXTRA_COST_PERSON, MIN_TOKEN_SIM

KIND_LABELS = {
    "primary": "primary name",
    "aka": "alias (also known as)",
    "fka": "former name (formerly known as)",
    "nka": "new name (now known as)",
    "weak_alias": "weak alias",
    "original_script": "name in its original script",
}
FEATURE_LABELS = {"birth_date": "Birth date", "country": "Country", "identifier": "Identifier"}
SIDE_LABELS = {"query": "your query", "listed": "the listed name"}

#: A word at least this heavy is a full name word; lighter ones are legal forms, particles,
#: initials and generic words (see :func:`service.screening.costs.extra_weight`).
FULL_WORD_WEIGHT = 0.9
LIGHT_WORD_WEIGHT = 0.3


@dataclass(frozen=True)
class WordPair:
    query: str
    listed: str
    similarity: float
    quality: str


@dataclass(frozen=True)
class Leftover:
    side: str
    word: str
    weight: float
    cost: str


@dataclass(frozen=True)
class Effect:
    feature: str
    effect: float
    detail: str
    note: str | None = None


@dataclass
class Reading:
    """What the page shows for one match."""

    query_name: str
    matched_name: str
    kind: str
    name_score: float
    final_score: float
    threshold: float
    is_match: bool
    pairs: list[WordPair] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    arithmetic: str = ""
    verdict: str = ""


def pair_quality(similarity: float) -> str:
    if similarity >= 0.999:
        return "exact"
    if similarity >= 0.9:
        return "close (spelling or transliteration variant)"
    if similarity >= MIN_TOKEN_SIM:
        return "similar"
    return "weak (half credit)"


def leftover_cost(side: str, weight: float, contradicted: bool, organisation: bool) -> str:
    """How a word left over on one ``side`` counts, in words."""
    if weight >= FULL_WORD_WEIGHT:
        what = "a full name word"
    elif weight >= LIGHT_WORD_WEIGHT:
        what = "a lighter word"
    else:
        what = "a low-weight word (legal form, particle, initial or generic word)"
    if contradicted:
        return (f"{what}; it faces a different word left over on the other side, so it counts as a "
                f"contradiction ({CONFLICT_COST:g}× its weight)")
    factor = EXTRA_COST_ORG if organisation else EXTRA_COST_PERSON
    where = "your query has a word the listed name lacks" if side == "query" else "your query leaves it out"
    return f"{what}; {where}, which costs {factor:g}× its weight (a missing part)"


def _effect_note(feature: str, effect: float, name_score: float, threshold: float) -> str | None:
    if effect == 0 and feature != "identifier" and name_score < threshold:
        return ("not applied: agreeing details only raise a name that already reaches the threshold; "
                "they never turn a non-match into a match")
    return None


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '−'} {abs(value):.2f}"


def describe(explanation: Mapping[str, Any], *, entity_type: str | None = None) -> Reading:
    """The explanation of one match, in words (``entity_type``: the listed entity's type,
    which sets what a missing word costs)."""
    name_score = float(explanation.get("name_score", 0.0))
    final = float(explanation.get("final_score", 0.0))
    threshold = float(explanation.get("threshold", 0.0))
    kind = str(explanation.get("matched_name_kind") or "primary")
    reading = Reading(
        query_name=str(explanation.get("query_name", "")), matched_name=str(explanation.get("matched_name", "")),
        kind=KIND_LABELS.get(kind, kind.replace("_", " ")), name_score=name_score, final_score=final,
        threshold=threshold, is_match=final >= threshold,
    )
    pairs: Sequence[Sequence[Any]] = explanation.get("token_pairs") or []
    reading.pairs = [WordPair(str(q), str(c), float(s), pair_quality(float(s))) for q, c, s in pairs]
    unmatched: Sequence[Mapping[str, Any]] = explanation.get("unmatched") or []
    sides = {u.get("side") for u in unmatched}
    contradicted = {"query", "listed"} <= sides
    organisation = entity_type not in (None, "person")
    reading.leftovers = [
        Leftover(SIDE_LABELS.get(str(u.get("side")), str(u.get("side"))), str(u.get("word")),
                 float(u.get("weight", 0.0)),
                 leftover_cost(str(u.get("side")), float(u.get("weight", 0.0)), contradicted, organisation))
        for u in unmatched
    ]
    adjustments: Sequence[Mapping[str, Any]] = explanation.get("adjustments") or []
    reading.effects = [
        Effect(FEATURE_LABELS.get(str(a.get("feature")), str(a.get("feature"))), float(a.get("effect", 0.0)),
               str(a.get("detail", "")), _effect_note(str(a.get("feature")), float(a.get("effect", 0.0)),
                                                      name_score, threshold))
        for a in adjustments
    ]
    if kind == "weak_alias":
        reading.rules.append(
            f"Weak-alias rule: a weak alias identifies nobody on its own, so it counts only when your "
            f"query is the whole alias, met near exactly, and then scores at most {WEAK_ALIAS_CAP:.2f}.")
    if not reading.pairs:
        reading.rules.append("No word of your query met a word of the listed name.")
    terms = [f"{name_score:.2f} (name)"] + [f"{_signed(e.effect)} ({e.feature.lower()})"
                                           for e in reading.effects if e.effect]
    total = name_score + sum(e.effect for e in reading.effects)
    clamp = ""
    if abs(total - final) > 0.005:
        clamp = f", kept within 0 to 1: {final:.2f}"
    reading.arithmetic = f"{' '.join(terms)} = {total:.2f}{clamp}"
    if reading.is_match:
        reading.verdict = f"At or above the threshold {threshold:.2f}: a match."
    else:
        reading.verdict = f"Below the threshold {threshold:.2f}: not a match (shown as a near miss for review)."
    return reading

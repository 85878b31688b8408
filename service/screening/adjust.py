"""From a name score to a :class:`~.types.Match`: evidence adjustments and the explanation.

A weak alias ("GIUSEPPE", "DON MARIO") and a name of one distinctive word
("TOM", "ESSO LTD") identify nobody on their own: they count only for a query
that is the whole name (:func:`whole_name_score`). Then the best-scoring name
of an entity gives ``name_score``; then birth date,
country and identifier evidence is added (:func:`adjust`, policy in
:mod:`.matchers`). Every :class:`~.types.Match` carries this stable
``explanation`` dict::

    {
      "algorithm": "tokalign", "algorithm_version": "1.20",
      "query_name": "Guangzong Zhao",          # as given, or the alternative it lists that matched
      "matched_name": "ZHAO, Guangzong",       # listed name that scored best
      "matched_name_kind": "primary",          # its kind (aka, fka, ...)
      "name_score": 0.93,                      # name-only similarity, 0..1
      "token_pairs": [["zhao", "zhao", 1.0], ["guangzong", "guangzong", 1.0]],
      "unmatched": [                           # words no pair explains, with their cost weight
        {"side": "listed", "word": "ltd", "weight": 0.1}
      ],
      "adjustments": [                         # in the order applied
        {"feature": "birth_date", "effect": 0.02, "detail": "1985-11-12 matches 1985-11-12"},
        {"feature": "country", "effect": -0.05, "detail": "FR not in CN"},
        {"feature": "identifier", "effect": 0.3, "detail": "passport E123 matches"}
      ],
      "final_score": 0.90,                     # clamped to 0..1
      "threshold": 0.80
    }
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rapidfuzz.distance import OSA

from .costs import extra_weight
from .matchers import (
    compare_birth_dates,
    compare_countries,
    compare_identifiers,
    normalize_country,
    normalize_identifier,
)
from .score import MIN_TOKEN_SIM, Pair
from .tokens import INITIAL, STOP, Tok
from .types import (
    ALGORITHM,
    ALGORITHM_VERSION,
    Identifier,
    ListedEntity,
    ListedName,
    Match,
    Subject,
)

__all__ = [
    "adjust",
    "entity_countries",
    "entity_identifiers",
    "needs_whole_name",
    "to_match",
    "unmatched_words",
    "whole_name_score",
]

# --- names that count only as a whole (weak aliases, one-word names) ---------
#: A match on a weak alias scores at most this: above the default threshold
#: (the alias is on the list), below a strong name matched as well.
WEAK_ALIAS_CAP = 0.86
#: A name is one word when its other tokens together weigh less than this as
#: missing parts: legal forms, stop words, particles, a place, an initial
#: ("ESSO LTD", "TOM J"; titles are already dropped).
ONE_WORD_REST_WEIGHT = 0.5
#: Whole-name match: every distinctive token on each side paired, each pair at
#: least this similar or one typing slip apart (see :func:`_near`); not a
#: sound-alike ("Esso"/"Aeisa" 0.85): one short word says too little.
WHOLE_NAME_MIN_SIM = 0.86
#: The same for a weak alias, which is met only near exactly, slips included
#: ("Muhammad" for "Mohammed" 0.89; not "Zhaomin" for "Zhasmin" 0.87).
WEAK_ALIAS_MIN_SIM = 0.88
#: A token left over on either side breaks a whole-name match when it would
#: cost at least this much as a missing part (a name word, an initial, a
#: business line); a legal form, stop word or particle does not.
WHOLE_NAME_EXTRA_WEIGHT = 0.3
#: A one-word strong name that is not the whole query stays below the
#: threshold by this factor: returned for review, never an alert on its own.
PART_MATCH_FACTOR = 0.95
#: Longest run of words a joined word or an acronym stands for, for the explanation.
READING_MAX_RUN = 8


def needs_whole_name(kind: str, toks: tuple[Tok, ...]) -> bool:
    """Whether a listed name counts only when the query is the whole of it: a weak
    alias, or a name of one distinctive word."""
    if kind == "weak_alias":
        return True
    # Weighed as missing parts: a business line ("FINANCE") is a word of the
    # name, a legal form, title or particle is not.
    weights = [extra_weight(t) for t in toks]
    return sum(weights) - max(weights, default=0.0) < ONE_WORD_REST_WEIGHT


def _covered(toks: tuple[Tok, ...], paired: list[Tok]) -> bool:
    """Every distinctive token of ``toks`` is among ``paired`` (or inside a word
    joined from adjacent tokens, "mega"+"trade" -> "megatrade")."""
    texts = [p.text for p in paired]
    for t in toks:
        if extra_weight(t) < WHOLE_NAME_EXTRA_WEIGHT:
            continue
        if not any(t.text == x or (len(x) > len(t.text) and t.text in x) for x in texts):
            return False
    return True


def _near(a: Tok, b: Tok, sim: float, weak: bool) -> bool:
    """Whether query token ``a`` meets listed token ``b`` closely enough for a whole-name match.

    A distinctive listed word must be met near exactly (an initial of a weak alias by an
    initial); a low-weight one ("Sayyed", a legal form) only needs to be the same word to
    account for the query's. A strong name also
    takes one typing slip, however short the word ("Fregt" for "FREGAT"): a sound-alike of a
    short word ("Esso"/"AEISA", "Mota"/"MATAA") is another word."""
    if extra_weight(b) < WHOLE_NAME_EXTRA_WEIGHT:
        return sim >= MIN_TOKEN_SIM
    if weak:
        # An initial only meets an initial: the "M" of a weak alias "EL M" says nothing of
        # which word "Al-Muhandis" spells after it.
        return sim >= WEAK_ALIAS_MIN_SIM and (a.kind == INITIAL) == (b.kind == INITIAL)
    return sim >= WHOLE_NAME_MIN_SIM or (sim >= MIN_TOKEN_SIM and OSA.distance(a.text, b.text) <= 1)


def whole_name_score(
    score: float,
    pairs: list[Pair],
    query: tuple[tuple[Tok, ...], ...],
    listed: tuple[Tok, ...],
    kind: str,
    threshold: float,
) -> float | None:
    """The score of a listed name that counts only as a whole (:func:`needs_whole_name`),
    given its plain ``score`` and aligned ``pairs`` against the ``query`` readings.

    A whole-name match (nothing distinctive left over on either side, every pair near
    exact) keeps its score, capped at WEAK_ALIAS_CAP for a weak alias. Otherwise a weak
    alias does not count (None) and a one-word name stays below ``threshold``: "Yusuf
    Ismoilov" is not the "YUSUF" of the list, nor is "Esso" the "AEISA"."""
    # A distinctive listed word must be met near exactly; a low-weight one ("Sayyed", a
    # legal form) only needs to be the same word to account for the query's.
    weak = kind == "weak_alias"
    close = [(a, b) for a, b, s in pairs if _near(a, b, s, weak)]
    whole = (
        len(close) == len(pairs)
        and _covered(listed, [b for _, b in close])
        and any(_covered(r, [a for a, _ in close]) for r in query)
    )
    if whole:
        return min(score, WEAK_ALIAS_CAP) if weak else score
    if weak:
        return None
    return min(score, threshold * PART_MATCH_FACTOR)


def unmatched_words(
    pairs: list[Pair], q: tuple[Tok, ...] | list[Tok], c: tuple[Tok, ...] | list[Tok]
) -> list[dict[str, object]]:
    """The words of either name no pair explains, with their weight as a
    missing part, for the explanation: ``{"side": "query" | "listed", "word",
    "weight"}``."""
    used_q = {id(a) for a, _, _ in pairs}
    used_c = {id(b) for _, b, _ in pairs}
    _parts_of_readings(q, used_q, [a for a, _, _ in pairs])
    _parts_of_readings(c, used_c, [b for _, b, _ in pairs])
    out: list[dict[str, object]] = []
    for side, toks, used in (("query", q, used_q), ("listed", c, used_c)):
        out.extend(
            {"side": side, "word": t.text, "weight": round(extra_weight(t), 3)}
            for t in toks
            if id(t) not in used
        )
    return out


def _parts_of_readings(toks: tuple[Tok, ...] | list[Tok], used: set[int], paired: list[Tok]) -> None:
    """Mark as explained the words a paired word was made of: the parts joined into it
    ("guang" + "zong" read as "guangzong") or the run it abbreviates ("united" + "states"
    read as "us", stop words skipped). Such a word is not one of ``toks`` itself."""
    own = {id(t) for t in toks}
    for p in paired:
        if id(p) not in own:
            used.update(id(t) for t in _run_read_as(toks, used, p.text))


def _run_read_as(toks: tuple[Tok, ...] | list[Tok], used: set[int], text: str) -> list[Tok]:
    """The first run of two or more unexplained words joined into ``text`` or spelling it
    with their initials."""
    for i in range(len(toks)):
        for j in range(i + 2, min(len(toks), i + READING_MAX_RUN) + 1):
            run = list(toks[i:j])
            if id(run[-1]) in used:
                break
            if text in ("".join(t.text for t in run), "".join(t.text[0] for t in run if t.kind != STOP)):
                return run
    return []


def entity_countries(entity: ListedEntity) -> frozenset[str]:
    """The entity's countries, normalised once at indexing."""
    return frozenset([c for c in map(normalize_country, entity.countries) if c])


def entity_identifiers(identifiers: Iterable[Identifier]) -> dict[str, list[Identifier]]:
    """An entity's identifiers by normalised value."""
    ids: dict[str, list[Identifier]] = {}
    for ident in identifiers:
        ids.setdefault(normalize_identifier(ident[1]), []).append(ident)
    return ids


def adjust(
    name_score: float,
    subject: Subject,
    country: str | None,
    birth_dates: tuple[str, ...],
    countries: frozenset[str],
    identifiers: dict[str, list[Identifier]],
    threshold: float,
) -> tuple[float, list[dict[str, Any]]]:
    """Apply birth date, country and identifier evidence to a name score;
    ``country`` is the subject's, ``birth_dates``, ``countries`` and ``identifiers`` the entity's,
    normalised (:func:`entity_countries`, :func:`entity_identifiers`). Returns the
    final score, clamped to 0..1, and the adjustments for the explanation."""
    adjustments: list[dict[str, Any]] = []
    final = name_score
    features = (
        ("birth_date", compare_birth_dates(subject.birth_date, birth_dates)),
        ("country", compare_countries(country, countries)),
        ("identifier", compare_identifiers(subject.identifiers, identifiers)),
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


def pairs_for_explanation(pairs: list[Pair]) -> list[list[Any]]:
    return [[a.text, b.text, round(s, 3)] for a, b, s in pairs]


def to_match(
    subject: Subject,
    entity_id: int,
    name: str,
    references: tuple[str, ...],
    lname: ListedName,
    name_score: float,
    pairs: list[Pair],
    final: float,
    adjustments: list[dict[str, Any]],
    threshold: float,
    unmatched: list[dict[str, object]],
) -> Match:
    """The match of the entity ``entity_id`` (its best name ``lname``) with its explanation."""
    return Match(
        entity_id=entity_id,
        name=name,
        matched_name=lname.name,
        score=round(final, 4),
        match=final >= threshold,
        references=list(references),
        explanation={
            "algorithm": ALGORITHM,
            "algorithm_version": ALGORITHM_VERSION,
            "query_name": subject.name,
            "matched_name": lname.name,
            "matched_name_kind": lname.kind,
            "name_score": round(name_score, 4),
            "token_pairs": pairs_for_explanation(pairs),
            "unmatched": unmatched,
            "adjustments": adjustments,
            "final_score": round(final, 4),
            "threshold": threshold,
        },
    )

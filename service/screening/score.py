"""Name similarity and the final score of one subject against one entity.

Name score (0..1)
-----------------
Both names are tokenised (:mod:`.normalize`), each token gets a weight (low for
legal forms, generic business words, stop words, particles like "al"/"bin",
initials; zero for titles such as "Mr"), then tokens are aligned one-to-one,
greedily by similarity, regardless of order. Token similarity is described in
:mod:`.tokens` (spelling, phonetic keys, consonant skeletons, initials,
nicknames, contractions, shared name affixes, nominative endings, the Arabic
article, Wade-Giles and pinyin spellings of Chinese syllables). Two tokens read from the same Han/Hangul script pair only when the
characters are equal: romanisation merges distinct characters.

Besides the plain alignment, other readings are tried and the best kept:
adjacent tokens joined ("Guang Zong" ~ "Guangzong", "Abdul Rahman" ~
"Abdulrahman"), a run of words replaced by the acronym the other side uses
("PLA" ~ "People's Liberation Army", "JC Juncker"), and for a Han name its
Japanese or Korean reading ("山田太郎" ~ "Yamada Taro", "金正恩" ~ "Kim Jong Un";
not against another Han name; against a Hangul name the Korean reading is
compared on its Hangul characters).
With aligned pairs (weight w, similarity s) and unmatched weight U1/U2 on each
side::

    score = sum(w*s) / (sum(w) + C*min(U1, U2) + B*(max(U1, U2) - min(U1, U2)))

An unmatched token facing an unmatched token on the other side is a
*contradiction* (C=3: "Sergey Ivanov" vs "Sergey Lavrov"; a differing generic
word weighs at least GENERIC_CONFLICT_WEIGHT, a differing legal form at least
LEGAL_CONFLICT_WEIGHT ("AG" vs "GmbH", "ANO" vs "LLC" are other legal
persons), a differing patronymic PATRONYMIC_CONFLICT_WEIGHT (another father),
a differing number only DIGIT_CONFLICT_WEIGHT); an extra token with nothing
opposite is a *missing part* and costs much less (B<1: a missing middle
name). Missing parts are weighed by :func:`extra_weight`: a patronymic, or a
father's/grandfather's name after "bin"/"ibn", weighs as a patronymic (often
left out), an extra business-line word in a company name ("Systems",
"Trust") at least GENERIC_CONFLICT_WEIGHT (another company of the group),
unlike an extra place word ("Europe", :data:`~.companies.GEO_WORDS`). A pair
below MIN_TOKEN_SIM earns half credit. A name whose only shared tokens are
low-weight words (legal forms, "al", "international") is capped at 0.5.

The parameters below were chosen by coordinate descent on the labelled pairs
of ``bench/accuracy.py`` (F1 at the best threshold), with per-case-group
held-out checks; see that benchmark before changing them.

Entity score and explanation
----------------------------
The best-scoring name of an entity gives ``name_score``; then adjustments are
added (see :func:`adjust`). Every :class:`~.types.Match` carries this stable
``explanation`` dict::

    {
      "algorithm": "tokalign", "algorithm_version": "1.3",
      "query_name": "Guangzong Zhao",          # as given
      "matched_name": "ZHAO, Guangzong",       # listed name that scored best
      "matched_name_kind": "primary",          # its kind (aka, fka, ...)
      "name_score": 0.93,                      # name-only similarity, 0..1
      "token_pairs": [["zhao", "zhao", 1.0], ["guangzong", "guangzong", 1.0]],
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

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .companies import (
    GENERIC_WORDS,
    GEO_WORDS,
    LEGAL_FORMS,
    PARTICLES,
    ROMAN_NUMERALS,
    STOP_WORDS,
    TITLES,
    VESSEL_PREFIXES,
    acronym_runs,
    canonical_legal_forms,
    has_legal_form,
)
from .normalize import Tokenized, tokenize_full, tokenize_uncached
from .tokens import (
    DIGIT,
    GENERIC,
    INITIAL,
    KIND_WEIGHT,
    LEGAL,
    NORMAL,
    PARTICLE,
    PATRONYMIC,
    STOP,
    Tok,
    token_sim,
    weight_for,
)
from .translit import has_han, japanese_reading, korean_reading

__all__ = ["Tok", "compare_prepared", "prepare", "prepare_uncached", "score_pair", "token_sim"]

# --- tunable parameters (global, chosen on bench/accuracy.py) ---------------
MIN_TOKEN_SIM = 0.7  # below this two tokens are not considered the same word
CONFLICT_COST = 3.0  # unmatched token facing an unmatched token
EXTRA_COST_PERSON = 0.2  # a name part present on one side only
EXTRA_COST_ORG = 0.6  # extra words in company names are more often meaningful
LOW_WEIGHT_CAP = 0.5  # cap when only low-weight words matched
PAIR_MIN_SIM = 0.6  # weakest pair the aligner considers at all
PARTIAL_FACTOR = 0.5  # credit for a pair between PAIR_MIN_SIM and MIN_TOKEN_SIM
GENERIC_CONFLICT_WEIGHT = 0.7  # "Gas" vs "Oil": differing generic words still disagree
# "Fund IV" vs "Fund V", "Snow Storm 1" vs "2": on the labelled pairs a differing
# series number rarely separates two names (vintages, sister vessels), so it
# costs little; a differing word still does.
DIGIT_CONFLICT_WEIGHT = 0.1
PATRONYMIC_CONFLICT_WEIGHT = 1.0
LEGAL_CONFLICT_WEIGHT = 0.3
ROLE_SWAP_FACTOR = 0.5
GENERIC_EXTRA_WEIGHT = 1.0
FILIAL_EXTRA_WEIGHT = 0.6

_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovitch", "evitch", "ovna", "evna", "ovych", "evych", "ivna", "ogly", "kyzy")
# "X bin Y": Y is the father's name. Swapping father and son is another person.
_FILIAL = frozenset({"bin", "ibn", "ben", "bint", "binti", "bte", "ould", "walad"})
# Generational suffixes of personal names weigh like stop words.
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def type_class(type_: str | None) -> str | None:
    """Collapse entity/subject types into the classes the type rule uses."""
    if not type_:
        return None
    t = type_.strip().lower().replace("-", "_").replace(" ", "_")
    if t in ("person", "individual", "natural_person"):
        return "person"
    if t in ("vessel", "ship"):
        return "vessel"
    if t == "aircraft":
        return "aircraft"
    return "org"  # company, organization, legal_entity, entity, public_body ...


def prepare_uncached(
    name: str, cls: str | None = None, tokenizer: Callable[[str], Tokenized] = tokenize_uncached
) -> tuple[Tok, ...]:
    """Raw name -> weighted tokens for the given type class.

    ``cls=None`` (unknown type) treats the name as an organisation when it
    carries a legal form and as a person otherwise."""
    tokens, flags, origins = tokenizer(name)
    toks = list(tokens)
    if cls is None:
        cls = "org" if has_legal_form(toks) else "person"
    abjad = dict(zip(tokens, flags, strict=False))
    origin = dict(zip(tokens, origins, strict=False))
    out: list[Tok] = []
    seen: set[str] = set()
    if cls == "person":
        kept = [t for t in toks if t not in TITLES] or toks
        after_filial = False
        for k, t in enumerate(kept):
            if t in seen and len(t) == 1:
                continue
            # A repeated part is kept: "Abdul Kabir Abdul Jan" has two Abduls,
            # and the second one contradicts "Mohammad" in "Abdul Kabir
            # Mohammad Jan"; against "Sergey Shoigu", "Sergey Sergey Shoigu"
            # only has an extra part.
            seen.add(t)
            if t.isdigit():
                kind = DIGIT
            elif len(t) == 1:
                kind = INITIAL
            elif t in PARTICLES:
                kind = PARTICLE
            elif k > 1 and t in _SUFFIXES:
                kind = STOP
            elif k > 0 and len(kept) > 2 and t.endswith(_PATRONYMIC_ENDINGS):
                # Only beside a given name and a surname: in "Roman
                # Abramovich" the -ovich word is the surname.
                kind = PATRONYMIC
            else:
                kind = NORMAL
            w = weight_for(t, kind)
            # The father's name is the first real name after "bin", past an
            # article: "bin al-Din" names "Din".
            filial = False
            if kind == NORMAL:
                filial, after_filial = after_filial, False
            elif t in _FILIAL:
                after_filial = True
            out.append(Tok(t, w, kind, abjad.get(t, False), filial, origin.get(t, "")))
    else:
        toks, _ = canonical_legal_forms(toks)
        for i, t in enumerate(toks):
            if i > 0 and t in ROMAN_NUMERALS:
                t = ROMAN_NUMERALS[t]
            if t in seen:
                continue
            seen.add(t)
            if t.isdigit():
                kind = DIGIT
            elif t in LEGAL_FORMS:
                kind = LEGAL
            elif t in STOP_WORDS:
                kind = STOP
            elif t in GENERIC_WORDS:
                kind = GENERIC
            elif cls == "vessel" and i == 0 and t in VESSEL_PREFIXES:
                kind = STOP
            else:
                kind = NORMAL
            out.append(Tok(t, weight_for(t, kind), kind, abjad.get(t, False), False, origin.get(t, "")))
    return tuple(out)


@lru_cache(maxsize=4096)
def prepare(name: str, cls: str | None = None) -> tuple[Tok, ...]:
    """Cached :func:`prepare_uncached`; the person and org readings of one
    query share the (cached) tokenisation. Small: :func:`readings` keeps the
    results that repeat, this only serves the readings it builds."""
    return prepare_uncached(name, cls, tokenize_full)


@lru_cache(maxsize=2_000)
def readings(name: str, cls: str) -> tuple[tuple[Tok, ...], ...]:
    """The prepared name, then its other readings: a name in Han characters
    may be Japanese (山田太郎 -> "yamada taro") or Korean (金正恩 -> "kim jong
    un"), not only Chinese."""
    main = prepare(name, cls)
    if not has_han(name):
        return (main,)
    out = [main]
    others = [japanese_reading(name)]
    if cls == "person":
        others.append(korean_reading(name))
    for reading in others:
        if reading:
            alt = prepare(reading, cls)
            if alt and alt not in out:
                out.append(alt)
    return tuple(out)


Pair = tuple[Tok, Tok, float]
_token_sim_uncached = token_sim.__wrapped__


def _align(
    q: tuple[Tok, ...] | list[Tok], c: tuple[Tok, ...] | list[Tok]
) -> tuple[list[Pair], list[Tok], list[Tok]]:
    """Greedy one-to-one alignment, best similarities first."""
    cands: list[tuple[float, float, int, int]] = []
    for i, a in enumerate(q):
        at, la, aa, ao = a.text, len(a.text), a.abjad, a.orig
        for j, b in enumerate(c):
            bt = b.text
            if ao and b.orig and ao != b.orig and _same_script(ao, b.orig):
                # Same logographic script, other characters: romanisation
                # merges them (平 ping / 朋 peng), the characters do not.
                continue
            if at == bt:
                cands.append((1.0, a.weight + b.weight, i, j))
                continue
            lb = len(bt)
            # Length alone rules the pair out (OSA similarity < PAIR_MIN_SIM);
            # initials, abbreviations and abjad readings are exempt.
            if (
                la > 2
                and lb > 2
                and aa == b.abjad
                and abs(la - lb) > (la if la > lb else lb) * PAIR_MIN_SIM
                and at[0] != bt[0]
            ):
                continue
            s = token_sim(at, bt, aa, b.abjad)
            if s >= PAIR_MIN_SIM:
                cands.append((s, a.weight + b.weight, i, j))
    cands.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[Pair] = []
    for s, _, i, j in cands:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        pairs.append((q[i], c[j], s))
    rest_q = [t for i, t in enumerate(q) if i not in used_q] if len(used_q) < len(q) else []
    rest_c = [t for j, t in enumerate(c) if j not in used_c] if len(used_c) < len(c) else []
    return pairs, rest_q, rest_c


def _same_script(a: str, b: str) -> bool:
    # Hangul syllables sit in U+AC00..U+D7AF, Han below; both sides of a pair
    # are one or the other.
    return (a[0] >= "\uac00") == (b[0] >= "\uac00")


def _conflict_weight(t: Tok) -> float:
    if t.kind == GENERIC:
        return max(t.weight, GENERIC_CONFLICT_WEIGHT)
    if t.kind == DIGIT:
        return DIGIT_CONFLICT_WEIGHT
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


def _combine(pairs: list[Pair], rest_q: list[Tok], rest_c: list[Tok], extra_cost: float) -> float:
    num = 0.0
    den = 0.0
    strong = False
    roles_q = any(a.filial for a, _, _ in pairs) or any(t.filial for t in rest_q)
    roles_c = any(b.filial for _, b, _ in pairs) or any(t.filial for t in rest_c)
    both_roles = roles_q and roles_c
    for a, b, s in pairs:
        if a.kind == INITIAL or b.kind == INITIAL:
            w = min(a.weight, b.weight)
        else:
            w = (a.weight + b.weight) / 2
        if s < MIN_TOKEN_SIM:
            s *= PARTIAL_FACTOR
        elif w >= 0.5:
            strong = True
        if both_roles and a.filial != b.filial:
            s *= ROLE_SWAP_FACTOR
        num += w * s
        den += w
    # Contradictions are weighed with conflict weights (a differing generic
    # word or number still disagrees); a part missing on one side by its own.
    conflict = min(sum(_conflict_weight(t) for t in rest_q), sum(_conflict_weight(t) for t in rest_c))
    eq = sum(extra_weight(t) for t in rest_q)
    ec = sum(extra_weight(t) for t in rest_c)
    extra = max(eq, ec) - min(eq, ec)
    den += CONFLICT_COST * conflict + extra_cost * extra
    if den <= 0:
        return 0.0
    score = num / den
    if not strong and any(t.weight >= 0.5 for t in (*rest_q, *rest_c)):
        # Only low-weight words ("llc", "al", "international") in common while
        # distinctive words differ: never a match on the legal form alone.
        score = min(score, LOW_WEIGHT_CAP)
    return score


def _merged_variants(
    side: tuple[Tok, ...], other: tuple[Tok, ...], loose: set[str], targets: list[Tok]
) -> list[tuple[Tok, ...]]:
    """Readings of ``side`` with 2-3 adjacent tokens joined, kept only when the
    joined word is close to a word of ``other`` ("guang"+"zong" ~ "guangzong").

    ``loose`` are the texts on ``side`` left unmatched (or weakly matched) by
    the plain alignment: a join must involve one of them to change anything;
    ``targets`` are the tokens of ``other`` it may be compared with."""
    out = []
    n = len(side)
    firsts = {o.text[0] for o in targets}
    lasts = {o.text[-1] for o in targets}
    any_abjad = any(o.abjad for o in targets)
    for size in (2, 3):
        for i in range(n - size + 1):
            parts = side[i : i + size]
            abj = parts[0].abjad
            # A joined word keeps its first or last letter (abjad readings aside).
            if (
                parts[0].text[0] not in firsts
                and parts[-1].text[-1] not in lasts
                and not (any_abjad or abj)
            ):
                continue
            if not any(p.text in loose for p in parts) or any(p.kind == DIGIT for p in parts):
                continue
            text = "".join(p.text for p in parts)
            best = 0.0
            lt = len(text)
            for o in targets:
                if o.abjad != abj or abs(len(o.text) - lt) <= 3:
                    # Uncached: a joined word is mostly seen once, and would
                    # only push useful pairs out of the cache.
                    best = max(best, _token_sim_uncached(text, o.text, abj, o.abjad))
            if best >= 0.8:
                orig = "".join(p.orig for p in parts) if all(p.orig for p in parts) else ""
                merged = Tok(text, max(p.weight for p in parts), NORMAL, abj, False, orig)
                out.append(side[:i] + (merged,) + side[i + size :])
    return out


def _acronym_variants(
    side: tuple[Tok, ...], loose_other: list[Tok], person: bool
) -> list[tuple[Tok, ...]]:
    """Readings of ``side`` with a run of words replaced by the acronym the
    other side uses ("People's Liberation Army" -> "pla", "U.S." ~ "United
    States", "JC" ~ "Jean-Claude")."""
    out = []
    texts = [t.text for t in side]
    for o in loose_other:
        acro = o.text
        if not (2 <= len(acro) <= 6 and acro.isalpha() and o.kind in (NORMAL, GENERIC)):
            continue
        for i, j in acronym_runs(texts, acro, STOP_WORDS):
            run = side[i:j]
            if any(t.kind in (LEGAL, DIGIT) for t in run):
                continue
            if person and not any(t.kind == NORMAL for t in side[:i] + side[j:]):
                continue  # "N.N." is not Nursultan Nazarbayev: initials need a surname

            w = max(t.weight for t in run)
            out.append(side[:i] + (Tok(acro, w, NORMAL, False),) + side[j:])
    return out


def compare_prepared(
    q: tuple[Tok, ...], c: tuple[Tok, ...], cls: str | None = "person"
) -> tuple[float, list[Pair]]:
    """Name similarity of two prepared names, with the aligned pairs."""
    if not q or not c:
        return 0.0, []
    extra = EXTRA_COST_PERSON if cls in (None, "person") else EXTRA_COST_ORG
    pairs, rq, rc = _align(q, c)
    best = _combine(pairs, rq, rc, extra)
    best_pairs = pairs
    # Joins matter for short personal names; in long names one unjoined word
    # barely moves the score and the search is quadratic, so skip it there.
    if (rq or rc) and best < 0.999 and len(q) * len(c) <= 64:
        # Try joined readings: the loose tokens are those left unmatched or
        # matched below MIN_TOKEN_SIM by the plain alignment.
        weak = [(a, b) for a, b, s in pairs if s < 0.95]
        loose_q = {t.text for t in rq} | {a.text for a, _ in weak}
        loose_c = {t.text for t in rc} | {b.text for _, b in weak}
        targets_c = rc + [b for _, b in weak]
        targets_q = rq + [a for a, _ in weak]
        variants: list[tuple[tuple[Tok, ...], tuple[Tok, ...]]] = []
        if len(q) > 1 and loose_q and targets_c:
            variants.extend((vq, c) for vq in _merged_variants(q, c, loose_q, targets_c))
        if len(c) > 1 and loose_c and targets_q:
            variants.extend((q, vc) for vc in _merged_variants(c, q, loose_c, targets_q))
        person = cls in (None, "person")
        if rq and len(c) > 1:
            variants.extend((q, vc) for vc in _acronym_variants(c, rq, person))
        if rc and len(q) > 1:
            variants.extend((vq, c) for vq in _acronym_variants(q, rc, person))
        for vq, vc in variants:
            p2, r2q, r2c = _align(vq, vc)
            s2 = _combine(p2, r2q, r2c, extra)
            if s2 > best:
                best, best_pairs = s2, p2
    return best, best_pairs


def compare_readings(
    qs: tuple[tuple[Tok, ...], ...],
    cs: tuple[tuple[Tok, ...], ...],
    cls: str | None,
) -> tuple[float, list[Pair]]:
    """Best :func:`compare_prepared` over the readings of both names. Other
    readings only stand in for the script when the other name is not in it:
    two Han names are compared on their characters (a Han name and a Hangul
    one on the Hangul of the Korean reading)."""
    best, best_pairs = compare_prepared(qs[0], cs[0], cls)
    if len(qs) > 1 or len(cs) > 1:
        q_orig = next((t.orig for t in qs[0] if t.orig), "")
        c_orig = next((t.orig for t in cs[0] if t.orig), "")
        if q_orig and c_orig and _same_script(q_orig, c_orig):
            return best, best_pairs
        for i, q in enumerate(qs):
            for j, c in enumerate(cs):
                if i == 0 and j == 0:
                    continue
                s, pairs = compare_prepared(q, c, cls)
                if s > best:
                    best, best_pairs = s, pairs
    return best, best_pairs


def score_pair(name1: str, name2: str, type: str | None = None) -> float:  # noqa: A002
    """Name-only similarity of two names in 0..1 (used by the accuracy bench)."""
    cls = type_class(type)
    if cls is None:
        # Unknown type: read both names the same way.
        probe = tokenize_full(name1)[0] + tokenize_full(name2)[0]
        cls = "org" if has_legal_form(list(probe)) else "person"
    score, _ = compare_readings(readings(name1, cls), readings(name2, cls), cls)
    return round(score, 4)


def pairs_for_explanation(pairs: list[Pair]) -> list[list[Any]]:
    return [[a.text, b.text, round(s, 3)] for a, b, s in pairs]

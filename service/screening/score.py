"""Name score (0..1) of two names: token alignment and the score formula.

Both names are tokenised (:mod:`.normalize`), each token gets a weight
(:mod:`.prepare`: low for legal forms, generic business words, stop words,
particles like "al"/"bin", initials; zero for titles such as "Mr"), then tokens
are aligned one-to-one, greedily by similarity, regardless of order. Token
similarity is described in :mod:`.tokens` (spelling, phonetic keys, consonant
skeletons, initials, nicknames, contractions, shared name affixes, nominative
endings, the Arabic article, Wade-Giles and pinyin spellings of Chinese
syllables). Two tokens read from the same Han/Hangul script pair only when the
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
*contradiction* (C=3: "Sergey Ivanov" vs "Sergey Lavrov"; the weights named here
are :mod:`.costs`'s: a differing generic word weighs at least
GENERIC_CONFLICT_WEIGHT, a differing legal form at least LEGAL_CONFLICT_WEIGHT
("AG" vs "GmbH", "ANO" vs "LLC" are other legal persons), a differing patronymic
PATRONYMIC_CONFLICT_WEIGHT (another father), a differing number only
DIGIT_CONFLICT_WEIGHT); an extra token with nothing opposite is a *missing part*
and costs much less (B<1: a missing middle name). Missing parts are weighed by
:func:`~.costs.extra_weight`: a patronymic, or a father's/grandfather's name after
"bin"/"ibn", weighs as a patronymic (often left out), an extra business-line
word in a company name ("Systems", "Trust") at least GENERIC_CONFLICT_WEIGHT
(another company of the group), unlike an extra place word ("Europe",
:data:`~.companies.GEO_WORDS`). A pair below MIN_TOKEN_SIM earns half credit.

What nothing explains costs more when little is explained
(:func:`~.costs.unexplained_cost`): query words beyond UNEXPLAINED_SHARE of the
squared matched weight cost UNEXPLAINED_COST each (one shared word does not
make "Mahmud Limazah" the listed "MAHMUD"; listed words the query leaves out
stay a dropped middle name, except a family name written "SURNAME, Given" of
which nothing matched, which costs UNEXPLAINED_COST too:
:func:`_missing_family_name`); in two names written as romanised Chinese/Korean
syllables a missing syllable costs SYLLABLE_EXTRA_FACTOR times more, and two
different syllables pair at most at MIN_TOKEN_SIM (:func:`~.syllables.syllable_sim`);
the part of a full word an initial leaves unexplained ("Golodets" ~ "G.")
contradicts a word left over on the other side ("STEPANOVA").
:func:`~.adjust.unmatched_words` lists the unexplained words for an explanation. A name whose only shared tokens are
low-weight words (legal forms, "al", "international") is capped at 0.5.

The parameters below were chosen by coordinate descent on the labelled pairs
of ``bench/accuracy.py`` (F1 at the best threshold), with per-case-group
held-out checks; see that benchmark before changing them.

The prepared tokens come from :mod:`.prepare`; the entity score (birth date,
country and identifier evidence) and the explanation from :mod:`.adjust`.
"""

from __future__ import annotations

from .abjad import ARABIC_ARTICLES
from .anchors import Pair, doubt_factor
from .companies import has_legal_form
from .costs import UNEXPLAINED_COST, conflict_weight, extra_weight, number_like, unexplained_cost
from .normalize import tokenize_full
from .prepare import readings, type_class
from .syllables import given_order, short_name, syllable_sim
from .tokens import (
    FEMININE_FORM_SIM,
    INITIAL,
    NORMAL,
    PARTICLE,
    Tok,
    feminine_form,
    token_sim,
)
from .translit import ABD_NAMES
from .variants import rewrites, syllabic_name

__all__ = [
    "Pair",
    "compare_prepared",
    "compare_readings",
    "score_pair",
]

# --- tunable parameters (global, chosen on bench/accuracy.py) ---------------
MIN_TOKEN_SIM = 0.7  # below this two tokens are not considered the same word
CONFLICT_COST = 3.0  # unmatched token facing an unmatched token
EXTRA_COST_PERSON = 0.2  # a name part present on one side only
EXTRA_COST_ORG = 0.6  # extra words in company names are more often meaningful
LOW_WEIGHT_CAP = 0.5  # cap when only low-weight words matched
PAIR_MIN_SIM = 0.6  # weakest pair the aligner considers at all
PARTIAL_FACTOR = 0.5  # credit for a pair between PAIR_MIN_SIM and MIN_TOKEN_SIM
# Joined and split readings are tried for names up to this many word pairs (12 x 12: the
# long company names of the lists, "KAIFENG PINGMEI NEW CARBON MATERIALS TECHNOLOGY CO.,
# LTD.", are where a split word is most often missed) ...
MERGE_MAX_PAIRS = 144
# ... and in longer names when the alignment left at most this many words loose (one
# word split in two on one side makes three): a fourteen-word name with one word split
# ("STATE AIR LINES" for "STATE AIRLINES") scored 0.77, as one unmatched word on each side
# costs a conflict whatever the length. Few loose words make few joins to try.
MERGE_MAX_LOOSE = 3
# Rounds of other readings (joins, acronyms) tried one on top of the other.
REWRITE_ROUNDS = 2
ROLE_SWAP_FACTOR = 0.5
# Share of a full word matched only by an initial ("Golodets" ~ "G.") that
# contradicts a word left unmatched on the other side ("STEPANOVA").
INITIAL_RESIDUAL_CONFLICT = 1.0


def _align(
    q: tuple[Tok, ...] | list[Tok], c: tuple[Tok, ...] | list[Tok], person: bool
) -> tuple[list[Pair], list[Tok], list[Tok]]:
    """Greedy one-to-one alignment, best similarities first."""
    cands: list[tuple[float, float, int, int]] = []
    # Two names written in romanised syllables: a syllable one letter off is
    # another syllable ("Jin Wei" / "Lin Wei"), see syllables.syllable_sim.
    syllabic = syllabic_name(q) and syllabic_name(c)
    short = person and syllabic and short_name(q, c)
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
            if (a.kind == PARTICLE) != (b.kind == PARTICLE):
                article, word = (at, bt) if a.kind == PARTICLE else (bt, at)
                if article in ARABIC_ARTICLES and len(word) > 3:
                    # The article of "AL-WARD" is no spelling of a name of four letters or
                    # more ("Alex", "Alma"): paired, it would explain that name away. A
                    # shorter word may be the article mistyped ("xal-Assad").
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
            if syllabic or ao or b.orig:
                # A syllable read from a Han/Hangul character is one, whatever the other
                # name's words: "王" (wang) is not "KANG, Phil Hun"'s "kang".
                s = syllable_sim(a, b, s, short)
            if person and (la - lb == 1 or lb - la == 1) and s > FEMININE_FORM_SIM and not (aa or b.abjad) \
                    and feminine_form(at, bt):
                s = FEMININE_FORM_SIM
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
    if syllabic and len(pairs) > 2:
        pairs = given_order(pairs, q, c, MIN_TOKEN_SIM)
    rest_q = [t for i, t in enumerate(q) if i not in used_q] if len(used_q) < len(q) else []
    rest_c = [t for j, t in enumerate(c) if j not in used_c] if len(used_c) < len(c) else []
    return pairs, rest_q, rest_c


def _same_script(a: str, b: str) -> bool:
    # Hangul syllables sit in U+AC00..U+D7AF, Han below; both sides of a pair
    # are one or the other.
    return (a[0] >= "\uac00") == (b[0] >= "\uac00")


def _missing_family_name(pairs: list[Pair], rest_q: list[Tok], rest_c: list[Tok]) -> float:
    """A name written "SURNAME, Given names" of which nothing matched the surname is
    another family's member who shares given names ("HEJAZI, Ali Asghar" for "Ali
    Saghiri", "GRIMM, Matthew Simon" for "Matthew Simmons"): its surname costs as an
    unexplained word (UNEXPLAINED_COST), not as a dropped middle name. Likewise its given
    names when only the surname matched."""
    cost = 0.0
    for rest, query_side in ((rest_q, True), (rest_c, False)):
        matched = [(a if query_side else b) for a, b, s in pairs if s >= MIN_TOKEN_SIM]
        missing = [t for t in rest if t.surname]
        if missing and not any(t.surname for t in matched):
            cost += UNEXPLAINED_COST * sum(extra_weight(t) for t in missing)
        # The other way round: only the family name matched, none of the given names
        # ("Omar Barros" is not "BARRE OMAR, Marian"). A given name that repeats the
        # family name ("ABDIKADIR, Abdikadir", flagged a surname too) matched as well
        # when the word is matched twice.
        if matched and all(t.surname for t in matched) and len({t.text for t in matched}) == len(matched):
            cost += UNEXPLAINED_COST * sum(extra_weight(t) for t in rest if not t.surname)
        # The person's own given name left out while a later given name matched ("Mohamed
        # Yusuf" for "YUSUF, Isse Mohamed"): in patronymic naming the later names are the
        # father's and grandfather's, so that names another member of the family, not the
        # listed person with a middle name dropped. Only a plain omission: a word left over
        # on the other side already contradicts it (or is a typo of it).
        own = [t for t in rest if t.given_first]
        other = rest_c if query_side else rest_q
        if own and not any(t.kind == NORMAL for t in other) \
                and any(t.kind == NORMAL and not (t.surname or t.given_first) for t in matched):
            cost += UNEXPLAINED_COST * sum(extra_weight(t) for t in own)
    return cost


def _combine(pairs: list[Pair], rest_q: list[Tok], rest_c: list[Tok], extra_cost: float) -> float:
    num = 0.0
    den = 0.0
    matched = 0.0
    # The part of a full word an initial leaves unexplained ("Golodets" ~ "G."):
    # it contradicts a word left over on the other side ("STEPANOVA").
    residual_q = residual_c = 0.0
    strong = letters = False
    roles_q = any(a.filial for a, _, _ in pairs) or any(t.filial for t in rest_q)
    roles_c = any(b.filial for _, b, _ in pairs) or any(t.filial for t in rest_c)
    both_roles = roles_q and roles_c
    for a, b, s in pairs:
        if a.kind == INITIAL or b.kind == INITIAL:
            w = min(a.weight, b.weight)
            if a.kind != INITIAL:
                residual_q += INITIAL_RESIDUAL_CONFLICT * (a.weight - w)
            elif b.kind != INITIAL:
                residual_c += INITIAL_RESIDUAL_CONFLICT * (b.weight - w)
        else:
            w = (a.weight + b.weight) / 2
        if s < MIN_TOKEN_SIM:
            s *= PARTIAL_FACTOR
        else:
            # "Abd" of "Abd al-Bari" is half of one name, not a second shared word: the
            # allowance for unexplained words (unexplained_cost) grows with the square.
            if not (a.text in ABD_NAMES and b.text in ABD_NAMES):
                matched += w
            if (len(a.text) > 1) != (len(b.text) > 1):
                # A letter standing for a word ("B" for "Borromini") is no strong match.
                letters = True
            elif w >= 0.5:
                strong = True
        if both_roles and a.filial != b.filial:
            s *= ROLE_SWAP_FACTOR
        num += w * s
        den += w
    # Contradictions are weighed with conflict weights (a differing generic
    # word or number still disagrees); a part missing on one side by its own.
    numbers_q = any(number_like(t) for t in rest_q)
    numbers_c = any(number_like(t) for t in rest_c)
    conflict = min(
        sum(conflict_weight(t, numbers_c) for t in rest_q) + (residual_q if rest_c else 0.0),
        sum(conflict_weight(t, numbers_q) for t in rest_c) + (residual_c if rest_q else 0.0),
    )
    eq = sum(extra_weight(t) for t in rest_q)
    ec = sum(extra_weight(t) for t in rest_c)
    extra = max(eq, ec) - min(eq, ec)
    den += CONFLICT_COST * conflict + extra_cost * extra
    den += _missing_family_name(pairs, rest_q, rest_c)
    if rest_q or rest_c:
        syllabic = (
            bool(pairs)
            and syllabic_name([a for a, _, _ in pairs] + rest_q)
            and syllabic_name([b for _, b, _ in pairs] + rest_c)
        )
        den += unexplained_cost(matched, rest_q, rest_c, syllabic, extra_cost)
    if den <= 0:
        return 0.0
    score = num / den * doubt_factor(pairs, rest_q, rest_c)
    if not strong and (letters or any(t.weight >= 0.5 for t in (*rest_q, *rest_c))):
        # Only low-weight words ("llc", "al", "international") or letters for words in
        # common while distinctive words differ: never a match on the legal form or
        # initials alone.
        score = min(score, LOW_WEIGHT_CAP)
    return score


def compare_prepared(
    q: tuple[Tok, ...], c: tuple[Tok, ...], cls: str | None = "person"
) -> tuple[float, list[Pair]]:
    """Name similarity of two prepared names, with the aligned pairs."""
    if not q or not c:
        return 0.0, []
    person = cls in (None, "person")
    extra = EXTRA_COST_PERSON if person else EXTRA_COST_ORG
    pairs, rq, rc = _align(q, c, person)
    best = _combine(pairs, rq, rc, extra)
    best_pairs = pairs
    # Other readings (joined words, acronyms) are tried on the plain alignment, then once
    # more on the best of them: a name may need two ("abd" + "llh" joined in the query and
    # "al" + "ubaidi" in the list; "heng bang wei" joined and "hong kong" read "HK").
    for _ in range(REWRITE_ROUNDS):
        # Joins matter for short personal names; in long names one unjoined word
        # barely moves the score and the search is quadratic, so skip it there.
        if not (rq or rc) or best >= 0.999 or (
                len(q) * len(c) > MERGE_MAX_PAIRS and len(rq) + len(rc) > MERGE_MAX_LOOSE):
            break
        improved = None
        for vq, vc in rewrites(q, c, pairs, rq, rc, cls):
            p2, r2q, r2c = _align(vq, vc, person)
            s2 = _combine(p2, r2q, r2c, extra)
            if s2 > best:
                best, best_pairs = s2, p2
                improved = (vq, vc, p2, r2q, r2c)
        if improved is None:
            break
        q, c, pairs, rq, rc = improved
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

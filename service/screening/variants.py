"""Other readings of a name the aligner also tries: adjacent words joined ("guang" +
"zong" ~ "guangzong") and a run of words replaced by the acronym the other name uses
("People's Liberation Army" ~ "PLA"). Used by :func:`.score.compare_prepared`, through
:func:`rewrites`."""

from __future__ import annotations

from .abjad import cached_skeleton_span, may_reach, skeleton_span
from .chinese import is_syllable, is_syllable_run
from .companies import STOP_WORDS, acronym_runs
from .tokens import (
    DIGIT,
    GENERIC,
    INITIAL,
    KIND_WEIGHT,
    LEGAL,
    NORMAL,
    PARTICLE,
    Tok,
    token_sim_uncached,
)

#: How close a joined word must be to a word of the other name to be tried as a reading.
JOINED_MIN_SIM = 0.8
#: A joined word's first and last parts shorter than this must stand at its edges as written.
MIN_SLIP_PART = 3
#: The same for syllables read from Han/Hangul characters (see merged_variants).
JOINED_SYLLABLES_MIN_SIM = 0.9

def merged_variants(
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
            if _crosses_comma(parts, side):
                continue
            text = "".join(p.text for p in parts)
            best = 0.0
            best_kind = NORMAL
            lt = len(text)
            span: tuple[int, int] | None = None
            for o in targets:
                if o.abjad != abj or abs(len(o.text) - lt) <= 3:
                    if o.abjad == abj and not _keeps_ends(parts, o.text):
                        continue
                    if o.abjad != abj:
                        if span is None:
                            span = skeleton_span(text, abj)
                        if not may_reach(text, o.text, abj, o.abjad, JOINED_MIN_SIM, span,
                                         cached_skeleton_span(o.text, o.abjad)):
                            continue
                    # Uncached: a joined word is mostly seen once, and would
                    # only push useful pairs out of the cache.
                    sim = token_sim_uncached(text, o.text, abj, o.abjad)
                    if sim > best:
                        best, best_kind = sim, o.kind
            orig = "".join(p.orig for p in parts) if all(p.orig for p in parts) else ""
            # Syllables read from Han/Hangul characters join into a word only when it is
            # the listed word spelled near exactly ("guang"+"zong" ~ "Guangzong"): a
            # sound-alike ("ji"+"yong" ~ "Jing") is other characters.
            if best >= (JOINED_SYLLABLES_MIN_SIM if orig else JOINED_MIN_SIM):
                if best_kind == GENERIC:
                    # The word of a line of business written in two ("Petro Chemical" for
                    # "PETROCHEMICAL") weighs what it weighs written as one: it is not what
                    # tells one petrochemical company from another.
                    merged = Tok(text, KIND_WEIGHT[GENERIC], GENERIC, abj, False, orig)
                else:
                    merged = Tok(text, max(p.weight for p in parts), NORMAL, abj, False, orig)
                out.append(side[:i] + (merged,) + side[i + size :])
    return out


def _crosses_comma(parts: tuple[Tok, ...], side: tuple[Tok, ...]) -> bool:
    """A join never crosses from the family name to the given names: "YUN, Ho-Jin" has no
    word "yunho". Particles ("AL-QIZANI") join either way, and a word the name writes twice
    ("MATUQ, Matuq Mohammed") may be either."""
    if not any(p.surname for p in parts):
        return False  # no family-name word in the join (an organisation's name: never)
    flags = {
        p.surname for p in parts
        if p.kind == NORMAL and sum(1 for t in side if t.text == p.text) == 1
    }
    return len(flags) > 1


def _keeps_ends(parts: tuple[Tok, ...], word: str) -> bool:
    """Whether a short part (one or two letters) at either edge of a join stands at that
    edge of ``word`` as written: a join that loses a whole short part is another name
    ("o"+"in"+"jun" is not "minjun", "hua"+"shi"+"yu" not "hayashi", though their letters
    or keys come close). Particles ("al"+"nuristani" ~ "nooristani") and longer parts, whose
    spelling may vary ("chin"+"ping" ~ "jinping"), are left to the similarity."""
    first, last = parts[0], parts[-1]
    return _edge_ok(first, word.startswith(first.text)) and _edge_ok(last, word.endswith(last.text))


def _edge_ok(part: Tok, present: bool) -> bool:
    return present or len(part.text) >= MIN_SLIP_PART or part.kind == PARTICLE


def _acronym_runs(side: tuple[Tok, ...], acro: Tok, person: bool) -> list[tuple[int, int]]:
    """Runs ``[i, j)`` of ``side`` whose initials ``acro`` may stand for."""
    text = acro.text
    if not (2 <= len(text) <= 6 and text.isalpha() and acro.kind in (NORMAL, GENERIC)) or acro.orig:
        return []  # a syllable read from a Han/Hangul character is no initials ("시" si)
    out = []
    for i, j in acronym_runs([t.text for t in side], text, STOP_WORDS):
        if any(t.kind in (LEGAL, DIGIT) for t in side[i:j]):
            continue
        if person and not any(t.kind == NORMAL for t in side[:i] + side[j:]):
            continue  # "N.N." is not Nursultan Nazarbayev: initials need a surname
        out.append((i, j))
    return out


def acronym_variants(side: tuple[Tok, ...], loose_other: list[Tok]) -> list[tuple[Tok, ...]]:
    """Readings of an organisation's name ``side`` with a run of words replaced by the
    acronym the other name uses ("People's Liberation Army" -> "pla", "U.S." ~ "United
    States")."""
    out = []
    for o in loose_other:
        for i, j in _acronym_runs(side, o, False):
            w = max(t.weight for t in side[i:j])
            out.append(side[:i] + (Tok(o.text, w, NORMAL, False),) + side[j:])
    return out


def initials_variants(side: tuple[Tok, ...], loose: list[Tok], other: tuple[Tok, ...]) -> list[tuple[Tok, ...]]:
    """Readings of a person's name ``side`` with a word of its ``loose`` ones read as the
    initials it is ("JC" ~ "Jean-Claude", the "A.A." of "SALEH, Abdul Latif A.A."), one
    initial per letter, when the letters begin a run of words of ``other``. Letters, not
    one word standing for the run: each pairs with its word as an initial does, weighing
    what an initial weighs, the rest of the word it leaves unexplained contradicting any
    word left over (score._combine). So "Ahmad Ali Saleh" is not "SALEH, Abdul Latif A.A.",
    where one word "aa" for "Ahmad Ali" matched at full weight."""
    out = []
    for k, o in enumerate(side):
        if o not in loose or not _may_be_initials(o.text) or not _acronym_runs(other, o, True):
            continue
        letters = tuple(Tok(ch, KIND_WEIGHT[INITIAL], INITIAL, False, surname=o.surname) for ch in o.text)
        out.append(side[:k] + letters + side[k + 1 :])
    return out


def _may_be_initials(text: str) -> bool:
    """A person's word that may be initials written together: two letters ("JC", "AA"), or
    more without a vowel ("MBS"). A longer word with one is a name ("Ali", "Aus"): read as
    initials, "HASSAN, Ali" matched "Ahmed Latif Ibrahim Hassan" at 0.95."""
    return len(text) <= 2 or not any(ch in "aeiouy" for ch in text)


def rewrites(
    q: tuple[Tok, ...], c: tuple[Tok, ...], pairs: list[tuple[Tok, Tok, float]], rq: list[Tok], rc: list[Tok], cls: str | None
) -> list[tuple[tuple[Tok, ...], tuple[Tok, ...]]]:
    """Other readings of the two names worth aligning after ``pairs``: the loose tokens are
    those left unmatched or matched below 0.95 by that alignment."""
    weak = [(a, b) for a, b, s in pairs if s < 0.95]
    loose_q = {t.text for t in rq} | {a.text for a, _ in weak}
    loose_c = {t.text for t in rc} | {b.text for _, b in weak}
    targets_c = rc + [b for _, b in weak]
    targets_q = rq + [a for a, _ in weak]
    variants: list[tuple[tuple[Tok, ...], tuple[Tok, ...]]] = []
    if len(q) > 1 and loose_q and targets_c:
        variants.extend((vq, c) for vq in merged_variants(q, c, loose_q, targets_c))
    if len(c) > 1 and loose_c and targets_q:
        variants.extend((q, vc) for vc in merged_variants(c, q, loose_c, targets_q))
    person = cls in (None, "person")
    # In two names of romanised syllables a two-letter word is a syllable, not initials:
    # "Kim Si" is not "KIM, Su Il".
    if not (person and syllabic_name(q) and syllabic_name(c)):
        if person:
            if rq and len(c) > 1:
                variants.extend((vq, c) for vq in initials_variants(q, rq, c))
            if rc and len(q) > 1:
                variants.extend((q, vc) for vc in initials_variants(c, rc, q))
        else:
            if rq and len(c) > 1:
                variants.extend((q, vc) for vc in acronym_variants(c, rq))
            if rc and len(q) > 1:
                variants.extend((vq, c) for vq in acronym_variants(q, rc))
    return variants


def syllabic_name(toks: list[Tok] | tuple[Tok, ...]) -> bool:
    """A name of two or more words, each one romanised Chinese/Korean syllable or
    a Chinese given name written as one word, one of them a single syllable (the
    surname: "Zhou Guangming", "KANG, Song Nam")."""
    names = [t for t in toks if t.kind == NORMAL]
    return (
        len(names) >= 2
        and all(is_syllable_run(t.text) for t in names)
        and any(is_syllable(t.text) for t in names)
    )

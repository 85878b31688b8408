"""A Latin word against the reading of a word in an abjad script (Arabic, Persian, Hebrew:
consonants and long vowels written, short vowels not; see :mod:`.translit`).

The two are compared on consonant skeletons (:func:`.keys.skeleton`), a little below a
pair of Latin spellings (:data:`ABJAD_SKELETON_FACTOR`). A skeleton drops every vowel and
y/w, so the rules here put back what the abjad script would have written: a long vowel at
the end or between consonants, a consonant y or w, an opening alef or ain. A pair that
breaks one is weak (:data:`UNSPELT_VOWEL_SIM`, :data:`UNSPELT_OTHER_SIM`).

:func:`may_reach` tells, from skeleton lengths alone, which pairs cannot reach a
similarity: the aligner tries many joined words and skips those.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from .companies import LEGAL_FORM_FAMILY
from .keys import (
    assimilated_skeleton,
    cedilla_reading,
    doubled_skeleton,
    skeleton,
    skeleton_final_vowel,
    skeleton_gaps,
)

# A long vowel an abjad spelling writes (ي or و) that the Latin spelling has no vowel for:
# "ايليا" (Ilya, read "aylya") is not "Ali", "دایی" (Dayi, "dyy") not "Di", "بشير" not
# "Bashar": the pair is weak (as tokens.KEY_WEAK_SIM), since a careless Latin spelling may leave
# a long vowel out ("AL-DABSKI" for "الدبيسكي").
UNSPELT_VOWEL_SIM = 0.75
# A word against an abjad reading: the similarity of their consonant skeletons times this
# (a reading without vowels is never quite the same spelling). may_reach relies on it.
ABJAD_SKELETON_FACTOR = 0.95
# An abjad word read without the article it is written with, against a Latin name without it.
ARTICLE_DROPPED_FACTOR = 0.95
# ... and where a consonant differs as well, or an unwritten vowel or consonant says another name.
UNSPELT_OTHER_SIM = 0.65
# The Arabic article is romanised al/el/ul and, assimilated, ad/ash/ar/az ...
ARABIC_ARTICLES = frozenset("al el ul il ad ed ud ash esh as es ar er az ez at et an en".split())
# Words whose skeleton spans are remembered (see cached_skeleton_span).
SPAN_CACHE = 25_000


def _opening_differs(latin: str, abjad: str) -> bool:
    """One spelling opens on a vowel and the other on a consonant: an abjad word opening on
    alef or ain reads "a" (see translit.transliterate_word), so "hmyd" (حميد, Hamid) is not
    "Ahmed" and "aly" (علي) not "Liu". An abjad "l" may have lost its alef (the article,
    "الياس" Elias): it is not judged."""
    return abjad[0] != "l" and (abjad[0] in "aeiou") != (latin[0] in "aeiou")


def joined_article(abjad: str) -> bool:
    """An abjad reading that may open on the article written joined ("الطيب" reads "ltyb"):
    token_sim also compares it without the "l", and skeleton_span allows for that."""
    return abjad[0] == "l" and len(abjad) >= 4


def _unwritten_consonant(latin: str, abjad: str) -> bool:
    """The Latin spelling opens on a consonant y, w or v (before a vowel) that the abjad
    one does not write: Arabic and Persian write it (ي, و), so "Yassine" is not "ثنا" (read
    "sn") nor "Yahya" "حياة" ("hyh"). The skeleton drops y and w with the long vowels and
    cannot see it."""
    if len(latin) < 2 or latin[0] not in "ywv" or latin[1] not in "aeiou":
        return False
    return abjad[0] != ("y" if latin[0] == "y" else "w")


def _unwritten_final_vowel(latin: str, abjad: str) -> bool:
    """The Latin spelling ends in the long vowel i, u or o after a consonant ("Jafari",
    "Maroufi", "Mohammadi") where the abjad reading ends in a consonant: Arabic and Persian
    always write a final long vowel (ي, و; ه or ة for a final a or e, which the reading
    keeps as "h"), so "جعفر" (Jafar) is not "Jafari". A consonant w counts: the nisba
    "-awi" is و then ي ("الموسوي", Moussawi), so "الموسوس" is not "Moussawi". A final "a" is not judged: the
    reading drops a final alef ("لينا", Lina, reads "lyn"); nor a final "e", which French
    spellings add silently ("Yassine", "Amine")."""
    return (
        len(latin) > 2 and latin[-1] in "iyuo" and latin[-2] not in "aeiouy"
        and abjad[-1] not in "aeiouywh"
    )


def _misplaced_long_vowel(latin: str, abjad: str) -> bool:
    """Skeletons alike, but a long vowel the abjad reading writes between two consonants has
    no vowel of its kind at that place in the Latin spelling: "ميرال" (Meral, read "myrl")
    writes an i-vowel after the m where "Murillo" has a "u", "حسين" (Husayn) one where
    "Hasan" has an "a". Only the inner gaps are judged (the ends have rules of their own)."""
    gl, ga = skeleton_gaps(latin), skeleton_gaps(abjad, True)
    if len(gl) != len(ga):
        return False
    for lat, ab in zip(gl[1:-1], ga[1:-1], strict=True):
        if "y" in ab and not any(c in lat for c in "iey"):
            return True
        if "w" in ab and not any(c in lat for c in "uow"):
            return True
    return False


def _unspelt_final_vowel(latin: str, abjad: str) -> bool:
    """The abjad reading ends in ی/ي after a consonant (read "y": the Persian and Arabic
    nisba "-i" of "Mohammadi", "Hosseini", or a final long vowel) and the Latin spelling
    ends in a consonant, or in the silent "e" of a French spelling ("Noure", "Yassine"):
    the Latin name stops where the abjad one goes on. The skeleton, which drops the "y",
    cannot tell them apart, and the vowel count of :func:`_unspelt_vowels` takes the "e"
    of "Mohamed" for it."""
    if len(abjad) <= 2 or abjad[-1] != "y" or abjad[-2] in "aeiouyw":
        return False
    return latin[-1] not in "aeiouy" or (latin[-1] == "e" and len(latin) > 2 and latin[-2] not in "aeiouy")


def _unspelt_vowels(latin: str, abjad: str) -> bool:
    """The abjad reading writes more ي (y) or و (w) than the Latin spelling has letters
    that can stand for them (i, e, y; u, o, w, v): a long vowel or a consonant the Latin
    name does not have. Counted, not aligned: an extra vowel on the Latin side is a short
    one the abjad leaves unwritten. A final ی read "a" is not counted: Persian writes the
    final alef of Arabic names with it ("صغری" Soghra, "یحیی" Yahya, "موسی" Musa)."""
    ya, wa = abjad.count("y", 0, len(abjad) - (latin[-1] == "a")), abjad.count("w")
    if not (ya or wa):
        return False
    yl = latin.count("i") + latin.count("e") + latin.count("y")
    wl = latin.count("u") + latin.count("o") + latin.count("w") + latin.count("v")
    return ya > yl or wa > wl


def skeleton_reading_sim(latin: str, abjad: str) -> float | None:
    """How alike the consonant skeletons of a Latin word and an abjad reading are, 0..1, over
    the readings each may have (a soft c, a doubled letter, an assimilated article, a final
    "h" read as a vowel or a ta marbuta read "t"); None where they cannot pair at all."""
    if latin in ARABIC_ARTICLES:
        # The article is no spelling of a name read without vowels ("علي" read "ly"
        # shares the skeleton of "al"): paired, it would explain the name away.
        return None
    if latin.count("v") + latin.count("w") > abjad.count("w") + abjad.count("f") + abjad.count("v"):
        # The skeleton drops v/w with the long vowels, but a Latin v or w is a consonant
        # the abjad spelling writes (و, ف for a foreign v, Hebrew ו read "v"): "Avdeeva"
        # is not "إياد".
        return None
    sl, sa = skeleton(latin), skeleton(abjad, True)
    if not sl or not sa:
        return None
    sim = OSA.normalized_similarity(sl, sa)
    if (soft := cedilla_reading(latin)) is not None:
        sim = max(sim, OSA.normalized_similarity(skeleton(soft), sa))
    doubled = doubled_skeleton(latin, sl)
    if doubled is not None:
        sim = max(sim, OSA.normalized_similarity(doubled, sa))
        if (sun := assimilated_skeleton(sa)) is not None:
            sim = max(sim, OSA.normalized_similarity(doubled, sun))
    if (vowel_end := skeleton_final_vowel(abjad)) is not None and (
            latin[-1] in "aeou" or abjad[-2] in "cdgkstz"):
        # The final "h" read as the vowel it often is needs that vowel in the Latin
        # spelling: "عالية" (Aliya, read "alyh") is not "Ali", nor "حميده" (Hamideh) "Hamid".
        # (An "h" closing a digraph, "agh" for اغ, is a letter: Latin "Ag" may drop it.)
        sim = max(sim, OSA.normalized_similarity(sl, vowel_end))
    if abjad[-1] == "h" and latin[-1] == "t" and len(abjad) > 2:
        # A final ة is "t" before the next word of a construct ("عصبة الأنصار", Asbat
        # al-Ansar; "Jamaat"), and the reading writes it "h".
        sim = max(sim, OSA.normalized_similarity(sl, skeleton(abjad[:-1] + "t", True)))
    return sim


def judged_reading_sim(latin: str, abjad: str, sim: float) -> float:
    """The pair's similarity given :func:`skeleton_reading_sim`: ABJAD_SKELETON_FACTOR of it,
    unless a vowel or consonant the abjad script would write says another name."""
    if _unspelt_final_vowel(latin, abjad) or _unwritten_final_vowel(latin, abjad) \
            or _unwritten_consonant(latin, abjad):
        # "محمدی" (Mohammadi) is not "Mohamed", nor "حسنی" (Hosni) "Hussein"; "جعفر"
        # (Jafar) is not "Jafari"; "ثنا" (Sana) is not "Yassine".
        return min(ABJAD_SKELETON_FACTOR * sim, UNSPELT_OTHER_SIM)
    if _unspelt_vowels(latin, abjad) or _opening_differs(latin, abjad) \
            or (skeleton(latin) == skeleton(abjad, True) and _misplaced_long_vowel(latin, abjad)):
        # With a consonant apart too, two signs say another name ("مهدی" Mahdi is no
        # "Muhammad"): a partial pair at most.
        return min(ABJAD_SKELETON_FACTOR * sim, UNSPELT_VOWEL_SIM if sim == 1.0 else UNSPELT_OTHER_SIM)
    return ABJAD_SKELETON_FACTOR * sim


def skeleton_span(word: str, abjad: bool) -> tuple[int, int]:
    """The shortest and longest skeleton :func:`token_sim` compares for ``word`` against a
    word of the other kind of script: a Latin word's with doubled letters collapsed or kept,
    an abjad reading's with or without a final "h" and an opening article "l"."""
    if abjad:
        high = len(skeleton(word, True))
        return high - int(word.endswith("h")) - int(joined_article(word)), high
    return len(skeleton(word)), len(skeleton.__wrapped__(word, True))


# The spans of a name's words, met again for each joined word of the other name.
cached_skeleton_span = lru_cache(maxsize=SPAN_CACHE)(skeleton_span)


def may_reach(
    a: str, b: str, a_abjad: bool, b_abjad: bool, need: float, span_a: tuple[int, int], span_b: tuple[int, int]
) -> bool:
    """False only where ``token_sim(a, b, a_abjad, b_abjad) < need`` for certain: a word
    against an abjad reading is compared on consonant skeletons (times
    ABJAD_SKELETON_FACTOR), so skeletons whose lengths (``span_a``, ``span_b``:
    :func:`skeleton_span`) are too far apart cannot reach ``need`` whatever their letters.
    Cheap, for the many joined words the aligner tries against a name's words
    (variants.merged_variants)."""
    if a_abjad == b_abjad or a == b or len(a) == 1 or len(b) == 1 or not (a.isalpha() and b.isalpha()):
        return True  # not (only) the skeleton comparison
    if a in ARABIC_ARTICLES or b in ARABIC_ARTICLES or a in LEGAL_FORM_FAMILY or b in LEGAL_FORM_FAMILY:
        return True
    (low_l, high_l), (low_a, high_a) = (span_b, span_a) if a_abjad else (span_a, span_b)
    if not low_l or not high_a:
        return False  # an empty skeleton: token_sim is 0
    if high_l < low_a:
        return ABJAD_SKELETON_FACTOR * high_l / low_a >= need
    if high_a < low_l:
        return ABJAD_SKELETON_FACTOR * high_a / low_l >= need
    return True

"""Comparison keys of a normalised token (see :mod:`.normalize` for the tokens).

* :func:`phonetic_key` folds spelling variants that come from transliteration
  (kh/h, ph/f, w/v, y/i, ou/u, zh/j, a final j after a vowel, doubled
  letters, vowel quality ...), so Mohammed/Muhammad, Osama/Usama,
  Ahmadinejad/Ahmadinezhad, Andrej/Andrei share a key.
* :func:`slavic_key` is a second such key for other romanisation standards of
  Cyrillic (Serhiy/Sergei, Jurij/Yuriy).
* :func:`skeleton` keeps consonants only; it is how a vowel-less abjad
  romanisation ("mhmd") is compared with a Latin spelling ("Mohamed").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from .memo import Memo

# Spellings of ч, ш and дж that contain "ch" (German tsch/sch/dsch, English tch): folded
# before "ch" is set aside from the c -> k rule below, longer patterns first.
_CH_RULES = [("tsch", "ch"), ("dsch", "j"), ("sch", "sh"), ("tch", "ch")]
# Ordered: longer patterns first.
_KEY_RULES = [
    ("dzh", "j"), ("zh", "j"), ("dj", "j"),
    ("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("dh", "d"), ("ck", "k"),
    ("q", "k"), ("x", "ks"), ("w", "v"), ("c", "k"), ("ksh", "ch"),
]
_VOWEL_RUN = re.compile(r"[aeiouy]+")


def collapse_doubles(s: str) -> str:
    """Each run of one letter written once ("mohammed" -> "mohamed"). A loop, not
    ``re.sub(r"(.)\\1+", r"\\1", s)``: a template substitution runs Python code of the re
    module for every word, and the keys are made for every word a query is compared with."""
    out: list[str] = []
    prev = ""
    for ch in s:
        if ch != prev:
            out.append(ch)
            prev = ch
    return "".join(out)


#: Words whose keys are remembered, per key (see .memo). Both keys are asked of every listed
#: word the vocabulary verifies: 10,000 OFAC-like queries asked them of 55,000 words, and
#: remembering 30,000 answered nine asks in ten.
KEY_CACHE = 30_000
#: The same in a process that screens the rows of files only (:func:`for_bulk`): remembering
#: every word those 10,000 queries asked about answered 94.5% of the asks. About 100 bytes
#: an entry: 20 MB at most for both keys.
BULK_KEY_CACHE = 100_000
PHONETIC_KEYS: Final = Memo(KEY_CACHE)
SLAVIC_KEYS: Final = Memo(KEY_CACHE)


def for_bulk() -> None:
    """Remember the keys of BULK_KEY_CACHE words, not KEY_CACHE: for a process that screens
    the rows of files and nothing else (see :meth:`.vocabulary.Vocabulary.for_bulk`)."""
    PHONETIC_KEYS.maxsize = SLAVIC_KEYS.maxsize = BULK_KEY_CACHE


def phonetic_key(token: str) -> str:
    """:func:`phonetic_key_uncached`, remembered."""
    key: str | None = PHONETIC_KEYS.get(token)
    return key if key is not None else str(PHONETIC_KEYS.put(token, phonetic_key_uncached(token)))


def phonetic_key_uncached(token: str) -> str:
    """Spelling-variant key. "mohammed", "muhammad", "mohamed" -> "mahamad".

    Vowel quality is the least reliable part of a romanisation (o/u, e/i/a,
    ou/u, ei/ey/ay), so every vowel run becomes one "a" after the consonant
    digraphs are folded; doubled letters collapse. A key is only used for
    tokens of 4+ letters, where it rarely joins unrelated names."""
    if not token.isalpha():
        return token
    s = token
    if len(s) > 2 and s[-1] == "j" and s[-2] in "aeiouy":
        # A final "j" after a vowel is the Slavic short i (German, Czech and
        # Polish spellings): Sergej/Sergey, Andrej/Andrei, Jurij/Yuriy.
        s = s[:-1] + "y"
    for a, b in _CH_RULES:
        if a in s:
            s = s.replace(a, b)
    s = s.replace("ch", "\x01")
    for a, b in _KEY_RULES:
        if a in s:
            s = s.replace(a, b)
    s = s.replace("\x01", "ch")
    s = collapse_doubles(s)
    # Keep whether the word starts with a vowel, fold the vowel itself.
    s = _VOWEL_RUN.sub("a", s)
    return s


_CONSONANT_RUN = re.compile(r"[^a]+")


def consonant_runs(key: str) -> int:
    """How many consonant runs a :func:`phonetic_key` holds ("amar": 2, "mahamad": 4)."""
    return len(_CONSONANT_RUN.findall(key))


# The Ukrainian national romanisation writes Г as "h" where the Russian ones write
# "g" (Serhiy/Sergei, Oleh/Oleg, Hryhoriy/Grigory); a plain "h", not the second
# letter of kh/zh/sh/ch/gh/th/ph/dh.
_UKRAINIAN_H = re.compile(r"(?<![kzscgtpd])h")
# Czech, Polish and South Slavic spellings write Ц as "c" where English-based
# romanisations write "ts" or "tz" (Careva/Tsareva, Cvetkov/Tsvetkov); not c in ch/ck/cz.
_SLAVIC_C = re.compile(r"c(?![hkz])")
# Czech, Polish, German and South Slavic spellings write the "y" of Я/Ю/Е opening a name as
# "j" (Jurij/Yuriy, Jelena/Yelena, Jakov/Yakov). Only there: inside a word the fold would
# turn consonants into vowels that key alike by chance ("Shahji"/"Shehu").
_SLAVIC_J = re.compile(r"^j(?=[aeiou])")


def slavic_key(token: str) -> str:
    """:func:`slavic_key_uncached`, remembered."""
    key: str | None = SLAVIC_KEYS.get(token)
    return key if key is not None else str(SLAVIC_KEYS.put(token, slavic_key_uncached(token)))


def slavic_key_uncached(token: str) -> str:
    """A second spelling-variant key for names romanised from Cyrillic by other
    standards: the :func:`phonetic_key` of the token with Ukrainian "h" read as
    Russian "g", Slavic "c" read as "ts" and a "j" opening the word before a vowel as
    "y". Used beside the phonetic key (equal either way is the same name), never
    instead of it, so English "c" stays "k"."""
    if not token.isalpha():
        return token
    # Uncached: the index builds this key for every listed word (see vocabulary).
    return phonetic_key_uncached(slavic_spelling(token))


def slavic_spelling(token: str) -> str:
    """``token`` with the letters of other Cyrillic romanisations read as Russian
    English-based ones write them (see :func:`slavic_key`): "serhiy" -> "sergiy"."""
    if not token:
        return token
    # Each rule only where its letter is (most words have no c, many no h): the regular
    # expressions cost more than the tests.
    s = _UKRAINIAN_H.sub("g", token) if "h" in token else token
    if "c" in s:
        s = _SLAVIC_C.sub("ts", s)
    if "tz" in s:
        s = s.replace("tz", "ts")
    if s[0] == "j":
        s = _SLAVIC_J.sub("y", s)
    return s


_SKELETON_DROP = re.compile(r"[aeiouyw]+")
_SOFT_C = re.compile(r"c(?=[eiy])")


@lru_cache(maxsize=15_000)
def skeleton(token: str, abjad: bool = False) -> str:
    """Consonant skeleton used against vowel-less romanisations (``abjad``: of one).

    y and w are dropped because Arabic/Hebrew write long vowels with the
    consonants ي/و; p folds to b because Arabic has no p. French romanisations of
    Arabic names write ج "dj" and س before e/i "c" ("Djamel", "Lounici"): j and s.
    ق is q, k or (in Persian) gh: all k."""
    return _SKELETON_DROP.sub("", _skeleton_letters(token, abjad))


def _skeleton_letters(token: str, abjad: bool) -> str:
    """The word with the skeleton's letter foldings applied, vowels still in place."""
    s = token.replace("dj", "j")
    if "c" in s:
        s = _SOFT_C.sub("s", s)
    # "gh" with "q": Persian pronounces ق as غ ("Aghajani" is written آقاجانی, read "aqjny").
    for a, b in (("ph", "f"), ("gh", "k"), ("q", "k"), ("c", "k"), ("p", "b"), ("x", "ks"), ("v", "w")):
        s = s.replace(a, b)
    # A reading of Arabic script writes no shadda, so two alike letters side by side are two
    # consonants, a long alef dropped between them ("بلال" reads "bll", Bilal). A doubled
    # Latin letter is one consonant ("Mohammed", a shadda; see doubled_skeleton for the other
    # reading), but two alike around a vowel are two: "سموم" (s-m-w-m) is not "Wasim",
    # "Muhammad Iyad" joined is not "محمدی".
    return s if abjad else collapse_doubles(s)


_CONSONANT = re.compile(r"[^aeiouyw]")


def skeleton_gaps(token: str, abjad: bool = False) -> list[str]:
    """What stands between the consonants of the word's :func:`skeleton`: one string per
    gap (before the first consonant, between each two, after the last), of the vowel
    letters and y/w the skeleton drops. An abjad reading's gaps hold only the long vowels
    it writes (ي "y", و "w"); a Latin spelling's, every vowel."""
    return _CONSONANT.split(_skeleton_letters(token, abjad))


_SUN_LAM = re.compile(r"l(?=([tdrzsn]))")


def assimilated_skeleton(abjad_skeleton: str) -> str | None:
    """An abjad reading's skeleton with the lam of the article read as the sun letter after
    it, when that differs: "علاالدینی" (skeleton "lldn") is "Alaoddini" ("ad-Din"), written
    with the letter it is pronounced as, doubled ("lddn", :func:`doubled_skeleton`)."""
    out = _SUN_LAM.sub(r"\1", abjad_skeleton)
    return out if out != abjad_skeleton else None


def doubled_skeleton(latin: str, plain: str) -> str | None:
    """The skeleton of a Latin word with a doubled letter read as two consonants, when that
    differs from its :func:`skeleton` ``plain`` (which the caller has): Arabic writes the lam
    of "Allah" twice ("Abdullah" is عبدالله, read "abdllh"), a shadda once ("Mohammed" is
    محمد). Scoring and lookups try both. Uncached: only words with a doubled letter get
    here, and the index build must not fill the skeleton cache."""
    if collapse_doubles(latin) == latin:
        return None
    doubled = skeleton.__wrapped__(latin, True)  # letter by letter, as an abjad reading is read
    return doubled if doubled != plain else None


_HARD_C = re.compile(r"c(?![hk])")


def cedilla_reading(latin: str) -> str | None:
    """A Latin word with its hard c read as s, else None: French writes ص and س as "ç"
    before a, o and u ("Fayçal" = فيصل), and the cedilla is lost in most files ("Faycal").
    Scoring and lookups both try its :func:`skeleton` beside the word's own."""
    if "c" not in latin:
        return None
    soft = _HARD_C.sub("s", latin)
    return soft if soft != latin else None


def skeleton_final_vowel(abjad: str) -> str | None:
    """The skeleton of an abjad reading ending in "h" without it, else None: a final ة, or
    a Persian final ه, is a vowel more often than an "h" ("حمزة" reads "hmzh": Hamza or
    Hamzah; "فاطمه": Fatemeh or Fateme). Scoring and lookups both try it."""
    if abjad.endswith("h") and len(abjad) > 2:
        return skeleton(abjad[:-1], True)
    return None

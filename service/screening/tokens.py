"""Name tokens: weights by kind, and the similarity of two tokens.

Token similarity (0..1) is the best of:

* the spelling similarity, ``1 - edits/length`` with optimal-string-alignment
  edits (a transposition is one edit), where the first :data:`TYPO_EDITS`
  edits cost a little less than a character and every further one more:
  slips come one or two at a time whatever the length of the word, so
  "Merkur"/"Merkel" (2 edits of 6) stays a misspelling while
  "Monteiro"/"Montenegro" (3 of 10) is another name;
* :data:`KEY_EQUAL_SIM` when the :func:`~.keys.phonetic_key` is equal
  (transliteration variants: Mohammed/Muhammad, Usama/Osama), or the
  :func:`~.keys.slavic_key` (Ukrainian and Russian, Czech/Polish and
  English romanisations of Cyrillic: Serhiy/Sergei, Careva/Tsareva);
* for a token from a vowel-less script (Arabic, Hebrew, katakana ...), the
  similarity of consonant skeletons ("mhmd" vs "Mohamed"), see :mod:`.abjad`;
* :data:`INITIAL_SIM` for an initial against a word with that first letter;
* :data:`NICKNAME_SIM` for a known nickname of a given name (Ted/Theodore,
  Bill/William; the ``nicknames`` package's hand-curated English list);
* :data:`ABBREV_SIM` for a contraction keeping the first and last letters
  ("Intl" for "International", "Mohd" for "Mohammed", "Dept");
* :data:`CHINESE_SIM` for two spellings of the same Chinese syllables, pinyin
  or Wade-Giles ("Tsetung"/"Zedong", "Hsi"/"Xi"; see :mod:`.chinese`);
* (in :mod:`.score`, for two names of romanised Chinese/Korean syllables)
  at most :data:`~.syllables.SYLLABLE_SLIP_SIM` for two different syllables ("jin"/"lin"),
  no pair when one was read from Han/Hangul, see :func:`~.syllables.syllable_sim`;
* :data:`KEY_EQUAL_SIM` for legal forms of one family ("Corp"/"Co"/"Inc",
  :data:`~.companies.LEGAL_FORM_FAMILY`).

Token kinds carry weights (:data:`KIND_WEIGHT`); a :data:`PATRONYMIC`
("Viktorovich" between a given name and a surname) weighs little when it is
missing, but a differing one contradicts at full weight (see :mod:`.score`).

Different numbers never match (Fund IX vs Fund VIII): how much that costs is
the scorer's business (:data:`DIGIT_CONFLICT_WEIGHT` in :mod:`.score`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import OSA

from .abjad import (
    ABJAD_SKELETON_FACTOR,
    ARABIC_ARTICLES,
    ARTICLE_DROPPED_FACTOR,
    joined_article,
    judged_reading_sim,
    skeleton_reading_sim,
)
from .chinese import is_syllable, same_chinese_name
from .companies import LEGAL_FORM_FAMILY
from .keys import consonant_runs, phonetic_key, slavic_key, slavic_spelling
from .slavic_names import EQUIVALENT_NAMES
from .translit import ABD_ARTICLE, ABD_WITH_ARTICLE

# --- tunable parameters (global, chosen on bench/accuracy.py) ---------------
KEY_EQUAL_SIM = 0.85
# Vowel-blind keys of short names agree by chance ("amir"/"umar", "hayashi"/
# "huashiyu" all key alike): where the spellings themselves are far apart (below
# KEY_SPELLING_MIN) and the key has fewer than KEY_STRONG_CONSONANTS consonant runs, an equal
# key counts only KEY_WEAK_SIM. Variants that spell alike ("omar"/"umar", "mohammed"/
# "muhammad"), long keys, and spellings that differ by another romanisation standard's letters
# (:func:`.keys.slavic_key`: "serhiy"/"sergei") keep KEY_EQUAL_SIM.
KEY_WEAK_SIM = 0.75
KEY_SPELLING_MIN = 0.7
KEY_STRONG_CONSONANTS = 4
# The Slavic key folds another standard's letters; two words it folds alike are the same
# name when their spellings so read are close ("serhiy" read "sergiy" against "sergei") or
# the key is long; else it is the vowel folding that made them alike, by chance ("Geonu" and
# "Haniya", read "ganiya", both key "gana"): weak, as an equal phonetic key of such words.
# Below KEY_WEAK_MIN_SPELLING the spellings share next to nothing but the key's few
# consonants ("geonu" and "ganiya": no letter in place): no pair at all.
KEY_WEAK_MIN_SPELLING = 0.3
KEY_SIM_FACTOR = 0.95  # phonetic keys that differ by an edit: discounted key similarity
INITIAL_SIM = 0.9
NICKNAME_SIM = 0.85
ABBREV_SIM = 0.8
ABBREV_MAX_LEN = 5  # "Mohd", "Intl", "Mohmd"
# Typing and transliteration slips come one or two at a time, whatever the
# length of the word: "Merkur"/"Merkel" (2 edits) is a misspelling, while
# "Monteiro"/"Montenegro" (3 edits) is another name, though a plain
# length-normalised distance ranks the second closer. So the first TYPO_EDITS
# edits cost TYPO_EDIT_COST of a character and each further one
# EXTRA_EDIT_COST.
TYPO_EDITS = 2
TYPO_EDIT_COST = 0.9
EXTRA_EDIT_COST = 1.5
CHINESE_SIM = 0.85

# Token kinds, used for weights and for explanations.
NORMAL, INITIAL, PARTICLE, GENERIC, LEGAL, STOP, DIGIT = "n", "i", "p", "g", "l", "s", "d"
PATRONYMIC = "t"  # "Viktorovich" between a given name and a surname
KIND_WEIGHT = {
    INITIAL: 0.35, PARTICLE: 0.15, GENERIC: 0.25, LEGAL: 0.12, STOP: 0.1, DIGIT: 0.6,
    # Patronymics are often left out of a name: missing, one costs little (a
    # differing one still contradicts at full weight, see score.py).
    PATRONYMIC: 0.4,
}


@dataclass(frozen=True, slots=True, init=False)
class Tok:
    """A name token ready for comparison.

    Its ``__init__`` and ``__hash__`` are written out (the same as the ones the dataclass
    would make, hash values included) so that they are compiled: the generated ones run as
    Python code, and a million names' index build makes millions of tokens (compiled, making
    one takes 35% less time, hashing it a third of the time)."""

    text: str
    weight: float
    kind: str
    abjad: bool  # romanised from a script written without (reliable) vowels
    filial: bool  # comes right after bin/ibn/ben: names the father
    orig: str  # the Han/Hangul character(s) it was read from
    surname: bool  # written before the comma of "SURNAME, Given names"
    given_first: bool  # the first given name after that comma: the person's own

    def __init__(self, text: str, weight: float, kind: str, abjad: bool, filial: bool = False, orig: str = "",
                 surname: bool = False, given_first: bool = False) -> None:
        # A frozen dataclass sets its fields past its own __setattr__, as the generated one does.
        setter: Any = object.__setattr__
        setter(self, "text", text)
        setter(self, "weight", weight)
        setter(self, "kind", kind)
        setter(self, "abjad", abjad)
        setter(self, "filial", filial)
        setter(self, "orig", orig)
        setter(self, "surname", surname)
        setter(self, "given_first", given_first)

    def __hash__(self) -> int:
        return hash((self.text, self.weight, self.kind, self.abjad, self.filial, self.orig, self.surname,
                     self.given_first))


def weight_for(tok: str, kind: str) -> float:
    if kind != NORMAL:
        return KIND_WEIGHT[kind]
    # Short tokens carry less information and collide more.
    n = len(tok)
    return 0.6 if n <= 2 else (0.85 if n == 3 else 1.0)


_NICKNAMES: frozenset[tuple[str, str]] | None = None


def nickname_pairs() -> frozenset[tuple[str, str]]:
    """(name, nickname) pairs, both orders, from the ``nicknames`` package, and the East
    Slavic cognates of :mod:`.slavic_names` (Mykola/Nikolay)."""
    global _NICKNAMES
    if _NICKNAMES is None:
        # Imported on first use, not at the top: importing nicknames (with the
        # importlib.metadata it loads) takes ~15 ms, paid only once names are compared.
        from nicknames import name_triplets

        pairs: set[tuple[str, str]] = set(EQUIVALENT_NAMES)
        for t in name_triplets():
            a, b = t.name1.lower(), t.name2.lower()
            if a.isalpha() and b.isalpha() and a != b:
                pairs.add((a, b))
                pairs.add((b, a))
        _NICKNAMES = frozenset(pairs)
    return _NICKNAMES


_NICKNAME_MAP: dict[str, tuple[str, ...]] | None = None


def nicknames_of(name: str) -> tuple[str, ...]:
    """The names :func:`nickname_pairs` pairs with ``name`` (either way), so
    that retrieval can look up what the scorer would pair ("ted" ->
    "theodore", "edward" ...)."""
    global _NICKNAME_MAP
    if _NICKNAME_MAP is None:
        table: dict[str, list[str]] = {}
        for a, b in nickname_pairs():
            table.setdefault(a, []).append(b)
        _NICKNAME_MAP = {k: tuple(sorted(v)) for k, v in table.items()}
    return _NICKNAME_MAP.get(name, ())


def is_abbreviation(short: str, long: str) -> bool:
    """A contraction: "intl"/"international", "mohd"/"mohammed", "dept".

    Plain prefixes are not abbreviations here: "Bai"/"Baikal", "Lind"/
    "Lindemann" and "Oleksandr"/"Oleksandrovych" are other names (a real
    short form like "Ben" is a nickname). Nor is a word longer than
    :data:`ABBREV_MAX_LEN`: contractions are written to be short, and a longer word
    whose letters happen to run through another is a name of its own ("Soltani" in
    "Soltanmohammadi")."""
    ls, ll = len(short), len(long)
    if ls < 3 or ls > ABBREV_MAX_LEN or ls > ll // 2 or short[0] != long[0] or short[-1] != long[-1]:
        return False
    if is_syllable(short):
        # A romanised syllable ("lai", "min") is a name of its own, not a contraction of
        # a longer word ("luiwai", "minjun").
        return False
    if not short.isalpha() or long.startswith(short):
        return False
    if long[:2] in ("al", "el") and short[:2] == long[:2] and short[2] != long[2]:
        # A name with the article joined ("alrawi") is contracted after the article, keeping
        # the name's first letter: "Ali" is no contraction of "al-Rawi".
        return False
    pos = 0
    for ch in short:
        pos = long.find(ch, pos) + 1
        if not pos:
            return False
    return True


# Productive name affixes. Two names sharing one are compared on what is left:
# "Ivanovich"/"Viktorovich" are different fathers, "Hamidullah"/"Waliullah"
# and "Abdurrahim"/"Abdurrahman", "McKenton"/"McKesson" different names, though the
# shared affix makes the spellings look close; so are "Zinchenko"/"Panchenko" and
# "Kobakhidze"/"Kobaladze" (a Ukrainian, Polish, Georgian, Greek, Turkish or Romanian
# surname ending is much of the word).
_SHARED_SUFFIXES = ("ovich", "evich", "ovitch", "evitch", "ovna", "evna", "ullah", "ulla",
                    "uddin", "eddin", "allah", "shvili", "dottir", "sson", "zadeh", "zada",
                    "enko", "dze", "ovsky", "evsky", "owski", "ewski", "opoulos", "oglu", "escu")
_SHARED_PREFIXES = ("abdul", "abdel", "abdur", "abdar", "abdal", "abd", "abu", "mac", "mc")
# The Latin spellings of "Abd al-" as one word (translit's table; "abdl" is the vowel-less
# reading of Arabic script), longest first.
_ABD_ARTICLE_PREFIXES = tuple(sorted(ABD_WITH_ARTICLE - {ABD_ARTICLE}, key=lambda p: (-len(p), p)))
AFFIX_MIN_STEM = 3
NOMINATIVE_ENDINGS = ("os", "is", "as", "us", "s")
ENDING_FACTOR = 0.95
# A word and its feminine form ("Luis"/"Luisa", "Aleksandr"/"Aleksandra", "Krylov"/"Krylova",
# "Habib"/"Habiba"): one letter apart, but a man and a woman of one family, not a typing slip.
# In personal names they pair at most this loosely (score.MIN_TOKEN_SIM); in a company name
# ("Akut"/"Akuta") the letter is a slip like any other.
FEMININE_FORM_SIM = 0.7
FEMININE_FUZZY_MIN = 5
# Digits that stand for the letters they look like, and what such a word is worth.
_DIGIT_LETTERS = str.maketrans("01345789", "oieastbg")
DIGIT_LETTER_FACTOR = 0.95
# Pairs of tokens remembered by token_sim. Distinct bulk rows keep bringing new
# pairs, so the cache fills whatever its size: at 200k pairs (~50 MB) the hit
# rate on 20k distinct OFAC queries is 63%, against 72% at 1M pairs (~250 MB).
TOKEN_SIM_CACHE = 25_000


def _strip_shared_affix(a: str, b: str) -> tuple[str, str] | None:
    # One C-level test per side first: most pairs carry no affix at all.
    if a.endswith(_SHARED_SUFFIXES) and b.endswith(_SHARED_SUFFIXES):
        for suf in _SHARED_SUFFIXES:
            if a.endswith(suf) and b.endswith(suf):
                return a[: -len(suf)], b[: -len(suf)]
    if a.startswith(_SHARED_PREFIXES) and b.startswith(_SHARED_PREFIXES):
        for pre in _SHARED_PREFIXES:
            if a.startswith(pre) and b.startswith(pre):
                return a[len(pre) :], b[len(pre) :]
    return None


def _abd_article(word: str) -> int:
    """The length of the "Abd al-" that ``word`` opens with ("abdul", "abdel", "abdoul"), 0 when
    it opens otherwise."""
    if not word.startswith(_ABD_ARTICLE_PREFIXES):
        return 0  # one C-level test first: token_sim asks this of nearly every pair it compares
    for pre in _ABD_ARTICLE_PREFIXES:
        if word.startswith(pre):
            return len(pre)
    return 0


def _final_h(stem: str) -> str:
    """A stem without a final "h" after a vowel, which romanisations write or drop ("Allah" /
    "Alla", "Fatimah" / "Fatima")."""
    return stem[:-1] if len(stem) >= 2 and stem[-1] == "h" and stem[-2] in "aeiou" else stem


def spelling_sim(a: str, b: str) -> float:
    """1 - edits/length, where the first TYPO_EDITS edits count a little less
    and every further edit more (see TYPO_EDITS)."""
    d = OSA.distance(a, b)
    edits = TYPO_EDIT_COST * min(d, TYPO_EDITS) + EXTRA_EDIT_COST * max(0, d - TYPO_EDITS)
    return max(0.0, 1.0 - edits / max(len(a), len(b)))


def token_sim_uncached(a: str, b: str, a_abjad: bool = False, b_abjad: bool = False,
                       chinese: bool | None = None) -> float:
    """Similarity of two normalised tokens, 0..1 (see module docstring); :data:`token_sim`
    is this with a cache. Uncached, for pairs met once: a joined word against the other
    name's words (variants), a query word against the listed words it may stand for
    (vocabulary, whose own cache keeps the result); cached, they would only push out the
    pairs the scorer meets again and again.

    ``chinese``: whether the two words share a pinyin reading (:func:`same_chinese_name`),
    when the caller already knows. The vocabulary does: the listed words a query word's
    readings found are the only ones that can share one, and computing the readings of
    every other word it verifies was a sixth of a slow query's time among a million names.
    """
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if (la == 1 and not a_abjad) or (lb == 1 and not b_abjad):
        if a[0] == b[0] and a.isalpha() and b.isalpha():
            return INITIAL_SIM
        return 0.0
    if a.isdigit() or b.isdigit():
        return 0.0  # different numbers are different things
    if a.isalpha() != b.isalpha() and a.isalnum() and b.isalnum() and min(la, lb) >= 4:
        # A digit typed for a letter ("Ig0r Sech1n"): compared as the letters it stands for,
        # a little below the word itself.
        fa, fb = a.translate(_DIGIT_LETTERS), b.translate(_DIGIT_LETTERS)
        if fa.isalpha() and fb.isalpha():
            return DIGIT_LETTER_FACTOR * token_sim(fa, fb, a_abjad, b_abjad)
    if a in ARABIC_ARTICLES and b in ARABIC_ARTICLES:
        return KEY_EQUAL_SIM
    if a in LEGAL_FORM_FAMILY and LEGAL_FORM_FAMILY[a] == LEGAL_FORM_FAMILY.get(b):
        return KEY_EQUAL_SIM  # "Corporation" / "Company" / "Inc."
    if a_abjad != b_abjad:
        latin, abjad = (b, a) if a_abjad else (a, b)
        sim = skeleton_reading_sim(latin, abjad)
        if sim is None:
            return 0.0
        if joined_article(abjad) and latin[0] != "l":
            # The article written joined ("الطيب" reads "ltyb") where the Latin name leaves it
            # out ("Tayeb"): the word after it, a little below a pair of whole words (so the
            # aligner still tries the Latin article joined to the word: "al" + "Qaida").
            bare = ARTICLE_DROPPED_FACTOR * token_sim(latin, abjad[1:], False, True)
            if bare > ABJAD_SKELETON_FACTOR * sim:
                return bare
        return judged_reading_sim(latin, abjad, sim)
    if (pa := _abd_article(a)) and (pb := _abd_article(b)):
        # "Abd al-X" with the article spelt either way ("Abdulaziz" / "Abdelaziz", "Abdulla" /
        # "Abdallah"): the article's vowel is the romaniser's choice, and what follows it
        # tells the names apart.
        sa, sb = a[pa:], b[pb:]
        if _final_h(sa) == _final_h(sb):
            return ENDING_FACTOR
        if min(len(sa), len(sb)) >= AFFIX_MIN_STEM:
            return token_sim(sa, sb) * (1.0 if a[:pa] == b[:pb] else ENDING_FACTOR)
    stems = _strip_shared_affix(a, b)
    if stems and min(len(stems[0]), len(stems[1])) >= AFFIX_MIN_STEM:
        return token_sim(stems[0], stems[1])
    sim = spelling_sim(a, b)
    if sim < KEY_EQUAL_SIM and la >= 4 and lb >= 4:
        ka, kb = phonetic_key(a), phonetic_key(b)
        if ka == kb:
            sim = _equal_key_sim(sim, ka, KEY_STRONG_CONSONANTS)
        elif (sk := slavic_key(a)) == slavic_key(b):
            read = spelling_sim(slavic_spelling(a), slavic_spelling(b))
            sim = max(sim, _equal_key_sim(read, sk, KEY_STRONG_CONSONANTS))
        elif la >= 5 and lb >= 5:
            sim = max(sim, KEY_SIM_FACTOR * OSA.normalized_similarity(ka, kb) * KEY_EQUAL_SIM)
    if sim < KEY_EQUAL_SIM and la != lb:
        # Nominative endings of Greek, Baltic and Latin forms: "Alexandros",
        # "Lavrovs", "Marcus" against "Alexander", "Lavrov", "Marc".
        short, long = (a, b) if la < lb else (b, a)
        for end in NOMINATIVE_ENDINGS:
            if long.endswith(end) and len(long) - len(end) >= 4:
                sim = max(sim, ENDING_FACTOR * token_sim(long[: -len(end)], short))
                break
    if sim < NICKNAME_SIM and (a, b) in nickname_pairs():
        sim = NICKNAME_SIM
    if sim < ABBREV_SIM and (is_abbreviation(a, b) or is_abbreviation(b, a)):
        sim = ABBREV_SIM
    if sim < CHINESE_SIM and (same_chinese_name(a, b) if chinese is None else chinese):
        sim = CHINESE_SIM
    return sim


token_sim = lru_cache(maxsize=TOKEN_SIM_CACHE)(token_sim_uncached)


def feminine_form(a: str, b: str) -> bool:
    """One word is the other with the feminine "a" of Slavic, Romance and Arabic personal
    names added to its final consonant ("Luis"/"Luisa", "Krylov"/"Krylova"), in the same
    spelling or, for longer names, one letter apart ("Aleksandr"/"Alessandra")."""
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if not (len(long) == len(short) + 1 and len(short) >= 3 and long[-1] == "a" and short[-1] not in "aeiouy"):
        return False
    stem = long[:-1]
    return stem == short or (len(short) >= FEMININE_FUZZY_MIN and OSA.distance(stem, short) == 1)


def _equal_key_sim(spelling: float, key: str, strong_consonants: int) -> float:
    """The similarity of two words whose keys are both ``key``, given their ``spelling``
    similarity (see KEY_WEAK_SIM)."""
    if spelling >= KEY_SPELLING_MIN or consonant_runs(key) >= strong_consonants:
        return KEY_EQUAL_SIM
    return max(spelling, KEY_WEAK_SIM) if spelling >= KEY_WEAK_MIN_SPELLING else spelling

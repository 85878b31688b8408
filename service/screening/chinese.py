"""Romanisations of Chinese syllables: pinyin and Wade-Giles.

Older lists, press and Taiwanese documents write Chinese names in Wade-Giles
("Mao Tse-tung", "Hsi Chin-p'ing", "Chiang Kai-shek"), newer ones in pinyin
("Mao Zedong", "Xi Jinping"). Spelling similarity misses most of these pairs
(hs/x, ts/z, ch/j, -ung/-ong), so a token that can be read as a run of Chinese
syllables gets its possible pinyin readings (:func:`pinyin_readings`), and two
tokens with a reading in common are the same name (``CHINESE_SIM`` in
:mod:`.tokens`).

The syllable tables come from ``pypinyin`` (MIT; already used by
:mod:`.translit`): every toneless pinyin syllable of its dictionary and its
Wade-Giles form, kept in :mod:`.pinyin_syllables`. Apostrophes marking aspiration are usually dropped in lists
("Chin-ping" for Chin-p'ing), so a Wade-Giles syllable without them reads as
both the plain and the aspirated pinyin syllable ("ping" -> bing or ping).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from .pinyin_syllables import SYLLABLES

# A token longer than this is not a Chinese given name (at most 3 syllables).
MAX_SYLLABLES = 3
_MAX_READINGS = 64


def table_from_pypinyin() -> dict[str, tuple[str, ...]]:
    """Syllable as written (pinyin, or Wade-Giles without apostrophes) -> the toneless
    pinyin syllables it reads as, from pypinyin's dictionary. Kept in
    :mod:`.pinyin_syllables` so that screening Latin names does not load pypinyin (its
    phrase dictionary takes ~55 MB); ``tests/unit/test_screening_normalize.py`` checks the
    two agree, and :func:`write_table` rewrites the module."""
    # Imported here, not at the top: importing pypinyin takes ~180 ms and its phrase
    # dictionary ~55 MB, and only this check and write_table need it.
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    toned: set[str] = set()
    for readings in pinyin_dict.values():
        toned.update(readings.split(","))
    table: dict[str, set[str]] = {}
    for syl in toned:
        plain = convert(syl, Style.NORMAL, True, None)
        if not plain.isalpha() or not plain.isascii():
            continue
        table.setdefault(plain, set()).add(plain)
        wg = convert(syl, Style.WADEGILES, True, None)
        wg = "".join(ch for ch in wg if ch.isalpha()).replace("ü", "u")
        if wg.isascii() and wg:
            table.setdefault(wg, set()).add(plain)
    return {k: tuple(sorted(v)) for k, v in sorted(table.items())}


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, frozenset[str]], frozenset[str], frozenset[str]]:
    """(syllable as written -> pinyin syllables; the letters syllables start with; those
    they end with)."""
    table = {k: frozenset(v) for k, v in SYLLABLES.items()}
    # The tables write u-umlaut as "v" ("hsveh"); lists write it "u" ("Hsueh").
    for k, v in SYLLABLES.items():
        if "v" in k:
            u = k.replace("v", "u")
            table[u] = table.get(u, frozenset()) | frozenset(v)
    return table, frozenset(k[0] for k in table), frozenset(k[-1] for k in table)


@lru_cache(maxsize=10_000)
def pinyin_readings(token: str) -> frozenset[str]:
    """Pinyin spellings (syllables joined) ``token`` can be read as, taking
    each syllable as pinyin or as Wade-Giles; empty if it is not a run of
    1..MAX_SYLLABLES Chinese syllables ("tsetung" -> {"zedong", "cedong", ...})."""
    if not (2 <= len(token) <= 6 * MAX_SYLLABLES and token.isalpha() and token.isascii()):
        return frozenset()
    table, firsts, lasts = _tables()
    # Most words of other languages fail here: no syllable ends in d, k, s, t, y ...
    if token[0] not in firsts or token[-1] not in lasts:
        return frozenset()
    # Most of the rest fail at some letter ("garcia": no syllable starts "rc"): found first
    # by the fewest syllables that read each tail, a few dictionary lookups, before the
    # readings themselves are spelt out (a set per position, several times the cost).
    n = len(token)
    fewest = [MAX_SYLLABLES + 1] * (n + 1)
    fewest[n] = 0
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, min(n, i + 6) + 1):
            if fewest[j] < fewest[i] - 1 and token[i:j] in table:
                fewest[i] = fewest[j] + 1
    if fewest[0] > MAX_SYLLABLES:
        return frozenset()

    # A plain dict as memo, and a module function rather than a closure: a nested function
    # that calls itself holds itself through its closure, a reference cycle per call that
    # only the cyclic collector frees (all the cyclic garbage screening made).
    return _readings_from(token, 0, MAX_SYLLABLES, table, {})


def _readings_from(token: str, i: int, left: int, table: dict[str, frozenset[str]],
                   memo: dict[tuple[int, int], frozenset[str]]) -> frozenset[str]:
    """The readings of ``token[i:]`` in at most ``left`` syllables (see pinyin_readings)."""
    found = memo.get((i, left))
    if found is not None:
        return found
    if i == len(token):
        found = frozenset({""})
    elif left == 0:
        found = frozenset()
    else:
        out: set[str] = set()
        for j in range(i + 1, min(len(token), i + 6) + 1):
            heads = table.get(token[i:j])
            if not heads:
                continue
            tails = _readings_from(token, j, left - 1, table, memo)
            out.update(h + t for h in heads for t in tails)
            if len(out) > _MAX_READINGS:
                out = set()  # too ambiguous to say anything
                break
        found = frozenset(out)
    memo[(i, left)] = found
    return found


def same_chinese_name(a: str, b: str) -> bool:
    """True when the two tokens have a pinyin reading in common."""
    ra = pinyin_readings(a)
    return bool(ra) and not ra.isdisjoint(pinyin_readings(b))


def write_table() -> None:
    """Regenerate :mod:`.pinyin_syllables` (``python -c "from service.screening.chinese
    import write_table; write_table()"``)."""
    table = table_from_pypinyin()
    lines = ['"""Chinese syllables as written (pinyin, or Wade-Giles without apostrophes) -> the',
             "toneless pinyin syllables they read as. Generated from pypinyin's dictionary by",
             '``service.screening.chinese.write_table()``; do not edit."""', "",
             "SYLLABLES: dict[str, tuple[str, ...]] = {"]
    lines += [f"    {k!r}: {v!r}," for k, v in table.items()]
    lines += ["}", ""]
    Path(__file__).with_name("pinyin_syllables.py").write_text("\n".join(lines), encoding="utf-8")



# --- single syllables: Chinese (pinyin / Wade-Giles) and Korean --------------

# One Korean syllable romanised in McCune-Reischauer (apostrophes and breves
# dropped, as lists write it) or Revised Romanisation, with the spellings
# common on lists (Choi, Yoon, Park): initial consonant, vowel, final consonant.
_KOREAN_SYLLABLE = re.compile(
    r"(?:kk|tt|pp|ss|jj|ch|sh|k|g|n|d|t|r|l|m|b|p|s|j|h|y|w)?"
    r"(?:yae|yeo|wae|ya|ye|yo|yu|wa|wo|we|wi|oe|oi|ui|eo|eu|ae|oo|ee|a|e|i|o|u)"
    r"(?:ng|rk|k|g|n|t|d|l|r|m|p|b)?"
)
MAX_SYLLABLE_LEN = 6


@lru_cache(maxsize=10_000)
def is_syllable(token: str) -> bool:
    """One romanised Chinese (pinyin or Wade-Giles) or Korean syllable: "kang",
    "hsueh", "gyong", "suk"."""
    if not (2 <= len(token) <= MAX_SYLLABLE_LEN and token.isalpha() and token.isascii()):
        return False
    return token in _tables()[0] or _KOREAN_SYLLABLE.fullmatch(token) is not None


def is_syllable_run(token: str) -> bool:
    """One romanised syllable, or a Chinese given name of two or three syllables
    written as one word ("guangming", "jinping")."""
    return is_syllable(token) or bool(pinyin_readings(token))


def korean_key(syllable: str) -> str:
    """A Korean syllable with the McCune-Reischauer / Revised Romanisation
    differences folded: eo/o and eu/u (the breve dropped), initial g/k, d/t,
    b/p, j/ch (plain stops), sh/s, and the list spellings Choi, Yoon, Lee,
    Park ("gyeong" -> "kyong", "jeong" -> "chong", "gim" -> "kim")."""
    s = syllable.replace("eo", "o").replace("eu", "u").replace("oo", "u").replace("ee", "i")
    s = s.replace("oi", "oe").replace("rk", "k")
    if s.startswith(("g", "d", "b")):
        s = {"g": "k", "d": "t", "b": "p"}[s[0]] + s[1:]
    elif s.startswith(("j", "sh")):
        s = ("ch" if s[0] == "j" else "s") + s[1 if s[0] == "j" else 2 :]
    return s


def same_syllable(a: str, b: str) -> bool:
    """Two spellings of one syllable: a pinyin / Wade-Giles pair the syllable
    tables know ("hsueh"/"xue", "tuan"/"duan"), or a Korean romanisation pair
    ("gyong"/"kyong", "jong"/"chong", "gim"/"kim")."""
    return a == b or same_chinese_name(a, b) or korean_key(a) == korean_key(b)

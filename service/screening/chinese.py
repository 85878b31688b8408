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
Wade-Giles form. Apostrophes marking aspiration are usually dropped in lists
("Chin-ping" for Chin-p'ing), so a Wade-Giles syllable without them reads as
both the plain and the aspirated pinyin syllable ("ping" -> bing or ping).
"""

from __future__ import annotations

from functools import lru_cache

# A token longer than this is not a Chinese given name (at most 3 syllables).
MAX_SYLLABLES = 3
_MAX_READINGS = 64


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """(pinyin syllables, Wade-Giles syllable without apostrophes -> pinyin syllables)."""
    from pypinyin import Style
    from pypinyin.pinyin_dict import pinyin_dict
    from pypinyin.style import convert

    toned: set[str] = set()
    for readings in pinyin_dict.values():
        toned.update(readings.split(","))
    pinyin: set[str] = set()
    wade: dict[str, set[str]] = {}
    for syl in toned:
        plain = convert(syl, Style.NORMAL, True, None)
        if not plain.isalpha() or not plain.isascii():
            continue
        pinyin.add(plain)
        wg = convert(syl, Style.WADEGILES, True, None)
        wg = "".join(ch for ch in wg if ch.isalpha()).replace("ü", "u")
        if wg.isascii() and wg:
            wade.setdefault(wg, set()).add(plain)
    return frozenset(pinyin), {k: frozenset(v) for k, v in wade.items()}


def _syllable_readings(syl: str) -> frozenset[str]:
    pinyin, wade = _tables()
    out = set(wade.get(syl, ()))
    if syl in pinyin:
        out.add(syl)
    return frozenset(out)


@lru_cache(maxsize=50_000)
def pinyin_readings(token: str) -> frozenset[str]:
    """Pinyin spellings (syllables joined) ``token`` can be read as, taking
    each syllable as pinyin or as Wade-Giles; empty if it is not a run of
    1..MAX_SYLLABLES Chinese syllables ("tsetung" -> {"zedong", "cedong", ...})."""
    if not (2 <= len(token) <= 6 * MAX_SYLLABLES and token.isalpha() and token.isascii()):
        return frozenset()

    # A plain dict as memo: wrapping a closure in functools.cache on every
    # call costs more than the search itself.
    memo: dict[tuple[int, int], frozenset[str]] = {}

    def rest(i: int, left: int) -> frozenset[str]:
        found = memo.get((i, left))
        if found is None:
            found = memo[(i, left)] = _rest(i, left)
        return found

    def _rest(i: int, left: int) -> frozenset[str]:
        if i == len(token):
            return frozenset({""})
        if left == 0:
            return frozenset()
        out: set[str] = set()
        for j in range(i + 1, min(len(token), i + 6) + 1):
            heads = _syllable_readings(token[i:j])
            if not heads:
                continue
            tails = rest(j, left - 1)
            out.update(h + t for h in heads for t in tails)
            if len(out) > _MAX_READINGS:
                return frozenset()  # too ambiguous to say anything
        return frozenset(out)

    return rest(0, MAX_SYLLABLES)


def same_chinese_name(a: str, b: str) -> bool:
    """True when the two tokens have a pinyin reading in common."""
    ra = pinyin_readings(a)
    return bool(ra) and not ra.isdisjoint(pinyin_readings(b))

"""Transliteration of non-Latin scripts to ASCII.

We lean on two maintained libraries rather than home-grown tables:

* ``pypinyin`` for Chinese Han characters (anyascii would also give pinyin, but
  pypinyin knows the surname readings and polyphones better);
* ``anyascii`` for everything else (Cyrillic, Greek, Arabic, Persian, Hebrew,
  Hangul, kana, Armenian, Georgian, Thai, Devanagari, Latin diacritics ...);
* ``cyrtranslit`` for Serbian and Macedonian Cyrillic, which have a Latin alphabet
  of their own (:func:`south_slavic_latin`).

Han and Hangul are split into one token per syllable ("赵光宗" -> "zhao guang
zong", "김정은" -> "gim jeong eun"); the scorer re-joins adjacent syllables when
the other side writes them as one word ("Guangzong", "Jong-un").

Abjads (Arabic, Persian, Hebrew, Syriac, Thaana) and Thai/Khmer/Lao are written
mostly without short vowels, so their romanisation is a consonant skeleton
("محمد" -> "mhmd"). Tokens from these scripts are flagged so the scorer compares
them on consonant skeletons instead of full spellings. Katakana is flagged the
same way for the opposite reason: it adds vowels a Latin spelling does not have
("バラク" -> "baraku" for Barack), so consonants are what the two share.

Each Han or Hangul syllable also keeps its original character (see
:func:`segments`): two names written in the same logographic/syllabic script
are compared on the characters, because romanisation merges distinct ones
(習近平/習近朋 are "xi jin ping"/"xi jin peng", 高市/高石 both "gao shi").

Han names have a Japanese reading besides the Chinese one (山田太郎 is "Yamada
Taro", not "shan tian tai lang"): :func:`japanese_reading` gives it with
``pykakasi``; a short one may be a Korean name in hanja (金正恩 is "Kim Jong
Un", not "Jin Zhengen"): :func:`korean_reading` gives its Hangul from the
Unihan readings in :mod:`.hanja_ko`. The scorer tries all the readings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import cyrtranslit
from anyascii import anyascii

from .hanja_ko import ALT_READING, READING

# Script classes we need to tell apart, by code point range.
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_HANGUL = ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
_ABJAD = (
    (0x0590, 0x05FF),  # Hebrew
    (0x0600, 0x06FF),  # Arabic, Persian, Urdu
    (0x0700, 0x074F),  # Syriac
    (0x0750, 0x077F),
    (0x0780, 0x07BF),  # Thaana
    (0x08A0, 0x08FF),
    (0xFB1D, 0xFDFF),  # Hebrew / Arabic presentation forms
    (0xFE70, 0xFEFF),
    (0x0E00, 0x0EFF),  # Thai, Lao: anyascii drops most vowels too
    (0x1780, 0x17FF),  # Khmer
)


def _in(cp: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


def _class_of(ranges: tuple[tuple[int, int], ...]) -> re.Pattern[str]:
    """A regex character class of the code point ranges, searched in C (testing names
    character by character in Python was a third of a 100k-entity build's profiled time)."""
    return re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in ranges) + "]")


_HAN_CHAR = _class_of(HAN_RANGES)


# Bounded: queries are untrusted text, and every code point is a distinct key.
@lru_cache(maxsize=65_536)
def script_of(ch: str) -> str:
    """Coarse script class of one character: latin, han, hangul, kana, abjad, other."""
    cp = ord(ch)
    if cp < 0x0250:
        return "latin"
    if _in(cp, HAN_RANGES):
        return "han"
    if _in(cp, _HANGUL):
        return "hangul"
    if _in(cp, _KANA):
        return "kana"
    if _in(cp, _ABJAD):
        return "abjad"
    return "other"


def _pinyin(text: str) -> list[str]:
    """pypinyin's toneless reading of a run of Han characters."""
    # Imported on first use, not at the top: importing pypinyin takes ~180 ms and its
    # phrase dictionary ~55 MB, which a service screening only Latin names never needs
    # (tests/unit/test_screening_normalize.py checks it stays unloaded).
    from pypinyin import Style, lazy_pinyin

    return list(lazy_pinyin(text, style=Style.NORMAL))


def load_readers() -> None:
    """Load the Han and kanji readers now rather than on the first name in those scripts
    (pypinyin's phrase dictionary, pykakasi's when installed: about 80 MB). A server that
    forks its workers calls this before the fork, so they share one copy copy-on-write
    instead of each loading its own."""
    _pinyin("中文")
    japanese_reading("山田太郎")


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")

# Letters of Serbian and Macedonian Cyrillic that Russian, Ukrainian, Belarusian and
# Bulgarian do not have; the second set is Macedonian's own.
_SOUTH_SLAVIC = re.compile("[ЂЈЉЊЋЏЃЌЅђјљњћџѓќѕ]")
_MACEDONIAN = re.compile("[ЃЌЅѓќѕ]")
# Written without diacritics, Đ is "Dj" and Macedonian Ǵ/Ḱ "Gj"/"Kj" (OFAC's "DJORDJEVIC",
# not "DORDEVIC" as stripping the stroke would give).
_SOUTH_SLAVIC_ASCII = str.maketrans({"Đ": "Dj", "đ": "dj", "Ǵ": "Gj", "ǵ": "gj", "Ḱ": "Kj", "ḱ": "kj"})


def south_slavic_latin(text: str) -> str:
    """A name in Serbian or Macedonian Cyrillic written in that language's own Latin
    alphabet, as the lists write those names ("Жељка Цвијановић" is "Željka Cvijanović",
    not anyascii's English-style "Zheljka Tsvijanovic"); any other text unchanged. One
    letter of those alphabets decides for the whole name: its other words are the same
    language ("Жарко" beside "Петровић")."""
    if text.isascii() or not _SOUTH_SLAVIC.search(text):
        return text
    lang = "mk" if _MACEDONIAN.search(text) else "sr"
    return str(cyrtranslit.to_latin(text, lang)).translate(_SOUTH_SLAVIC_ASCII)


# Persian family-name suffixes: -pur ("son of"), -zadeh ("born of"), -nezhad ("of the
# lineage of"). Written after a zero-width non-joiner ("علی‌پور", Alipour), which clean()
# removes, so the two make one word; a space typed for the non-joiner must do the same.
_PERSIAN_SUFFIX = re.compile(r"(?<=[\u0600-\u06ff])\s+(پور|زاده|نژاد)(?![\u0600-\u06ff])")


def persian_suffixes_joined(text: str) -> str:
    """A Persian family name written with a space before its suffix made one word again
    ("علی پور" -> "علیپور", Alipour): the suffix is no word of its own, and apart it
    leaves "Ali" to match another man's given name."""
    return text if text.isascii() else _PERSIAN_SUFFIX.sub(r"\1", text)


@lru_cache(maxsize=10_000)
def transliterate_word(word: str) -> tuple[str, bool]:
    """Romanise one whitespace-free word. Returns (ascii text, from_abjad).

    The result keeps case so the caller can still split CamelCase. Words that
    mix scripts are handled run by run."""
    if word.isascii():
        return word, False
    out: list[str] = []
    abjad = False
    run: list[str] = []
    run_script = ""

    def flush() -> None:
        nonlocal abjad
        if not run:
            return
        text = "".join(run)
        if run_script == "han":
            # One token per syllable; the scorer merges them back when needed.
            out.append(" " + " ".join(_pinyin(text)) + " ")
        elif run_script == "hangul":
            # anyascii gives Revised Romanisation "GimJeongEun"; split the
            # syllables and move them towards the spellings used on lists.
            syllables = [anyascii(ch).lower() for ch in text if anyascii(ch).strip()]
            out.append(" " + " ".join(_korean(syllables)) + " ")
        else:
            if run_script in ("abjad", "kana"):
                abjad = True
            if not out and text[:1] in "Єє":
                # Ukrainian Є opening a word is "Ye" in every romanisation lists use (Yevhen,
                # Yevgeny), where anyascii writes "Ie" ("Ievgen").
                ye = "YE" if text[1:2].isupper() else ("Ye" if text[0] == "Є" else "ye")
                out.append(ye + anyascii(text[1:]))
            elif not out and text[:1] in _OPENING_VOWEL and not (text[:1] in "اأإٱ" and text[1:2] == "ل"):
                # A word opening on alef or ain opens on a vowel ("أحمد" Ahmad, "عمر" Omar),
                # which anyascii leaves out or writes as an apostrophe: kept as "a", so that a
                # Latin spelling's first vowel has something to meet ("حميد" is Hamid, not
                # Ahmed). Not alef before lam: the article, and "الياس" (Elias), keep their "l".
                out.append("a" + anyascii(text[1:]))
            else:
                out.append(anyascii(text))
        run.clear()

    for ch in word:
        sc = script_of(ch)
        if sc == "latin" and unicodedata.category(ch).startswith("M"):
            sc = run_script or "latin"
        if sc != run_script:
            flush()
            run_script = sc
        run.append(ch)
    flush()
    return "".join(out), abjad


# Alef in its forms, and ain, opening an Arabic or Hebrew word (see transliterate_word).
_OPENING_VOWEL = frozenset("اأإآعٱאע")

# Revised Romanisation -> the McCune-Reischauer-like spellings found on
# sanctions lists (Kim Jong Un, Pak, Choe): vowel digraphs eo/eu lose their
# e, initial plain stops are written voiceless. Common surnames have a fixed
# conventional spelling.
_KOREAN_SURNAMES = {"gim": "kim", "i": "lee", "yi": "lee", "ri": "ri", "bag": "park",
                    "bak": "park", "pak": "pak", "choe": "choe", "jeong": "jong",
                    "gang": "kang", "jo": "cho", "yun": "yun", "jang": "jang", "im": "lim",
                    "han": "han", "o": "oh", "seo": "so", "sin": "shin", "gwon": "kwon",
                    "hwang": "hwang", "an": "an", "song": "song", "ryu": "ryu", "hong": "hong"}


def _korean(syllables: list[str]) -> list[str]:
    out = []
    for k, syl in enumerate(syllables):
        if k == 0 and len(syllables) >= 2 and syl in _KOREAN_SURNAMES:
            out.append(_KOREAN_SURNAMES[syl])
            continue
        s = syl.replace("eo", "o").replace("eu", "u")
        if s[:1] in ("g", "b", "d") and k == 0:
            s = {"g": "k", "b": "p", "d": "t"}[s[0]] + s[1:]
        if s.endswith("g") and not s.endswith("ng"):
            s = s[:-1] + "k"
        out.append(s)
    return out


@lru_cache(maxsize=10_000)
def segments(word: str) -> tuple[tuple[str, bool, str], ...]:
    """One whitespace-free word -> pieces ``(romanised text, vowel-less, origin)``.

    A Han or Hangul character becomes its own piece with ``origin`` set to the
    character; other runs are romanised by :func:`transliterate_word` with an
    empty origin."""
    if word.isascii():
        return ((word, False, ""),)
    pieces: list[tuple[str, bool, str]] = []
    run: list[str] = []
    run_script = ""

    def flush() -> None:
        if not run:
            return
        text = "".join(run)
        if run_script == "han":
            # The whole run at once: pypinyin picks polyphone readings in context.
            syllables = _pinyin(text)
            if len(syllables) == len(run):
                pieces.extend((syl, False, ch) for syl, ch in zip(syllables, run, strict=True))
            else:
                pieces.append((" ".join(syllables), False, ""))
        elif run_script == "hangul":
            keep = [(anyascii(ch).lower(), ch) for ch in run]
            keep = [(syl, ch) for syl, ch in keep if syl.strip()]
            korean = _korean([syl for syl, _ in keep])
            pieces.extend((syl, False, ch) for syl, (_, ch) in zip(korean, keep, strict=True))
        else:
            latin, flag = transliterate_word(text)
            pieces.append((latin, flag, ""))
        run.clear()

    for ch in word:
        sc = script_of(ch)
        cjk = sc if sc in ("han", "hangul") else "rest"
        if cjk != run_script:
            flush()
            run_script = cjk
        run.append(ch)
    flush()
    return tuple(pieces)


# pykakasi's converter once loaded, False when the optional extra is missing: typed Any
# because the module may be absent when the engine is type-checked and compiled.
_KAKASI: Any = None
_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"))


def has_han(text: str) -> bool:
    return not text.isascii() and _HAN_CHAR.search(text) is not None


@lru_cache(maxsize=20_000)
def japanese_reading(text: str) -> str | None:
    """Hepburn reading of a name with Han characters, long vowels unmarked as
    on passports ("山田太郎" -> "yamada taro"); None without Han characters, or with
    only one or two of them and no kana.

    pykakasi is loaded on first use (its dictionaries take ~0.5 s). It is GPL-licensed, so
    it is an optional extra (``pip install sanctions-service[japanese]``): without it, names
    in kanji are read as Chinese (pinyin) only."""
    if not has_han(text):
        return None
    if not any(script_of(ch) == "kana" for ch in text) and sum(script_of(ch) == "han" for ch in text) < 3:
        # Two characters and no kana: a Chinese name far more often than a Japanese one,
        # whose on'yomi would read like a Cantonese or Wade-Giles spelling (沈瑜 "chin yu").
        return None
    global _KAKASI
    if _KAKASI is None:
        try:
            # Optional dependency (the [japanese] extra), ~20 ms to import and ~0.5 s to
            # load its dictionaries: imported on the first name in kanji.
            import pykakasi
        except ImportError:
            _KAKASI = False
        else:
            _KAKASI = pykakasi.kakasi()
    if _KAKASI is False:
        return None
    words = []
    for part in _KAKASI.convert(text):
        reading = str(part["hepburn"])
        for a, b in _LONG_VOWELS:
            reading = reading.replace(a, b)
        words.append(reading)
    return " ".join(w for w in words if w.strip())


# Letters that Persian, Urdu and Pashto (and Turkish and Indian spellings of Arabic names)
# pronounce otherwise than anyascii's Arabic values: ض ذ ظ as "z" (Fazal, Morteza, Nazar,
# Zia), ث as "s" (Kiyumars, Osman); and Persian's own ژ, which anyascii writes "zh" and
# Latin spellings as often "j" (Nejad, Bijan). Each is written as the Arabic letter that
# reads so.
_PERSIAN_VALUES = str.maketrans({"ض": "ز", "ذ": "ز", "ظ": "ز", "ث": "س", "ژ": "ج"})


@lru_cache(maxsize=20_000)
def persian_reading(text: str) -> str | None:
    """The name with ض ذ ظ ث read as Persian reads them ("فضل" -> "fzl", Fazal, where the
    Arabic reading is "fdl", Fadl) and ژ as "j" ("نژاد", Nejad); None when it has none of
    them. Both readings are screened: the letters alone do not tell an Arabic name from a
    Persian one."""
    if text.isascii():
        return None
    other = text.translate(_PERSIAN_VALUES)
    return other if other != text else None


# عبد read without vowels, alone ("عبد الحكيم") or with the article joined ("عبدالقدیر").
ABD = "abd"
ABD_ARTICLE = "abdl"
# "Abd al-" written as one word, as Latin spellings do (and as abd_compounds reads it).
ABD_WITH_ARTICLE = frozenset({"abdul", "abdel", "abdal", "abdol", "abdoul", ABD_ARTICLE})
# The first word of an "Abd al-X" name in any of those spellings.
ABD_NAMES = ABD_WITH_ARTICLE | {ABD, "abdur", "abdu"}


def abd_compounds(
    tokens: list[str], flags: list[bool], origins: list[str]
) -> tuple[list[str], list[bool], list[str]]:
    """Arabic-script "Abd al-X" names read the way Latin spellings cut them: "Abdul Hakim".

    The article belongs to عبد in the romanisations lists use (Abdul, Abdel, Abdal), but
    Arabic script joins it to the next word: read as written, "عبد الحكيم" is "abd" +
    "lhkym" and pairs neither word well with "abdul" + "hakim". Both forms become "abdl" + the
    name ("عبدالقدیر" too: "abdl" + "qdyr"); a Latin "Abdulqadir" still pairs with the two
    joined."""
    out_t: list[str] = []
    out_f: list[bool] = []
    out_o: list[str] = []
    k = 0
    while k < len(tokens):
        tok, abjad = tokens[k], flags[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if abjad and tok == ABD and flags[k + 1 : k + 2] == [True] and nxt[:1] == "l" and len(nxt) >= 4:
            parts = (ABD_ARTICLE, nxt[1:])
            k += 2
        elif abjad and tok.startswith(ABD_ARTICLE) and len(tok) >= len(ABD_ARTICLE) + 3:
            parts = (ABD_ARTICLE, tok[len(ABD_ARTICLE) :])
            k += 1
        else:
            out_t.append(tok)
            out_f.append(abjad)
            out_o.append(origins[k])
            k += 1
            continue
        out_t.extend(parts)
        out_f.extend((True, True))
        out_o.extend(("", ""))
    return out_t, out_f, out_o


_HANJA: dict[str, str] | None = None
_HANJA_SURNAME: dict[str, str] | None = None
# Korean names in hanja are a one-character surname and a one- or two-character
# given name (rarely two-character surnames: 南宮, 諸葛).
KOREAN_NAME_LENGTHS = (2, 3, 4)


def _hanja_tables() -> tuple[dict[str, str], dict[str, str]]:
    global _HANJA, _HANJA_SURNAME
    if _HANJA is None or _HANJA_SURNAME is None:
        _HANJA = {ch: hangul for hangul, chars in READING.items() for ch in chars}
        _HANJA_SURNAME = {ch: hangul for hangul, chars in ALT_READING.items() for ch in chars}
    return _HANJA, _HANJA_SURNAME


@lru_cache(maxsize=20_000)
def korean_reading(text: str) -> str | None:
    """Hangul reading of a name written in 2-4 Han characters, with the
    surname read in its name form ("金正恩" -> "김정은"); None for other text
    or a character without a known reading."""
    chars = [ch for ch in text if not (ch.isspace() or ch in "·・.")]
    if len(chars) not in KOREAN_NAME_LENGTHS or not all(script_of(ch) == "han" for ch in chars):
        return None
    plain, surname = _hanja_tables()
    out = []
    for k, ch in enumerate(chars):
        hangul = (surname.get(ch) if k == 0 else None) or plain.get(ch)
        if hangul is None:
            return None
        out.append(hangul)
    return "".join(out)

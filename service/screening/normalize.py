"""Text normalisation: from a raw name to comparable ASCII tokens.

Rules, in the order they are applied (each has a unit test):

1. Unicode NFKC (full-width letters, ligatures, compatibility forms).
2. Explicit bidi overrides applied, then invisible characters removed. Text
   inside a right-to-left override (U+202E ... U+202C) displays in reverse, so
   "\u202egnozgnauG oahZ\u202c" shows as "Zhao Guangzong" and is read as that
   (see :func:`apply_overrides`). Zero-width space/joiners, BOM, soft hyphen,
   bidi controls (category Cf) and control characters are dropped; a control
   character that breaks a line or a field (CR, VT, FF, the C1 NEL ...) is a
   space. They are used to make a listed name look different to a naive matcher.
3. Homoglyphs folded: in a word that mixes Latin with Cyrillic/Greek letters,
   the look-alike Cyrillic/Greek letters become Latin ("Vlаdimir" with a
   Cyrillic "а" is "Vladimir"), unless Cyrillic letters without a Latin look-alike
   remain: then the Latin look-alikes become Cyrillic ("Iльмирович" with a Latin "I" is
   "Ільмирович"). A word wholly in Cyrillic is real Cyrillic and is transliterated instead.
4. Transliteration of other scripts (see :mod:`.translit`), diacritics dropped.
5. CamelCase split ("AlisherUsmanov" -> "alisher usmanov").
6. Case folding.
7. "&" -> "and"; apostrophes dropped ("Qa'ida" -> "qaida"); dotted initialisms
   joined ("A.B.C." -> "abc", "L.L.C." -> "llc"); other punctuation -> space.
8. Number words -> digits ("forty-four" -> "44", "first"/"1st" -> "1").

The comparison keys derived from the tokens are in :mod:`.keys`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .translit import abd_compounds, persian_suffixes_joined, segments, south_slavic_latin

# Category Cf covers ZWSP/ZWJ/ZWNJ, BOM, soft hyphen, LRM/RLM and the bidi
# embeddings/isolates; Cc covers control characters.
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Co", "Cs"}

# Cyrillic and Greek letters that render like Latin ones. Only applied inside
# mixed-script words (see rule 3), so genuine Cyrillic text is untouched.
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic lower / upper
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
        "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
        "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
        # Greek lower / upper
        "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ϲ": "c",
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    }
)
_CYR_GREEK = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
# Latin letters that render like Cyrillic ones, for a Cyrillic word with a stray Latin letter.
_CYRILLIC_LOOKALIKES = str.maketrans(
    {lat: cyr for cyr, lat in zip("аеікмнорстухіјАВЕІКМНОРСТХЈ", "aeikmhopctyxijABEIKMHOPCTXJ", strict=True)}
)
_LATIN = re.compile(r"[A-Za-z]")


def strip_invisible(text: str) -> str:
    """Drop invisible characters; whitespace control characters (TAB, LF, CR, VT, FF,
    FS-US, NEL) become spaces, as they separate words on screen."""
    if text.isprintable():
        # No character of a category "Other" (nor a separator but the space): none to drop,
        # which is nearly every name; tested in C, where the loop below calls Python per letter.
        return text
    return "".join(
        (" " if ch.isspace() else "") if unicodedata.category(ch) in _INVISIBLE_CATEGORIES else ch
        for ch in text
    )


# Explicit bidi formatting characters.
_LRE, _RLE, _PDF, _LRO, _RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
_LRI, _RLI, _FSI, _PDI = "\u2066", "\u2067", "\u2068", "\u2069"
_EMBEDDINGS = (_LRE, _RLE, _LRO, _RLO)
_ISOLATES = (_LRI, _RLI, _FSI)


def _right_to_left(piece: str) -> bool:
    return unicodedata.bidirectional(piece[0]) in ("R", "AL")


def _reading_order(visual: list[str]) -> list[str]:
    """Pieces shown left to right -> in the order a reader reads them: Latin left to
    right, each run of right-to-left letters (Hebrew, Arabic ...) from its right end."""
    out: list[str] = []
    i = 0
    while i < len(visual):
        if not _right_to_left(visual[i]):
            out.append(visual[i])
            i += 1
            continue
        end = i  # the run's last right-to-left piece; neutrals inside the run go with it
        for j in range(i + 1, len(visual)):
            if _right_to_left(visual[j]):
                end = j
            elif unicodedata.bidirectional(visual[j][0]) == "L":
                break
        out.extend(reversed(visual[i : end + 1]))
        i = end + 1
    return out


def _close(frames: list[list[str]], kinds: list[str]) -> None:
    """End the innermost span: its text joins the enclosing span as one piece."""
    pieces = frames.pop()
    kind = kinds.pop()
    if kind == _RLO:
        pieces = _reading_order(pieces[::-1])
    elif kind == _LRO:
        pieces = _reading_order(pieces)
    # Embeddings and isolates do not reorder Latin letters: kept in logical order.
    if pieces:
        frames[-1].append("".join(pieces))


def apply_overrides(text: str) -> str:
    """The text in the order it is read on screen, for the explicit-override part of the
    Unicode bidi algorithm: inside LRO/RLO ... PDF (or to the end of the paragraph)
    characters are shown left-to-right / right-to-left whatever their script, so
    "\u202egnozgnauG oahZ\u202c" shows as "Zhao Guangzong". Spans nest (a span inside an
    RLO moves as a block); combining marks stay on their base letter. Text outside
    overrides keeps its logical order, which is already its reading order. The formatting
    characters themselves are left out."""
    if _LRO not in text and _RLO not in text:
        return text
    frames: list[list[str]] = [[]]
    kinds: list[str] = [""]
    for ch in text:
        if ch in _EMBEDDINGS or ch in _ISOLATES:
            frames.append([])
            kinds.append(ch)
        elif ch == _PDF:
            if kinds[-1] in _EMBEDDINGS:
                _close(frames, kinds)
        elif ch == _PDI:
            if any(k in _ISOLATES for k in kinds):
                while kinds[-1] not in _ISOLATES:
                    _close(frames, kinds)
                _close(frames, kinds)
        elif unicodedata.bidirectional(ch) == "B":  # a paragraph break ends every span
            while len(frames) > 1:
                _close(frames, kinds)
            frames[0].append(ch)
        elif unicodedata.combining(ch) and frames[-1]:
            frames[-1][-1] += ch
        else:
            frames[-1].append(ch)
    while len(frames) > 1:
        _close(frames, kinds)
    return "".join(frames[0])


def logical_reading(text: str) -> str | None:
    """``text`` with its override characters dropped and its logical order kept, when it has
    any (else None): what a system that strips bidi controls would pass on."""
    if _LRO not in text and _RLO not in text:
        return None
    return "".join(ch for ch in text if ch not in (_LRO, _RLO, _PDF))


# A label before the name inside an alternative: "(original script: Амир Хазмат)", "(a.k.a.
# Abu Shayma)", "(formerly Foo Ltd)", "(t/a Acme Trading)".
_ALT_LABEL = re.compile(
    r"^\s*(?:[^\W\d_][\w ./-]{0,30}:|(?:a\.?k\.?a|f\.?k\.?a|n\.?k\.?a|d\.?b\.?a|t/a|formerly|"
    r"also known as|trading as|known as|previously)\b\.?)\s*",
    re.IGNORECASE,
)
_ALT_INNER = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


#: Alternatives screened at most per name: each costs a whole screening, and a 500-character
#: "a;b;c;..." must not cost two hundred.
MAX_ALTERNATIVES = 8


def alternative_names(text: str) -> list[str]:
    """The names a field holds besides itself when it lists alternatives: "حسن غول (Hassan
    Ghul; Hasan Gul)" is also "حسن غول", "Hassan Ghul" and "Hasan Gul" (the UK list writes
    native-script names so, and vendor files "Acme Ltd (formerly Foo Ltd)"). Each is screened
    on its own and the best score of an entity counts: the whole string reads as one long
    name with every word of the others unexplained. [] when there are none; the first
    MAX_ALTERNATIVES when there are more."""
    if "(" not in text and "[" not in text and ";" not in text:
        return []
    inner = [a or b for a, b in _ALT_INNER.findall(text)]
    outer = _ALT_INNER.sub(" ", text)
    out: list[str] = []
    for chunk in (outer, *inner):
        for part in chunk.split(";"):
            part = " ".join(_ALT_LABEL.sub("", part).split()).strip(" ,.-:")
            if part and part != text and part not in out and any(ch.isalnum() for ch in part):
                out.append(part)
                if len(out) == MAX_ALTERNATIVES:
                    return out
    return out


def fold_homoglyphs(text: str) -> str:
    """Fold Cyrillic/Greek look-alikes to Latin inside mixed-script words."""
    words = text.split()
    if not any(_CYR_GREEK.search(w) for w in words):
        return text
    # A name written mostly in Latin letters: an all-look-alike word such as
    # "АВС" is also a disguise, not real Cyrillic.
    # Which way a mixed word folds: to Latin when that leaves no Cyrillic letter ("Vlаdimir"),
    # to Cyrillic when it does: Ukrainian and Belarusian "і" typed as a Latin "I" on a Latin
    # keyboard ("Iльмирович", "ТЕМIРГАЛIЄВ") is Cyrillic text with a stray Latin letter.
    words = [
        w.translate(_CYRILLIC_LOOKALIKES)
        if _LATIN.search(w) and _CYRILLIC.search(w) and _CYR_GREEK.search(w.translate(_HOMOGLYPHS))
        else w
        for w in words
    ]
    latin_name = sum(1 for w in words if _LATIN.search(w)) > len(words) / 2
    out = []
    for w in words:
        if _CYR_GREEK.search(w):
            folded = w.translate(_HOMOGLYPHS)
            if _LATIN.search(w) or (latin_name and not _CYR_GREEK.search(folded)):
                w = folded
        out.append(w)
    return " ".join(out)


def clean(text: str) -> str:
    """Rules 1-3: NFKC, bidi overrides applied and invisible characters removed,
    homoglyphs folded."""
    text = unicodedata.normalize("NFKC", text)
    text = strip_invisible(apply_overrides(text))
    return fold_homoglyphs(text)


# Not after a Gaelic "Mc"/"Mac": "McKesson" is one name, not "Mc" + "Kesson".
_CAMEL = re.compile(r"(?<=[a-z])(?<!\bMc)(?<!\bMac)(?=[A-Z][a-z])")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u02bb`\u00b4]")
_INITIALISM = re.compile(r"(?<![a-z0-9])((?:[a-z]\.){2,}[a-z]?)(?![a-z0-9])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_ORDINAL_WORDS = {"first": 1, "second": 2, "third": 3}
#: The words read as numbers (rule 8).
NUMBER_WORDS: frozenset[str] = frozenset(_UNITS) | frozenset(_TENS) | frozenset(_ORDINAL_WORDS)


def _numbers(tokens: list[str]) -> list[str]:
    """Rule 8: number words and ordinals to digits."""
    out: list[str] = []
    for tok in tokens:
        m = _ORDINAL.match(tok)
        if m:
            tok = m.group(1)
        elif tok in _ORDINAL_WORDS:
            tok = str(_ORDINAL_WORDS[tok])
        elif tok in _UNITS:
            # "forty four" / "forty 4": add a unit to a preceding tens word.
            if out and out[-1].isdigit() and int(out[-1]) in _TENS.values():
                out[-1] = str(int(out[-1]) + _UNITS[tok])
                continue
            tok = str(_UNITS[tok])
        elif tok in _TENS:
            tok = str(_TENS[tok])
        elif tok.isdigit() and len(tok) == 1 and out and out[-1].isdigit():
            if int(out[-1]) in _TENS.values():
                out[-1] = str(int(out[-1]) + int(tok))
                continue
        out.append(tok)
    return out


Tokenized = tuple[tuple[str, ...], tuple[bool, ...], tuple[str, ...]]


def tokenize_uncached(text: str) -> Tokenized:
    """Raw name -> (ASCII tokens, per-token 'vowel-less script' flags, per-token
    original Han/Hangul character or "").

    Uncached so that building a large index does not fill a cache with names
    that are seen once; queries go through :func:`tokenize_full`."""
    text = persian_suffixes_joined(south_slavic_latin(clean(text)))
    tokens: list[str] = []
    flags: list[bool] = []
    origins: list[str] = []
    for word in text.split():
        if word.isascii() and word.isalnum() and (word.islower() or word.isupper() or word.istitle()):
            # Letters and digits in one case, or capitalised: no camel case to split, nothing
            # to drop or join, so the word itself, lower-cased. Most words are; with the check in
            # strip_invisible, this made preparing a million names' index 12% faster.
            tokens.append(word.lower())
            flags.append(False)
            origins.append("")
            continue
        # Plain ASCII words skip the (cached) script segmentation: at index
        # build time they are most words, and mostly seen once.
        for romanised, abjad, origin in ((word, False, ""),) if word.isascii() else segments(word):
            romanised = _CAMEL.sub(" ", romanised).casefold()
            romanised = romanised.replace("&", " and ")
            romanised = _APOSTROPHES.sub("", romanised)
            romanised = _INITIALISM.sub(lambda m: m.group(1).replace(".", ""), romanised)
            for part in _NON_ALNUM.split(romanised):
                if part:
                    tokens.append(part)
                    flags.append(abjad)
                    origins.append(origin)
    if any(flags):
        tokens, flags, origins = abd_compounds(tokens, flags, origins)
    converted = _numbers(tokens)
    if len(converted) != len(tokens):
        # Number words merged: flags only matter for abjad/CJK tokens, which
        # have no number words, so realign by padding.
        flags = flags[: len(converted)]
        origins = origins[: len(converted)]
    return tuple(converted), tuple(flags), tuple(origins)


tokenize_full = lru_cache(maxsize=2_000)(tokenize_uncached)


def tokenize(text: str) -> list[str]:
    """Raw name -> list of normalised ASCII tokens."""
    return list(tokenize_full(text)[0])


def normalize_text(text: str) -> str:
    """Raw name -> normalised single string (tokens joined by spaces)."""
    return " ".join(tokenize_full(text)[0])

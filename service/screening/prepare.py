"""A name as weighted tokens, read the way its type class is compared.

A person's name keeps repeated parts and marks initials, particles ("al",
"bin"), generational suffixes, patronymics ("Viktorovich" between a given name
and a surname) and the father's name after "bin"/"ibn"; titles ("Mr") are
dropped. A company, vessel or aircraft name has its legal forms made canonical
("Limited" -> "ltd"), Roman numerals read as numbers and its legal forms, stop
words and generic business words marked. Each kind weighs
:data:`~.tokens.KIND_WEIGHT`.

A name in Han characters has other readings besides its pinyin: Japanese
(山田太郎 -> "yamada taro") and, for a person, Korean (金正恩 -> "kim jong un").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from .chinese import is_syllable
from .companies import (
    GENERIC_WORDS,
    LEGAL_FORMS,
    PARTICLES,
    ROMAN_NUMERALS,
    STOP_WORDS,
    TITLES,
    VESSEL_PREFIXES,
    canonical_legal_forms,
    has_legal_form,
    unglued,
)
from .normalize import Tokenized, tokenize_full, tokenize_uncached
from .tokens import (
    DIGIT,
    GENERIC,
    INITIAL,
    LEGAL,
    NORMAL,
    PARTICLE,
    PATRONYMIC,
    STOP,
    Tok,
    weight_for,
)
from .translate import translated_readings
from .translit import ABD_NAMES, has_han, japanese_reading, korean_reading, persian_reading

__all__ = ["prepare", "prepare_uncached", "readings", "spelling_readings", "type_class"]

_PATRONYMIC_ENDINGS = ("ovich", "evich", "ovitch", "evitch", "ovitsch", "evitsch", "ovna", "evna", "ovych", "evych", "ivna", "ogly", "kyzy")
# "X bin Y": Y is the father's name. Swapping father and son is another person.
_FILIAL = frozenset({"bin", "ibn", "ben", "bint", "binti", "bte", "ould", "walad"})
# The first word of an "Abd al-X" name (translit.ABD_NAMES) weighs half a name.
ABD_WEIGHT = 0.5
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


def _without_titles(toks: list[str], abjad: dict[str, bool], after_comma: int) -> list[str]:
    """The words less the titles that open the name or the part after its comma ("Dr.
    Abdul Latif", "SALEH, Dr. Abdul Latif"). Elsewhere a title word is a name: "Mayela
    Car Dona Martinez" has "Dona" (of Cardona), not Doña; and a word read from Arabic script
    is never an English title ("عامر", Amer, reads "mr")."""
    kept: list[str] = []
    opening = True
    for k, t in enumerate(toks):
        if k == after_comma and k:
            opening = True
        if opening and t in TITLES and not abjad.get(t):
            continue
        opening = False
        kept.append(t)
    return kept or toks


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
        # "HEJAZI, Ali Asghar": the words before the comma are the family name; a name in
        # Han or Hangul characters ("김승민", "中村 治") starts with it.
        head, comma, rest = name.partition(",")
        head_toks = tokenizer(head)[0] if comma and rest.strip() else ()
        surname = set(head_toks)
        kept = _without_titles(toks, abjad, len(head_toks))
        if not surname and kept and origin.get(kept[0]):
            surname = {kept[0]}
        after_filial = False
        # The last word as the name is spoken: the family name of "SURNAME, Given names".
        last = head_toks[-1] if head_toks else (kept[-1] if kept else "")
        for k, t in enumerate(kept):
            if t in seen and len(t) == 1:
                continue
            # A repeated part is kept: "Abdul Kabir Abdul Jan" has two Abduls,
            # and the second one contradicts "Mohammad" in "Abdul Kabir
            # Mohammad Jan"; against "Sergey Shoigu", "Sergey Sergey Shoigu"
            # only has an extra part.
            seen.add(t)
            orig = origin.get(t, "")
            if t.isdigit():
                kind = DIGIT
            elif orig:
                # A syllable read from Han/Hangul is a name part, whatever Latin word it
                # spells: 本 "ben" is no "ben" (son of), 安 "an" no Arabic article.
                kind = NORMAL
            elif len(t) == 1 and not (len(head_toks) == 1 and k == 0 and t.isalpha()) and not abjad.get(t):
                # A letter is an initial, except a whole family name before the comma: the
                # Korean one-syllable surnames written "O", "I", "U" ("O, Yong Ho"); and a
                # word of Arabic script read as one letter ("دعاء", Duaa, reads "d": ain,
                # alef and hamza are not written in Latin letters), which is a whole name.
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
            if kind == NORMAL and t in ABD_NAMES and t != last:
                # "Abdul Majeed" is one name, "servant of the Glorious": its "Abdul" says as
                # little alone as a particle, and a shared one is no second matched word.
                w = ABD_WEIGHT
            # The father's name is the first real name after "bin", past an
            # article: "bin al-Din" names "Din".
            filial = False
            if kind == NORMAL:
                filial, after_filial = after_filial, False
            elif t in _FILIAL:
                after_filial = True
            out.append(Tok(t, w, kind, abjad.get(t, False), filial, orig, kind == NORMAL and t in surname))
        # The person's own given name, written first after the comma ("YUSUF, Isse Mohamed"):
        # the later ones are often the father's and grandfather's (score.py). Not a particle
        # or honorific ("ISHAQZAI, Haji Lal Jan": "Lal Jan" may be one name).
        own = next((t for t in toks[len(head_toks):] if t not in TITLES), "") if head_toks else ""
        for i, tok in enumerate(out):
            if tok.text == own and tok.kind == NORMAL and not tok.surname and not tok.orig:
                out[i] = replace(tok, given_first=True)
        out = _syllables_weighed_alike(out)
    else:
        toks, _ = canonical_legal_forms(toks)
        for i, t in enumerate(toks):
            if i > 0 and t in ROMAN_NUMERALS:
                t = ROMAN_NUMERALS[t]
            if t in seen and (t in LEGAL_FORMS or t in STOP_WORDS):
                continue
            # A repeated word is kept, as in personal names: "NACIONAL Y INTER NACIONAL"
            # is "NACIONAL Y INTERNACIONAL" once its last two words are joined, "DEL ARI
            # ARI" is "DEL ARIARI". A repeated legal form or stop word says nothing more.
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


def spelling_readings(
    main: tuple[Tok, ...], cls: str, prep: Callable[[str, str], tuple[Tok, ...]]
) -> list[tuple[Tok, ...]]:
    """An organisation's other readings of its own spelling (``main``, prepared): with each
    repeated word kept once, and with the legal forms and number words glued to its words
    split off ("SOLTECHLIMITED" -> "soltech limited", prepared by ``prep``). Queries
    (:func:`readings`) and listed names (the index) are read alike."""
    if cls == "person":
        return []
    out = []
    if once := _without_repeats(main):
        out.append(once)
    if split := _unglued(main):
        alt = prep(split, cls)
        if alt and alt != main and alt not in out:
            out.append(alt)
    return out


def _without_repeats(toks: tuple[Tok, ...]) -> tuple[Tok, ...] | None:
    """The name with each repeated word kept once, or None when no word repeats: the
    name as written keeps them, as a second copy may be half of a split word ("NACIONAL Y
    INTER NACIONAL"), while here it is a slip of the source ("Научно-ис
    Научно-исследовательский": the first word written twice)."""
    seen: set[str] = set()
    once = []
    for t in toks:
        if t.text not in seen:
            seen.add(t.text)
            once.append(t)
    return tuple(once) if len(once) < len(toks) else None


def _unglued(toks: tuple[Tok, ...]) -> str:
    """The name with glued legal forms and number words split off, "" when there are none.
    Words read from abjad or Han script are left alone: they are readings, not spellings.
    (A glued word is no legal form, so it is as written here.)"""
    if any(t.abjad or t.orig for t in toks):
        return ""
    split = unglued([t.text for t in toks])
    return " ".join(split) if split else ""


def _syllables_weighed_alike(toks: list[Tok]) -> list[Tok]:
    """In a name written in romanised Chinese or Korean syllables ("JING HE, Lin"), a
    two-letter syllable is a character like any other: it weighs as a three-letter word,
    not as a short (often particle-like) word of other names."""
    names = [t for t in toks if t.kind == NORMAL]
    if len(names) < 2 or not all(is_syllable(t.text) for t in names):
        return toks
    short = weight_for("abc", NORMAL)
    return [replace(t, weight=short) if t.kind == NORMAL and len(t.text) == 2 else t for t in toks]


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
    un"), not only Chinese; one in Arabic script may be Persian or Urdu ("فضل" is Fadl
    in Arabic and Fazal in Persian). An organisation's name in another language is also read
    with its common words in English (translate.py: "ВОЕННАЯ КОМПАНИЯ" -> "military company"),
    and read as spelled otherwise (:func:`spelling_readings`)."""
    main = prepare(name, cls)
    out = [main, *spelling_readings(main, cls, prepare)]
    others: list[str | None] = []
    if not name.isascii():
        if has_han(name):
            others.append(japanese_reading(name))
            if cls == "person":
                others.append(korean_reading(name))
        else:
            others.append(persian_reading(name))
        if cls != "person":
            others.extend(translated_readings(name))
    for reading in others:
        if reading:
            alt = prepare(reading, cls)
            if alt and alt not in out:
                out.append(alt)
    return tuple(out)

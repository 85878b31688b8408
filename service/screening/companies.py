"""Vocabulary that carries little identifying weight: legal forms, generic
business words, stop words, honorifics and name particles.

Legal forms are first canonicalised (so "Limited", "Ltd" and "有限公司" compare
equal), then every such word gets a low weight in the scorer. This is why
``EMMA LLC`` does not match ``XYZ LLC``: the shared "llc" is worth almost
nothing, while the unmatched distinctive words weigh fully.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA

from .normalize import NUMBER_WORDS

# Multi-word legal forms (already tokenised) -> canonical token. Longest first
# is ensured at build time. Transliterated forms (Russian, Chinese pinyin) are
# included because names arrive in those scripts too.
_LEGAL_FORM_PHRASES: dict[str, str] = {
    "limited liability company": "llc",
    "ltd liability company": "llc",
    "ltd liability co": "llc",
    "limited liability corporation": "llc",
    "free zone establishment": "fze",
    "free zone company": "fze",
    "free zone co": "fze",
    "free zone enterprise": "fze",
    "sociedad anonima de capital variable": "sa",
    "s a de c v": "sa",
    "sa de c v": "sa",
    "private joint stock company": "jsc",
    "closed jsc": "jsc",
    "open jsc": "jsc",
    "public jsc": "jsc",
    "private jsc": "jsc",
    "public joint stock co": "jsc",
    "open joint stock co": "jsc",
    "closed joint stock co": "jsc",
    "zakrytoe aktsionernoe obshchestvo": "jsc",
    "publichnoye aktsionernoye obshchestvo": "jsc",
    "otkrytoye aktsionernoye obshchestvo": "jsc",
    "zakrytoye aktsionernoye obshchestvo": "jsc",
    "tovarishchestvo s ogranichennoi otvetstvennostiu": "llc",
    "tovarishchestvo s ogranichennoy otvetstvennostyu": "llc",
    "limited liability co": "llc",
    "limited liability partnership": "llp",
    "limited partnership": "lp",
    "public limited company": "plc",
    "private limited company": "ltd",
    "private limited": "ltd",
    "private ltd": "ltd",
    "company limited": "co ltd",
    "co limited": "co ltd",
    "joint stock company": "jsc",
    "open joint stock company": "jsc",
    "closed joint stock company": "jsc",
    "public joint stock company": "jsc",
    "joint stock co": "jsc",
    "aktsionernoe obshchestvo": "jsc",
    "aktsionernoye obshchestvo": "jsc",
    "otkrytoe aktsionernoe obshchestvo": "jsc",
    "publichnoe aktsionernoe obshchestvo": "jsc",
    "obshchestvo s ogranichennoi otvetstvennostiu": "llc",
    "obshchestvo s ogranichennoy otvetstvennostyu": "llc",
    "obshchestvo s ogranichennoi otvetstvennostyu": "llc",
    "obshchestvo s ogranichennoy otvetstvennostiu": "llc",
    "gesellschaft mit beschrankter haftung": "gmbh",
    "gesellschaft mit beschraenkter haftung": "gmbh",  # the umlaut written "ae"
    "offene handelsgesellschaft": "ohg",
    # French, Belgian, Spanish, Italian, Portuguese, Dutch and Turkish forms written out.
    "societe a responsabilite limitee": "sarl",
    "entreprise unipersonnelle a responsabilite limitee": "sarl",
    "societe privee a responsabilite limitee": "sprl",
    "societe par actions simplifiee": "sas",
    "societe en nom collectif": "snc",
    "societe en commandite simple": "scs",
    "sociedad limitada": "sl",
    "sociedad de responsabilidad limitada": "srl",
    "societa a responsabilita limitata": "srl",
    "sociedade anonima": "sa",
    "sociedade limitada": "ltd",
    "besloten vennootschap": "bv",
    "naamloze vennootschap": "nv",
    "anonim sirketi": "as",
    "limited sirketi": "ltd",
    "societe anonyme": "sa",
    "sociedad anonima": "sa",
    "societa per azioni": "spa",
    "sp z oo": "spzoo",
    "spolka z oo": "spzoo",
    "spolka z ograniczona odpowiedzialnoscia": "spzoo",
    "societatea cu raspundere limitata": "srl",
    "sa de cv": "sa",
    "you xian gong si": "co ltd",
    "you xian ze ren gong si": "co ltd",
    "gu fen you xian gong si": "co ltd",
    "pty ltd": "pty ltd",
    "l l c": "llc",
    # Russian state and municipal unitary enterprises and budgetary institutions (FGUP, GUP,
    # MUP, FGBU): legal forms, written out in English or transliterated.
    "federal state unitary enterprise": "fsue",
    "federalnoe gosudarstvennoe unitarnoe predpriyatie": "fsue",
    "federalnoe gosudarstvennoe unitarnoe predpriiatie": "fsue",
    "state unitary enterprise": "sue",
    "gosudarstvennoe unitarnoe predpriyatie": "sue",
    "gosudarstvennoe unitarnoe predpriiatie": "sue",
    "municipal unitary enterprise": "mue",
    "munitsipalnoe unitarnoe predpriyatie": "mue",
    "munitsipalnoe unitarnoe predpriiatie": "mue",
    "federal state budgetary institution": "fsbi",
    "federalnoe gosudarstvennoe byudzhetnoe uchrezhdenie": "fsbi",
    "federalnoe gosudarstvennoe biudzhetnoe uchrezhdenie": "fsbi",
}

# Single-token legal forms -> canonical token.
_LEGAL_FORM_WORDS: dict[str, str] = {
    "llc": "llc", "ltd": "ltd", "limited": "ltd", "ltda": "ltd", "limitada": "ltd", "co": "co", "company": "co",
    "cos": "co", "compania": "co", "companhia": "co", "compagnie": "co", "corp": "corp", "corporation": "corp",
    "corporacion": "corp", "corporacao": "corp", "inc": "inc", "incorporated": "inc",
    "plc": "plc", "llp": "llp", "lp": "lp", "gmbh": "gmbh", "ag": "ag",
    "aktiengesellschaft": "ag", "kg": "kg", "ohg": "ohg", "ug": "ug", "se": "se",
    "jsc": "jsc", "ojsc": "jsc", "cjsc": "jsc", "pjsc": "jsc", "oao": "jsc", "zao": "jsc",
    "pao": "jsc", "ao": "jsc", "jsco": "jsc", "ooo": "llc", "too": "llc", "tov": "llc",
    "sa": "sa", "sas": "sas", "sarl": "sarl", "srl": "srl", "spa": "spa", "sl": "sl",
    "bv": "bv", "nv": "nv", "ab": "ab", "as": "as", "asa": "as", "oy": "oy", "oyj": "oy",
    "aps": "aps", "pte": "pte", "pty": "pty", "pvt": "pvt", "bhd": "bhd", "sdn": "sdn",
    "kk": "kk", "tbk": "tbk", "pt": "pt", "fze": "fze", "fzco": "fze", "fzc": "fze",
    "fz": "fze", "llc.": "llc", "dmcc": "dmcc", "wll": "wll", "spzoo": "spzoo",
    "youxiangongsi": "co ltd", "gongsi": "co", "eood": "llc", "ood": "llc", "ead": "jsc",
    "doo": "llc", "dd": "jsc", "kft": "llc", "zrt": "jsc", "nyrt": "jsc", "sro": "llc",
    "as.": "as", "na": "na", "ans": "ans", "ano": "ano", "gie": "gie", "cic": "cic",
    "bvba": "bv", "sprl": "sprl", "scs": "scs", "snc": "snc", "cv": "cv",
    "fgup": "fsue", "fsue": "fsue", "gup": "sue", "mup": "mue", "fgbu": "fsbi",
    # Written out as one word: German, Scandinavian and Finnish.
    "kommanditgesellschaft": "kg", "aktiebolag": "ab", "aksjeselskap": "as", "aktieselskab": "as",
    "anpartsselskab": "aps", "osakeyhtio": "oy", "eurl": "sarl",
}

# Canonical legal forms that name the same kind of entity: "Corporation",
# "Company" and "Incorporated" are interchangeable designators of a US-style
# corporation, while AG/GmbH or LLC/ANO are different legal persons.
LEGAL_FORM_FAMILY: dict[str, str] = {"co": "corp", "corp": "corp", "inc": "corp"}

LEGAL_FORMS: frozenset[str] = frozenset(
    t for v in list(_LEGAL_FORM_WORDS.values()) + list(_LEGAL_FORM_PHRASES.values())
    for t in v.split()
)

# Words common to thousands of company names: they do not identify anyone.
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    science sciences scientific technology technologies tech trading trade traders
    group groups international intl global general national industries industry
    industrial holding holdings services service solutions systems system enterprise
    enterprises management investment investments capital partners partner fund funds
    import export imports exports logistics shipping energy oil gas petroleum petrochemical
    engineering construction development developments consulting consultancy company
    commercial commerce business manufacturing factory plant products electronics
    electronic equipment machinery resources materials chemical chemicals mining metals
    steel bank banking finance financial insurance securities assets asset real estate
    property properties marine maritime transport transportation shipping navigation
    aviation airlines air line lines motors motor telecom communications media network
    networks software information infotech research institute center centre association
    foundation trust agency office bureau department ministry organization organisation
    union federation council committee society university academy school laboratory
    """.split()
) | frozenset(
    """
    new united world asia europe european america american africa china chinese russia
    russian iran iranian middle east west north south central pacific atlantic
    """.split()
)

# Generic words that name a place rather than a line of business. A company
# name with an extra place word is often the same group's branch ("Faberlic
# Europe"); one with an extra line of business ("Crystalord Systems", "Deutsche
# Bank Trust") is more often another company.
GEO_WORDS: frozenset[str] = frozenset(
    """
    international global national world asia europe european america american africa
    china chinese russia russian iran iranian middle east west north south central
    pacific atlantic new united
    """.split()
)

# Stop words in names of organisations and people.
STOP_WORDS: frozenset[str] = frozenset(
    "the of and for in on at by a an der die das des den dem und fur von zu de la le les "
    "du del della di da do dos e y et en".split()
)

# Honorifics and titles: removed from person names before comparison.
TITLES: frozenset[str] = frozenset(
    """
    mr mrs ms miss mx dr prof professor sir dame lord president prasident president
    monsieur madame mme mlle herr frau senor senora don dona his her excellency
    hon honourable honorable rev reverend gen general col colonel maj major capt captain
    lt lieutenant adm admiral
    """.split()
)

# Name particles and religious/honorific name parts: kept (they are part of
# the listed name) but weighted low because they are shared by millions.
PARTICLES: frozenset[str] = frozenset(
    """
    al el ul ad ed as ash at az ar an bin ibn ben bint binti bte abu abou abo um umm
    van von der den ter de da di do dos das du del della la le lo st saint
    haji hajji hadji mullah mulla mawlawi maulvi maulavi qari sheikh shaikh shaykh
    sayed sayyed sayyid syed seyed sheik mohd md
    """.split()
)

# Vessel name prefixes ("MV Hellenic Spirit").
VESSEL_PREFIXES: frozenset[str] = frozenset("mv ms mt ss fv rv my sv".split())

_MAX_PHRASE = max(len(p.split()) for p in _LEGAL_FORM_PHRASES)
_PHRASES = {tuple(p.split()): v for p, v in _LEGAL_FORM_PHRASES.items()}

# Long legal-form words, for repairing typos and truncation ("Aktiengeselschaft",
# "JOYNT STOCK", a field cut at "COMPAN"). Short forms ("co", "ag") are not
# repaired: one edit away from them is another word.
_REPAIRABLE = sorted(
    {w for w in _LEGAL_FORM_WORDS if len(w) >= 5 and w.isalpha()}
    | {w for p in _LEGAL_FORM_PHRASES for w in p.split() if len(w) >= 5}
)
_REPAIR_DELETES: dict[str, list[str]] = {}
for _w in _REPAIRABLE:
    for _d in {_w[:i] + _w[i + 1 :] for i in range(len(_w))} | {_w}:
        _REPAIR_DELETES.setdefault(_d, []).append(_w)
_KNOWN = frozenset(_LEGAL_FORM_WORDS) | frozenset(w for p in _LEGAL_FORM_PHRASES for w in p.split())


def _repair(tok: str, last: bool) -> str:
    """The legal-form word ``tok`` is one edit from (or, for the last word of a
    name, a truncation of), else ``tok``."""
    if tok in _KNOWN or len(tok) < 5 or not tok.isalpha():
        return tok
    return _repair_word(tok, last)


@lru_cache(maxsize=10_000)
def _repair_word(tok: str, last: bool) -> str:
    found = set(_REPAIR_DELETES.get(tok, ()))
    for i in range(len(tok)):
        found.update(_REPAIR_DELETES.get(tok[:i] + tok[i + 1 :], ()))
    for word in sorted(found):
        if OSA.distance(tok, word) <= 1:
            return word
    if last:
        for word in _REPAIRABLE:
            if len(word) - 3 <= len(tok) < len(word) and word.startswith(tok):
                return word
    return tok


def canonical_legal_forms(tokens: list[str]) -> tuple[list[str], bool]:
    """Replace legal-form words and phrases by canonical tokens.

    Returns (tokens, found_any). Phrases are matched longest first."""
    out: list[str] = []
    found = False
    i = 0
    n = len(tokens)
    repaired = [_repair(t, k == n - 1) for k, t in enumerate(tokens)]
    while i < n:
        for size in range(min(_MAX_PHRASE, n - i), 1, -1):
            canon = _PHRASES.get(tuple(repaired[i : i + size]))
            if canon is not None:
                out.extend(canon.split())
                found = True
                i += size
                break
        else:
            tok = tokens[i]
            canon = _LEGAL_FORM_WORDS.get(repaired[i])
            if canon is not None:
                out.extend(canon.split())
                found = True
            else:
                out.append(tok)
            i += 1
    return out, found


# A legal form or number word written glued to the name ("SOLTECHLIMITED", "OOOROMASHKA",
# "INKUORTYNFIVE"): no join of the other name's words spells it once the form is made
# canonical ("limited" -> "ltd"), so the name is also read with it split off (see
# :func:`unglued`). What is split off must be unlike an ordinary word ending or beginning:
# forms of four letters or more, or of three without a vowel ("llc", "ltd"), close a name;
# only the abbreviations that open a name in their languages (OOO, TOV, DOO ...), long
# words and number words open one ("one" only before a long rest: "Oneconstruction").
_GLUED_MIN_REST = 4
_LONG_FORM = 7
_OPENING_FORMS = frozenset("ooo oao zao pao tov doo sro ojsc cjsc pjsc jsco eood".split())
_CLOSING_SHORT = frozenset("inc ooo doo sro oao zao pao".split())


@lru_cache(maxsize=1)
def _glued_tables() -> tuple[frozenset[str], frozenset[str], tuple[int, ...]]:
    words = {w for w in _LEGAL_FORM_WORDS if w.isalpha()}
    phrase_words = {w for p in _LEGAL_FORM_PHRASES for w in p.split() if len(w) >= _LONG_FORM}
    closing = {w for w in words if len(w) >= 4 or (len(w) == 3 and not set(w) & set("aeiou"))}
    closing |= _CLOSING_SHORT | phrase_words | {w for w in NUMBER_WORDS if len(w) >= 4}
    opening = _OPENING_FORMS | {w for w in words | phrase_words if len(w) >= _LONG_FORM}
    opening |= {w for w in NUMBER_WORDS if len(w) >= 3}
    # Tried by length, longest first ("limitada" before "ltda", "seventeen" before "seven"):
    # a set lookup per length, not a string test per form.
    lengths = tuple(sorted({len(w) for w in opening | closing}, reverse=True))
    return frozenset(opening), frozenset(closing), lengths


def _rest_needed(form: str) -> int:
    # A three-letter number word opens only a long rest ("one" of "Onerous" is no number).
    return 6 if len(form) == 3 and form in NUMBER_WORDS else _GLUED_MIN_REST


def unglued(words: tuple[str, ...] | list[str]) -> list[str] | None:
    """``words`` with each legal form or number word glued to a name word split off, or
    None when none is ("soltechlimited" -> "soltech limited")."""
    out: list[str] = []
    found = False
    for w in words:
        if len(w) < _GLUED_MIN_REST + 3 or not w.isalpha() or w in _KNOWN or w in NUMBER_WORDS:
            out.append(w)
            continue
        split = _split_glued(w)
        if split is None:
            out.append(w)
        else:
            out += split
            found = True
    return out if found else None


def _split_glued(w: str) -> list[str] | None:
    opening, closing, lengths = _glued_tables()
    for n in lengths:
        head = w[:n]
        if head in opening and len(w) - n >= _rest_needed(head):
            return [head, w[n:]]
    for n in lengths:
        if len(w) - n >= _GLUED_MIN_REST and w[-n:] in closing:
            return [w[:-n], w[-n:]]
    return None


def has_legal_form(tokens: list[str]) -> bool:
    """Cheap check used when the type of a name is unknown."""
    strong = {"llc", "ltd", "limited", "gmbh", "inc", "corp", "corporation", "plc", "jsc",
              "ooo", "oao", "ojsc", "pjsc", "sarl", "srl", "llp", "company", "ag", "bv", "nv"}
    return any(t in strong for t in tokens)


# Roman numerals after the first word of an organisation or vessel name are
# numbers ("Fund IV" is "Fund 4"); "I" is left alone (an initial or a pronoun).
ROMAN_NUMERALS: dict[str, str] = {
    r: str(k)
    for k, r in enumerate(
        "- - ii iii iv v vi vii viii ix x xi xii xiii xiv xv xvi xvii xviii xix xx".split()
    )
    if r != "-"
}


def acronym_runs(tokens: list[str], acronym: str, stop: frozenset[str]) -> list[tuple[int, int]]:
    """Spans ``[i, j)`` of ``tokens`` whose initials spell ``acronym``, stop
    words inside the span skipped ("People's Liberation Army" -> "pla",
    "Bank of China" -> "bc")."""
    out = []
    n, m = len(tokens), len(acronym)
    for i in range(n):
        if tokens[i][0] != acronym[0] or tokens[i] in stop:
            continue
        k, j = 0, i
        while j < n and k < m:
            t = tokens[j]
            if t in stop and k > 0:
                j += 1
                continue
            if t[0] != acronym[k]:
                break
            k += 1
            j += 1
        if k == m and j - i >= 2:
            out.append((i, j))
    return out

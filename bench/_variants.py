"""Rule-based name variants for the realistic benchmark: typos, word order, joined and split
parts, Arabic and Slavic transliteration variants, company legal forms.

Each function takes a ``random.Random`` and a name and returns a variant, or ``None`` when the
rule does not apply to that name (a transliteration rule only fires where its pattern occurs).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

# --- word order and case -----------------------------------------------------------------


def natural(name: str) -> str:
    """OFAC "SURNAME, Given Middle" -> "Given Middle Surname", in the title case customers type."""
    if "," in name:
        last, _, first = name.partition(",")
        if first.strip():
            name = f"{first.strip()} {last.strip()}"
    return title(name)


def title(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() if w.isupper() or w.islower() else w
                    for w in name.split())


def recase(rng: random.Random, name: str) -> str:
    """Company names arrive in upper case or title case."""
    return name.upper() if rng.random() < 0.5 else title(name)


# --- typos -------------------------------------------------------------------------------

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_ROWS):
    for _i, _c in enumerate(_row):
        near = [_row[j] for j in (_i - 1, _i + 1) if 0 <= j < len(_row)]
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_ROWS):
                near += [_ROWS[_other][j] for j in (_i - 1, _i, _i + 1) if 0 <= j < len(_ROWS[_other])]
        _NEIGHBOURS[_c] = "".join(near)


def _keep_case(src: str, new: str) -> str:
    return new.upper() if src.isupper() else new


def typo(rng: random.Random, name: str, skip: frozenset[str] = frozenset()) -> str | None:
    """One keyboard slip in a word of 4+ letters (not one of ``skip``), never on its first
    letter: a neighbouring key, a dropped, doubled or inserted letter, or two letters swapped."""
    words = name.split(" ")
    choices = [i for i, w in enumerate(words)
               if sum(c.isalpha() for c in w) >= 4 and w.upper().strip(".,") not in skip]
    if not choices:
        return None
    wi = rng.choice(choices)
    w = list(words[wi])
    pos = [i for i in range(1, len(w)) if w[i].isalpha() and w[i].lower() in _NEIGHBOURS]
    if not pos:
        return None
    i = rng.choice(pos)
    op = rng.random()
    c = w[i]
    if op < 0.35:
        w[i] = _keep_case(c, rng.choice(_NEIGHBOURS[c.lower()]))
    elif op < 0.55:
        del w[i]
    elif op < 0.8 and i + 1 < len(w) and w[i + 1].isalpha() and w[i + 1].lower() != c.lower():
        w[i], w[i + 1] = w[i + 1], w[i]
    elif op < 0.9:
        w.insert(i, c)
    else:
        w.insert(i, _keep_case(c, rng.choice(_NEIGHBOURS[c.lower()])))
    words[wi] = "".join(w)
    out = " ".join(words)
    return out if out.lower() != name.lower() else None


# --- dropped, joined and split parts -----------------------------------------------------

PARTICLES = frozenset("al el bin ibn bint abu abd abdul ben de la del der van von y da di do dos du le ul".split())


def drop_middle(rng: random.Random, name: str) -> str | None:
    """Drop one middle part of a natural-order personal name (not a particle like "bin")."""
    words = name.split()
    inner = [i for i in range(1, len(words) - 1)
             if words[i].isalpha() and len(words[i]) >= 2 and words[i].lower() not in PARTICLES]
    if len(words) < 3 or not inner:
        return None
    i = rng.choice(inner)
    return " ".join(words[:i] + words[i + 1:])


def merge_parts(
    rng: random.Random, name: str, skip: frozenset[str] = frozenset(), allowed: set[int] | None = None
) -> str | None:
    """Two adjacent words written as one: "Abdul Rahman" -> "Abdulrahman". ``allowed``: the
    indexes of the words that may be joined to the next one (all by default)."""
    words = name.split()
    pairs = [i for i in range(len(words) - 1)
             if (allowed is None or i in allowed)
             and all(w.isalpha() and len(w) >= 2 and w.upper() not in skip for w in words[i:i + 2])]
    if not pairs:
        return None
    i = rng.choice(pairs)
    a, b = words[i], words[i + 1]
    joined = a + (b.lower() if not a.isupper() else b.upper())
    return " ".join([*words[:i], joined, *words[i + 2:]])


def merge_person_parts(rng: random.Random, listed: str) -> str | None:
    """A listed "SURNAME, Given Middle" in natural order with two parts of the given name, or of
    the surname, joined ("PAK, Yong Sik" -> "Yongsik Pak"); never the given name with the surname."""
    if "," not in listed:
        return None
    last, _, first = listed.partition(",")
    n_first, n_last = len(first.split()), len(last.split())
    allowed = {*range(n_first - 1), *range(n_first, n_first + n_last - 1)}
    return merge_parts(rng, natural(listed), allowed=allowed) if allowed else None


_PREFIXES = ("abdul", "abdel", "abdol", "abd", "abu", "al", "el", "bin", "ibn")
_SUFFIXES = ("ullah", "allah", "uddin", "eddin", "addin", "zadeh", "zada", "pour")


def split_part(
    rng: random.Random, name: str, vocab: frozenset[str], skip: frozenset[str] = frozenset()
) -> str | None:
    """One word of 6+ letters cut in two where it is made of two parts: a known prefix or
    suffix ("Abdulrahman" -> "Abdul Rahman", "Nasrallah" -> "Nasr Allah"), or two words that
    are themselves words of listed names ("MOHAMMADREZA" -> "MOHAMMAD REZA", "Xiaoping" ->
    "Xiao Ping", "URALVAGONZAVOD" -> "URAL VAGONZAVOD"). Never a random cut."""
    words = name.split()
    options: list[tuple[int, int]] = []
    for i, w in enumerate(words):
        if not (w.isalpha() and len(w) >= 6 and w.upper() not in skip):
            continue
        low = w.lower()
        for cut in range(3, len(low) - 2):
            a, b = low[:cut], low[cut:]
            if (a in _PREFIXES or b in _SUFFIXES) or (a in vocab and b in vocab):
                options.append((i, cut))
    if not options:
        return None
    i, cut = rng.choice(options)
    w = words[i]
    b = w[cut:]
    return " ".join([*words[:i], w[:cut], b if w.isupper() else b.capitalize(), *words[i + 1:]])


def east_asian(listed: str) -> bool:
    """"KIM, Yong Chol": a short surname and a given name of short syllables written apart,
    whose parts are not middle names that can be dropped."""
    last, _, first = listed.partition(",")
    given = first.split()
    return len(last.split()) == 1 and len(last.strip()) <= 5 and len(given) >= 2 and all(len(g) <= 5 for g in given)


# --- transliteration variants ------------------------------------------------------------

Rule = tuple[re.Pattern[str], Callable[[str], list[str]]]


def _words(*groups: str) -> list[Rule]:
    """Each group: spellings of one name; any one is replaced by another."""
    rules: list[Rule] = []
    for g in groups:
        spellings = g.split()
        pat = re.compile(r"\b(" + "|".join(sorted(spellings, key=len, reverse=True)) + r")\b", re.I)
        rules.append((pat, lambda m, s=spellings: [x for x in s if x != m.lower()]))
    return rules


def _pattern(regex: str, alternatives: list[str] | Callable[[str], list[str]]) -> Rule:
    alt = alternatives if callable(alternatives) else (lambda m, a=alternatives: [x for x in a if x != m.lower()])
    return (re.compile(regex, re.I), alt)


ARABIC_RULES: list[Rule] = [
    *_words(
        "mohammed muhammad mohammad mohamed muhammed mohamad", "ahmed ahmad", "mahmoud mahmud mahmood",
        "mustafa mostafa moustafa mustapha", "hussein husayn hussain husain hossein husein",
        "hassan hasan", "yusuf yousef youssef yousuf yusef", "omar umar", "osama usama oussama",
        "ibrahim ebrahim ibraheem", "khalid khaled", "abdullah abdallah abdollah abdulla",
        "qasim qassim kassem kasim qassem", "jafar jaafar jafaar", "mansour mansur mansoor",
        "nasser naser nasir nassir", "rashid rasheed rachid", "hamid hameed", "majid majeed",
        "saeed said saeid", "sayyid sayed seyed seyyed sayyed", "abu abou",
        "mehdi mahdi", "karim kareem", "rahim raheem", "salim saleem selim", "salih saleh",
        "yahya yehia yahia", "zakaria zakariya zakariyya", "ismail ismael esmail",
        "suleiman sulayman soliman suleyman", "faisal faysal feisal", "habib habeeb",
        "hamza hamzah", "hashem hashim", "jaber jabir", "khalil khaleel", "nabil nabeel",
        "nur nour noor", "tariq tarek tarik", "walid waleed", "zaid zayd zeid", "bashir basheer bachir",
        "ali aly", "hadi hady", "amin ameen", "abbas abas", "fatima fatimah fatma", "aisha aysha aicha",
    ),
    # Abd al-Rahman / Abdul Rahman / Abdel Rahman / Abd-el-Rahman (not Abdullah).
    _pattern(r"\babd(?:[ -](?:al|el|ul|ur|ar|as|an|ad)[ -]|[ -]|(?:al|el|ul)[ -])(?=[a-z])",
             lambda m: [x for x in ("Abdul ", "Abdel ", "Abd al-", "Abd-el-", "Abdul-") if x.lower() != m.lower()]),
    _pattern(r"\b(?:al|el)[- ](?=[a-z]{3})", lambda m: [x for x in ("al-", "el-", "al ", "el ") if x != m.lower()]),
]

_SLAVIC_WORDS: list[Rule] = _words(
        "aleksandr alexander oleksandr alexandr aleksander", "aleksey alexey aleksei alexei oleksiy",
        "sergey sergei serhiy sergej sergiy", "dmitry dmitri dmitriy dmytro dmitrij",
        "andrey andrei andriy andrej", "yevgeny evgeny evgeniy yevgeniy evgenii yevhen",
        "yuri yury yuriy iurii yurii juri", "mikhail michail mykhailo mihail",
        "nikolai nikolay mykola nicolai", "vladimir volodymyr wladimir", "pyotr petr piotr",
        "fyodor fedor fiodor", "ilya ilia ilja", "vasily vasiliy vasilii vasyl",
        "grigory grigoriy grigorii hryhoriy", "anatoly anatoliy anatolii", "gennady gennadiy gennadii",
        "valery valeriy valerii", "viktor victor", "konstantin kostiantyn constantin",
        "maksim maxim maksym", "oleg oleh", "igor ihor", "tatyana tatiana tetiana",
        "natalya natalia nataliya", "yelena elena olena", "olga olha", "yekaterina ekaterina",
        "arkady arkadiy arkadii", "vyacheslav viacheslav", "svetlana svitlana",
)
SLAVIC_RULES: list[Rule] = [
    *_SLAVIC_WORDS,
    _pattern(r"(?<=[a-z])(?:ov|ev)ich\b", lambda m: [m[:2] + s for s in ("ic", "ič", "itch", "itsch")]),
    _pattern(r"(?<=[a-z])(?:skiy|skii|sky|ski)\b", ["skiy", "sky", "ski", "skii"]),
    _pattern(r"(?<=[a-z]{3}[^s][^k])iy\b", ["y", "ii", "i"]),  # not -skiy (the rule above)
    _pattern(r"\byu", ["iu", "ju"]),
    _pattern(r"(?<=[a-z])yu", ["iu", "ju"]),
    _pattern(r"\bya", ["ia", "ja"]),
    _pattern(r"(?<=[a-z])ya", ["ia", "ja"]),
    _pattern(r"kh", ["h", "ch"]),
    _pattern(r"zh", ["ž", "j"]),
    _pattern(r"shch", ["sch", "šč"]),
    _pattern(r"\bye(?=[a-z])", ["e"]),
    _pattern(r"ks", ["x"]),
    _pattern(r"ts(?=[aeiou]|\b)", ["c", "tz"]),
    _pattern(r"\bch", ["č", "tch"]),
    _pattern(r"sh(?!ch)", ["š", "sch"]),
]

# A Slavic name: a typical surname/patronymic ending, or a given name of the rules above.
_SLAVIC_ENDING = re.compile(
    r"(?:ov|ev|ova|eva|yov|ovich|evich|ovna|evna|skiy|skii|sky|ski|enko|chuk|shin|kin|ko|uk|ich)\b", re.I
)


def looks_slavic(name: str) -> bool:
    return bool(_SLAVIC_ENDING.search(name)) or any(p.search(name) for p, _ in _SLAVIC_WORDS)


def _match_case(src: str, new: str) -> str:
    if src.isupper():
        return new.upper()
    if src[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def transliterate(rng: random.Random, name: str, rules: list[Rule]) -> str | None:
    """Apply one applicable rule at one place it matches."""
    applicable = [(pat, alt, m) for pat, alt in rules for m in pat.finditer(name) if alt(m.group(0))]
    if not applicable:
        return None
    _, alt, m = rng.choice(applicable)
    new = _match_case(m.group(0), rng.choice(alt(m.group(0))))
    out = " ".join((name[:m.start()] + new + name[m.end():]).split())
    return out if out.lower() != name.lower() else None


# --- company legal forms -----------------------------------------------------------------

# family -> (spellings found in list names, upper case; spellings written by customers)
LEGAL_FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "llc": (("LIMITED LIABILITY COMPANY", "LLC", "L.L.C.", "L.L.C", "OOO",
             "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU", "OBSHCHESTVO S OGRANICHENNOY OTVETSTVENNOSTYU",
             "LIMITED LIABILITY CO"),
            ("LLC", "Limited Liability Company", "Ltd Liability Company", "OOO", "L.L.C.", "Limited Liability Co.")),
    "pjsc": (("PUBLIC JOINT STOCK COMPANY", "PJSC", "PAO", "PUBLICHNOE AKTSIONERNOE OBSHCHESTVO"),
             ("PJSC", "Public Joint Stock Company", "PAO", "public jsc", "Public JSC")),
    "ojsc": (("OPEN JOINT STOCK COMPANY", "OJSC", "OAO", "OTKRYTOE AKTSIONERNOE OBSHCHESTVO"),
             ("OJSC", "Open Joint Stock Company", "OAO", "Open JSC")),
    "cjsc": (("CLOSED JOINT STOCK COMPANY", "CJSC", "ZAO", "ZAKRYTOE AKTSIONERNOE OBSHCHESTVO"),
             ("CJSC", "Closed Joint Stock Company", "ZAO", "Closed JSC")),
    "jsc": (("JOINT STOCK COMPANY", "JOINT-STOCK COMPANY", "JSC", "AO", "AKTSIONERNOE OBSHCHESTVO", "J.S.C."),
            ("JSC", "Joint Stock Company", "AO", "Joint-Stock Company", "Joint Stock Co.")),
    "co_ltd": (("COMPANY LIMITED", "CO., LTD.", "CO., LTD", "CO. LTD.", "CO LTD", "CO. LIMITED", "CO., LIMITED",
                "COMPANY LTD"),
               ("Co., Ltd.", "Company Limited", "Co Ltd", "Co. Limited", "Company Ltd")),
    "sa_cv": (("S.A. DE C.V.", "SA DE CV"), ("SA de CV", "S.A. de C.V.", "Sociedad Anonima de Capital Variable")),
    "ltd": (("LIMITED", "LTD.", "LTD"), ("Ltd", "Limited", "Ltd.")),
    "inc": (("INCORPORATED", "INC.", "INC"), ("Inc", "Inc.", "Incorporated")),
    "corp": (("CORPORATION", "CORP.", "CORP"), ("Corp", "Corporation", "Corp.")),
    "sa": (("S.A.", "SOCIEDAD ANONIMA", "S.A", "SA"), ("SA", "S.A.", "Sociedad Anonima")),
    "gmbh": (("GMBH",), ("GmbH", "G.m.b.H.", "Gesellschaft mit beschraenkter Haftung")),
    "plc": (("PUBLIC LIMITED COMPANY", "PLC"), ("PLC", "Public Limited Company", "P.L.C.")),
    "fze": (("FREE ZONE ESTABLISHMENT", "FZE"), ("FZE", "Free Zone Establishment", "F.Z.E.")),
    "fzco": (("FREE ZONE COMPANY", "FZCO", "FZ CO"), ("FZCO", "Free Zone Company", "FZ Co")),
    "llp": (("LIMITED LIABILITY PARTNERSHIP", "LLP"), ("LLP", "Limited Liability Partnership")),
    "sarl": (("S.A.R.L.", "SARL"), ("SARL", "S.A.R.L.", "Societe a Responsabilite Limitee")),
    "ltda": (("LTDA.", "LTDA"), ("Ltda", "Limitada")),
}
_PREFIX_FORMS = frozenset({"OOO", "AO", "PAO", "OAO", "ZAO", "PJSC", "JSC", "OJSC", "CJSC"})
#: Every upper-case legal-form word, so variants never join/split/swap one.
LEGAL_WORDS = frozenset(w.strip(".,").upper() for fam in LEGAL_FORMS.values() for s in fam for f in s
                        for w in f.split())
_BY_LENGTH = sorted(((form, fam) for fam, (found, _) in LEGAL_FORMS.items() for form in found),
                    key=lambda x: -len(x[0]))


def split_legal_form(name: str) -> tuple[str, str] | None:
    """(family, the rest of the name) when the name starts or ends with a known legal form."""
    flat = " ".join(name.replace(",", " ").split())
    upper = flat.upper()
    for form, fam in _BY_LENGTH:
        if upper.startswith(form + " "):
            core = flat[len(form):]
        elif upper.endswith(" " + form):
            core = flat[: -len(form)]
        else:
            continue
        core = " ".join(core.replace('"', " ").split()).strip(" ,")
        if core and any(c.isalnum() for c in core) and core.upper() not in LEGAL_WORDS:
            return fam, core
    return None


def legal_variant(rng: random.Random, name: str) -> str | None:
    """The name with its legal form written another way (long/short/foreign) and placed
    before or after the rest: LIMITED LIABILITY COMPANY X -> X LLC, OOO "X", public jsc X ..."""
    found = split_legal_form(name)
    if found is None:
        return None
    fam, core = found
    form = rng.choice(LEGAL_FORMS[fam][1])
    core = recase(rng, core)
    prefix = form.upper() in _PREFIX_FORMS or (len(form.split()) > 2 and rng.random() < 0.5)
    if rng.random() < 0.25:
        prefix = not prefix
    if prefix and form.upper() in ("OOO", "AO", "PAO", "OAO", "ZAO") and rng.random() < 0.5:
        core = f'"{core}"'
    out = f"{form} {core}" if prefix else f"{core} {form}"
    return out

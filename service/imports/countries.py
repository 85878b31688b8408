"""Country names as the lists spell them -> ISO 3166-1 alpha-2 codes.

pycountry knows the ISO names; the lists use their own spellings ("Korea, North", "Burma",
"Iran (Islamic Republic of)", "Palestinian") so a small table comes first. Unknown names return
None and the caller turns that into a row warning.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Keys are lower-case. Only spellings seen in the OFAC / UK / UN / EU files, or obvious
# variants of them; everything else goes through pycountry.
_SPECIAL: dict[str, str] = {
    "burma": "MM",
    "myanmar": "MM",
    "russia": "RU",
    "russian federation": "RU",
    "russian": "RU",
    "iran": "IR",
    "korea, north": "KP",
    "north korea": "KP",
    "dprk": "KP",
    "democratic people's republic of korea": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "syria": "SY",
    "venezuela": "VE",
    "bolivia": "BO",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "moldova": "MD",
    "republic of moldova": "MD",
    "laos": "LA",
    "vietnam": "VN",
    "viet nam": "VN",
    "taiwan": "TW",
    "macau": "MO",
    "macao": "MO",
    "hong kong": "HK",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "republic of the congo": "CG",
    "congo": "CG",
    "palestinian": "PS",
    "palestine": "PS",
    "state of palestine": "PS",
    "palestinian territories": "PS",
    "occupied palestinian territories": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "kosovo": "XK",
    "turkey": "TR",
    "türkiye": "TR",
    "turkiye": "TR",
    "united kingdom": "GB",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "the gambia": "GM",
    "gambia, the": "GM",
    "bahamas, the": "BS",
    "the bahamas": "BS",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "ivory coast": "CI",
    "cape verde": "CV",
    "cabo verde": "CV",
    "czech republic": "CZ",
    "czechia": "CZ",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "bosnia-herzegovina": "BA",
    "bosnia and herzegovina": "BA",
    "brunei": "BN",
    "micronesia, federated states of": "FM",
    "st. kitts and nevis": "KN",
    "saint kitts and nevis": "KN",
    "st. vincent and the grenadines": "VC",
    "st. lucia": "LC",
    "vatican city": "VA",
    "holy see": "VA",
    "netherlands antilles": "CW",  # dissolved 2010; Curacao is the usual successor in practice
    "curacao": "CW",
    "sint maarten": "SX",
    "east timor": "TL",
    "timor-leste": "TL",
    "region: crimea": "UA",
    "crimea": "UA",
    "region: northern mali": "ML",
    "british virgin islands": "VG",
    "virgin islands, british": "VG",
    "virgin islands, u.s.": "VI",
    "bolivarian republic of venezuela": "VE",
    "iran (islamic republic of)": "IR",
    "islamic republic of iran": "IR",
    "syrian arab republic": "SY",
    "lao people's democratic republic": "LA",
    "libyan arab jamahiriya": "LY",
    "belrus": "BY",  # typo in the UK list
    "repubic of moldova": "MD",  # typo in the UK list
    "german": "DE",
    "ussr": "SU",
    "former soviet union": "SU",
    "soviet union": "SU",
    "yugoslavia": "YU",
    "serbia and montenegro": "CS",
    "cote d ivoire": "CI",
    "guinea bissau": "GW",
    "man, isle of": "IM",
    "isle of man": "IM",
    "st. kitts & nevis": "KN",
    "unknown": "",
    "undetermined": "",
    "none identified": "",
    "international": "",
}


def _clean(name: str) -> str:
    name = name.replace("\xa0", " ").strip().strip(".").strip()
    return re.sub(r"\s+", " ", name)


@lru_cache(maxsize=4096)
def to_iso2(name: str | None) -> str | None:
    """Return the ISO alpha-2 code for a country name, "" for known non-countries, or None.

    None means "not recognised"; callers warn. "" means the source says "unknown" or similar:
    no code, no warning.
    """
    if name is None:
        return ""
    cleaned = _clean(name)
    if not cleaned or cleaned in ("-", "-0-", "na", "n/a"):
        return ""
    key = cleaned.lower()
    if key in _SPECIAL:
        return _SPECIAL[key]
    if key.startswith("region: "):
        # OFAC "Region: Gaza", "Region: Kafia Kingi": a region, not a country. Use the country
        # when the region maps to one; otherwise no code and no warning.
        return to_iso2(cleaned[len("region: ") :]) or ""
    if len(cleaned) in (2, 3) and cleaned.isalpha() and cleaned.isupper():
        found = pycountry.countries.get(**{"alpha_2" if len(cleaned) == 2 else "alpha_3": cleaned})  # type: ignore[arg-type]
        if found is not None:
            return str(found.alpha_2)
        if cleaned == "XK":
            return "XK"
    for attr in ("name", "official_name", "common_name"):
        try:
            found = pycountry.countries.get(**{attr: cleaned})  # type: ignore[arg-type]
        except (KeyError, LookupError):
            found = None
        if found is not None:
            return str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(cleaned).alpha_2)
    except LookupError:
        pass
    # "Germany (former GDR)", "Russia (former USSR)": try the part before the bracket.
    head = re.split(r"\s*[(,]", cleaned, maxsplit=1)[0]
    if head and head != cleaned:
        return to_iso2(head)
    return None

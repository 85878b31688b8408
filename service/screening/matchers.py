"""Non-name evidence: birth dates, countries and identifiers.

Each comparison returns an adjustment ``(effect, detail)`` or ``None`` when the
feature is missing on either side. The policy, in one place:

* birth date: compared at the precision both sides share ("1985" is compatible
  with "1985-11-12"). Compatible: +0.02. Same year, other month/day: -0.05.
  One year apart or one digit of the year different: -0.08 (typos and
  calendar conversions are common). Further
  apart: -0.15. Positive effects are only applied to names that already match
  (see :mod:`.adjust`), so a birth date never creates a match on its own.
* country: subject country among the entity's countries: +0.02; not among them:
  -0.05 (lists are incomplete, so a mismatch is weak evidence).
* identifier: same normalised value (spaces, dashes, dots removed, case folded)
  and no contradicting issuing country: +0.30, applied even to weak names: an
  identical passport number is strong evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

DOB_MATCH = 0.02
DOB_SAME_YEAR = -0.05
DOB_ONE_YEAR = -0.08
DOB_CONTRADICTS = -0.15
COUNTRY_MATCH = 0.02
COUNTRY_MISMATCH = -0.05
IDENTIFIER_MATCH = 0.3

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")

Adjustment = tuple[float, str]


@lru_cache(maxsize=10_000)
def parse_date(value: str) -> tuple[int, ...] | None:
    """Partial ISO date -> (year[, month[, day]]). Unknown parts ("00") are dropped."""
    m = _DATE.match(value.strip())
    if not m:
        return None
    parts = []
    for g in m.groups():
        if g is None or int(g) == 0:
            break
        parts.append(int(g))
    return tuple(parts) or None


def compare_birth_dates(subject: str | None, listed: Sequence[str]) -> Adjustment | None:
    if not subject or not listed:
        return None
    q = parse_date(subject)
    if q is None:
        return None
    best: Adjustment | None = None
    best_rank = 99
    for raw in listed:
        c = parse_date(raw)
        if c is None:
            continue
        n = min(len(q), len(c))
        if q[:n] == c[:n]:
            return DOB_MATCH, f"{subject} matches {raw}"
        gap = abs(q[0] - c[0])
        # 1957 vs 1967: a one-digit slip is a typo, not a contradiction.
        one_digit = sum(a != b for a, b in zip(str(q[0]), str(c[0]), strict=False)) == 1
        if gap == 0:
            rank, adj = 1, (DOB_SAME_YEAR, f"{subject} differs from {raw} within the year")
        elif gap == 1 or one_digit:
            rank, adj = 2, (DOB_ONE_YEAR, f"{subject} is close to {raw}")
        else:
            rank, adj = 3, (DOB_CONTRADICTS, f"{subject} contradicts {raw}")
        if rank < best_rank:
            best_rank, best = rank, adj
    return best


def compare_countries(subject: str | None, listed: frozenset[str]) -> Adjustment | None:
    if not subject or not listed:
        return None
    if subject in listed:
        return COUNTRY_MATCH, f"{subject} in {','.join(sorted(listed))}"
    return COUNTRY_MISMATCH, f"{subject} not in {','.join(sorted(listed))}"


_ID_JUNK = re.compile(r"[\s\-./_]+")


def normalize_identifier(value: str) -> str:
    """Strip spaces, dashes, dots, slashes; case fold ("AB 12-34" == "ab1234")."""
    return _ID_JUNK.sub("", value).casefold()


def compare_identifiers(
    subject: list[tuple[str, str, str | None]],
    listed: dict[str, list[tuple[str, str, str | None]]],
) -> Adjustment | None:
    """``listed`` maps normalised value -> original (scheme, value, country)."""
    if not subject or not listed:
        return None
    for scheme, value, country in subject:
        for l_scheme, l_value, l_country in listed.get(normalize_identifier(value), ()):
            if country and l_country and country.upper() != l_country.upper():
                continue  # same number issued by two countries is not the same document
            return IDENTIFIER_MATCH, f"{scheme or l_scheme} {l_value} matches"
    return None


@lru_cache(maxsize=4096)
def normalize_country(value: str | None) -> str | None:
    """Country code or name -> ISO alpha-2 (None if unknown).

    Accepts alpha-2, alpha-3 and English names ("Iran", "Russia", "UK")."""
    if not value:
        return None
    v = value.strip()
    if not v:
        return None
    aliases = {"UK": "GB", "EL": "GR", "KOSOVO": "XK", "XK": "XK", "RUSSIA": "RU",
               "IRAN": "IR", "SYRIA": "SY", "NORTH KOREA": "KP", "SOUTH KOREA": "KR",
               "VIETNAM": "VN", "LAOS": "LA", "BOLIVIA": "BO", "VENEZUELA": "VE",
               "TANZANIA": "TZ", "MOLDOVA": "MD", "PALESTINE": "PS", "TAIWAN": "TW",
               "BRUNEI": "BN", "CZECH REPUBLIC": "CZ", "IVORY COAST": "CI",
               "DEMOCRATIC REPUBLIC OF THE CONGO": "CD", "DR CONGO": "CD",
               "REPUBLIC OF THE CONGO": "CG", "CONGO": "CG", "MICRONESIA": "FM",
               "UNITED STATES OF AMERICA": "US", "USA": "US", "TURKEY": "TR"}
    up = v.upper()
    if up in aliases:
        return aliases[up]
    # Imported on first use, not at the top: importing pycountry (with the
    # importlib.metadata it loads) takes ~20 ms, and only screening with countries needs it.
    import pycountry

    try:
        c = pycountry.countries.lookup(v)
        return str(c.alpha_2)
    except LookupError:
        pass
    try:
        found = pycountry.countries.search_fuzzy(v)
        return str(found[0].alpha_2) if found else None
    except LookupError:
        return None

"""Date helpers shared by the parsers: partial ISO dates ("1985", "1985-11", "1985-11-12").

Every function returns None when it cannot parse, and the caller emits a row warning.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}

# Year ranges wider than this are not expanded into single years (it would flood matching).
MAX_RANGE_YEARS = 10


def partial_iso(
    year: int | str, month: int | str | None = None, day: int | str | None = None
) -> str | None:
    """Build "YYYY[-MM[-DD]]", validating the full date when a day is given."""
    try:
        y = int(year)
        m = int(month) if month not in (None, "", 0, "0", "00") else None
        d = int(day) if day not in (None, "", 0, "0", "00") else None
    except (TypeError, ValueError):
        return None
    if not 1000 <= y <= 2100:
        return None
    if m is None:
        return f"{y:04d}"  # a day without a month is meaningless; keep the year
    if not 1 <= m <= 12:
        return None
    if d is None:
        return f"{y:04d}-{m:02d}"
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def year_range(start: int, end: int) -> list[str] | None:
    """Expand "1961 to 1963" into ["1961", "1962", "1963"]; None if not a sane range."""
    if not (1000 <= start <= end <= 2100):
        return None
    if end - start > MAX_RANGE_YEARS:
        return [str(start), str(end)]
    return [str(y) for y in range(start, end + 1)]


_OFAC_DATE = re.compile(r"^(?:(\d{1,2}) )?(?:([A-Za-z]{3})[a-z]* )?(\d{4})$")


def parse_ofac_date(text: str) -> str | None:
    """OFAC style "12 Nov 1985", "Nov 1985", "1985" -> partial ISO."""
    m = _OFAC_DATE.match(text.strip())
    if not m:
        return None
    day, mon, year = m.groups()
    month = None
    if mon:
        month = MONTHS.get(mon.lower())
        if month is None:
            return None
    if day and not month:
        return None
    return partial_iso(year, month, day)


_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MY = re.compile(r"^(\d{1,2})/(\d{4})$")


def parse_dmy(text: str) -> str | None:
    """UK style "12/11/1985", "00/00/1985", "11/1985", "1985" -> partial ISO.

    "00" marks an unknown day or month in the OFSI list.
    """
    text = text.strip()
    if m := _DMY.match(text):
        day, month, year = m.groups()
        if month in ("0", "00") and day not in ("0", "00"):
            return partial_iso(year)  # a known day in an unknown month says nothing more
        return partial_iso(year, month, day)
    if m := _MY.match(text):
        return partial_iso(m.group(2), m.group(1))
    if re.fullmatch(r"\d{4}", text):
        return partial_iso(text)
    return None


def to_date(iso: str | None) -> date | None:
    """A full ISO date string (YYYY-MM-DD, possibly with a time part) -> date."""
    if not iso:
        return None
    try:
        return date.fromisoformat(iso.strip()[:10])
    except ValueError:
        return None


def dmy_to_date(text: str) -> date | None:
    iso = parse_dmy(text)
    return to_date(iso) if iso and len(iso) == 10 else None

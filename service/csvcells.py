"""Cells and lines for every CSV file the service writes (job results, ``/screen/csv``,
``sanctions screen``, the evidence export), so a fix to spreadsheet safety lands everywhere.

No Flask, no database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

# OWASP CSV injection: a spreadsheet may run a cell starting with = + - @ tab or CR as a
# formula; LF is added because some spreadsheets drop leading line breaks before parsing.
_FORMULA = re.compile(r"^[=+\-@\t\r\n]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ tab CR or LF gets a ' in front,
    so ``=HYPERLINK(...)`` in a vendor name is never run. None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if _FORMULA.match(text) else text


def safe_row(values: Iterable[object]) -> list[str]:
    return [safe_cell(v) for v in values]


def csv_line(values: Iterable[object]) -> str:
    """One CSV record (quoted as csv.writer does, CRLF-terminated), every cell made safe."""
    buf = io.StringIO()
    csv.writer(buf).writerow(safe_row(values))
    return buf.getvalue()


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 with any unpaired surrogate (a lone ``\\ud800`` from a JSON body
    stored before it was refused) as U+FFFD: one bad value must not cut a download short."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")

"""The one CSV writer: cells and lines for every CSV file the service writes (job results,
``/screen/csv``, ``sanctions screen``, the evidence export), so a fix to quoting or to
spreadsheet safety lands everywhere.

No Flask, no database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

#: Written first by the files people open in a spreadsheet, so that it reads the UTF-8 names
#: (Chinese, Cyrillic ...) correctly.
BOM = "\ufeff"

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


def csv_start(header: Iterable[object], *, bom: bool) -> str:
    """A CSV file's first line: its header, after a BOM when ``bom``."""
    return (BOM if bom else "") + csv_line(header)


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]], *, bom: bool) -> Iterator[str]:
    """A whole CSV file, line by line: :func:`csv_start`, then :func:`csv_line` per row."""
    yield csv_start(header, bom=bom)
    for row in rows:
        yield csv_line(row)


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 with any unpaired surrogate (a lone ``\\ud800`` from a JSON body
    stored before it was refused) as U+FFFD: one bad value must not cut a download short."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")

"""Reading real-world CSV files: encoding and delimiter detection, a bounded-memory scan that
counts records and splits them into parts by byte offset, and reading one part back.

No Flask and no database. Every reader works on a UTF-8 file (others are transcoded once,
:func:`transcode`) so a part can start at a byte offset; records may span lines (quoted
newlines); empty lines and all-empty rows are skipped everywhere in the same way. A line ends
at LF, CRLF or a bare CR (Excel's "CSV (Macintosh)"), as with ``open(newline="")``, and
offsets always fall after a whole line ending, so a part resumes in the original file.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import Invalid

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
# A longer physical line is not a CSV file (and reading it whole would cost memory).
MAX_LINE_BYTES = 1024 * 1024
# Encodings read in place (a part can seek into them); everything else is transcoded.
IN_PLACE = {"utf-8": 0, "utf-8-sig": 3, "ascii": 0}

LATIN_LOOKALIKES = {"ascii", "cp1252", "latin-1", "iso8859-1", "iso8859-15", "cp1250", "iso8859-2", "mac-roman",
                    "cp850", "cp858", "cp1257", "iso8859-16", "iso8859-4", "iso8859-10", "mac-latin2"}

csv.field_size_limit(MAX_LINE_BYTES)

_LINE_END = re.compile(r"\r\n?")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

# First bytes of files people upload by mistake.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook? save it as CSV)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (an .xls workbook? save it as CSV)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
)


class NotCsv(Invalid):
    """The upload is not a text CSV file at all."""


@dataclass(frozen=True)
class Layout:
    encoding: str
    delimiter: str
    header: list[str]


def detect_encoding(sample: bytes) -> str:
    """The file's encoding from its first bytes; raises NotCsv for binary files."""
    for magic, what in SIGNATURES:
        if sample.startswith(magic):
            raise NotCsv(f"The file is {what}, not a CSV file.")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    half = len(sample) // 2
    if half >= 2:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 0.3 * half and even < 0.05 * half:
            return "utf-16-le"
        if even > 0.3 * half and odd < 0.05 * half:
            return "utf-16-be"
    if b"\x00" in sample:
        raise NotCsv("The file holds binary data (NUL bytes), not CSV text.")
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(sample) - 3:
            return "utf-8"  # the sample cut a character in two
    best = from_bytes(sample).best()
    encoding = (best.encoding if best else "cp1252").replace("_", "-").lower()
    # Old exports are mostly Windows-1252, which the detector easily confuses with its Latin
    # neighbours on short samples: keep cp1252 unless it names a different script (Cyrillic,
    # Greek, Arabic, CJK ...). On a sample with a few accented letters it may even name a DOS
    # or non-Latin code page (cp852 for "Köln", cp1125 for "€"): the text itself decides then.
    try:
        latin = sample.decode("cp1252")
    except UnicodeDecodeError:
        return encoding
    if encoding in LATIN_LOOKALIKES or reads_as_latin(latin):
        return "cp1252"
    return encoding


_WORD = re.compile(r"[^\W\d_]+")


def reads_as_latin(text: str) -> bool:
    """Whether text read as cp1252 is Latin-script writing: its accented letters sit among
    plain ones (Müller, Lefèvre, Ærø Smørrebrød). Cyrillic, Greek, Arabic or CJK bytes read as
    cp1252 make words of accented letters only (Èâàí Ïåòðîâ)."""
    accented = plain = 0
    for word in _WORD.findall(text):
        extra = sum(1 for ch in word if ord(ch) > 127)
        if extra:
            accented += extra
            plain += len(word) - extra
    return accented <= plain


def _control_share(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n" or ch == "\ufffd")
    return bad / max(1, len(text))


def _rows(sample: str, delimiter: str) -> Iterator[list[str]]:
    """The sample's non-empty rows (any line ending)."""
    return (r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if any(c.strip() for c in r))


def _consistent(sample: str, delimiter: str) -> tuple[float, int]:
    """(share of sample rows with the header's field count, header field count)."""
    rows = list(_rows(sample, delimiter))
    rows = rows[:50] if len(rows) <= 2 else rows[:50][:-1]  # the last row may be cut off
    if not rows:
        return 0.0, 0
    width = len(rows[0])
    return sum(1 for r in rows if len(r) == width) / len(rows), width


def detect_delimiter(sample: str) -> str:
    """csv.Sniffer on the sample, checked; else the delimiter giving the most consistent
    multi-column rows; else a comma (a one-column file)."""
    try:
        # The sniffer splits lines at LF only.
        sniffed = csv.Sniffer().sniff(_LINE_END.sub("\n", sample[:16384]), delimiters=DELIMITERS).delimiter
        share, width = _consistent(sample, sniffed)
        if width > 1 and share >= 0.8:
            return sniffed
    except csv.Error:
        pass
    best, best_key = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        share, width = _consistent(sample, delimiter)
        if width > 1 and (share, width) > best_key:
            best, best_key = delimiter, (share, width)
    return best


def detect(path: Path) -> Layout:
    """Encoding, delimiter and header of a CSV file, from its first 64 KB."""
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if not sample.strip():
        raise NotCsv("The file is empty.")
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    if len(sample) == SAMPLE_BYTES and (cut := max(text.rfind("\n"), text.rfind("\r"))) >= 0:
        text = text[: cut + 1]
    if _control_share(text) > 0.01:
        raise NotCsv("The file does not look like text (too many control or undecodable characters).")
    try:
        delimiter = detect_delimiter(text)
        header = next(_rows(text, delimiter), [])
    except csv.Error as exc:
        raise NotCsv(f"The file cannot be read as CSV ({exc}).") from exc
    header = [h.strip().lstrip("\ufeff") for h in header]
    if not any(header):
        raise NotCsv("The file has no header row.")
    return Layout(encoding=encoding, delimiter=delimiter, header=header)


def transcode(src: Path, dst: Path, encoding: str) -> None:
    """Rewrite a file as UTF-8 (undecodable bytes become U+FFFD), 1 MB at a time."""
    with src.open(encoding=encoding, errors="replace", newline="") as fin, dst.open("wb") as fout:
        while chunk := fin.read(1024 * 1024):
            fout.write(chunk.encode("utf-8"))


def utf8_input(path: Path, encoding: str, work_dir: Path) -> tuple[Path, int]:
    """(UTF-8 file, offset of its first byte) for reading ``path`` by byte offset."""
    if encoding in IN_PLACE:
        return path, IN_PLACE[encoding]
    dst = work_dir / "input.utf8.csv"
    tmp = dst.with_suffix(".tmp")
    transcode(path, tmp, encoding)
    os.replace(tmp, dst)
    return dst, 0


class _Lines:
    """Feeds csv.reader one decoded line at a time and knows the byte offset and line number
    it has reached (csv.reader reads no further than the record it returns). A line ends at
    LF, CRLF or a bare CR."""

    def __init__(self, f: io.BufferedReader, offset: int, line: int) -> None:
        self.f = f
        self.offset = offset
        self.line = line
        self.pending: list[bytes] = []  # lines already read, in reverse order

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.pending:
            raw = self.pending.pop()
        else:
            raw = self.f.readline(MAX_LINE_BYTES)
            if not raw:
                raise StopIteration
            if b"\r" in raw or len(raw) == MAX_LINE_BYTES:
                raw = self._split(raw)
        self.offset += len(raw)
        self.line += 1
        return raw.decode("utf-8", errors="replace")

    def _split(self, raw: bytes) -> bytes:
        """The first line of ``raw``; later ones (after bare CRs) wait in ``pending``."""
        if len(raw) == MAX_LINE_BYTES and not raw.endswith(b"\n"):
            # No LF in 1 MB: fine for CR-only files, which are cut after their last CR.
            cut = raw.rfind(b"\r") + 1
            if not cut:
                raise NotCsv(f"Line {self.line + 1} is longer than {MAX_LINE_BYTES // 1024} KB; this is not a CSV file.")
            if cut == len(raw) and self.f.peek(1)[:1] == b"\n":
                raw += self.f.read(1)  # keep a CRLF whole, so no offset falls inside it
            else:
                self.f.seek(cut - len(raw), io.SEEK_CUR)
                raw = raw[:cut]
        if raw.count(b"\r") <= raw.endswith(b"\r\n"):  # no bare CR
            return raw
        lines: list[bytes] = _LINE.findall(raw)
        self.pending = lines[:0:-1]
        return lines[0]


@dataclass(frozen=True)
class Record:
    line: int  # physical line the record starts on (1-based; the header is usually line 1)
    cells: list[str]
    end_offset: int  # byte offset just after the record
    end_line: int  # physical lines consumed up to the end of the record


def records(path: Path, delimiter: str, *, offset: int, line: int = 0) -> Iterator[Record]:
    """Non-empty records from byte ``offset`` (``line`` lines already read before it)."""
    with path.open("rb") as f:
        f.seek(offset)
        lines = _Lines(f, offset, line)
        reader = csv.reader(lines, delimiter=delimiter)
        while True:
            start = lines.line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise NotCsv(f"Line {lines.line}: {exc}; this file cannot be read as CSV.") from exc
            if cells and any(c.strip() for c in cells):
                yield Record(start, cells, lines.offset, lines.line)


#: A job cut finer than JOB_PART_ROWS (to spread a small file over the workers) is cut into
#: parts of a multiple of PART_STEP rows, and of PART_MIN rows at least: smaller parts would
#: cost more in start-up than they save.
PART_STEP = 100
PART_MIN = 500


@dataclass(frozen=True)
class Slice:
    offset: int
    line: int
    rows: int


def scan(path: Path, delimiter: str, *, offset: int, part_rows: int, parts: int = 1) -> tuple[int, list[Slice]]:
    """Count the data records after the header and cut them into parts of at most
    ``part_rows``, and into ``parts`` parts at least when the file has rows enough (parts of
    PART_MIN rows or more), so that a file smaller than ``parts`` x ``part_rows`` is still
    screened on every worker. Reads the file once, holding one record at a time."""
    it = records(path, delimiter, offset=offset)
    header = next(it, None)
    if header is None:
        return 0, []
    step = min(part_rows, PART_STEP)
    # Where records number 0, step, 2 x step ... and 0, part_rows ... start: a part starts at
    # one of them, once the count says how long the parts are.
    marks: dict[int, tuple[int, int]] = {}
    total = 0
    pos, line = header.end_offset, header.end_line
    for rec in it:
        if total % step == 0 or total % part_rows == 0:
            # The part starts where the previous record ended (skipped empty lines included).
            marks[total] = (pos, line)
        total += 1
        pos, line = rec.end_offset, rec.end_line
    per = min(part_rows, -(-total // max(1, parts)))
    if per < part_rows:
        per = min(part_rows, max(PART_MIN, -(-per // step) * step))
    return total, [Slice(*marks[i], min(per, total - i)) for i in range(0, total, max(1, per))]

"""Reading input files: paths or binary file objects, encoding checks, clear errors.

The official lists' parsers read whole files into memory (the biggest list file is about
4 MB), which keeps error handling simple: we can sniff the first bytes and fail with one clear
line before any record is built. FtM files can hold a million entities: they are read in two
streaming passes (:mod:`._jsonlines`), which check every line before any record is built.
"""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from .shape import ImportFormatError

Source = str | os.PathLike[str] | BinaryIO

# Magic numbers of files people drop in by mistake; naming them makes the error obvious.
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (an .xlsx file?)",
    b"\xd0\xcf\x11\xe0": "an old Excel/Word document",
    b"\x1f\x8b": "a gzip archive",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
}


def source_name(src: Source) -> str:
    """The display name used in warnings and errors: the file's base name."""
    if isinstance(src, (str, os.PathLike)):
        return Path(src).name
    return Path(str(getattr(src, "name", "<stream>"))).name


def as_list(sources: Source | Iterable[Source]) -> list[Source]:
    if isinstance(sources, (str, os.PathLike)) or hasattr(sources, "read"):
        return [sources]  # type: ignore[list-item]
    return list(sources)  # type: ignore[arg-type]


def read_bytes(src: Source) -> bytes:
    name = source_name(src)
    try:
        if isinstance(src, (str, os.PathLike)):
            return Path(src).read_bytes()
        data = src.read()
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot read file ({exc.strerror or exc})") from exc
    if isinstance(data, str):
        raise ImportFormatError(f"{name}: expected a binary file object, got text")
    return data


def reject_binary(name: str, data: bytes, expected: str) -> None:
    """Fail early, and say what the file looks like, when it is clearly not text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise ImportFormatError(f"{name}: not {expected}: the file is {what}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise ImportFormatError(
            f"{name}: wrong encoding: looks like UTF-16 (or binary); {expected} must be UTF-8/ASCII"
        )


def decode_utf8(name: str, data: bytes, expected: str) -> str:
    reject_binary(name, data, expected)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFormatError(
            f"{name}: wrong encoding: invalid UTF-8 byte 0x{data[exc.start]:02x} on line {line}; "
            f"{expected} must be UTF-8"
        ) from None


def csv_rows(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line number, row); a csv module error becomes ImportFormatError.

    strict=True makes an unterminated quote at the end of a cut-off file an error
    instead of a silently swallowed tail.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFormatError(f"{name}: malformed CSV near line {line}: {exc}") from None


def xml_root(name: str, data: bytes, expected: str, root_tag: str) -> ET.Element:
    """Parse a whole XML file, turning every failure into one clear ImportFormatError.

    The lists are published as UTF-8; anything else means the file was re-encoded or damaged.
    Documents with a DOCTYPE are refused: the lists never have one, and refusing it closes the
    entity-expansion door without needing defusedxml (expat >= 2.4 also limits expansion).
    """
    text = decode_utf8(name, data, expected)
    if "<!DOCTYPE" in text[:4096] or "<!ENTITY" in text[:4096]:
        raise ImportFormatError(
            f"{name}: not {expected}: DOCTYPE/ENTITY declarations are not accepted"
        )
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        # expat says "no element found" / "unclosed token" when the file stops early.
        cut = any(s in str(exc) for s in ("no element found", "unclosed token"))
        reason = "truncated XML (file ends early)" if cut else "malformed XML"
        raise ImportFormatError(f"{name}: {reason}: {exc}") from None
    tag = root.tag.rsplit("}", 1)[-1]
    if tag != root_tag:
        raise ImportFormatError(
            f"{name}: not {expected}: root element is <{tag}>, expected <{root_tag}>"
        )
    return root


def text_files(sources: Source | Iterable[Source], expected: str) -> Iterator[tuple[str, str]]:
    """Each file's display name and its UTF-8 text, read one file at a time."""
    for src in as_list(sources):
        name = source_name(src)
        yield name, decode_utf8(name, read_bytes(src), expected)


def xml_files(
    sources: Source | Iterable[Source], expected: str, root_tag: str
) -> Iterator[tuple[str, ET.Element]]:
    """Each file's display name and its parsed root element, read one file at a time."""
    for src in as_list(sources):
        name = source_name(src)
        yield name, xml_root(name, read_bytes(src), expected, root_tag)

"""JSON-lines files read in bounded memory: a first pass that checks every line and keeps only
where each record starts, then sequential or random re-reads of single records.

The lines, their numbers and the errors are those of the whole file decoded as UTF-8 (BOM
allowed) and cut with ``str.splitlines``: an encoding error anywhere in a file is reported
before a malformed line of that file, as it was when files were read whole.
"""

from __future__ import annotations

import io
import json
import os
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ._source import Source, as_list, reject_binary, source_name
from .shape import ImportFormatError

_BOM = b"\xef\xbb\xbf"
Record = tuple[int, str, int, dict[str, Any]]  # (ordinal, file name, line number, object)


class JsonLines:
    """The files of one import, indexed by :meth:`scan`; records are numbered from 0 in
    file order. Use as a context manager: the files stay open for re-reads."""

    def __init__(self, sources: Source | list[Source], expected: str) -> None:
        self.expected = expected
        self.names: list[str] = []
        self._files: list[IO[bytes]] = []
        self._file = array("H")  # per record: file index, start of its physical line,
        self._offset = array("q")  # which of the line's str.splitlines pieces, line number
        self._piece = array("l")
        self._line = array("q")
        for src in as_list(sources):
            self.names.append(source_name(src))
            self._files.append(_open(src))

    def __enter__(self) -> JsonLines:
        return self

    def __exit__(self, *exc: object) -> None:
        for fh in self._files:
            fh.close()

    def __len__(self) -> int:
        return len(self._offset)

    def scan(self, check: Any, empty: str) -> Iterator[Record]:
        """First pass: every record, after ``check(name, number, obj)`` accepted it (it raises
        ImportFormatError otherwise). Records are indexed as they pass. A file without any
        fails with ``empty`` (formatted with its ``name``)."""
        for index, (name, fh) in enumerate(zip(self.names, self._files, strict=True)):
            first_error: ImportFormatError | None = None
            before = len(self._offset)
            for offset, piece, number, text in _lines(name, fh, self.expected):
                if first_error is not None:
                    continue  # only decoding is still checked: it is reported first
                try:
                    obj = _decode(name, number, text)
                    check(name, number, obj)
                except ImportFormatError as exc:
                    first_error = exc
                    continue
                self._file.append(index)
                self._offset.append(offset)
                self._piece.append(piece)
                self._line.append(number)
                yield len(self._offset) - 1, name, number, obj
            if first_error is not None:
                raise first_error
            if len(self._offset) == before:
                raise ImportFormatError(empty.format(name=name))

    def records(self) -> Iterator[Record]:
        """Second pass: the indexed records again, in order."""
        ordinal = 0
        for index, (name, fh) in enumerate(zip(self.names, self._files, strict=True)):
            fh.seek(0)
            for offset, piece, number, text in _lines(name, fh, self.expected):
                if (ordinal < len(self._offset) and self._file[ordinal] == index
                        and self._offset[ordinal] == offset and self._piece[ordinal] == piece):
                    yield ordinal, name, number, json.loads(text)
                    ordinal += 1

    def read(self, ordinal: int) -> Record:
        """One indexed record, read again from its file."""
        index = self._file[ordinal]
        fh = self._files[index]
        position = fh.tell()
        offset = self._offset[ordinal]
        fh.seek(offset)
        raw = fh.readline()
        fh.seek(position)
        if offset == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        text = raw.decode("utf-8").splitlines()[self._piece[ordinal]]
        return ordinal, self.names[index], self._line[ordinal], json.loads(text)


def _open(src: Source) -> IO[bytes]:
    name = source_name(src)
    try:
        if isinstance(src, (str, os.PathLike)):
            return Path(src).open("rb")
        data = src.read()
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot read file ({exc.strerror or exc})") from exc
    if isinstance(data, str):
        raise ImportFormatError(f"{name}: expected a binary file object, got text")
    return io.BytesIO(data)


def _lines(name: str, fh: IO[bytes], expected: str) -> Iterator[tuple[int, int, int, str]]:
    """(offset of the physical line, piece, line number, text) of each non-blank line."""
    head = fh.read(4096)
    fh.seek(0)
    reject_binary(name, head, expected)
    offset = 0
    number = 0
    for physical, raw in enumerate(fh, 1):
        start = offset
        offset += len(raw)
        if start == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM):]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"{name}: wrong encoding: invalid UTF-8 byte 0x{raw[exc.start]:02x} on line {physical}; "
                f"{expected} must be UTF-8"
            ) from None
        for piece, line in enumerate(text.splitlines()):
            number += 1
            if line.strip():
                yield start, piece, number, line


def _decode(name: str, number: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name}: line {number} is not valid JSON ({exc.msg}); truncated file?") from None

"""An uploaded file before its job starts: kept as a draft (one folder per upload, under
``JOB_DIR/drafts/<owner>``), and previewed as a job will read it — encoding and delimiter
detected, the header, the first rows and the column mapping for the given options — so a person
can check and correct the mapping first. Plain functions: no Flask, no database.

A draft is read with the jobs' own reader (:func:`.csvio.detect`, :func:`.rows.map_columns`):
what the preview shows is what the job will do with the same options.
"""

from __future__ import annotations

import csv
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import Invalid, NotFound
from .csvio import Layout, detect
from .rows import Columns, map_columns
from .store import save_upload

#: Rows the preview shows.
PREVIEW_ROWS = 10
#: Drafts not started within this many seconds are removed at the next upload.
DRAFT_MAX_AGE = 24 * 3600
DRAFTS = "drafts"
INPUT = "input.csv"
NAME = "filename.txt"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_OWNER = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _draft_dir(jobs_dir: Path, owner: str, token: str) -> Path:
    if not _OWNER.match(owner) or not _TOKEN.match(token):
        raise NotFound("No such upload.")
    return jobs_dir / DRAFTS / owner / token


def save_draft(*, jobs_dir: Path, owner: str, source: IO[bytes], filename: str | None, max_bytes: int) -> str:
    """Keep an upload as ``owner``'s draft and return its token; a file that is not CSV
    (or has no header) is refused at once (422) and nothing is kept."""
    prune_drafts(jobs_dir, DRAFT_MAX_AGE)
    token = secrets.token_hex(16)
    folder = _draft_dir(jobs_dir, owner, token)
    folder.mkdir(parents=True)
    try:
        save_upload(source, folder / INPUT, max_bytes=max_bytes)
        detect(folder / INPUT)
        (folder / NAME).write_text((filename or "")[:255], encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return token


def draft_input(jobs_dir: Path, owner: str, token: str) -> tuple[Path, str | None]:
    """(the draft's file, its original name); 404 when it is not ``owner``'s or is gone."""
    folder = _draft_dir(jobs_dir, owner, token)
    path = folder / INPUT
    if not path.is_file():
        raise NotFound("This upload is no longer available (it was started, discarded or expired). Upload the file again.")
    name = (folder / NAME).read_text(encoding="utf-8") if (folder / NAME).exists() else ""
    return path, name or None


def discard_draft(jobs_dir: Path, owner: str, token: str) -> None:
    shutil.rmtree(_draft_dir(jobs_dir, owner, token), ignore_errors=True)


def prune_drafts(jobs_dir: Path, max_age: float) -> int:
    """Remove drafts older than ``max_age`` seconds; returns how many."""
    removed = 0
    cutoff = time.time() - max_age
    for folder in (jobs_dir / DRAFTS).glob("*/*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except FileNotFoundError:
            continue  # removed by another request meanwhile
    return removed


@dataclass
class Preview:
    layout: Layout
    size_bytes: int
    rows: list[list[str]]  # the first rows, each cut or padded to the header's width
    columns: Columns | None  # the mapping for the options; None when it cannot be made
    error: Invalid | None  # why not (no name column, an unknown column named)

    def roles(self) -> list[list[str]]:
        """Per input column, what it feeds (``name``, ``birth date``, ``identifier: passport`` ...)."""
        roles: list[list[str]] = [[] for _ in self.layout.header]
        if self.columns is None:
            return roles
        c = self.columns
        for i in c.name:
            roles[i].append("name" if len(c.name) == 1 else "name (joined)")
        for role, index in (("birth date", c.birth_date), ("country", c.country), ("type", c.type)):
            if index is not None:
                roles[index].append(role)
        for index, scheme in c.identifiers:
            roles[index].append(f"identifier: {scheme.replace('_', ' ')}")
        return roles


def first_rows(path: Path, layout: Layout, count: int) -> list[list[str]]:
    """The first ``count`` non-empty data rows, read as the jobs read them (empty rows skipped)."""
    width = len(layout.header)
    out: list[list[str]] = []
    with path.open(encoding=layout.encoding, errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter=layout.delimiter)
        header_seen = False
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                out.append((cells + [""] * width)[:width])
                if len(out) >= count:
                    break
        except csv.Error:
            pass  # the job reports the bad line with its number; the preview shows what it could read
    return out


def preview(path: Path, options: Mapping[str, Any], *, rows: int = PREVIEW_ROWS) -> Preview:
    """What a job would read from ``path`` with ``options`` (``name_column`` ...); raises
    :class:`~.csvio.NotCsv` when the file is not CSV at all."""
    layout = detect(path)
    columns: Columns | None = None
    error: Invalid | None = None
    try:
        columns = map_columns(layout.header, dict(options))
    except Invalid as exc:
        error = exc
    return Preview(layout, path.stat().st_size, first_rows(path, layout, rows), columns, error)


def mapping_options(columns: Columns, header: list[str]) -> dict[str, str]:
    """The options that name ``columns`` explicitly (what the preview's selects start from):
    ``name_column`` only when one column holds the name, ``identifier_columns`` as
    ``Header:scheme`` pairs."""
    out: dict[str, str] = {}
    if len(columns.name) == 1:
        out["name_column"] = header[columns.name[0]]
    for role in ("birth_date", "country", "type"):
        index = getattr(columns, role)
        if index is not None:
            out[f"{role}_column"] = header[index]
    if columns.identifiers:
        out["identifier_columns"] = ",".join(f"{header[i]}:{scheme}" for i, scheme in columns.identifiers)
    return out

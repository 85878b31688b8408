"""Uploaded files saved to a folder of our choosing, shared by the API's and the web
interface's list imports: a client's file name never picks the path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename


def save_uploads(uploads: Iterable[FileStorage], folder: Path) -> list[Path]:
    """Save under sanitised, distinct names (OFAC's parsers read the names: sdn.csv, alt.csv)."""
    paths: list[Path] = []
    for n, upload in enumerate(uploads, 1):
        name = secure_filename(upload.filename or "") or f"upload-{n}"
        stem, dot, ext = name.partition(".")
        while any(p.name == name for p in paths):
            stem += "-1"
            name = stem + dot + ext
        path = folder / name
        upload.save(path)
        paths.append(path)
    return paths

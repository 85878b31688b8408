"""Where the shared, read-only sanctions data lives.

Set ``SANCTIONS_DATA_DIR`` to point elsewhere; by default it is the
``../shared/data`` folder next to the repository root. The files are read in
place and never copied into the project.
"""

from __future__ import annotations

from pathlib import Path

from service.config import data_dir  # SANCTIONS_DATA_DIR, declared with the other settings

__all__ = ["data_dir", "data_path", "have"]


def data_path(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


def have(*parts: str) -> bool:
    return data_path(*parts).exists()

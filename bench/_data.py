"""Where the shared, read-only sanctions data lives.

Set ``SANCTIONS_DATA_DIR`` to point elsewhere; by default it is the
``../shared/data`` folder next to the repository root. The files are read in
place and never copied into the project.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    env = os.environ.get("SANCTIONS_DATA_DIR")
    if env:
        return Path(env)
    return (REPO_ROOT / ".." / "shared" / "data").resolve()


def data_path(*parts: str) -> Path:
    return data_dir().joinpath(*parts)


def have(*parts: str) -> bool:
    return data_path(*parts).exists()

"""List-file parsers: one module per format, all yielding `records.ParseResult`.

Pure functions, no Flask and no database; `apply.py` writes the results.
"""

from __future__ import annotations

from collections.abc import Callable

from .eu import parse_eu
from .ftm import parse_ftm
from .ofac import parse_ofac
from .records import (
    ImportedAddress,
    ImportedDesignation,
    ImportedEntity,
    ImportedIdentifier,
    ImportedName,
    ImportedRelationship,
    ImportFormatError,
    ImportWarning,
    ParseResult,
)
from .uk import parse_uk
from .un import parse_un

PARSERS: dict[str, Callable[..., ParseResult]] = {
    "ofac": parse_ofac,
    "uk": parse_uk,
    "un": parse_un,
    "eu": parse_eu,
    "ftm": parse_ftm,
}

__all__ = [
    "PARSERS",
    "ImportFormatError",
    "ImportWarning",
    "ImportedAddress",
    "ImportedDesignation",
    "ImportedEntity",
    "ImportedIdentifier",
    "ImportedName",
    "ImportedRelationship",
    "ParseResult",
    "parse_eu",
    "parse_ftm",
    "parse_ofac",
    "parse_uk",
    "parse_un",
]

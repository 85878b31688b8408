"""List-file parsers: one module per format, all yielding a :class:`shape.ParseResult`, each
declaring its delisting scope (:mod:`.scope`).

Pure functions, no Flask and no database; :mod:`service.records.imports` writes the results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import eu, ftm, ofac, uk, un
from .eu import parse_eu
from .ftm import parse_ftm
from .ofac import parse_ofac
from .scope import DelistingScope, Listing, ScopeRule
from .shape import (
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


@dataclass(frozen=True)
class ListFormat:
    parse: Callable[..., ParseResult]
    delisting_scope: ScopeRule


FORMATS: dict[str, ListFormat] = {
    "ofac": ListFormat(parse_ofac, ofac.delisting_scope),
    "uk": ListFormat(parse_uk, uk.delisting_scope),
    "un": ListFormat(parse_un, un.delisting_scope),
    "eu": ListFormat(parse_eu, eu.delisting_scope),
    "ftm": ListFormat(parse_ftm, ftm.delisting_scope),
}
PARSERS: dict[str, Callable[..., ParseResult]] = {name: f.parse for name, f in FORMATS.items()}

__all__ = [
    "FORMATS",
    "PARSERS",
    "DelistingScope",
    "ImportFormatError",
    "ImportWarning",
    "ImportedAddress",
    "ImportedDesignation",
    "ImportedEntity",
    "ImportedIdentifier",
    "ImportedName",
    "ImportedRelationship",
    "ListFormat",
    "Listing",
    "ParseResult",
    "parse_eu",
    "parse_ftm",
    "parse_ofac",
    "parse_uk",
    "parse_un",
]

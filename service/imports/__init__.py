"""List-file parsers: one module per format, all yielding a :class:`shape.ParseResult`, each
declaring its delisting scope (:mod:`.scope`).

Pure functions, no Flask and no database; :mod:`service.records.imports` writes the results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import eu, ftm, ofac, uk, un
from ._source import Source
from .eu import parse_eu
from .ftm import parse_ftm, stream_ftm
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
    ParseStream,
)
from .uk import parse_uk
from .un import parse_un


@dataclass(frozen=True)
class ListFormat:
    parse: Callable[..., ParseResult]
    delisting_scope: ScopeRule
    # Formats whose files can be big read them entity by entity; the others parse whole.
    stream: Callable[..., ParseStream] | None = None

    def open(self, paths: list[Source]) -> ParseStream:
        """The files' entities, one at a time (the importer reads every format this way)."""
        return self.stream(paths) if self.stream else ParseStream.whole(self.parse(paths))


FORMATS: dict[str, ListFormat] = {
    "ofac": ListFormat(parse_ofac, ofac.delisting_scope),
    "uk": ListFormat(parse_uk, uk.delisting_scope),
    "un": ListFormat(parse_un, un.delisting_scope),
    "eu": ListFormat(parse_eu, eu.delisting_scope),
    "ftm": ListFormat(parse_ftm, ftm.delisting_scope, stream_ftm),
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
    "ParseStream",
    "parse_eu",
    "parse_ftm",
    "parse_ofac",
    "parse_uk",
    "parse_un",
    "stream_ftm",
]

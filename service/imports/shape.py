"""The one record shape every list parser yields.

Parsers are pure: they read files and return these dataclasses. Nothing here knows about
Flask or the database; :mod:`service.records.imports` maps them onto the models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Types, name kinds and identifier schemes are the words of service/vocabulary.py.


class ImportFormatError(Exception):
    """The file is not in the expected format, is truncated, or has the wrong encoding.

    The message is always one line and names the file, so a CLI can print it as is.
    """


@dataclass
class ImportedName:
    name: str
    kind: str  # one of NAME_KINDS
    script: str | None = None  # e.g. "Chinese", "Cyrillic" (as the source states it)
    lang: str | None = None  # e.g. "Chinese", "EN" (as the source states it)


@dataclass
class ImportedIdentifier:
    scheme: str  # one of IDENTIFIER_SCHEMES
    value: str
    country: str | None = None  # ISO alpha-2
    notes: str | None = None  # the source's own label / details, e.g. "C.U.R.P.", "issued 1968"


@dataclass
class ImportedAddress:
    full: str
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO alpha-2


@dataclass
class ImportedDesignation:
    authority: str  # "OFAC" | "UK" | "UN" | "EU" | other short code
    list_ref: str  # the list's own reference for this entry
    programme: str | None = None
    legal_basis: str | None = None
    listed_on: date | None = None
    measures: list[str] = field(default_factory=list)
    reasons: str | None = None
    source_url: str | None = None


@dataclass
class ImportedEntity:
    source_key: str  # stable key within the source, e.g. "OFAC:47814"
    type: str  # one of ENTITY_TYPES
    name: str  # primary name
    names: list[ImportedName] = field(default_factory=list)
    identifiers: list[ImportedIdentifier] = field(default_factory=list)
    birth_dates: list[str] = field(
        default_factory=list
    )  # partial ISO: "1985", "1985-11", "1985-11-12"
    places_of_birth: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2
    countries: list[str] = field(default_factory=list)  # ISO alpha-2
    addresses: list[ImportedAddress] = field(default_factory=list)
    gender: str | None = None  # "male" | "female" | None
    notes: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    designations: list[ImportedDesignation] = field(default_factory=list)

    # Small helpers so parsers do not each re-implement "append if new".
    def add_name(
        self, name: str, kind: str, script: str | None = None, lang: str | None = None
    ) -> None:
        name = " ".join(name.split())
        if not name:
            return
        for existing in self.names:
            if existing.name == name and existing.kind == kind:
                return
        # The primary name is already in the list; an alias spelt identically adds nothing.
        if kind != "primary" and any(n.name == name and n.kind == "primary" for n in self.names):
            return
        self.names.append(ImportedName(name, kind, script, lang))

    def add_identifier(self, ident: ImportedIdentifier) -> None:
        key = (ident.scheme, ident.value, ident.country)
        if any((i.scheme, i.value, i.country) == key for i in self.identifiers):
            return
        self.identifiers.append(ident)

    def add_address(
        self, full: str, street: str | None = None, city: str | None = None, region: str | None = None,
        postal_code: str | None = None, country: str | None = None,
    ) -> None:
        """An address; its country counts among the entity's countries."""
        self.addresses.append(ImportedAddress(full, street, city, region, postal_code, country))
        add_unique(self.countries, country)

    def designate(self, authority: str, list_ref: str, **details: Any) -> None:
        """A designation of this entity (``details``: the other fields of ImportedDesignation)."""
        self.designations.append(ImportedDesignation(authority, list_ref, **details))


def add_unique(values: list[str], value: str | None) -> None:
    """Append to a list of strings unless empty or already present (order is kept)."""
    if value and value not in values:
        values.append(value)


@dataclass
class ImportedRelationship:
    """A link between two entities of the same file (FtM Ownership / Family / Directorship)."""

    kind: str  # "ownership" | "family" | "directorship" | other FtM schema, lower-cased
    source_key: str  # the FtM relationship entity id
    subject: str  # source_key of the owner / person / director
    object: str  # source_key of the asset / relative / organisation
    properties: dict[str, Any] = field(default_factory=dict)  # role, percentage, dates ...


@dataclass
class ImportWarning:
    file: str
    row: int | str  # 1-based line/row number, or an XML element id
    message: str


@dataclass
class ParseResult:
    entities: list[ImportedEntity] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)
    relationships: list[ImportedRelationship] = field(default_factory=list)

    def warn(self, file: str, row: int | str, message: str) -> None:
        self.warnings.append(ImportWarning(file, row, message))

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n


@dataclass
class ParseStream:
    """A parse told one entity at a time: ``entities`` yields them in the order a whole parse
    lists them; ``result`` (warnings, stats, relationships) is complete once they are all read."""

    entities: Iterator[ImportedEntity]
    result: ParseResult

    @classmethod
    def whole(cls, result: ParseResult) -> ParseStream:
        """A parse already done, told as a stream."""
        entities, result.entities = result.entities, []
        return cls(iter(entities), result)

    def collect(self) -> ParseResult:
        entities = list(self.entities)
        self.result.entities = entities
        return self.result

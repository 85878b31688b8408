"""OpenSanctions FollowTheMoney (FtM) entity JSON lines: one {id, schema, properties, ...} per line.

Mapping:
- Person / Company / Organization / LegalEntity / Vessel / Airplane -> ImportedEntity
  (source_key = FtM id).
- Sanction -> ImportedDesignation on the entity it points to (`entity`). The authority is
  derived from the Sanction's dataset: OFAC / UK / EU / UN for their own lists, otherwise the
  dataset name (e.g. "ch_seco_sanctions"). A Sanction restating another list (e.g. SAM
  exclusions citing OFAC) keeps its own dataset as authority, so it never masquerades as the
  official listing.
- Address entities referenced by `addressEntity` -> ImportedAddress.
- Passport / Identification (holder, number, country, type) -> identifiers on the holder.
- Ownership / Family / Directorship / other link schemas -> ParseResult.relationships
  (not entity properties: a link has two ends and its own dates, and both ends may be entities).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ._jsonlines import JsonLines
from ._source import Source
from .countries import to_iso2
from .dates import to_date
from .names import is_non_latin
from .scope import DelistingScope, Listing, never
from .shape import (
    ImportedAddress,
    ImportedDesignation,
    ImportedEntity,
    ImportedIdentifier,
    ImportedRelationship,
    ImportFormatError,
    ParseResult,
    ParseStream,
    add_unique,
)

_THING_TYPES = {
    "Person": "person",
    "Company": "company",
    "Organization": "organization",
    "LegalEntity": "company",
    "PublicBody": "organization",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
# Link schemas: (subject property, object property).
_LINKS = {
    "Ownership": ("owner", "asset"),
    "Family": ("person", "relative"),
    "Directorship": ("director", "organization"),
    "Associate": ("person", "associate"),
    "Employment": ("employee", "employer"),
    "Membership": ("member", "organization"),
    "Representation": ("agent", "client"),
    "UnknownLink": ("subject", "object"),
}
_AUTHORITIES = {
    "us_ofac_sdn": "OFAC",
    "us_ofac_cons": "OFAC",
    "gb_hmt_sanctions": "UK",
    "gb_fcdo_sanctions": "UK",
    "eu_fsf": "EU",
    "un_sc_sanctions": "UN",
}
_ID_PROPS = {
    "passportNumber": "passport",
    "innCode": "tax_id",
    "taxNumber": "tax_id",
    "vatCode": "tax_id",
    "ogrnCode": "company_registration",
    "registrationNumber": "company_registration",
    "leiCode": "lei",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "swiftBic": "swift_bic",
    "email": "email",
    "website": "website",
    "kppCode": "other",
    "okpoCode": "other",
    "uniqueEntityId": "other",
    "permId": "other",
    "registrationNumberAircraft": "aircraft_registration",
    "serialNumber": "aircraft_serial",
}
_EXTRA_PROPS = (
    "position",
    "title",
    "topics",
    "legalForm",
    "incorporationDate",
    "dissolutionDate",
    "status",
    "sourceUrl",
    "programId",
    "summary",
    "buildDate",
    "flag",
    "type",
    "model",
    "tonnage",
    "grossRegisteredTonnage",
)
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FTM_COUNTRIES = {"suhh": "SU", "csxx": "CS", "yucs": "YU", "ddde": "DD", "zr": "CD", "eu": ""}


def _country(code: str, result: ParseResult, file: str, line: int) -> str | None:
    code = code.strip().lower()
    if code in _FTM_COUNTRIES:
        return _FTM_COUNTRIES[code] or None
    iso = to_iso2(code.upper()) if len(code) == 2 else to_iso2(code)
    if iso is None:
        result.warn(file, line, f"unknown country {code!r}")
    return iso or None


def _check(name: str, number: int, obj: Any) -> None:
    if not (
        isinstance(obj, dict)
        and isinstance(obj.get("id"), str)
        and isinstance(obj.get("schema"), str)
        and isinstance(obj.get("properties"), dict)
    ):
        raise ImportFormatError(
            f"{name}: line {number} is not an FtM entity (needs id, schema, properties)"
        )


def _vals(props: dict[str, Any], key: str) -> list[str]:
    value = props.get(key)
    if not value:
        return []
    return [
        " ".join(str(v).split())
        for v in (value if isinstance(value, list) else [value])
        if str(v).strip()
    ]


def _address(
    props: dict[str, Any], result: ParseResult, file: str, line: int
) -> ImportedAddress | None:
    full = (_vals(props, "full") or [""])[0]
    parts: dict[str, str | None] = {
        k: next(iter(_vals(props, k)), None)
        for k in ("street", "city", "region", "postalCode", "country")
    }
    country = _country(parts["country"], result, file, line) if parts["country"] else None
    full = full or ", ".join(
        p for p in (parts["street"], parts["city"], parts["region"], parts["postalCode"]) if p
    )
    if not full:
        return None
    return ImportedAddress(
        full, parts["street"], parts["city"], parts["region"], parts["postalCode"], country
    )


def _entity(
    file: str,
    line: int,
    obj: dict[str, Any],
    address_of: Callable[[str], dict[str, Any] | None],
    result: ParseResult,
) -> ImportedEntity:
    props = obj["properties"]
    etype = _THING_TYPES[obj["schema"]]
    names = _vals(props, "name")
    # yente's caption is the display name it picked; fall back to the first name.
    caption = " ".join(str(obj.get("caption") or "").split())
    primary = caption if caption in names else (names[0] if names else caption or obj["id"])
    entity = ImportedEntity(source_key=obj["id"], type=etype, name=primary)
    entity.add_name(primary, "primary")
    for prop, kind in (
        ("name", "aka"),
        ("alias", "aka"),
        ("abbreviation", "aka"),
        ("weakAlias", "weak_alias"),
        ("previousName", "fka"),
    ):
        for value in _vals(props, prop):
            entity.add_name(
                value, "original_script" if kind != "weak_alias" and is_non_latin(value) else kind
            )
    for value in _vals(props, "birthDate"):
        if _ISO_DATE.match(value):
            add_unique(entity.birth_dates, value)
        else:
            result.warn(file, line, f"unparseable birthDate {value!r}")
    for value in _vals(props, "birthPlace"):
        add_unique(entity.places_of_birth, value)
    for value in _vals(props, "nationality"):
        add_unique(entity.nationalities, _country(value, result, file, line))
    for prop in ("country", "citizenship", "jurisdiction"):
        for value in _vals(props, prop):
            add_unique(entity.countries, _country(value, result, file, line))
    gender = (_vals(props, "gender") or [""])[0].lower()
    entity.gender = gender if gender in ("male", "female") else None
    id_scheme = "national_id" if etype == "person" else "company_registration"
    for value in _vals(props, "idNumber"):
        entity.add_identifier(ImportedIdentifier(id_scheme, value, notes="idNumber"))
    for prop, scheme in _ID_PROPS.items():
        for value in _vals(props, prop):
            entity.add_identifier(ImportedIdentifier(scheme, value, notes=prop))
    for value in _vals(props, "address"):
        if not any(a.full == value for a in entity.addresses):
            entity.addresses.append(ImportedAddress(value))
    for ref in _vals(props, "addressEntity"):
        found = address_of(ref)
        if found is None:
            result.count("missing_address_entities")
            continue
        addr = _address(found["properties"], result, file, line)
        if addr and not any(a.full == addr.full for a in entity.addresses):
            entity.addresses.append(addr)
            add_unique(entity.countries, addr.country)
    entity.notes = "\n".join(_vals(props, "notes")) or None
    for prop in _EXTRA_PROPS:
        if values := _vals(props, prop):
            entity.properties[prop] = values
    entity.properties["datasets"] = list(obj.get("datasets") or [])
    return entity


def _designation(
    obj: dict[str, Any], result: ParseResult, file: str, line: int
) -> ImportedDesignation:
    props = obj["properties"]
    datasets = list(obj.get("datasets") or [])
    authority = next(
        (_AUTHORITIES[d] for d in datasets if d in _AUTHORITIES), datasets[0] if datasets else "FTM"
    )
    dates = []
    for value in _vals(props, "listingDate") or _vals(props, "startDate"):
        parsed = to_date(value)
        if parsed is None and not re.match(r"^\d{4}(-\d{2})?$", value):
            result.warn(file, line, f"unparseable listing date {value!r}")
        elif parsed:
            dates.append(parsed)
    ref = (
        _vals(props, "authorityId")
        or _vals(props, "unscId")
        or _vals(props, "recordId")
        or [obj["id"]]
    )[0]
    programme = _vals(props, "program") or _vals(props, "programId")
    reasons = _vals(props, "reason") + _vals(props, "summary")
    return ImportedDesignation(
        authority=authority,
        list_ref=ref,
        programme="; ".join(dict.fromkeys(programme)) or None,
        legal_basis=None,
        listed_on=min(dates) if dates else None,
        measures=list(dict.fromkeys(_vals(props, "provisions"))),
        reasons="\n".join(dict.fromkeys(reasons)) or None,
        source_url=next(iter(_vals(props, "sourceUrl")), None),
    )


def parse_ftm(paths: list[Source] | Source) -> ParseResult:
    """Parse one or more FtM JSON-lines files into entities, designations and relationships."""
    return stream_ftm(paths).collect()


def stream_ftm(paths: list[Source] | Source) -> ParseStream:
    """The entities of one or more FtM JSON-lines files, one at a time, in bounded memory.

    Two passes: the first checks every line and indexes where each record starts, which
    entities exist (and the older ids merged into them, ``referents``) and which Sanction,
    Passport and Identification records point at which entity; the second yields each entity,
    in file order, with those records read back from the file, wherever they stand in it."""
    result = ParseResult()
    return ParseStream(_stream(paths, result), result)


class _Sink(ParseResult):
    """Warnings and counts of one stage, each warning keyed by where it was met, so that
    they are told in the order a whole-file parse would tell them."""

    def __init__(self, stage: int) -> None:
        super().__init__()
        self.stage = stage
        self.at = 0  # ordinal of the record being read
        self.keys: list[tuple[int, int, int]] = []

    def warn(self, file: str, row: int | str, message: str) -> None:
        self.keys.append((self.stage, self.at, len(self.keys)))
        super().warn(file, row, message)


class _Index:
    """What the first pass keeps: record ordinals, never the records."""

    def __init__(self) -> None:
        self.things: dict[str, int] = {}  # entity id -> ordinal of its last record
        self.first: dict[str, int] = {}  # an id given twice -> ordinal of its first record
        self.addresses: dict[str, int] = {}
        self.referents: list[tuple[str, list[str]]] = []
        self.alias: dict[str, str] = {}  # a merged (older) id -> the entity's id
        self.aliases_of: dict[str, list[str]] = {}
        # hash of a referenced id -> the Sanction/Passport/Identification records naming it.
        # A hash shared by two ids only adds a candidate: read() checks the actual reference.
        self.attached: dict[int, int | list[int]] = {}

    def add(self, ordinal: int, obj: dict[str, Any]) -> None:
        schema, props, oid = obj["schema"], obj["properties"], obj["id"]
        if schema == "Address":
            for key in [oid, *(obj.get("referents") or [])]:
                self.addresses.setdefault(key, ordinal)
        elif schema in _THING_TYPES:
            if oid in self.things and oid not in self.first:
                self.first[oid] = self.things[oid]
            self.things[oid] = ordinal
        elif schema == "Sanction":
            self._attach(_vals(props, "entity"), ordinal)
        elif schema in ("Passport", "Identification") and _vals(props, "number"):
            self._attach(_vals(props, "holder"), ordinal)
        if obj.get("referents"):
            self.referents.append((oid, list(obj["referents"])))

    def _attach(self, refs: list[str], ordinal: int) -> None:
        for ref in refs:
            key = hash(ref)
            known = self.attached.get(key)
            if known is None:
                self.attached[key] = ordinal
            elif isinstance(known, int):
                self.attached[key] = [known, ordinal]
            else:
                known.append(ordinal)

    def resolve_referents(self) -> None:
        # As a whole-file parse looks ids up: the entities' own ids first, then the older ids
        # merged into them, the first entity (in file order) naming one winning.
        for oid, olds in self.referents:
            if oid in self.things:
                for old in olds:
                    if old not in self.things and old not in self.alias:
                        self.alias[old] = oid
                        self.aliases_of.setdefault(oid, []).append(old)
        self.referents = []

    def resolve(self, ref: str) -> str | None:
        return ref if ref in self.things else self.alias.get(ref)

    def records_for(self, oid: str) -> list[int]:
        found: set[int] = set()
        for ref in [oid, *self.aliases_of.get(oid, [])]:
            known = self.attached.get(hash(ref))
            if known is not None:
                found.update([known] if isinstance(known, int) else known)
        return sorted(found)


def _stream(paths: list[Source] | Source, result: ParseResult) -> Iterator[ImportedEntity]:
    with JsonLines(paths, "an FtM JSON lines file") as files:
        index = _Index()
        for ordinal, _, _, obj in files.scan(_check, "{name}: empty file, no FtM entities"):
            result.count("lines")
            index.add(ordinal, obj)
        index.resolve_referents()

        def address_of(ref: str) -> dict[str, Any] | None:
            at = index.addresses.get(ref)
            return None if at is None else files.read(at)[3]

        entities, links, quiet = _Sink(0), _Sink(1), ParseResult()
        dangling: list[str] = []
        for ordinal, file, line, obj in files.records():
            if obj["schema"] in _THING_TYPES:
                oid = obj["id"]
                last, first = index.things[oid], index.first.get(oid, ordinal)
                if ordinal != last:  # an id given again later: only this record's warnings count
                    entities.at = ordinal
                    _entity(file, line, obj, address_of, entities)
                if ordinal == first:
                    _, lfile, lline, lobj = (ordinal, file, line, obj) if last == ordinal else files.read(last)
                    entities.at = last
                    entity = _entity(lfile, lline, lobj, address_of, entities)
                    _attach(files, index, oid, entity, links, quiet)
                    yield entity
            links.at = ordinal
            _second_pass(file, line, obj, index, links, dangling, result)
        result.warnings = [w for _, w in sorted(zip(entities.keys + links.keys, entities.warnings + links.warnings,
                                                     strict=True), key=lambda kw: kw[0])]
        result.stats = {**result.stats, **entities.stats, **links.stats}
        if dangling:
            result.count("dangling_references", len(dangling))
            result.warn(
                ", ".join(dict.fromkeys(files.names)),
                "-",
                f"{len(dangling)} Sanction/Passport/Identification entities point at ids absent from the "
                f"file and were skipped (first: {dangling[0]})",
            )


def _attach(files: JsonLines, index: _Index, oid: str, entity: ImportedEntity, links: _Sink,
            quiet: ParseResult) -> None:
    """The Sanction, Passport and Identification records naming the entity (by its id or an
    older one), in file order, once per time they name it."""
    for ordinal in index.records_for(oid):
        _, file, line, obj = files.read(ordinal)
        schema, props = obj["schema"], obj["properties"]
        if schema == "Sanction":
            for target in _vals(props, "entity"):
                if index.resolve(target) == oid:
                    links.at = ordinal
                    entity.designations.append(_designation(obj, links, file, line))
            continue
        number = (_vals(props, "number") or [""])[0]
        # Its country warning is the second pass's, told once per record.
        country = (
            _country((_vals(props, "country") or [""])[0], quiet, file, line)
            if _vals(props, "country")
            else None
        )
        scheme = "passport" if schema == "Passport" else "national_id"
        for holder in _vals(props, "holder"):
            if index.resolve(holder) == oid:
                entity.add_identifier(
                    ImportedIdentifier(scheme, number, country, next(iter(_vals(props, "type")), None))
                )


def _second_pass(file: str, line: int, obj: dict[str, Any], index: _Index, links: _Sink,
                 dangling: list[str], result: ParseResult) -> None:
    """Count each record, note references to absent ids, collect link entities (Sanctions
    and documents are attached to their entities by _attach)."""
    schema, props = obj["schema"], obj["properties"]
    links.count(f"schema_{schema}")
    if schema == "Sanction":
        dangling.extend(obj["id"] for target in _vals(props, "entity") if index.resolve(target) is None)
    elif schema in ("Passport", "Identification"):
        if not _vals(props, "number"):
            links.count("identity_documents_without_number")
            return
        if _vals(props, "country"):
            _country((_vals(props, "country") or [""])[0], links, file, line)
        dangling.extend(obj["id"] for holder in _vals(props, "holder") if index.resolve(holder) is None)
    elif schema in _LINKS:
        subject_prop, object_prop = _LINKS[schema]
        extra = {k: v for k, v in props.items() if k not in (subject_prop, object_prop)}
        for subject in _vals(props, subject_prop):
            for obj_ref in _vals(props, object_prop):
                if index.resolve(subject) is None or index.resolve(obj_ref) is None:
                    links.count("relationships_with_absent_end")
                result.relationships.append(
                    ImportedRelationship(schema.lower(), obj["id"], subject, obj_ref, extra)
                )
    elif schema not in _THING_TYPES and schema != "Address":
        links.count("skipped_entities")


def delisting_scope(file_names: Sequence[str], listed: Iterable[Listing]) -> DelistingScope:
    """Never: FtM files are excerpts that mix authorities, so an absent entry means nothing."""
    return never("FtM")

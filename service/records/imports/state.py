"""The in-memory picture an import works on: small states of the entities and designations it
may change, cleaned to the columns' rules, with what they were when read (to report and
write only differences)."""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...imports import ImportedIdentifier, ImportedName

LIST_FIELDS = ("birth_dates", "places_of_birth", "nationalities", "countries", "addresses")
ENTITY_FIELDS = ("type", "name", *LIST_FIELDS, "gender", "notes", "properties", "source_urls")
DESIGNATION_FIELDS = ("programme", "legal_basis", "listed_on", "delisted_on", "measures",
                      "reasons", "source_urls")
# An entity created by an import remembers it here, e.g. "OFAC:47814" (see merge.py).
OWNER_KEY = "import_source"

# Column sizes (models): longer values are cut rather than failing a whole list.
_LIMITS = {"name": 255, "script": 64, "lang": 16, "scheme": 32, "value": 255, "notes": 1024,
           "programme": 255, "legal_basis": 1024, "list_ref": 64, "measure": 64}

Key = tuple[str, str]  # (authority, list_ref)
# progress(stage, done, total): the CLI draws a bar with it.
Progress = Callable[[str, int, int], None]


def clip(text: str | None, kind: str) -> str | None:
    """Drop NULs (PostgreSQL refuses them) and cut to the column size."""
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    return text[: _LIMITS[kind]] if text else None


def jsonable(value: Any) -> Any:
    """What a JSON column gives back: lists for tuples, strings for dates (str(), as
    ``json.dumps(default=str)`` writes them). The plain JSON types are copied directly; any
    other value takes the round trip through JSON text, which defines the result."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    if kind is dict and all(type(k) is str for k in value):
        return {k: jsonable(v) for k, v in value.items()}
    return json.loads(json.dumps(value, default=str))


@dataclass
class NameRow(ImportedName):
    """A name as the import writes it: an entity_names row, new or read."""

    id: int | None = None  # None: to insert
    renamed_from: str | None = None  # set when an existing primary row gets a new name


@dataclass
class IdentRow(ImportedIdentifier):
    """An identifier as the import writes it: an entity_identifiers row, new or read."""

    id: int | None = None  # None: to insert


@dataclass
class DesignationState:
    authority: str
    list_ref: str
    values: dict[str, Any]
    id: int | None = None
    entity_id: int | None = None
    version: int = 1
    archived: bool = False
    before: dict[str, Any] = field(default_factory=dict)

    @property
    def reference(self) -> str:
        return f"{self.authority}:{self.list_ref}"

    def changes(self) -> dict[str, dict[str, Any]]:
        return {f: {"before": jsonable(self.before.get(f)), "after": jsonable(self.values.get(f))}
                for f in DESIGNATION_FIELDS if self.before.get(f) != self.values.get(f)}


@dataclass
class EntityState:
    values: dict[str, Any]
    names: list[NameRow]
    identifiers: list[IdentRow]
    id: int | None = None
    version: int = 1
    before: dict[str, Any] = field(default_factory=dict)
    designations: list[DesignationState] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # entries of this import merged in
    merged: bool = False  # matched by identifier rather than by reference

    def snapshot(self) -> None:
        # Merging only appends to lists and sets dict keys, so shallow copies are enough.
        self.before = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
                       for k, v in self.values.items()}
        self.before["_names"] = [_name_label(n) for n in self.names]
        self.before["_identifiers"] = [_ident_label(i) for i in self.identifiers]

    def changes(self) -> dict[str, dict[str, Any]]:
        out = {f: {"before": jsonable(self.before.get(f)), "after": jsonable(self.values.get(f))}
               for f in ENTITY_FIELDS if self.before.get(f) != self.values.get(f)}
        names = [_name_label(n) for n in self.names]
        if names != self.before.get("_names"):
            out["names"] = {"before": self.before.get("_names"), "after": names}
        idents = [_ident_label(i) for i in self.identifiers]
        if idents != self.before.get("_identifiers"):
            out["identifiers"] = {"before": self.before.get("_identifiers"), "after": idents}
        return out

    @property
    def fields_changed(self) -> bool:
        return any(self.before.get(f) != self.values.get(f) for f in ENTITY_FIELDS)

    @property
    def is_changed(self) -> bool:
        return bool(self.fields_changed or self.designations
                    or any(n.id is None or n.renamed_from for n in self.names)
                    or any(i.id is None for i in self.identifiers))


def _name_label(n: NameRow) -> str:
    return f"{n.name} [{n.kind}]"


def _ident_label(i: IdentRow) -> str:
    return f"{i.scheme}: {i.value}" + (f" ({i.country})" if i.country else "")


@dataclass
class Entry:
    """One parsed list entry on its way in."""

    state: EntityState
    designations: list[tuple[Key, dict[str, Any]]]
    target: EntityState | int | None = None  # an in-run state, an existing entity id, or new
    via_identifier: bool = False


class CrossBatch(Exception):
    """An entry of this batch would change a record an earlier batch already wrote (the
    same reference twice far apart in a file, two entries merged into one record): the
    import starts again in one batch, so that the outcome never depends on the batching."""


@dataclass
class Workspace:
    """The records one import reads and may change.

    An import works in batches of entries (run.py). The first fields hold for the whole run;
    the per-batch ones are emptied after each batch is written, and what later batches must
    not touch again is remembered compactly (ids, hashes)."""

    existing: dict[Key, dict[str, Any]] = field(default_factory=dict)  # the authorities' designation rows
    authorities: set[str] = field(default_factory=set)  # whose designations ``existing`` holds
    holders: dict[int, set[str]] = field(default_factory=dict)  # entity id -> authorities listing it
    # per batch
    states: dict[int, EntityState] = field(default_factory=dict)  # existing entities matched
    des_states: dict[Key, DesignationState] = field(default_factory=dict)  # existing designations seen
    new_states: list[EntityState] = field(default_factory=list)  # entities to create
    claimed: dict[Key, EntityState | int] = field(default_factory=dict)  # references first seen in this run
    # earlier batches
    prior_claims: set[int] = field(default_factory=set)  # hashes of references they claimed
    prior_entities: set[int] = field(default_factory=set)  # existing entities they matched or whose designations
    touched: set[int] = field(default_factory=set)  # existing entities they wrote
    created: list[tuple[int, int]] = field(default_factory=list)  # id ranges of the entities they created
    seen: set[Key] = field(default_factory=set)  # stored references the files list (for delisting)
    # strong identifiers of the entities as they stood before the import, read at the first need
    identifiers: dict[tuple[str, str], list[dict[str, Any]]] | None = None

    def end_batch(self, entries: list[Entry], touched: set[int]) -> None:
        """Remember what later batches must leave alone, and forget the batch."""
        self.prior_claims.update(hash(k) for k in self.claimed)
        self.prior_entities.update(e.target for e in entries if isinstance(e.target, int))
        self.prior_entities.update(d.entity_id for d in self.des_states.values() if d.entity_id is not None)
        ids = [s.id for s in self.new_states if s.id is not None]
        if ids:
            self.created.append((min(ids), max(ids)))
        self.touched.update(touched - set(ids))
        self.seen.update(k for e in entries for k, _ in e.designations if k in self.existing)
        self.states, self.des_states, self.new_states, self.claimed = {}, {}, [], {}

    def created_here(self, entity_id: int) -> bool:
        at = bisect.bisect_right(self.created, (entity_id, math.inf)) - 1
        return at >= 0 and self.created[at][0] <= entity_id <= self.created[at][1]

    def designation_state(self, key: Key) -> DesignationState:
        if key not in self.des_states:
            row = self.existing[key]
            values = {f: (list(row[f] or []) if f in ("measures", "source_urls") else row[f])
                      for f in DESIGNATION_FIELDS}
            self.des_states[key] = DesignationState(
                authority=key[0], list_ref=key[1], values=values, id=row["id"],
                entity_id=row["entity_id"], version=row["version"],
                archived=row["archived_at"] is not None, before=dict(values))
        return self.des_states[key]

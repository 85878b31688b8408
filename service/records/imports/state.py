"""The in-memory picture an import works on: small states of the entities and designations it
may change, cleaned to the columns' rules, with what they were when read (to report and
write only differences)."""

from __future__ import annotations

import json
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
    """What a JSON column gives back: lists for tuples, strings for dates."""
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


@dataclass
class Workspace:
    """The records one import reads and may change."""

    existing: dict[Key, dict[str, Any]] = field(default_factory=dict)  # the authorities' designation rows
    holders: dict[int, set[str]] = field(default_factory=dict)  # entity id -> authorities listing it
    states: dict[int, EntityState] = field(default_factory=dict)  # existing entities matched
    des_states: dict[Key, DesignationState] = field(default_factory=dict)  # existing designations seen
    new_states: list[EntityState] = field(default_factory=list)  # entities to create

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

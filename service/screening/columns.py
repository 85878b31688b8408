"""What the index keeps per listed entity and per name slot, in flat columns.

A screening index holds every listed entity's record (what a match reports and the evidence
compares) and every name slot's listed name. As objects (a record per entity, a name object
and its string per slot, a tuple per list of references or identifiers) they were most of
the index at a million entities: 636 MB of its 955, in 9.7 million objects; as columns, 177 MB.
And reading an object writes its reference count, so every record or name a query reported
copied the page holding it, and its neighbours, into a forked worker.

Here they are numbers in arrays and text in one UTF-8 buffer per column. A record or name
is put together when asked for (a query asks for those of its matches only); nothing here
is an object a query touches, so the columns stay shared between a server's workers.
Rows are only appended: a replaced or removed entity leaves its old row unreachable (the
index leaves tombstones too).
"""

from __future__ import annotations

import json
from array import array
from typing import Any, Generic, TypeVar

from .types import Identifier, ListedName

__all__ = ["Codes", "EntityRecord", "EntityTable", "NameColumn", "TextColumn"]

T = TypeVar("T")


class TextColumn:
    """Strings by number, encoded one after another in one buffer."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")

    def __len__(self) -> int:
        return len(self._ends)

    def append(self, text: str) -> int:
        """Store ``text``; its number."""
        # surrogatepass: a name read from JSON may hold a lone surrogate, and must come back
        # as it went in.
        self._data += text.encode("utf-8", "surrogatepass")
        self._ends.append(len(self._data))
        return len(self._ends) - 1

    def __getitem__(self, i: int) -> str:
        start = self._ends[i - 1] if i else 0
        return self._data[start : self._ends[i]].decode("utf-8", "surrogatepass")


class Codes(Generic[T]):
    """Distinct values (name kinds, countries, birth dates, the index's tokens) numbered once
    each, in the order first seen."""

    def __init__(self) -> None:
        self.values: list[T] = []
        self._number: dict[T, int] = {}

    def code(self, value: T) -> int:
        n = self._number.get(value)
        if n is None:
            n = self._number[value] = len(self.values)
            self.values.append(value)
        return n


class NameColumn:
    """Each name slot's listed name: its text and kind."""

    def __init__(self) -> None:
        self._text = TextColumn()
        self._kind = array("H")
        self._kinds: Codes[str] = Codes()

    def __len__(self) -> int:
        return len(self._kind)

    def append(self, lname: ListedName) -> None:
        self._text.append(lname.name)
        self._kind.append(self._kinds.code(lname.kind))

    def __getitem__(self, slot: int) -> ListedName:
        return ListedName(self._text[slot], self.kind(slot))

    def text(self, slot: int) -> str:
        return self._text[slot]

    def kind(self, slot: int) -> str:
        return self._kinds.values[self._kind[slot]]


class EntityRecord:
    """One entity's record, as :meth:`EntityTable.get` puts it together. Its identifiers are
    read when asked for: only a subject with identifiers compares them."""

    __slots__ = ("_table", "entity_id", "name", "cls", "birth_dates", "countries", "references",
                 "first_slot", "slots")

    def __init__(self, table: EntityTable, entity_id: int, name: str, cls: str, birth_dates: tuple[str, ...],
                 countries: frozenset[str], references: tuple[str, ...], first_slot: int, slots: int) -> None:
        self._table = table
        self.entity_id = entity_id
        self.name = name
        self.cls = cls
        self.birth_dates = birth_dates
        self.countries = countries
        self.references = references
        self.first_slot = first_slot
        self.slots = slots

    @property
    def identifiers(self) -> tuple[Identifier, ...]:
        return self._table.identifiers(self.entity_id)

    @property
    def name_ids(self) -> range:
        return range(self.first_slot, self.first_slot + self.slots)


class _RowMap:
    """Entity id -> row (-1: none). The service's entity ids are the database's, numbered from 1
    and dense: an array indexed by id costs 4 bytes an id, where a dict cost about 100 (its
    slot and two int objects), 100 MB at a million entities. Ids far beyond the count (a list
    of a few entities with large ids, as the tests build) go to a dict."""

    def __init__(self) -> None:
        self._near = array("i")
        self._far: dict[int, int] = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def get(self, key: int) -> int:
        near = self._near
        if 0 <= key < len(near):
            return near[key]
        return self._far.get(key, -1)

    def set(self, key: int, row: int) -> None:
        """Map ``key`` to ``row``; a row of -1 removes it."""
        self._count += (row >= 0) - (self.get(key) >= 0)
        near = self._near
        if not 0 <= key < len(near):
            self._far.pop(key, None)
            # Near: within a small multiple of the ids held, so the array stays dense.
            bound = 4 * (self._count + 1024)
            if not 0 <= key < bound:
                if row >= 0:
                    self._far[key] = row
                return
            near.extend(array("i", [-1]) * (min(bound, max(key + 1, 2 * len(near))) - len(near)))
            for k in [k for k in self._far if 0 <= k < len(near)]:
                near[k] = self._far.pop(k)
        near[key] = row


class EntityTable:
    """The listed entities' records by entity id; an entity's name slots are consecutive (its
    names are added together), so two numbers say which they are."""

    def __init__(self, names: NameColumn) -> None:
        self._rows = _RowMap()  # entity id -> its current row
        self._eid = array("q")
        self._cls = array("B")
        self._classes: Codes[str] = Codes()
        # The entity's name: the number of a name slot of it with that very name (nearly
        # always), read from ``names``; else -1 - its number in _odd_names.
        self._slot_names = names
        self._name = array("q")
        self._odd_names = TextColumn()
        # Birth-date tuples and country sets, held once each: a million entities have few
        # distinct ones.
        self._births = array("i")
        self._countries = array("i")
        self._shared: Codes[Any] = Codes()
        # Identifiers, as listed ((scheme, value, country) with country None when not given):
        # -1, or the number of their JSON in _idents. Read only when a subject brings
        # identifiers to compare.
        self._ident = array("i")
        self._idents = TextColumn()
        # References: row r's are _refs[_ref_start[r]:_ref_start[r + 1]].
        self._refs = TextColumn()
        self._ref_start = array("q", [0])
        self._first_slot = array("q")
        self._slots = array("i")

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, entity_id: int) -> bool:
        return self._rows.get(entity_id) >= 0

    def add(self, entity_id: int, name: str, cls: str, birth_dates: tuple[str, ...], countries: frozenset[str],
            identifiers: tuple[Identifier, ...], references: tuple[str, ...], first_slot: int, slots: int,
            name_slot: int) -> None:
        """A new row for ``entity_id`` (the current one from now on), whose name slots, already
        added, are ``slots`` from ``first_slot``; ``name_slot`` is one of them with ``name`` as
        its name, or -1."""
        self._rows.set(entity_id, len(self._eid))
        self._eid.append(entity_id)
        self._cls.append(self._classes.code(cls))
        self._name.append(name_slot if name_slot >= 0 else -1 - self._odd_names.append(name))
        self._births.append(self._shared.code(birth_dates))
        self._countries.append(self._shared.code(countries))
        self._ident.append(self._idents.append(json.dumps(identifiers)) if identifiers else -1)
        for ref in references:
            self._refs.append(ref)
        self._ref_start.append(len(self._refs))
        self._first_slot.append(first_slot)
        self._slots.append(slots)

    def name_ids(self, entity_id: int) -> range:
        row = self._row(entity_id)
        return range(self._first_slot[row], self._first_slot[row] + self._slots[row])

    def identifiers(self, entity_id: int) -> tuple[Identifier, ...]:
        n = self._ident[self._row(entity_id)]
        if n < 0:
            return ()
        return tuple((scheme, value, country) for scheme, value, country in json.loads(self._idents[n]))

    def get(self, entity_id: int) -> EntityRecord | None:
        row = self._rows.get(entity_id)
        if row < 0:
            return None
        refs = self._refs
        return EntityRecord(
            self, entity_id, self._name_of(row), self._classes.values[self._cls[row]],
            self._shared.values[self._births[row]], self._shared.values[self._countries[row]],
            tuple([refs[i] for i in range(self._ref_start[row], self._ref_start[row + 1])]),
            self._first_slot[row], self._slots[row],
        )

    def _name_of(self, row: int) -> str:
        at = self._name[row]
        return self._slot_names.text(at) if at >= 0 else self._odd_names[-1 - at]

    def remove(self, entity_id: int) -> range | None:
        """Forget ``entity_id``; the name slots it had, or None if it was not held."""
        if entity_id not in self:
            return None
        slots = self.name_ids(entity_id)
        self._rows.set(entity_id, -1)
        return slots

    def ids(self) -> list[int]:
        """The entity ids held, in the order they were (last) added."""
        rows = self._rows
        return [eid for row, eid in enumerate(self._eid) if rows.get(eid) == row]

    def _row(self, entity_id: int) -> int:
        row = self._rows.get(entity_id)
        if row < 0:
            raise KeyError(entity_id)
        return row

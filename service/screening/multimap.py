"""A multimap from int keys to small non-negative ints, in flat arrays.

The vocabulary's fuzzy lookup tables (``hash(delete variant) -> token ids``) and the
despaced name keys (``hash(words joined) -> name slots``) hold most of the index's entries:
about half a million at the OFAC list's size, tens of millions at a million names. As a
``dict`` each entry costs a key object, a dict slot and often a list (about 75 bytes), and
every lookup that finds its key writes the reference counts of the key and value objects.
A server's workers share the index copy-on-write after the fork, so those writes copied
the pages holding them into each worker, and the pages hold everything else too.

Here the keys sit in flat ``array`` slots (open addressing with linear probing, at most
half full) and their values in flat arrays beside them, chained per key: about 24 bytes
an entry instead of 75, and a lookup only reads, as the arrays hold numbers, not objects.
Nothing is ever deleted (the index leaves tombstones elsewhere).
"""

from __future__ import annotations

from array import array
from typing import Final

__all__ = ["MultiMap"]

_NONE: Final = -1  # the end of a chain
_FREE: Final = 0  # the key of a free slot (a key of 0 is stored as 1: one more collision)
_START: Final = 16  # slots of a new map (a power of two)
# Keys are hash() values, 64 bits; kept to 62 (two more equal keys in 2**64, as likely as
# any other hash collision, which only adds a candidate the exact comparison rejects), so
# that compiled code holds them as unboxed ints. A lookup measured no faster for it: most
# of its time is the arrays' item access, which mypyc does not specialise.
_SHORT: Final = 2


class MultiMap:
    """int key -> set of ints >= 0 (token ids, name slots).

    ``ascending``: the caller adds each key's values in ascending order (the token id or name
    slot it has just numbered), so a value already held can only be the one added last, and
    :meth:`add` checks that one instead of walking the key's values: a short word's delete
    variant holds thousands of token ids at a million names, and walking them was a tenth of
    the index build's time there."""

    def __init__(self, *, ascending: bool = False) -> None:
        self._ascending = ascending
        # Slots: a key (_FREE if none), and the first of its values (an entry). A miss reads
        # the keys only.
        self._keys = array("q", bytes(8 * _START))
        self._heads = array("i", [_NONE]) * _START
        self._mask = _START - 1
        self._slots_used = 0
        # Entries: a value, and the next entry of the same key. One key per slot, its values
        # chained apart: a common key (a short word's delete variant has hundreds) does not
        # lengthen the probe run of every other key hashed near it.
        self._vals = array("i")
        self._next = array("i")

    def __len__(self) -> int:
        """Entries (key, value) held."""
        return len(self._vals)

    def add(self, key: int, value: int) -> None:
        """Add ``value`` under ``key`` (nothing if it is there already)."""
        key = (key >> _SHORT) or 1
        keys, heads, mask = self._keys, self._heads, self._mask
        i = key & mask
        while True:
            held = keys[i]
            if held == _FREE:
                keys[i] = key
                heads[i] = self._append(value, _NONE)
                self._slots_used += 1
                if 2 * self._slots_used > mask + 1:
                    self._grow()
                return
            if held == key:
                vals, nxt = self._vals, self._next
                head = heads[i]
                if self._ascending:
                    if vals[head] == value:
                        return
                else:
                    e = head
                    while e != _NONE:
                        if vals[e] == value:
                            return
                        e = nxt[e]
                heads[i] = self._append(value, head)
                return
            i = (i + 1) & mask

    def get_into(self, key: int, into: set[int]) -> None:
        """Add every value held under ``key`` to ``into``."""
        key = (key >> _SHORT) or 1
        keys, mask = self._keys, self._mask
        i = key & mask
        while True:
            held = keys[i]
            if held == key:
                vals, nxt = self._vals, self._next
                e = self._heads[i]
                while e != _NONE:
                    into.add(vals[e])
                    e = nxt[e]
                return
            if held == _FREE:
                return
            i = (i + 1) & mask

    def _append(self, value: int, after: int) -> int:
        self._vals.append(value)
        self._next.append(after)
        return len(self._vals) - 1

    def _grow(self) -> None:
        old_keys, old_heads = self._keys, self._heads
        size = 2 * (self._mask + 1)
        keys = array("q", bytes(8 * size))
        heads = array("i", [_NONE]) * size
        mask = size - 1
        for j in range(len(old_keys)):
            key = old_keys[j]
            if key == _FREE:
                continue
            i = key & mask
            while keys[i] != _FREE:
                i = (i + 1) & mask
            keys[i] = key
            heads[i] = old_heads[j]
        self._keys, self._heads, self._mask = keys, heads, mask

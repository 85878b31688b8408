"""Bounded memos of the engine's hottest pure functions, and the eviction every bounded cache
of the engine uses.

``functools.lru_cache`` wraps a function in a C object that compiled code can only call
through the generic protocol: each call builds an argument tuple, and a hit still pays for
the call. :func:`~.keys.phonetic_key` and :func:`~.keys.slavic_key` are asked about a hundred
times a query each (every listed word the vocabulary verifies), nine times in ten for a word
asked before; ``perf`` on OFAC-like rows put a sixteenth of a row's time in the
``lru_cache`` wrapper around them. A :class:`Memo` is a dict that the function reads itself,
so a hit costs one dict lookup and a direct call.

:func:`drop_oldest` frees a share of a full cache at once: finding a dict's first entry walks
past the slot of every entry deleted or moved to the end since the dict was last compacted,
so dropping one entry a miss cost time in proportion to the cache (54 µs a miss at 100,000
entries, a tenth of a bulk row's time once the vocabulary's cache was full).
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

__all__ = ["EVICT_SHARE", "Memo", "MemoInfo", "drop_oldest"]

#: A full cache drops its oldest 1/EVICT_SHARE at once.
EVICT_SHARE = 8


def drop_oldest(data: dict[Any, Any]) -> None:
    """Drop the first 1/EVICT_SHARE of ``data``'s entries (at least one): the oldest, or the
    least recently used where a hit moves its entry to the end."""
    for old in list(itertools.islice(data, max(1, len(data) // EVICT_SHARE))):
        data.pop(old, None)  # pop: another thread may have dropped it meanwhile


class MemoInfo(NamedTuple):
    """As ``functools.lru_cache``'s ``cache_info()``."""

    hits: int
    misses: int
    maxsize: int
    currsize: int


class Memo:
    """A function's results by argument, ``maxsize`` at most: the function asks :meth:`get`
    and hands a result it computed to :meth:`put` (a method of a compiled class, called
    directly, where an ``lru_cache`` is called through the generic protocol). Its
    ``cache_info`` and ``cache_clear`` are ``lru_cache``'s, so that
    :func:`~.collector.drop_query_caches` empties it with the others."""

    def __init__(self, maxsize: int) -> None:
        self.data: dict[Any, Any] = {}
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0

    def get(self, key: Any) -> Any:
        """The value remembered for ``key``, or None."""
        value = self.data.get(key)
        if value is not None:
            self.hits += 1
        return value

    def put(self, key: Any, value: Any) -> Any:
        """Remember ``value`` for ``key``; returns ``value``."""
        data = self.data
        if len(data) >= self.maxsize:
            drop_oldest(data)
        data[key] = value
        self.misses += 1
        return value

    def cache_info(self) -> MemoInfo:
        return MemoInfo(self.hits, self.misses, self.maxsize, len(self.data))

    def cache_clear(self) -> None:
        self.data = {}
        self.hits = self.misses = 0

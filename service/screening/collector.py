"""The cyclic garbage collector and the large, long-lived indexes built in a process.

A screening index holds millions of small objects and no reference cycles. While it is built,
each full pass of the collector walks every object made so far (an OFAC build took 2.1 s with
it and 1.7 s without; 100,000 monitored subjects, 22 s of CPU and 17 s); once it is built, every later full pass walks it again
while queries run, and in a forked worker writes to, so copies, each page of it. So an index is
built with the collector paused and then frozen out of its reach (the permanent generation).
Refcounting still frees a frozen index when it is replaced: only cyclic garbage frozen with it
would stay, which is what ``collect`` is for.

The engine's caches of query work (``lru_cache`` on its functions, and the memos of
:mod:`.memo`) are filled by a build too (the pinyin readings of every listed word, say: about
25,000 entries for the OFAC list) and by warm-up queries. Left in a process that forks, each
entry a worker's query hits or pushes out is written to (its link in the cache's list, its
reference counts), copying its page into the worker (OFAC list, the caches of its build and
of 300 queries: 8 MB less copied into a worker over the next 3,000 queries once dropped).
:func:`drop_query_caches` empties them first.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["collector_paused", "drop_query_caches", "query_caches"]

_PACKAGE = __name__.rpartition(".")[0]


@contextmanager
def collector_paused(*, collect: bool) -> Iterator[None]:
    """Run the block without the cyclic collector, then freeze what is alive.

    ``collect``: one full pass before the freeze, so that the cyclic garbage made meanwhile (by
    the database driver, say) is freed rather than frozen. It costs about one pass over the
    index: worth it for the lists' index, built at start-up and rarely again; not for the
    monitored subjects' indexes, rebuilt whenever the portfolio is emptied, whose build makes
    no cycles of its own.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if collect:
            gc.collect()
        gc.freeze()


def query_caches() -> dict[str, Any]:
    """The engine's caches of query work by name (``module.name``, each cache once, under the
    module that defines it): every ``lru_cache`` and memo in the engine's imported modules but
    the tables it loads once (cached functions of one entry)."""
    found: dict[int, tuple[str, Any]] = {}
    for name, module in sorted(sys.modules.items()):
        if module is None or not name.startswith(_PACKAGE + "."):
            continue
        for attr, value in list(vars(module).items()):  # a list: an import elsewhere may add to it
            info = getattr(value, "cache_info", None)
            if info is None or not hasattr(value, "cache_clear") or isinstance(value, type):
                continue  # a class (memo.Memo, imported) is not a cache
            maxsize = info().maxsize
            if maxsize is not None and maxsize <= 1:
                continue
            label = f"{name.rpartition('.')[2]}.{attr}"
            # An imported cache is found in each module that imports it: named where it is made.
            if id(value) not in found or getattr(value, "__module__", None) == name:
                found[id(value)] = (label, value)
    return dict(found.values())


def drop_query_caches() -> int:
    """Empty the engine's caches of query work (:func:`query_caches`); how many entries they held."""
    dropped = 0
    for cache in query_caches().values():
        dropped += cache.cache_info().currsize
        cache.cache_clear()
    return dropped

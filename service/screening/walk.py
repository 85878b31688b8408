"""The postings walk of a query with long lists, in numpy: what
:meth:`.retrieval.CandidateIndex.candidates` computes entry by entry in a dict, with the same
ranks (the same float additions, in the same order) and the same names in the same order.

Among a million names a query's walk reaches its budget (:data:`.retrieval.WALK_ENTRIES`,
16,000 entries) plus the boosting lists, and the dict walk was most of the slowest queries'
time: a boxed float made and freed per entry, and sorting every rank to find the best few.
Short walks stay in the dict: numpy's fixed cost per call is more than the walk they need.

The rules this must keep, as the dict walk applies them:

- A query word found as several listed words credits a name once, at the first of its lists
  (best first) that holds the name; a name written with a word twice is in that word's list
  twice and credited twice.
- A boosting list adds to names already found only, each entry once, except a list long
  against the names found, which is tested as a set (each name once).
- Ranks tie in the order names were first found; names the whole query found joined come
  after, in the order given.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

import numpy as np

#: A walk of more entries than this is done here; fewer, in the dict.
#: Timed on the walks of 3,000 OFAC-like queries, both ways (median per walk): 200 to 400
#: entries 47 µs here and 53 µs in the dict, 400 to 700 entries 62 and 98 µs, 700 to 1,000
#: entries 76 and 135 µs; under 200 the dict is faster.
MIN_ENTRIES = 300

# (rank increment, postings, df, weight, probe number): as retrieval builds them.
Lookup = tuple[float, array, int, float, int]


def walk_top(walk: Sequence[Lookup], boosts: Sequence[Lookup], whole: Iterable[int], full: float,
             k: int) -> list[int]:
    """The ``k`` best-ranked name slots, best first: ``walk`` sorted by probe then best
    list, ``boosts`` in order, then ``full`` added to each name of ``whole``."""
    # One buffer of all the lists (joined as arrays: a numpy view per list cost more than
    # the walk of a short one).
    joined = array("i")
    for lk in walk:
        joined += lk[1]
    which = np.repeat(np.arange(len(walk)), [len(lk[1]) for lk in walk])  # each entry's list
    # Sorted by name, stably: each name's entries together, in walk order. The lists are
    # ascending runs, which a stable sort merges rather than sorts.
    entries = np.frombuffer(joined, dtype=np.int32)
    by_name = np.argsort(entries, kind="stable")
    entries = entries[by_name]
    which = which[by_name]
    probe = np.array([lk[4] for lk in walk])[which]
    # An entry counts if its list is the first of its probe's lists to hold the name: the
    # list of the first entry of its (name, probe) run, as the walk is sorted by probe.
    new_name = np.empty(len(entries), dtype=bool)
    new_name[0] = True
    np.not_equal(entries[1:], entries[:-1], out=new_name[1:])
    run_start = new_name.copy()
    run_start[1:] |= probe[1:] != probe[:-1]
    kept = which == which[run_start][np.cumsum(run_start) - 1]
    # Each name's rank: its kept increments added in walk order (np.add.at is unbuffered,
    # one addition at a time, as the dict walk adds them).
    slot = np.cumsum(new_name) - 1
    names = entries[new_name]
    found_at = by_name[new_name]  # where the walk first found each name
    ranks = np.zeros(len(names), dtype=np.float64)
    np.add.at(ranks, slot[kept], np.array([lk[0] for lk in walk], dtype=np.float64)[which[kept]])
    for inc, post, *_ in boosts:
        # A copy, not a view of the index's array: while a view exists the array cannot grow,
        # and a refresh on another thread (an upsert adding this word's name) would fail.
        p = np.array(post, dtype=np.int32)
        at = np.minimum(np.searchsorted(names, p), len(names) - 1)
        hit = at[names[at] == p]
        if len(p) > 4 * len(names):
            # Each name once, ascending (as np.unique, which imports numpy.ma on its first
            # call: in a forked worker, an import copies pages of every module loaded before).
            seen = np.zeros(len(names), dtype=bool)
            seen[hit] = True
            hit = np.flatnonzero(seen)
        np.add.at(ranks, hit, inc)
    extra: list[int] = []
    for nid in whole:
        i = int(np.searchsorted(names, nid))
        if i < len(names) and names[i] == nid:
            ranks[i] += full
        else:
            extra.append(nid)
    if extra:  # found by the joined query only: after every name the walk found, in the order given
        names = np.concatenate([names, np.array(extra, dtype=names.dtype)])
        ranks = np.concatenate([ranks, np.full(len(extra), full, dtype=np.float64)])
        found_at = np.concatenate([found_at, np.arange(len(extra)) + len(entries)])
    # The k best, ties in the order found: the k-th rank by partition, then only the names
    # at or above it sorted.
    near = np.flatnonzero(ranks >= -np.partition(-ranks, k - 1)[k - 1]) if len(ranks) > k else np.arange(len(ranks))
    best = near[np.lexsort((found_at[near], -ranks[near]))][:k]
    result: list[int] = names[best].tolist()
    return result

"""The numpy postings walk (service.screening.walk) against the dict walk it stands in for:
the same names in the same order, ties included, on random postings built as the index
builds them (ascending slots, a slot twice where a name has a word twice)."""

from __future__ import annotations

import random
import subprocess
import sys
from array import array

import numpy as np
import pytest

from service.screening.retrieval import CandidateIndex, _probe_then_best
from service.screening.walk import walk_top


def _postings(rng: random.Random, slots: int, size: int) -> array[int]:
    chosen = sorted(rng.sample(range(slots), min(size, slots)))
    out = array("i")
    for nid in chosen:
        out.append(nid)
        if rng.random() < 0.03:
            out.append(nid)  # the name holds the word twice
    return out


def _case(rng: random.Random) -> tuple[list, list, set[int], int]:
    slots = rng.choice([50, 400, 5000, 60000])
    # Few distinct increments, so that ranks tie often and the tie order is tested.
    incs = [rng.choice([0.5, 1.0, 1.25, 2.0, 0.1 + rng.random()]) for _ in range(12)]
    probes = rng.randint(1, 5)
    walk = [(rng.choice(incs), _postings(rng, slots, rng.randint(1, 3000)), 0, 1.0, rng.randrange(probes))
            for _ in range(rng.randint(1, 9))]
    walk = [(inc, post, len(post), w, pi) for inc, post, _, w, pi in walk]
    boosts = [(rng.choice(incs), post, len(post), 0.3, probes)
              for post in (_postings(rng, slots, rng.randint(1, 8000)) for _ in range(rng.randint(0, 4)))]
    whole = set(rng.sample(range(slots), rng.randint(0, 5)))
    return walk, boosts, whole, rng.choice([5, 40, 120])


@pytest.mark.parametrize("seed", range(300))
def test_the_numpy_walk_ranks_as_the_dict_walk_does(seed: int) -> None:
    rng = random.Random(seed)
    walk, boosts, whole, count = _case(rng)
    lookups = walk + boosts
    walk.sort(key=_probe_then_best)
    expected = CandidateIndex()._walk(walk, boosts, list(lookups), whole, count)
    full = sum(lk[0] for lk in lookups) + 1.0
    assert walk_top(walk, boosts, whole, full, count) == expected


# A boosting list long against the names found (the set branch), in a fresh interpreter that
# has imported only the walk: whatever the walk imports on first use, a forked worker would
# import after the fork (np.unique imported numpy.ma there, copying a page of every module).
_FIRST_WALK = """
import sys
from array import array
from service.screening.walk import walk_top
walk = [(1.0, array("i", [3, 7, 9]), 3, 1.0, 0), (0.5, array("i", [7, 11]), 2, 1.0, 1)]
boosts = [(0.25, array("i", range(0, 200)), 200, 0.3, 2)]
before = set(sys.modules)
print(walk_top(walk, boosts, {11, 500}, 2.75, 3))
print(sorted(set(sys.modules) - before))
"""


def test_the_first_numpy_walk_imports_no_module() -> None:
    out = subprocess.run([sys.executable, "-c", _FIRST_WALK], capture_output=True, text=True, check=True).stdout
    top, imported = out.splitlines()
    assert top == "[11, 500, 7]"  # 11: 0.5 + 0.25 + 2.75; 500: joined only, 2.75; 7: 1 + 0.5 + 0.25
    assert imported == "[]"


def test_a_postings_list_can_grow_while_a_walk_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # The service refreshes its index in place (upsert) on one thread while another may be
    # screening with it: an array exported as a numpy view cannot be resized, so the walk must
    # not hold one of the index's postings lists. Here the "upsert" lands in the middle of the
    # boosting lists' loop, at the point where the walk reads each of them.
    import service.screening.walk as walk_module

    boosting = array("i", [3, 4, 5, 7, 8])
    grown: list[int] = []
    real_searchsorted = np.searchsorted

    def searchsorted_while_an_upsert_lands(a: object, v: object, *args: object, **kw: object) -> object:
        boosting.append(900 + len(grown))  # what index.upsert does to a word's postings
        grown.append(len(boosting))
        return real_searchsorted(a, v, *args, **kw)

    monkeypatch.setattr(walk_module.np, "searchsorted", searchsorted_while_an_upsert_lands)
    walk = [(1.0, array("i", [3, 7, 9]), 3, 1.0, 0), (0.5, array("i", [7, 11]), 2, 1.0, 1)]
    top = walk_top(walk, [(0.25, boosting, len(boosting), 0.3, 2)], set(), 2.5, 3)
    assert grown == [6]
    assert top == [7, 3, 9]  # 7: 1 + 0.5 + 0.25; 3: 1 + 0.25; 9: 1

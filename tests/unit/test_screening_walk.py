"""The numpy postings walk (service.screening.walk) against the dict walk it stands in for:
the same names in the same order, ties included, on random postings built as the index
builds them (ascending slots, a slot twice where a name has a word twice)."""

from __future__ import annotations

import random
from array import array

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

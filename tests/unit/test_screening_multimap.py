"""The flat multimap behind the vocabulary's lookup tables and the despaced name keys:
what it returns is what a dict of sets returns, through growth, shared keys and the
key values its layout treats specially."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap

from service.screening.index import ScreeningIndex
from service.screening.multimap import MultiMap
from service.screening.types import ListedEntity, ListedName, Subject


def _get(m: MultiMap, key: int) -> set[int]:
    out: set[int] = set()
    m.get_into(key, out)
    return out


def test_it_answers_as_a_dict_of_sets_through_growth() -> None:
    rng = random.Random(5)
    # Real hash() values, both signs, some keys shared by many values (a common delete
    # variant has hundreds), values repeated (the same token found twice).
    keys = [hash(f"word{i}") for i in range(3_000)]
    ref: dict[int, set[int]] = {}
    m = MultiMap()
    for _ in range(20_000):
        key = rng.choice(keys[:20]) if rng.random() < 0.3 else rng.choice(keys)
        value = rng.randrange(50_000)
        m.add(key, value)
        ref.setdefault(key, set()).add(value)
    assert len(m) == sum(len(v) for v in ref.values())
    assert any(k < 0 for k in ref) and any(k > 0 for k in ref)
    for key, values in ref.items():
        assert _get(m, key) == values
    for absent in (hash(f"other{i}") for i in range(2_000)):
        assert _get(m, absent) == set()


def test_keys_its_layout_treats_specially_are_kept() -> None:
    m = MultiMap()
    # 0 marks a free slot, so key 0 is stored under another value; keys equal to the
    # table's size or beyond 2**62 wrap around its slots.
    special = [0, 1, 2, 3, 16, 2**62, -(2**63), 2**63 - 1, -1]
    for i, key in enumerate(special):
        m.add(key, i)
    for i, key in enumerate(special):
        assert i in _get(m, key)
    # Values are added to what the caller's set already holds.
    into = {99}
    m.get_into(16, into)
    assert into == {99, special.index(16)}


def test_a_repeated_value_is_held_once() -> None:
    m = MultiMap()
    for _ in range(3):
        m.add(hash("mhmd"), 7)
    m.add(hash("mhmd"), 8)
    assert len(m) == 2
    assert _get(m, hash("mhmd")) == {7, 8}


def test_an_ascending_map_holds_what_a_walking_one_does() -> None:
    # As the vocabulary and the despaced keys fill theirs: each value (the token id or name
    # slot just numbered) under several keys, some of them twice, values only ever growing.
    rng = random.Random(11)
    keys = [hash(f"key{i}") for i in range(500)]
    ascending, walking = MultiMap(ascending=True), MultiMap()
    for value in range(20_000):
        for key in rng.choices(keys[:5] if rng.random() < 0.2 else keys, k=rng.randrange(1, 6)):
            ascending.add(key, value)
            walking.add(key, value)
    assert len(ascending) == len(walking)
    assert ascending._vals == walking._vals and ascending._next == walking._next
    for key in keys:
        assert _get(ascending, key) == _get(walking, key)


def test_an_index_finds_names_through_it_after_an_upsert() -> None:
    """Tables filled at build and then by an upsert (the service's refresh after a write):
    a one-letter-off spelling finds both, and the spacing-free key finds the new company."""
    index = ScreeningIndex.build([
        ListedEntity(entity_id=1, name="Volkov, Dmitri", type="person", names=[ListedName("Volkov, Dmitri", "primary")]),
    ])
    index.upsert(ListedEntity(entity_id=2, name="SOLTECH INDUSTRY CO., LTD.", type="company",
                              names=[ListedName("SOLTECH INDUSTRY CO., LTD.", "primary")]))
    assert [m.entity_id for m in index.screen(Subject(name="Dmitry Volkow", type="person"))] == [1]
    assert [m.entity_id for m in index.screen(Subject(name="Sol Tech Industry Co Ltd", type="company"))] == [2]


def test_lookups_write_nothing_a_forked_worker_shares() -> None:
    """The point of the flat layout: after the fork, looking keys up leaves the parent's
    pages shared. A dict of the same entries is the control: each hit writes the reference
    counts of its key and value objects, copying their pages into the child."""
    script = textwrap.dedent("""
        import os
        from array import array
        from service.screening.multimap import MultiMap
        keys = array("q", (hash(str(i)) for i in range(300_000)))
        m = MultiMap()
        d = {}
        for i, k in enumerate(keys):
            m.add(k, i)
            d[k] = [i]
        probes = keys[::5]  # an array: iterating it creates its ints afresh, in the child
        def private_kb():
            rows = open("/proc/self/smaps_rollup").read().splitlines()[1:]
            return int(dict(r.split(":", 1) for r in rows)["Private_Dirty"].split()[0])
        for table in ("multimap", "dict"):
            pid = os.fork()
            if pid == 0:
                got = set()
                before = private_kb()
                if table == "multimap":
                    for k in probes:
                        m.get_into(k, got)
                        got.clear()
                else:
                    for k in probes:
                        got.update(d[k])
                        got.clear()
                print(table, private_kb() - before, flush=True)
                os._exit(0)
            os.waitpid(pid, 0)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    grown = {table: int(kb) for table, kb in (line.split() for line in out.splitlines())}
    # The control shows the measurement sees copied pages at all.
    assert grown["dict"] > 5_000, grown
    # 60,000 lookups into a map of 300,000 entries copy next to none of it (the set they
    # fill is emptied each time).
    assert grown["multimap"] < 1_500, grown

"""Where a bulk row's CPU goes, against what the bulk targets of issue 13 leave for it.

Run from the repository root::

    .venv/bin/python bench/row_budget.py                  # 12,000 rows of bench/bulk_speed.py's file
    .venv/bin/python bench/row_budget.py --rows 30000

``bench/bulk_speed.py`` measures how much faster than a brute-force WRatio scan bulk screening
is; this says what a row would have to cost for the targets (300 times, never under 100) and
what it costs now, stage by stage. The rows are those ``bench/bulk_speed.py`` writes (the same
generator and seed: half variants of listed names, half names not listed), screened against
the OFAC list in the order of the file, after a warm-up on other rows, so the engine's caches
hold what a bulk process's hold at that point.

1. The brute-force scan (``bulk_speed.brute_force_rate``), in the same run.
2. The engine on every core: ``screen_many(workers=-1)`` over the rows, a fresh index.
3. The engine in one process (as each screening process runs: the index frozen for the garbage
   collector, ``for_bulk``), a fresh index: CPU per row. Every core over one process is the
   scaling, so the CPU per row one process may spend for a ratio R is
   ``scaling / (R x brute-force rows/s)``.
4. The stages, one process, a fresh index, each row through them in turn as ``screen`` runs
   them: reading the name (``prepare.readings``); the vocabulary lookups of the query's words
   and of adjacent words joined (``retrieval.query_probes``; the first lookup of a word is the
   costly one, later rows find it cached); ranking and pruning the names found
   (``candidates`` with the lookups now cached); scoring the candidates (``_score``). What
   ``screen`` does besides (alternative readings, putting the matches together) is the row's
   CPU in 3 less the stages: two runs on two indexes, so within a few hundredths of a
   millisecond it is noise, and may print below zero.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import have  # noqa: E402
from bench.bulk_speed import FLOOR_RATIO, TARGET_RATIO, brute_force_rate  # noqa: E402
from bench.screening_speed import load_ofac, make_queries  # noqa: E402
from service.screening import DEFAULT_THRESHOLD, ListedEntity, ScreeningIndex, Subject  # noqa: E402
from service.screening.estimate import QueryWeights  # noqa: E402
from service.screening.index import MIN_RETURN_FACTOR  # noqa: E402
from service.screening.prepare import readings  # noqa: E402
from service.screening.retrieval import query_probes  # noqa: E402
from service.screening.tokens import Tok  # noqa: E402

#: Rows screened before the timed ones (first-call imports; common words cached).
WARMUP = 500
STAGES = ("reading the name", "lookups: the query's words", "lookups: adjacent words joined",
          "ranking and pruning", "scoring")


def fresh_index(entities: list[ListedEntity], warmup: list[Subject]) -> ScreeningIndex:
    """A new index, set up as a screening process sets up the one it inherits, that has
    screened the ``warmup`` rows."""
    gc.unfreeze()
    gc.collect()  # the index built before: its objects go, not to the permanent generation
    index = ScreeningIndex.build(entities)
    gc.freeze()  # as screening.parallel's processes do: the collector leaves the index alone
    index.for_bulk()
    for row in warmup:
        index.screen(row)
    return index


def one_process_ms(index: ScreeningIndex, rows: list[Subject]) -> float:
    """CPU per row, ``screen`` in this process."""
    started = time.process_time()
    for row in rows:
        index.screen(row)
    return (time.process_time() - started) * 1000 / len(rows)


def every_core_rate(index: ScreeningIndex, rows: list[Subject]) -> float:
    started = time.perf_counter()
    index.screen_many(rows, workers=-1)
    return len(rows) / (time.perf_counter() - started)


def stage_ms(index: ScreeningIndex, rows: list[Subject]) -> dict[str, float]:
    """CPU per row in each stage of ``screen`` (see the module docstring)."""
    spent = dict.fromkeys(STAGES, 0.0)
    retrieval = index._retrieval
    vocab = retrieval.vocab
    floor = DEFAULT_THRESHOLD * MIN_RETURN_FACTOR
    clock = time.process_time
    for row in rows:
        t0 = clock()
        # As ScreeningIndex._screen reads a subject of no stated type.
        r_person = readings(row.name, "person")
        r_org = readings(row.name, "org")
        qtoks = list({t.text: t for r in (*r_person, *r_org) for t in r}.values())
        qw = QueryWeights(r_person, r_org)
        t1 = clock()
        spent[STAGES[0]] += t1 - t0
        if not qtoks:
            continue
        probes: list[Tok] = query_probes(qtoks, qw)[0]
        for tok in probes[:len(qtoks)]:
            vocab.matches(tok)
        t2 = clock()
        for tok in probes[len(qtoks):]:
            vocab.matches(tok)
        t3 = clock()
        nids = retrieval.candidates(qtoks, floor, qw, 10)
        t4 = clock()
        index._score(row, None, r_person, r_org, nids, DEFAULT_THRESHOLD)
        t5 = clock()
        for stage, took in zip(STAGES[1:], (t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            spent[stage] += took
    return {stage: seconds * 1000 / len(rows) for stage, seconds in spent.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=12_000, help="rows timed (after the warm-up)")
    parser.add_argument("--brute-sample", type=int, default=40)
    args = parser.parse_args(argv)
    if not have("ofac", "sdn.csv"):
        print("skipped: the OFAC list is not in the shared data folder (SANCTIONS_DATA_DIR)")
        return 0
    entities = load_ofac()
    # The rows of bench/bulk_speed.py's file (same generator, same seed), in its order.
    queries = make_queries(entities, WARMUP + args.rows, seed=11)
    warmup, rows = queries[:WARMUP], queries[WARMUP:]
    print(f"OFAC list, {len(rows):,} rows of bench/bulk_speed.py's file after {WARMUP} others", flush=True)

    brute = brute_force_rate(args.brute_sample)
    print(f"brute force cdist(WRatio, workers=-1): {brute:.1f} rows/s (sample {args.brute_sample})")

    every = every_core_rate(fresh_index(entities, warmup), rows)
    per_row = one_process_ms(fresh_index(entities, warmup), rows)
    scaling = every * per_row / 1000
    print(f"engine on every core: {every:,.0f} rows/s = {every / brute:.0f}x brute force")
    print(f"engine in one process: {per_row:.3f} ms CPU a row; every core gives {scaling:.2f}x one process")
    budget = {ratio: scaling * 1000 / (ratio * brute) for ratio in (FLOOR_RATIO, TARGET_RATIO)}
    for ratio, ms in budget.items():
        print(f"  {ratio:.0f}x brute force leaves {ms:.3f} ms a row in one process: "
              f"{per_row / ms:.2f}x less CPU than now")

    stages = stage_ms(fresh_index(entities, warmup), rows)
    print("where a row's CPU goes (one process):")
    for stage, ms in stages.items():
        print(f"  {stage:<32} {ms:.3f} ms  {100 * ms / per_row:4.0f}%")
    rest = per_row - sum(stages.values())
    print(f"  {'the rest of screen (difference)':<32} {rest:.3f} ms  {100 * rest / per_row:4.0f}%")
    fixed = sum(stages[s] for s in STAGES if s != "ranking and pruning")
    print(f"reading, lookups and scoring alone: {fixed:.3f} ms a row, against {budget[FLOOR_RATIO]:.3f} ms "
          f"that the {FLOOR_RATIO:.0f}x floor leaves for the whole row")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

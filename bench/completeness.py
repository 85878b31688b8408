"""Retrieval completeness of the screening index on the real OFAC list.

Run from the repository root::

    .venv/bin/python bench/completeness.py                 # 1,000 queries: minutes (see below)
    .venv/bin/python bench/completeness.py --queries 300 --examples 5

The queries are a stratified sample of ``bench/realistic.py``'s (every positive and negative
category, same seed). Each is screened twice, by name and type only:

* through the index (``screen_many``, limit 1000 so that no result is cut by the limit);
* by an exhaustive scan: ``ScreeningIndex.screen_exhaustive``, the index's own scoring of a
  candidate (the same function: readings, type rule, whole-name rule for weak aliases and
  one-word names) applied to every name of the list instead of the retrieved ones, in forked
  worker processes. That is about 36,000 name slots per query, roughly 0.5-1.5 CPU seconds:
  1,000 queries take 5-10 minutes on 2 idle cores. ``--queries`` trades coverage for time.

Completeness is the share of (query, entity) pairs that score at or above DEFAULT_THRESHOLD in
the scan which the index also returns with ``match=True`` (target >= 99.5%). The pairs it
misses are grouped by a rough pattern, with examples per query category. For the positive
queries, recall is also split into what the scorer itself misses (the scan scores the target
below the threshold) and what retrieval loses (the scan finds it, the index does not).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lists import is_latin, script_of, type_class  # noqa: E402
from bench.realistic import DEFAULT_SEED, NEGATIVE, POSITIVE, Query, setup  # noqa: E402
from service.screening import DEFAULT_THRESHOLD, ScreeningIndex  # noqa: E402
from service.screening.prepare import readings  # noqa: E402

TARGET_COMPLETENESS = 0.995
INDEX_LIMIT = 1000


# Shared with the forked workers.
INDEX: list[ScreeningIndex] = []
QUERIES: list[Query] = []


def scan(qi: int) -> tuple[int, dict[int, tuple[float, str, str]]]:
    """Best score per entity at >= 0.8 x threshold, every listed name scored:
    entity id -> (score, best listed name, its kind)."""
    q = QUERIES[qi]
    ms = INDEX[0].screen_exhaustive(q.subject(), limit=INDEX_LIMIT)
    return qi, {
        m.entity_id: (m.score, m.matched_name, m.explanation["matched_name_kind"]) for m in ms
    }


def sample(queries: list[Query], n: int, seed: int) -> list[Query]:
    """About n queries, the same number from every category."""
    by_cat: dict[tuple[str, str], list[Query]] = defaultdict(list)
    for q in queries:
        by_cat[(q.kind, q.category)].append(q)
    per = math.ceil(n / max(1, len(by_cat)))
    rng = random.Random(seed)
    out = []
    for key in sorted(by_cat):
        items = list(by_cat[key])
        rng.shuffle(items)
        out += items[:per]
    return out


def pattern(q: Query, listed_name: str, cls: str) -> str:
    """A rough label for why retrieval may have missed a pair."""
    if not is_latin(q.name):
        return f"non-Latin query ({script_of(q.name)})"
    qt = {t.text for t in readings(q.name, cls)[0]}
    ct = {t.text for t in readings(listed_name, cls)[0]}
    shared = qt & ct
    if len(ct) == 1:
        return "one-word listed name"
    if not shared:
        return "no word in common (all fuzzy)"
    return f"{len(shared)} of {len(ct)} listed words exact"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--queries", type=int, default=1000, help="queries screened exhaustively")
    ap.add_argument("--examples", type=int, default=3, help="missed pairs listed per category")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", type=Path, default=None, help="write the figures to this file")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    print(f"DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}")
    steps = dict(setup(args.seed, None))
    index = steps["index"]
    QUERIES[:] = sample(steps["queries"], args.queries, args.seed)
    print(f"sample: {len(QUERIES)} queries ({sum(q.kind == 'pos' for q in QUERIES)} positives)")

    t0 = time.perf_counter()
    results = index.screen_many([q.subject() for q in QUERIES], limit=INDEX_LIMIT, workers=-1)
    print(f"index: {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    INDEX[:] = [index]
    exhaustive: list[dict[int, tuple[float, str, str]]] = [{} for _ in QUERIES]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.workers) as pool:
        for done, (qi, best) in enumerate(
            pool.imap_unordered(scan, range(len(QUERIES)), chunksize=4), 1
        ):
            exhaustive[qi] = best
            if done % 100 == 0:
                print(
                    f"  scanned {done}/{len(QUERIES)} [{time.perf_counter() - t0:.0f} s]",
                    file=sys.stderr,
                )
    print(
        f"exhaustive scan: {index.name_count} names, "
        f"{time.perf_counter() - t0:.1f} s on {args.workers} processes"
    )

    # Pairs at or above the threshold in the scan, and whether the index returned them.
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    extra = 0  # index match=True where the scan is below the threshold
    score_diff = 0
    missed: dict[str, list[tuple[Query, int, float, str, str, str]]] = defaultdict(list)
    patterns: Counter[str] = Counter()
    recall = Counter()
    for q, ms, best in zip(QUERIES, results, exhaustive, strict=True):
        label = f"{q.kind}:{q.category}"
        returned = {m.entity_id: m for m in ms}
        for eid, (s, lname, kind) in best.items():
            m = returned.get(eid)
            if m is not None and abs(m.score - round(s, 4)) > 1e-3:
                score_diff += 1
            if s < DEFAULT_THRESHOLD:
                continue
            total[label] += 1
            if m is not None and m.match:
                found[label] += 1
            else:
                how = f"returned at {m.score:.3f}" if m is not None else "not returned"
                missed[label].append((q, eid, s, lname, kind, how))
                patterns[pattern(q, lname, type_class(q.type))] += 1
        extra += sum(
            1 for m in ms if m.match and best.get(m.entity_id, (0.0,))[0] < DEFAULT_THRESHOLD
        )
        if q.kind == "pos":
            in_scan = best.get(q.target, (0.0,))[0] >= DEFAULT_THRESHOLD
            in_index = q.target in returned and returned[q.target].match
            recall["n"] += 1
            recall["scan"] += in_scan
            recall["index"] += in_index
            recall["lost_by_retrieval"] += in_scan and not in_index

    all_total, all_found = sum(total.values()), sum(found.values())
    share = all_found / all_total if all_total else 1.0
    print(
        f"\n== Completeness: pairs >= {DEFAULT_THRESHOLD} in the exhaustive scan that the index returns "
        f"with match=True =="
    )
    print(f"{'category':<22}{'pairs':>7}{'found':>7}{'share':>9}")
    for kind, cats in (("pos", POSITIVE), ("neg", NEGATIVE)):
        for cat in cats:
            label = f"{kind}:{cat}"
            if total[label]:
                print(
                    f"{label:<22}{total[label]:>7}{found[label]:>7}{found[label] / total[label]:>9.4f}"
                )
    status = "PASS" if share >= TARGET_COMPLETENESS else "MISS"
    print(
        f"{'OVERALL':<22}{all_total:>7}{all_found:>7}{share:>9.4f}   target >= {TARGET_COMPLETENESS} {status}"
    )
    print(
        f"index match=True pairs the scan scores below the threshold: {extra}; "
        f"pairs both return whose scores differ by > 0.001: {score_diff}"
    )
    if recall["n"]:
        n = recall["n"]
        print(
            f"positives ({n}): recall by the exhaustive scan {recall['scan'] / n:.4f}, by the index "
            f"{recall['index'] / n:.4f}; targets lost by retrieval alone: {recall['lost_by_retrieval']}"
        )
    if patterns:
        print("\n== Missed pairs by pattern ==")
        for p, c in patterns.most_common():
            print(f"  {c:>5}  {p}")
    examples: dict[str, list[str]] = {}
    if args.examples and missed:
        print(
            f"\n== Missed pairs, up to {args.examples} per category (query -> listed name, scan score) =="
        )
        for label, items in missed.items():
            items.sort(key=lambda it: -it[2])
            lines = [
                f"{q.name!r} ({q.type}) -> {lname!r} [{kind}, entity {eid}"
                f"{', the target' if eid == q.target else ''}] {s:.3f}; index: {how}"
                for q, eid, s, lname, kind, how in items[: args.examples]
            ]
            examples[label] = lines
            print(f"-- {label} ({len(items)} missed):")
            for line in lines:
                print(f"   {line}")
    seconds = time.perf_counter() - started
    print(f"\ntotal run time {seconds:.1f} s")
    if args.json:
        figures = {
            "seed": args.seed,
            "queries": len(QUERIES),
            "threshold": DEFAULT_THRESHOLD,
            "pairs": all_total,
            "found": all_found,
            "completeness": share,
            "target": TARGET_COMPLETENESS,
            "pass": share >= TARGET_COMPLETENESS,
            "by_category": {k: {"pairs": total[k], "found": found[k]} for k in total},
            "index_only_matches": extra,
            "score_differences": score_diff,
            "positive_recall": dict(recall),
            "patterns": dict(patterns),
            "examples": examples,
            "seconds": round(seconds, 1),
        }
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

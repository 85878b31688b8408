"""Accuracy benchmark for the screening engine.

Run from the repository root::

    .venv/bin/python bench/accuracy.py            # all sections
    .venv/bin/python bench/accuracy.py --section pairs

Sections (all read the shared data in place, see ``bench/_data.py``):

* ``pairs``  precision/recall/F1 of :func:`score_pair` on the 826 labelled
  nomenklatura pairs at DEFAULT_THRESHOLD, a threshold sweep, and the
  OpenSanctions logic-v2 baseline computed from its frozen predictions; then
  the same pairs through the index (each name2 an indexed entity, each name1
  screened, a pair predicted when name2's entity comes back with match=True).
* ``cross``  watchman cross-script pairs scoring >= threshold.
* ``un``     UN persons index: recall of the noisy ("treated") queries, and the
  alert rate of 2,000 synthetic negatives screened with birth date/nationality.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._data import data_path, have  # noqa: E402
from service.screening import (  # noqa: E402
    DEFAULT_THRESHOLD,
    ListedEntity,
    ListedName,
    ScreeningIndex,
    Subject,
    score_pair,
)

TARGET_F1 = 0.92
TARGET_UN_RECALL = 0.98
TARGET_ALERT_RATE = 0.005


# --- labelled pairs ----------------------------------------------------------


def load_pairs() -> list[dict[str, str]]:
    with open(data_path("namematch", "nomenklatura_name_bench_cases.csv"), encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def confusion(scored: list[tuple[float, bool]], threshold: float) -> tuple[int, int, int, int]:
    tp = sum(1 for s, y in scored if y and s >= threshold)
    fp = sum(1 for s, y in scored if not y and s >= threshold)
    fn = sum(1 for s, y in scored if y and s < threshold)
    tn = len(scored) - tp - fp - fn
    return tp, fp, fn, tn


def score_pairs(rows: list[dict[str, str]]) -> list[tuple[float, bool]]:
    return [
        (score_pair(r["name1"], r["name2"], r["schema"]), r["is_match"].strip().lower() == "true")
        for r in rows
    ]


def pairs_f1(threshold: float = DEFAULT_THRESHOLD) -> tuple[float, float, float]:
    scored = score_pairs(load_pairs())
    tp, fp, fn, _ = confusion(scored, threshold)
    return prf(tp, fp, fn)


def logicv2_baseline() -> tuple[float, float, float, int]:
    path = data_path("namematch", "nomenklatura_name_bench_logicv2_frozen_scores.csv")
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tp = fp = fn = 0
    for r in rows:
        y = r["is_match"].strip().lower() == "true"
        pred = r["predicted_match"].strip().lower() == "true"
        tp += y and pred
        fp += (not y) and pred
        fn += y and not pred
    p, rc, f = prf(tp, fp, fn)
    return p, rc, f, len(rows)


def index_pairs(rows: list[dict[str, str]], limit: int = 100) -> list[tuple[bool, bool]]:
    """(predicted, label) per pair through the index: every distinct name2 indexed once as an
    entity of the pair's schema (a name repeated over many pairs as many identical entities
    would crowd the index's candidate list, which no real list does), every name1 screened with
    that type; predicted when name2's entity is returned with match=True (limit 100)."""
    ids: dict[tuple[str, str], int] = {}
    for r in rows:
        ids.setdefault((r["name2"], r["schema"].lower()), len(ids))
    index = ScreeningIndex.build(
        ListedEntity(entity_id=i, type=schema, name=name, names=[ListedName(name)])
        for (name, schema), i in ids.items()
    )
    results = index.screen_many([Subject(name=r["name1"], type=r["schema"].lower()) for r in rows], limit=limit)
    out = []
    for r, ms in zip(rows, results, strict=True):
        target = ids[(r["name2"], r["schema"].lower())]
        out.append((any(m.entity_id == target and m.match for m in ms), r["is_match"].strip().lower() == "true"))
    return out


def section_pairs(verbose: bool = False) -> float:
    rows = load_pairs()
    t0 = time.perf_counter()
    scored = score_pairs(rows)
    elapsed = time.perf_counter() - t0
    print(f"== Labelled name pairs (nomenklatura, {len(rows)} pairs, {elapsed * 1000:.0f} ms) ==")
    print("threshold  precision  recall  F1")
    best = (0.0, 0.0)
    for i in range(60, 96, 2):
        t = i / 100
        p, r, f = prf(*confusion(scored, t)[:3])
        mark = "  <- DEFAULT_THRESHOLD" if abs(t - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(f"  {t:.2f}      {p:.3f}     {r:.3f}  {f:.3f}{mark}")
        if f > best[1]:
            best = (t, f)
    tp, fp, fn, tn = confusion(scored, DEFAULT_THRESHOLD)
    p, r, f = prf(tp, fp, fn)
    print(f"At DEFAULT_THRESHOLD={DEFAULT_THRESHOLD:.2f}: P={p:.3f} R={r:.3f} F1={f:.3f} "
          f"(TP {tp} FP {fp} FN {fn} TN {tn}); best F1 {best[1]:.3f} at {best[0]:.2f}")
    bp, br, bf, n = logicv2_baseline()
    print(f"Baseline OpenSanctions logic-v2 (frozen predictions, {n} pairs): "
          f"P={bp:.3f} R={br:.3f} F1={bf:.3f}")
    status = "PASS" if f >= TARGET_F1 else "MISS"
    print(f"Target F1 >= {TARGET_F1}: {status}")
    predicted = index_pairs(rows)
    itp = sum(p and y for p, y in predicted)
    ifp = sum(p and not y for p, y in predicted)
    ifn = sum(y and not p for p, y in predicted)
    ip, ir, i_f = prf(itp, ifp, ifn)
    print(f"Through the index (name2 indexed, name1 screened, match=True): P={ip:.3f} R={ir:.3f} F1={i_f:.3f} "
          f"(TP {itp} FP {ifp} FN {ifn} TN {len(predicted) - itp - ifp - ifn}) beside score_pair F1={f:.3f}; "
          f"target F1 >= {TARGET_F1}: {'PASS' if i_f >= TARGET_F1 else 'MISS'}")
    if verbose:
        print("-- errors at default threshold --")
        for row, (s, y) in zip(rows, scored, strict=True):
            if (s >= DEFAULT_THRESHOLD) != y:
                kind = "FN" if y else "FP"
                print(f"  {kind} {s:.3f} [{row['schema']}] {row['name1']!r} ~ {row['name2']!r}")
        print("-- pairs where the index and score_pair disagree --")
        for row, (s, _), (p, y) in zip(rows, scored, predicted, strict=True):
            if p != (s >= DEFAULT_THRESHOLD):
                print(f"  index {'match' if p else 'no match'}, score_pair {s:.3f}, label {y} "
                      f"[{row['schema']}] {row['name1']!r} ~ {row['name2']!r}")
    return f


# --- cross-script pairs ------------------------------------------------------


def load_cross_script() -> list[tuple[str, str, float, str]]:
    out = []
    path = data_path("namematch", "watchman_cross_script_pairs.csv")
    with open(path, encoding="utf-8") as fh:
        for row in csv.reader(line for line in fh if line.strip() and not line.startswith("#")):
            out.append((row[0], row[1], float(row[2]), row[3]))
    return out


def section_cross(verbose: bool = False) -> None:
    pairs = load_cross_script()
    hits = 0
    print(f"== Cross-script pairs (watchman, {len(pairs)} pairs) ==")
    for query, expected, _min, desc in pairs:
        s = score_pair(query, expected, "person")
        ok = s >= DEFAULT_THRESHOLD
        hits += ok
        if verbose or not ok:
            print(f"  {'ok  ' if ok else 'MISS'} {s:.3f} {query} ~ {expected} ({desc})")
    print(f"{hits}/{len(pairs)} pairs score >= threshold {DEFAULT_THRESHOLD:.2f}")


# --- UN list screening -------------------------------------------------------


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """Nationality as given in the yente fixtures (code or name) -> alpha-2."""
    from service.screening.matchers import normalize_country

    return normalize_country(value)


def _rows(name: str) -> list[dict[str, str]]:
    with open(data_path("namematch", name), encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def entities_from_yente(rows: list[dict[str, str]], start_id: int = 1) -> list[ListedEntity]:
    out = []
    for i, r in enumerate(rows):
        names = [ListedName(r["full_name"], "primary")]
        parts = [r.get("first_name", ""), r.get("middle_name", ""), r.get("last_name", "")]
        if any(parts):
            alt = " ".join(p for p in parts if p)
            if alt and alt != r["full_name"]:
                names.append(ListedName(alt, "aka"))
        nat = country_code(r.get("nationality", "") or "")
        out.append(
            ListedEntity(
                entity_id=start_id + i,
                type="person",
                name=r["full_name"],
                names=names,
                birth_dates=[r["date_of_birth"]] if r.get("date_of_birth") else [],
                countries=[nat] if nat else [],
                references=[f"UN-YENTE:{i}"],
            )
        )
    return out


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def entities_from_un_xml(path: Path, start_id: int) -> Iterator[ListedEntity]:
    """INDIVIDUAL records of the UN consolidated XML (names, aliases, DOB, nationality)."""
    root = ET.parse(path).getroot()
    for k, ind in enumerate(root.iter("INDIVIDUAL")):
        parts = [_text(ind.find(t)) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        primary = " ".join(p for p in parts if p)
        if not primary:
            continue
        names = [ListedName(primary, "primary")]
        original = _text(ind.find("NAME_ORIGINAL_SCRIPT"))
        if original:
            names.append(ListedName(original, "original_script"))
        for alias in ind.iter("INDIVIDUAL_ALIAS"):
            an = _text(alias.find("ALIAS_NAME"))
            if an:
                quality = _text(alias.find("QUALITY")).lower()
                names.append(ListedName(an, "weak_alias" if quality == "low" else "aka"))
        dobs = []
        for dob in ind.iter("INDIVIDUAL_DATE_OF_BIRTH"):
            d = _text(dob.find("DATE")) or _text(dob.find("YEAR"))
            if d:
                dobs.append(d[:10])
            frm, to = _text(dob.find("FROM_YEAR")), _text(dob.find("TO_YEAR"))
            if frm and to and frm.isdigit() and to.isdigit():
                dobs.extend(str(y) for y in range(int(frm), int(to) + 1))
        countries = []
        for nat in ind.iter("NATIONALITY"):
            for v in nat.iter("VALUE"):
                c = country_code(_text(v))
                if c:
                    countries.append(c)
        ref = _text(ind.find("REFERENCE_NUMBER"))
        yield ListedEntity(
            entity_id=start_id + k,
            type="person",
            name=primary,
            names=names,
            birth_dates=dobs,
            countries=countries,
            references=[f"UN:{ref}"] if ref else [],
        )


def subject_from_row(r: dict[str, str]) -> Subject:
    return Subject(
        name=r["full_name"],
        type="person",
        birth_date=r.get("date_of_birth") or None,
        country=country_code(r.get("nationality", "") or ""),
    )


def un_benchmark(with_xml: bool = True, verbose: bool = False) -> tuple[float, float, int]:
    untreated = _rows("yente_positives_un_untreated.csv")
    treated = _rows("yente_positives_un_treated.csv")
    entities = entities_from_yente(untreated)
    if with_xml and have("un", "un_consolidated_2026-02-27.xml"):
        entities += list(entities_from_un_xml(data_path("un", "un_consolidated_2026-02-27.xml"), 100_000))
    t0 = time.perf_counter()
    index = ScreeningIndex.build(entities)
    build = time.perf_counter() - t0
    n_names = sum(len(e.names) for e in entities)
    print(f"== UN list screening ({len(index)} entities, {n_names} names, built in {build * 1000:.0f} ms) ==")

    # Recall: treated row i must find untreated row i (entity id i+1) above threshold.
    found = 0
    t0 = time.perf_counter()
    results = index.screen_many([subject_from_row(r) for r in treated])
    q_time = time.perf_counter() - t0
    for i, (r, matches) in enumerate(zip(treated, results, strict=True)):
        ok = any(m.entity_id == i + 1 and m.match for m in matches)
        found += ok
        if verbose and not ok:
            best = next((m for m in matches if m.entity_id == i + 1), None)
            got = f"{best.score:.3f} {best.explanation['adjustments']}" if best else "not retrieved"
            print(f"  MISS {r['full_name']!r} dob={r['date_of_birth']} -> {untreated[i]['full_name']!r}: {got}")
    recall = found / len(treated)
    print(f"Recall of noisy positives: {found}/{len(treated)} = {recall:.4f} "
          f"(target >= {TARGET_UN_RECALL}: {'PASS' if recall >= TARGET_UN_RECALL else 'MISS'}); "
          f"{q_time / len(treated) * 1000:.2f} ms/query")

    negatives = _rows("yente_negatives_global_1000.csv") + _rows("yente_negatives_us_1000.csv")
    results = index.screen_many([subject_from_row(r) for r in negatives])
    alerts = 0
    for r, matches in zip(negatives, results, strict=True):
        hit = [m for m in matches if m.match]
        if hit:
            alerts += 1
            if verbose:
                m = hit[0]
                print(f"  ALERT {r['full_name']!r} -> {m.matched_name!r} {m.score:.3f} {m.explanation['adjustments']}")
    rate = alerts / len(negatives)
    print(f"Alert rate on {len(negatives)} synthetic negatives: {alerts} = {rate:.2%} "
          f"(target <= {TARGET_ALERT_RATE:.1%}: {'PASS' if rate <= TARGET_ALERT_RATE else 'MISS'})")
    return recall, rate, len(index)


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--section", choices=["pairs", "cross", "un", "all"], default="all")
    ap.add_argument("--verbose", "-v", action="store_true", help="list the errors")
    ap.add_argument("--no-xml", action="store_true", help="UN index from the yente CSV only")
    args = ap.parse_args(list(argv) if argv is not None else None)
    if not have("namematch"):
        print("Data directory not found; set SANCTIONS_DATA_DIR", file=sys.stderr)
        return 2
    print(f"DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}")
    if args.section in ("pairs", "all"):
        section_pairs(args.verbose)
    if args.section in ("cross", "all"):
        section_cross(args.verbose)
    if args.section in ("un", "all"):
        un_benchmark(with_xml=not args.no_xml, verbose=args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Monitoring speed: a real OFAC update against a generated portfolio; subject upserts through
the API; the portfolio CSV import rate.

Run from the repository root::

    .venv/bin/python bench/monitoring.py                              # 100,000 subjects, a 1,000-entry change
    .venv/bin/python bench/monitoring.py --subjects 100000,1000000    # same change, two portfolio sizes
    .venv/bin/python bench/monitoring.py --subjects 20000 --change 300 --api-subjects 500 --csv-rows 20000

For each portfolio size, a SQLite database in a temporary folder (``--pg URL``: a PostgreSQL
database instead) gets the OFAC SDN list through the list importer, and monitoring takes its
baseline. The portfolio is ``--subjects`` names generated with ``faker`` (fixed seed, many
locales), plus one subject in 2,000 written as an entry of the change (so the update raises
alerts); they are written as a file upload writes them and marked screened (this measures the
delta, not the first screening). Both indexes are built before the update (a running service
keeps them). The update is derived from the same files by a fixed rule, ``--change`` entries
in all: 40 % changed (a spelling variant added as an alias), 30 % added (copies of existing
entries under new numbers, words reversed), 30 % removed (delisted). It is imported as one
transaction; the figure is the time from its commit to the commit of the last alert
(delta runs until the cursor reaches the end of the change log), against the target of 30 s
for 1,000 entries; with two sizes it also shows that the cost follows the change, not the
portfolio. Then ``--api-subjects`` PUTs and the same number in batches of 1,000 through the
API (in-process test client), and a ``--csv-rows`` portfolio file through the upload endpoint.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faker import Faker  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench._lists import OFAC_FILES, require_data  # noqa: E402
from service import create_app  # noqa: E402
from service.extensions import db  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.models import MonitoredSubject  # noqa: E402
from service.monitoring.executor import catch_up  # noqa: E402
from service.monitoring.subjects import upsert_many  # noqa: E402
from service.records.imports.run import run_import  # noqa: E402
from service.records.keys import create_key  # noqa: E402

SEED = 20240503
TARGET_SECONDS = 30.0
LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "ru_RU", "pl_PL", "tr_TR", "ar_AA", "zh_CN",
           "ja_JP", "pt_BR", "nl_NL", "uk_UA"]
PLANT_EVERY = 2000


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        return [row for row in csv.reader(f) if row and row[0].strip().isdigit()]


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def derive_update(src: Path, dst: Path, change: int) -> dict[str, list[str]]:
    """The fixed rule: every k-th SDN entry (in ent_num order) is changed, removed or copied."""
    sdn = read_rows(src / "sdn.csv")
    alt = read_rows(src / "alt.csv")
    step = max(1, len(sdn) // change)
    picked = sorted(sdn, key=lambda r: int(r[0]))[::step][:change]
    n_changed, n_added = int(change * 0.4), int(change * 0.3)
    changed, added, removed = picked[:n_changed], picked[n_changed:n_changed + n_added], picked[n_changed + n_added:]
    gone = {r[0] for r in removed}
    sdn_out = [r for r in sdn if r[0] not in gone]
    alt_out = [r for r in alt if r[0] not in gone]
    top = max(int(r[0]) for r in sdn)
    for i, row in enumerate(changed):
        variant = row[1].replace("A", "AA", 1) if "A" in row[1] else row[1] + "E"
        alt_out.append([row[0], str(9_000_000 + i), "aka", variant, "-0- "])
    new_names = []
    for i, row in enumerate(added):
        name = " ".join(reversed(row[1].replace(",", " ").split()))
        sdn_out.append([str(top + 1 + i), name, *row[2:]])
        new_names.append(name)
    write_rows(dst / "sdn.csv", sdn_out)
    write_rows(dst / "alt.csv", alt_out)
    for name in ("add.csv", "sdn_comments.csv"):
        rows = [r for r in read_rows(src / name) if r[0] not in gone]
        write_rows(dst / name, rows)
    return {"changed": [r[1] for r in changed], "added": new_names, "removed": [r[1] for r in removed]}


def portfolio(size: int, planted: list[str], rng: random.Random) -> list[dict[str, Any]]:
    fake = Faker(LOCALES)
    Faker.seed(SEED)
    out = []
    for i in range(size):
        if i % PLANT_EVERY == 0 and planted:
            out.append({"external_id": f"s{i}", "name": planted[(i // PLANT_EVERY) % len(planted)].title()})
            continue
        person = rng.random() < 0.7
        name = fake.name() if person else fake.company()
        out.append({"external_id": f"s{i}", "name": name, "type": "person" if person else "company",
                    "country": fake.current_country_code() if rng.random() < 0.5 else None})
    return out


def measure(size: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    root = require_data()
    url = args.pg or f"sqlite:///{tmp / f'monitoring-{size}.db'}"
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "JOB_RECOVERY": False, "JOB_DIR": str(tmp / "jobs")})
    monitor = app.extensions["monitoring"]
    ctx = monitor.ctx
    update_dir = tmp / f"update-{size}"
    update_dir.mkdir()
    plan = derive_update(root / "ofac", update_dir, args.change)
    with app.app_context():
        t = time.perf_counter()
        run_import(session=db.session, fmt="ofac", paths=[root / "ofac" / f for f in OFAC_FILES])
        baseline_import = time.perf_counter() - t
        t = time.perf_counter()
        catch_up(ctx)
        baseline_states = time.perf_counter() - t
        subjects = portfolio(size, plan["changed"] + plan["added"], random.Random(SEED))
        t = time.perf_counter()
        for start in range(0, len(subjects), 5000):
            upsert_many(session=db.session, items=subjects[start:start + 5000], keep_objects=False)
            db.session.expunge_all()
        db.session.query(MonitoredSubject).update({"screened_version": MonitoredSubject.version})
        db.session.commit()
        write_seconds = time.perf_counter() - t
        session = ctx.sessions()
        t, cpu = time.perf_counter(), time.process_time()
        ctx.subjects.current(session=session)
        index_seconds, index_cpu = time.perf_counter() - t, time.process_time() - cpu
        ctx.lists.current(session=session)
        session.close()
        t = time.perf_counter()
        run_import(session=db.session, fmt="ofac", paths=[update_dir / f for f in OFAC_FILES])
        committed, cpu = time.perf_counter(), time.process_time()
        import_seconds = committed - t
        runs = catch_up(ctx)
        delta_seconds, delta_cpu = time.perf_counter() - committed, time.process_time() - cpu
        rows = db.session.execute(text(
            "SELECT count(*), sum(changes_considered), sum(entities_rescreened), sum(subjects_screened), "
            "sum(pairs_scored), sum(alerts_opened), sum(alerts_held) FROM monitoring_runs "
            "WHERE kind = 'delta' AND id > (SELECT min(id) FROM monitoring_runs WHERE kind = 'delta')")).one()
    print(f"\n== portfolio {size:,} subjects, change of {args.change} entries "
          f"({len(plan['changed'])} changed, {len(plan['added'])} added, {len(plan['removed'])} removed)")
    print(f"setup: OFAC import {baseline_import:.1f} s, monitoring baseline {baseline_states:.1f} s, "
          f"subjects written {write_seconds:.1f} s, subject index built {index_seconds:.1f} s "
          f"(CPU {index_cpu:.1f} s)")
    print(f"update import (commit) {import_seconds:.1f} s; delta runs {runs}: changes {rows[1]}, entities "
          f"rescreened {rows[2]}, subjects screened {rows[3]}, pairs scored {rows[4]}, alerts opened {rows[5]} "
          f"(held {rows[6]})")
    verdict = "OK" if delta_seconds <= TARGET_SECONDS * max(1.0, args.change / 1000) else "MISSED"
    print(f"commit -> last alert: {delta_seconds:.2f} s, CPU {delta_cpu:.2f} s  (target <= {TARGET_SECONDS:.0f} s per 1,000 entries: {verdict})")
    return {"size": size, "seconds": delta_seconds, "pairs": rows[4], "alerts": rows[5], "app": app}


def api_rates(app: Any, args: argparse.Namespace, tmp: Path) -> None:
    with app.app_context():
        _, token = create_key(session=db.session, name="bench", role="admin")
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    rng = random.Random(SEED + 1)
    n = args.api_subjects
    t = time.perf_counter()
    for i in range(n):
        r = client.put(f"/api/v1/monitoring/subjects/api-{i}", json={"name": f"Vendor {rng.randrange(10**9)} Ltd",
                                                                      "type": "company"})
        assert r.status_code == 201, r.json
    single = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for start in range(0, n, 1000):
        batch = [{"external_id": f"batch-{i}", "name": f"Vendor {rng.randrange(10**9)} GmbH", "type": "company"}
                 for i in range(start, min(n, start + 1000))]
        r = client.post("/api/v1/monitoring/subjects/batch", json={"subjects": batch})
        assert r.status_code == 200, r.json
    batched = n / (time.perf_counter() - t)
    print(f"\n== API: PUT one subject at a time {single:,.0f} subjects/s; batches of 1,000 {batched:,.0f} subjects/s "
          f"(each screened at once against OFAC)")
    path = tmp / "portfolio.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Customer No", "Full Name", "Date of Birth", "Country"])
        for i in range(args.csv_rows):
            w.writerow([f"csv-{i}", f"Customer {rng.randrange(10**9)} {rng.choice(['Smith', 'Müller', 'Rossi'])}",
                        f"{rng.randint(1940, 2005)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "DE"])
    t = time.perf_counter()
    r = client.post("/api/v1/monitoring/subjects/csv", data=path.read_bytes(), content_type="text/csv")
    seconds = time.perf_counter() - t
    assert r.status_code == 200, r.json
    print(f"== CSV upload: {r.json['created']:,} subjects in {seconds:.1f} s = {args.csv_rows / seconds:,.0f} rows/s "
          "(written; screened afterwards by a background run)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", default="100000", help="portfolio sizes, comma-separated")
    parser.add_argument("--change", type=int, default=1000, help="entries changed, added or removed")
    parser.add_argument("--api-subjects", type=int, default=2000, help="subjects PUT one by one, and in batches")
    parser.add_argument("--csv-rows", type=int, default=100_000, help="rows of the portfolio file uploaded")
    parser.add_argument("--pg", help="a PostgreSQL URL to use instead of SQLite (one size only)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.subjects.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-monitoring-") as tmp:
        results = [measure(size, args, Path(tmp)) for size in sizes]
        if len(results) > 1:
            a, b = results[0], results[-1]
            print(f"\n== {b['size'] // a['size']}x the portfolio: {b['seconds'] / a['seconds']:.2f}x the time "
                  f"({a['seconds']:.2f} s -> {b['seconds']:.2f} s)")
        if args.api_subjects or args.csv_rows:
            api_rates(results[-1]["app"], args, Path(tmp))


if __name__ == "__main__":
    main()

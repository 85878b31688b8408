"""Server time of the web interface's pages with the full OFAC list imported.

Run from the repository root::

    .venv/bin/python bench/ui_render.py
    .venv/bin/python bench/ui_render.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/ui_render.py --queries 100

Each backend gets a fresh, migrated database (a temp file; a throw-away PostgreSQL database,
dropped afterwards) with the APT31 seed and every ``ofac/*.csv`` file imported through the
normal import path (:func:`service.records.imports.run_import`, as ``sanctions import`` does).
Pages are rendered through Flask's test client signed in as an analyst (session cookie, the
real hooks: user load, CSRF token, security headers), so the time is the server's: routing,
queries, the engine and the template, without a network or a browser.

Pages timed, each with ``--queries`` different inputs drawn (seeded) from the list's names:
search as you type (the htmx partial, a typo in a listed name), search pages (whole page: a
listed name, an empty query with a facet), the entity page, and the screening page
(``/screen?name=...``, when that page exists). Targets: median <= 50 ms, p99 <= 200 ms.

Beside the (wall-clock) times, each page's CPU time in this process, SQL statements per
render (fewest-most) and the median time spent in them: figures that a loaded machine blurs
less than the wall clock (the CPU time excludes waiting for the database server). The machine's
load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

from bench._data import data_path, postgres_database  # noqa: E402
from service import create_app  # noqa: E402
from service.config import normalise_database_url  # noqa: E402
from service.extensions import db  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.models import Entity  # noqa: E402
from service.records.imports import run_import  # noqa: E402
from service.records.users import create_user  # noqa: E402
from service.seed import load_seed, read_seed_files  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_MEDIAN_MS = 50.0
TARGET_P99_MS = 200.0
PASSWORD = "bench password, long enough"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SEED = 20261201


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def typo(name: str, rng: random.Random) -> str:
    """One letter of the name swapped with its neighbour, as a person typing would."""
    letters = [i for i in range(len(name) - 1) if name[i].isalpha() and name[i + 1].isalpha()]
    if not letters:
        return name
    i = rng.choice(letters)
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def load(url: str, tmp: str) -> Any:
    upgrade_database(url)
    # No webhook delivery thread: it would poll the database while pages are timed.
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "JOB_DIR": tmp, "WEBHOOK_POLL_INTERVAL": 0})
    with app.app_context():
        load_seed(session=db.session, docs=read_seed_files(ROOT / "seed"))
        started = time.perf_counter()
        run = run_import(session=db.session, fmt="ofac", paths=sorted(data_path("ofac").glob("*.csv")), origin="cli")
        print(f"  imported OFAC: {run.added} records in {time.perf_counter() - started:.1f} s", flush=True)
        create_user(session=db.session, username="bench-analyst", role="analyst", password=PASSWORD)
        db.session.commit()
    return app


def signed_in(app: Any) -> Any:
    client = app.test_client()
    token = CSRF_META.search(client.get("/login").get_data(as_text=True))
    assert token, "no CSRF token on /login"
    resp = client.post("/login", data={"username": "bench-analyst", "password": PASSWORD, "csrf_token": token.group(1)})
    assert resp.status_code == 302, f"sign-in failed: {resp.status_code}"
    return client


def workloads(app: Any, n: int) -> dict[str, list[tuple[str, dict[str, str]]]]:
    rng = random.Random(SEED)
    with app.app_context():
        rows = db.session.execute(select(Entity.id, Entity.name, Entity.type).where(Entity.archived_at.is_(None))).all()
    picked = rng.sample(rows, min(n, len(rows)))
    htmx = {"HX-Request": "true"}
    facets = ["type=person", "authority=OFAC", "country=RU", "status=active", "programme=SDGT", "type=vessel"]
    pages: dict[str, list[tuple[str, dict[str, str]]]] = {
        "search, as you type (htmx)": [(f"/search?q={quote(typo(name, rng))}", htmx) for _, name, _ in picked],
        "search page, a listed name": [(f"/search?q={quote(name)}", {}) for _, name, _ in picked],
        "search page, no query + facet": [(f"/search?{rng.choice(facets)}", {}) for _ in picked],
        "entity page": [(f"/entities/{eid}", {}) for eid, _, _ in picked],
    }
    if any(rule.rule == "/screen" for rule in app.url_map.iter_rules()):
        pages["screening page"] = [
            ("/screen?" + urlencode({"name": typo(name, rng), "type": "person" if etype == "person" else "company"}), {})
            for _, name, etype in picked
        ]
    return pages


class QueryMeter:
    """Counts the SQL statements run, and the time spent in them, on one engine."""

    def __init__(self, engine: Any) -> None:
        self.count, self.seconds, self._started = 0, 0.0, 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *args: Any) -> None:
        self.count += 1
        self._started = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._started

    def reset(self) -> None:
        self.count, self.seconds = 0, 0.0


@dataclass
class Timings:
    took: list[float] = field(default_factory=list)  # ms, wall clock
    cpu: list[float] = field(default_factory=list)  # ms of this process's CPU
    queries: list[int] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)  # ms, wall clock, in the statements


def time_pages(client: Any, requests: list[tuple[str, dict[str, str]]], meter: QueryMeter | None = None) -> Timings:
    """Each request's time, CPU time, SQL statements and time in SQL."""
    out = Timings()
    for path, headers in requests:
        if meter:
            meter.reset()
        started, cpu = time.perf_counter(), time.process_time()
        resp = client.get(path, headers=headers)
        out.took.append((time.perf_counter() - started) * 1000)
        out.cpu.append((time.process_time() - cpu) * 1000)
        assert resp.status_code == 200, f"{path}: {resp.status_code}"
        if meter:
            out.queries.append(meter.count)
            out.sql.append(meter.seconds * 1000)
    return out


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench(label: str, url: str, n: int) -> bool:
    print(f"{label}:", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = load(normalise_database_url(url), tmp)
        client = signed_in(app)
        started = time.perf_counter()
        client.get("/search?q=warm+up")  # the screening index is built on the first search
        print(f"  index built on the first search in {time.perf_counter() - started:.1f} s", flush=True)
        pages = workloads(app, n)
        if "screening page" not in pages:
            print("  /screen does not exist in this tree: the screening page is not timed")
        ok = True
        with app.app_context():
            meter = QueryMeter(db.engine)
        print(f"  {load_average()}", flush=True)
        for name, requests in pages.items():
            time_pages(client, requests[:5])  # warm the templates and the statement cache
            t = time_pages(client, requests, meter)
            median, p99 = statistics.median(t.took), percentile(t.took, 0.99)
            within = median <= TARGET_MEDIAN_MS and p99 <= TARGET_P99_MS
            ok &= within
            print(f"  {name:32} n={len(t.took):4}  median {median:6.1f} ms  p99 {p99:6.1f} ms  "
                  f"max {max(t.took):6.1f} ms  {'ok' if within else 'OVER TARGET'}\n"
                  f"  {'':32}         CPU median {statistics.median(t.cpu):5.1f} ms  p99 "
                  f"{percentile(t.cpu, 0.99):5.1f} ms; SQL {min(t.queries)}-{max(t.queries)} statements, "
                  f"median {statistics.median(t.sql):.1f} ms", flush=True)
        print(f"  {load_average()}", flush=True)
        with app.app_context():
            db.engine.dispose()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", help="PostgreSQL server URL; a temporary database is created on it")
    parser.add_argument("--queries", type=int, default=200, help="inputs per page (default 200)")
    args = parser.parse_args(argv)
    if not data_path("ofac", "sdn.csv").exists():
        print(f"shared data not found at {data_path()}; set SANCTIONS_DATA_DIR", file=sys.stderr)
        return 2
    print(f"targets: median <= {TARGET_MEDIAN_MS:.0f} ms, p99 <= {TARGET_P99_MS:.0f} ms (server time, test client)")
    with tempfile.TemporaryDirectory() as tmp:
        ok = bench("sqlite", f"sqlite:///{tmp}/bench.db", args.queries)
    if args.pg:
        with postgres_database(args.pg) as url:
            ok &= bench("postgresql", url, args.queries)
    print("all within targets" if ok else "SOME PAGES OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

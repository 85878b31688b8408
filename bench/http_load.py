"""Screening over HTTP under load: ``sanctions serve`` with the OFAC list, driven by ``wrk``.

Run from the repository root::

    .venv/bin/python bench/http_load.py                                   # SQLite only
    .venv/bin/python bench/http_load.py --pg postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/http_load.py --pg URL --no-sqlite --duration 30 --connections 8

For each backend: a fresh database (a temp SQLite file; a throw-away PostgreSQL database,
dropped afterwards), migrated, the full OFAC list imported through the normal import path
(``run_import``, files read in place from ``SANCTIONS_DATA_DIR``), a screener key; then
``sanctions serve --workers 2`` with the rate limit off (the evidence log is always on), waited
for until ``/health/ready`` answers 200 (or ``/health`` where there is no readiness endpoint),
warmed, and driven with ``POST /api/v1/screen`` by ``wrk`` (Debian package ``wrk``) from
``--connections`` connections, each request a distinct realistic name (``faker``, many locales,
fixed seed; a Lua script hands out the bodies). Printed per backend, each against its target:
requests per second (>= 500), median and p99 latency (p99 <= 50 ms), errors (0: connection
errors, timeouts and non-2xx answers), and memory after the load: the sum of the service's
PSS (``/proc/PID/smaps_rollup``; master and workers) against what one worker takes alone
(its RSS: every page it maps, shared or not) — the sum must stay within 1.3 times that.
Also printed: which build of the engine answers (compiled or pure Python, from /health), the
time from start to ready, the slowest of the first requests after ready
(a worker building its index on its first request shows here), and the CPU time per request
of the service's processes and of the PostgreSQL backends serving it during the measured run,
with the throughput that allows on this machine's cores: unlike requests per second, it hardly
depends on what else the machine is running. Monitoring's poller is off in the service.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from faker import Faker  # noqa: E402  (dev extra)
from sqlalchemy import create_engine, text  # noqa: E402

from bench._data import data_path, postgres_database  # noqa: E402
from service import create_app  # noqa: E402
from service.config import normalise_database_url  # noqa: E402
from service.extensions import db  # noqa: E402
from service.migrate import upgrade_database  # noqa: E402
from service.records.imports import run_import  # noqa: E402
from service.records.keys import create_key  # noqa: E402
from tests.faults.server import ServiceProcess  # noqa: E402

TARGET_RPS = 500.0
TARGET_P99_MS = 50.0
TARGET_MEMORY_RATIO = 1.3
SEED = 20261201
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "nl_NL", "pl_PL", "tr_TR",
           "ru_RU", "uk_UA", "ar_AA", "fa_IR", "zh_CN", "ja_JP", "ko_KR", "hi_IN", "vi_VN", "id_ID")
COUNTRIES = ("US", "GB", "DE", "FR", "ES", "IT", "BR", "NL", "PL", "TR", "RU", "UA", "AE", "IR", "CN",
             "JP", "KR", "IN", "VN", "ID")

# Each wrk thread takes every n-th body from its own offset, so no two requests of a run send
# the same name (until the file is exhausted: make it longer than a run's requests).
LUA = r"""
local bodies, idx, step = {}, 0, 1
local tid = 0
local threads = {}
function setup(thread)
  tid = tid + 1
  thread:set("tid", tid)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  wrk.headers["Content-Type"] = "application/json"
  idx, step = tid - 1, tonumber(args[3])
end
function request()
  local body = bodies[(idx % #bodies) + 1]
  idx = idx + step
  return wrk.format("POST", "/api/v1/screen", nil, body)
end
local shown = 0
function response(status, headers, body)
  if status ~= 200 and shown < 3 then
    shown = shown + 1
    io.write("WRK_BAD " .. status .. " " .. string.sub(body or "", 1, 200) .. "\n")
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write("WRK_JSON " .. string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def names(count: int, seed: int) -> list[dict[str, str]]:
    """Distinct realistic subjects as vendor files send them: mostly people, some companies,
    some with a country."""
    rng = random.Random(seed)
    fakers = {loc: Faker(loc) for loc in LOCALES}
    for i, fake in enumerate(fakers.values()):
        fake.seed_instance(seed + i)
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    while len(out) < count:
        locale = rng.choice(LOCALES)
        company = rng.random() < 0.3
        name = fakers[locale].company() if company else fakers[locale].name()
        if name in seen:
            continue
        seen.add(name)
        subject = {"name": name, "type": "company" if company else "person"}
        if rng.random() < 0.3:
            subject["country"] = COUNTRIES[LOCALES.index(locale)]
        out.append(subject)
    return out


def prepare(url: str) -> str:
    """Migrate, import the OFAC list, create a screener key; returns the key."""
    upgrade_database(url)
    app = create_app({"DATABASE_URL": url, "JOB_RECOVERY": False})
    with app.app_context():
        started = time.perf_counter()
        run = run_import(session=db.session, fmt="ofac", paths=sorted(data_path("ofac").glob("*.csv")), origin="cli")
        print(f"  imported OFAC: {run.added} entities, {run.names} names in {time.perf_counter() - started:.1f} s",
              flush=True)
        _, token = create_key(session=db.session, name="http bench", role="screener")
        db.session.commit()
        db.engine.dispose()
    return token


def memory_kb(pid: int) -> dict[str, int]:
    """Rss and Pss of one process, in kB, from /proc/PID/smaps_rollup."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        label, _, rest = line.partition(":")
        if label in ("Rss", "Pss"):
            out[label] = int(rest.split()[0])
    return out


def run_wrk(url: str, bodies: Path, key: str, *, seconds: int, connections: int, threads: int) -> Load:
    script = bodies.with_suffix(".lua")
    script.write_text(LUA)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
           url, "--", str(bodies), key, str(threads)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    for bad in (x for x in out.splitlines() if x.startswith("WRK_BAD ")):
        print(f"  an answer that was not 200: {bad.removeprefix('WRK_BAD ')}")
    line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
    r = json.loads(line.removeprefix("WRK_JSON "))
    errors = {k: r[k] for k in ("connect", "read", "write", "status", "timeout") if r[k]}
    return Load(requests=r["requests"], seconds=r["duration_us"] / 1e6, p50_ms=r["p50_us"] / 1000,
                p90_ms=r["p90_us"] / 1000, p99_ms=r["p99_us"] / 1000, max_ms=r["max_us"] / 1000, errors=errors)


def wait_ready(svc: ServiceProcess, timeout: float = 120.0) -> float:
    """Seconds until the readiness endpoint (or, without one, /health) answers 200."""
    started = time.monotonic()
    path = "/health/ready"
    while time.monotonic() - started < timeout:
        try:
            status = svc.request("GET", path, key=None, timeout=5)[0]
        except OSError:
            status = 0
        if status == 404 and path != "/health":
            path = "/health"
            continue
        if status == 200:
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not answer 200 within {timeout} s")


def first_request(svc: ServiceProcess, subject: dict[str, str], key: str) -> float:
    """Seconds until one screen succeeds, retrying failures (a worker killed by gunicorn's
    timeout while it builds its index answers nothing)."""
    started = time.perf_counter()
    for _ in range(10):
        try:
            if svc.request("POST", "/api/v1/screen", body=subject, key=key, timeout=120)[0] == 200:
                return time.perf_counter() - started
        except OSError as exc:
            print(f"  a first request failed: {type(exc).__name__}", flush=True)
        time.sleep(0.5)
    raise RuntimeError("no screen succeeded after start-up")


def add_load_options(parser: argparse.ArgumentParser, *, duration: int) -> None:
    """The options of a wrk run against ``sanctions serve`` (see :func:`serve_and_load`)."""
    parser.add_argument("--duration", type=int, default=duration, help="seconds of measured load")
    parser.add_argument("--warm", type=int, default=3, help="seconds of warm-up load")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")


@dataclass
class Served:
    """What one load run against the service measured."""

    load: Load
    cpu: tuple[float, float]  # CPU seconds during the measured load: the service's, PostgreSQL's
    mem: dict[str, dict[str, int]]  # per process after the load: Rss and Pss in kB
    master_peak_kb: int
    started_s: float  # from start to /health answering, every worker up
    ready_s: float  # from /health answering to ready
    first_ms: list[float]  # the first requests after ready
    engine: str  # which build of the engine answered


def serve_and_load(url: str, args: argparse.Namespace, work: Path, label: str, warm: list[dict[str, Any]],
                   measured: list[dict[str, Any]], key: Callable[[ServiceProcess], str], *,
                   start_timeout: float = 300.0) -> Served:
    """Start ``sanctions serve`` on ``url`` (``args.workers`` workers, rate limit off), warm it
    with ``warm``, then load it with wrk on ``measured`` (one request per body, each name once
    while they last) and measure CPU and memory. ``key`` gives the API key once it runs."""
    warm_file, bodies = work / f"{label}-warm.jsonl", work / f"{label}-bodies.jsonl"
    warm_file.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in warm), encoding="utf-8")
    bodies.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in measured), encoding="utf-8")
    # Monitoring's poller is off: its first round would catch up on the whole import just made,
    # reading every entity while the load runs (a service that imports while running catches up
    # on each import as it commits).
    svc = ServiceProcess(work, database_url=url, workers=args.workers, name=label,
                         env={"JOB_RECOVERY": "true", "RATELIMIT_ENABLED": "false",
                              "MONITORING_POLL_INTERVAL": "0"})
    started = time.monotonic()
    svc.start(timeout=start_timeout)  # the master builds the index before it binds the port
    try:
        started_s = time.monotonic() - started
        ready_s = wait_ready(svc, timeout=start_timeout)
        token = key(svc)
        # The first requests after ready: a worker still building its index stalls here.
        firsts = [first_request(svc, subject, token) * 1000 for subject in warm[:2 * args.workers]]
        # The figures mean little without knowing which build of the engine answered them.
        health = svc.request("GET", "/health", key=None)[2]
        engine = str(health.get("engine", "?")) if isinstance(health, dict) else "?"
        run_wrk(svc.url, warm_file, token, seconds=args.warm, connections=args.connections, threads=args.threads)
        service = [svc.pid, *svc.worker_pids()]
        database = backend_pids(url)
        cpu_before = cpu_seconds(service), cpu_seconds(database)
        load = run_wrk(svc.url, bodies, token, seconds=args.duration, connections=args.connections,
                       threads=args.threads)
        cpu = cpu_seconds(service) - cpu_before[0], cpu_seconds(database) - cpu_before[1]
        if load.requests > len(measured):
            print(f"  note: {load.requests} requests > {len(measured)} distinct names: some names repeated")
        pids = {"master": svc.pid, **{f"worker {i + 1}": p for i, p in enumerate(svc.worker_pids())}}
        mem = {name: memory_kb(pid) for name, pid in pids.items()}
        master_peak = status_kb(svc.pid, "VmHWM")
    finally:
        svc.stop()
        svc.kill()
    return Served(load, cpu, mem, master_peak, started_s, ready_s, firsts, engine)


def status_kb(pid: int, field: str) -> int:
    """A kB figure of /proc/PID/status (VmHWM: peak RSS; VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def bench(label: str, url: str, args: argparse.Namespace, work: Path) -> bool:
    print(f"{label}: preparing", flush=True)
    token = prepare(url)
    subjects = names(args.names + 2000, SEED)
    run = serve_and_load(url, args, work, label, subjects[:2000], subjects[2000:], lambda svc: token)
    print(f"  ready {run.started_s + run.ready_s:.1f} s after start ({run.ready_s:.1f} s after /health); "
          f"slowest of the first {len(run.first_ms)} requests {max(run.first_ms):.0f} ms", flush=True)
    print(f"  engine: {run.engine}", flush=True)
    return report(label, run.load, run.mem, run.cpu)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of the processes so far (those gone count as 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def backend_pids(url: str) -> list[int]:
    """The PostgreSQL server processes serving this database's connections (same machine)."""
    if not url.startswith("postgresql"):
        return []
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            return list(conn.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                          "AND pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


def report(label: str, load: Load, mem: dict[str, dict[str, int]], cpu: tuple[float, float]) -> bool:
    total_pss = sum(m["Pss"] for m in mem.values())
    workers = {k: v for k, v in mem.items() if k.startswith("worker")}
    one_worker = max(m["Rss"] for m in workers.values())
    ratio = total_pss / one_worker
    errors = sum(load.errors.values())
    checks = [load.rps >= TARGET_RPS, load.p99_ms <= TARGET_P99_MS, errors == 0, ratio <= TARGET_MEMORY_RATIO]

    def mark(ok: bool) -> str:
        return "ok  " if ok else "MISS"

    print(f"{label}: {load.requests} requests in {load.seconds:.1f} s")
    print(f"  [{mark(checks[0])}] requests/s      {load.rps:8.1f}   (target >= {TARGET_RPS:.0f})")
    print(f"  [{mark(checks[1])}] latency p99     {load.p99_ms:8.1f} ms (target <= {TARGET_P99_MS:.0f} ms); "
          f"median {load.p50_ms:.1f} ms, p90 {load.p90_ms:.1f} ms, max {load.max_ms:.1f} ms")
    kinds = ", ".join(f"{k} {v}" for k, v in load.errors.items())
    print(f"  [{mark(checks[2])}] errors          {errors:8d}   (target 0){f'; {kinds}' if kinds else ''}")
    print(f"  [{mark(checks[3])}] memory: sum of PSS {total_pss / 1024:.0f} MB = {ratio:.2f} x one worker alone "
          f"(its RSS {one_worker / 1024:.0f} MB; target <= {TARGET_MEMORY_RATIO})")
    for name, m in mem.items():
        print(f"         {name:9} PSS {m['Pss'] / 1024:7.1f} MB   RSS {m['Rss'] / 1024:7.1f} MB")
    # CPU per request does not depend on what else the machine runs, as throughput does.
    per = [c / max(1, load.requests) * 1000 for c in cpu]
    cores = os.cpu_count() or 1
    print(f"         CPU per request: {per[0]:.1f} ms in the service + {per[1]:.1f} ms in PostgreSQL: at most "
          f"{cores * 1000 / max(0.001, sum(per)):.0f} requests/s on {cores} cores (load generator aside)")
    print(flush=True)
    return all(checks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"),
                        help="PostgreSQL server URL (default: TEST_DATABASE_URL); a temporary database is made")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    add_load_options(parser, duration=20)
    parser.add_argument("--names", type=int, default=30000, help="distinct names for the measured run")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk not found: install it (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    if not data_path("ofac", "sdn.csv").exists():
        print(f"shared data not found at {data_path()}; set SANCTIONS_DATA_DIR", file=sys.stderr)
        return 2
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.pg:
            with postgres_database(args.pg, "sanctions_http") as url:
                ok &= bench("postgresql", url, args, work)
        if not args.no_sqlite:
            ok &= bench("sqlite", f"sqlite:///{work}/http.db", args, work)
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

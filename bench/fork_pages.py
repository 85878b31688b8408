"""What a forked worker copies of the memory it shares with the master, and whose it is.

Run from the repository root::

    .venv/bin/python bench/fork_pages.py                    # OFAC list, 3,000 screens
    .venv/bin/python bench/fork_pages.py --requests 10000

The memory target of issue 13 (``bench/http_load.py``: the service's summed PSS within 1.3
times one worker's RSS) depends on how much of what the gunicorn master shares with its
workers they copy while they serve. CPython 3.11 writes an object's reference count whenever
the object is used, so each page holding an object that a request reads is copied into that
worker; a page both workers copy is then held three times (the master's and one per worker).

This does in one process what ``sanctions serve`` does before it forks
(:func:`service.serving.on_starting`: the app's modules, the readers, the index built and
frozen), on the OFAC list imported into a temporary SQLite database. Then it forks one worker,
which creates the app as a worker does (``service.wsgi``) and screens ``--requests`` distinct
names (as ``bench/http_load.py`` sends them) through ``POST /api/v1/screen`` in Flask's test
client: the whole request path but the socket. Afterwards the worker reads
``/proc/self/pagemap`` first (before it touches anything else) and then attributes the pages
it holds alone that were present before the fork (the copied pages) to the objects on them:

- ``index``: objects reachable from the screening index;
- a package (``service.screening``, ``flask``, ...): objects reachable from its modules' globals
  and not from the index (each object to the first owner that reaches it: the index, then
  the service's modules, then the others by name);
- ``no object known``: what no Python object reachable that way lies on: C allocations (a
  dict's table, a list's items, the interpreter's own), and freed space.

A page holding objects of several owners is split evenly between them. ``faker`` (which makes
the names, in this process before the fork) shows as a small owner that a real master does not
have. Printed: the worker's
private memory, split into pages copied from the master and pages it allocated itself (its
caches, the app it creates, the request's objects), then the copied pages by owner.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import sys
import tempfile
import types
from array import array
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bulk_speed import proc_mb  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
PRESENT, EXCLUSIVE = 1 << 63, 1 << 56  # pagemap bits: page present; mapped by this process only


def writable_anonymous() -> array[int]:
    """Start and end page numbers of this process's writable anonymous mappings (the heap,
    pymalloc's arenas, large buffers), flat: where Python objects and their data live."""
    out = array("Q")
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split()
        if fields[1].startswith("rw") and (len(fields) < 6 or fields[5] == "[heap]"):
            start, end = (int(x, 16) // PAGE for x in fields[0].split("-"))
            out.extend((start, end))
    return out


def page_states(regions: array[int]) -> bytearray:
    """Per page of ``regions``, in order: 0 absent, 1 present and shared, 2 present and held by
    this process alone. Reads pagemap into fresh objects only, so that reading it copies
    nothing."""
    states = bytearray()
    with open("/proc/self/pagemap", "rb", buffering=0) as f:
        for i in range(0, len(regions), 2):
            start, end = regions[i], regions[i + 1]
            f.seek(start * 8)
            entries = memoryview(f.read((end - start) * 8)).cast("Q")
            states += bytes(0 if not e & PRESENT else 2 if e & EXCLUSIVE else 1 for e in entries)
    return states


def owners(index: Any) -> dict[int, str]:
    """Object address -> owner (see the module docstring)."""
    module_dicts = {id(vars(m)) for m in list(sys.modules.values()) if m is not None}
    owner: dict[int, str] = {}

    def claim(root: Any, tag: str) -> None:
        stack = [root]
        while stack:
            obj = stack.pop()
            if id(obj) in owner or isinstance(obj, types.ModuleType):
                continue
            owner[id(obj)] = tag
            for ref in gc.get_referents(obj):
                if id(ref) not in owner and id(ref) not in module_dicts:
                    stack.append(ref)

    claim(index, "index")
    modules = sorted((name, m) for name, m in list(sys.modules.items()) if m is not None)
    modules.sort(key=lambda item: not item[0].startswith("service"))  # the service's first
    for name, module in modules:
        parts = name.split(".")
        tag = ".".join(parts[:2]) if parts[0] == "service" else parts[0]
        owner.setdefault(id(module), tag)
        for value in list(vars(module).values()):
            claim(value, tag)
    return owner


def worker(index: Any, bodies: Path, regions: array[int]) -> None:
    """The forked worker: serve, read pagemap, attribute, print. The names are read here, after
    the fork, as a worker receives them: made before, they would lie among the master's pages."""
    before = proc_mb(os.getpid(), "smaps_rollup", "Private_Dirty")
    subjects = [json.loads(line) for line in bodies.read_text(encoding="utf-8").splitlines()]
    from service.extensions import db
    from service.records.keys import create_key
    from service.wsgi import app

    with app.app_context():
        _, token = create_key(session=db.session, name=f"fork pages {os.getpid()}", role="screener")
        db.session.commit()
    client = app.test_client()
    for subject in subjects:
        resp = client.post("/api/v1/screen", json=subject, headers={"Authorization": f"Bearer {token}"})
        if resp.status_code != 200:
            raise SystemExit(f"screen answered {resp.status_code}: {resp.get_data(as_text=True)[:200]}")
    after = proc_mb(os.getpid(), "smaps_rollup", "Private_Dirty")
    states = page_states(regions)  # before anything else is touched
    gc.unfreeze()
    owner = owners(index)
    on_page: dict[int, set[str]] = {}
    for address, tag in owner.items():
        on_page.setdefault(address // PAGE, set()).add(tag)
    copied: defaultdict[str, float] = defaultdict(float)
    n = 0
    for i in range(0, len(regions), 2):
        for page in range(regions[i], regions[i + 1]):
            if states[n] == 2:
                tags = on_page.get(page) or {"no object known"}
                for tag in tags:
                    copied[tag] += 1 / len(tags)
            n += 1
    total = sum(copied.values()) * PAGE / 2**20
    print(f"worker after {len(subjects)} screens: private {after:.0f} MB (at the fork {before:.0f} MB)")
    print(f"  copied from the master's heap: {total:.1f} MB; other private pages (the worker's own "
          f"allocations, libraries' writable data): {after - total:.1f} MB")
    for tag, pages in sorted(copied.items(), key=lambda item: -item[1])[:15]:
        print(f"    {pages * PAGE / 2**20:6.1f} MB  {tag}")


def measure(work: Path, requests: int) -> int:
    from bench.http_load import SEED, names, prepare

    url = f"sqlite:///{work / 'service.db'}"
    prepare(url)
    bodies = work / "bodies.jsonl"
    bodies.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in names(requests, SEED)),
                      encoding="utf-8")
    os.environ.update({"DATABASE_URL": url, "RATELIMIT_ENABLED": "false", "MONITORING_POLL_INTERVAL": "0",
                       "JOB_DIR": str(work / "jobs")})
    from service import serving

    class Server:
        class log:  # noqa: N801  (gunicorn's server.log)
            info = warning = staticmethod(lambda *a: None)

    serving.on_starting(Server())  # imports, readers, the index built and frozen: as the master
    if serving.PREBUILT is None or serving.PREBUILT[1].held is None:
        raise SystemExit("the index was not built")
    index = serving.PREBUILT[1].held.index
    regions = writable_anonymous()
    gc.freeze()  # what this process made since: out of the collector's reach, as the index
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            worker(index, bodies, regions)
        except BaseException as exc:  # noqa: BLE001  (reported, then the child ends)
            print(f"worker failed: {exc!r}", file=sys.stderr)
            code = 1
        finally:
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000, help="distinct names screened by the worker")
    args = parser.parse_args()
    sys.modules["pykakasi"] = None  # type: ignore[assignment]  # as installed: no [japanese] extra
    from bench._data import data_path, have

    if not have("ofac", "sdn.csv"):
        print(f"skipped: the OFAC list is not at {data_path('ofac')} (set SANCTIONS_DATA_DIR)")
        return 0
    work = Path(tempfile.mkdtemp(prefix="fork-pages-"))
    try:
        return measure(work, args.requests)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
